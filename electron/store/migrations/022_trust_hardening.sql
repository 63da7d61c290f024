-- What a red-team review of issue 11 found, kept by the store as well as by the services.

-- Money a box office can mean (shared/money.ts): an exchange rate from 1 to 1,000,000 Bs. per USD,
-- one payment at most USD 100,000.00, one tender at most 10^13 cents of its currency. The services
-- refuse more before writing; these keep any other writer from storing what the reports cannot add.
CREATE TRIGGER events_rate_in_range_insert BEFORE INSERT ON events
WHEN CAST(NEW.ves_per_usd AS REAL) < 1 OR CAST(NEW.ves_per_usd AS REAL) > 1000000
BEGIN
  SELECT RAISE(ABORT, 'RATE_OUT_OF_RANGE: an exchange rate is from 1 to 1,000,000 Bs. per USD');
END;

CREATE TRIGGER events_rate_in_range_update BEFORE UPDATE OF ves_per_usd ON events
WHEN CAST(NEW.ves_per_usd AS REAL) < 1 OR CAST(NEW.ves_per_usd AS REAL) > 1000000
BEGIN
  SELECT RAISE(ABORT, 'RATE_OUT_OF_RANGE: an exchange rate is from 1 to 1,000,000 Bs. per USD');
END;

CREATE TRIGGER payments_within_bounds BEFORE INSERT ON payments
WHEN NEW.applied_cents > 10000000 OR NEW.change_usd_cents > 10000000 OR NEW.change_cents > 10000000000000
BEGIN
  SELECT RAISE(ABORT, 'AMOUNT_TOO_LARGE: one payment hands over at most USD 100,000.00');
END;

CREATE TRIGGER payment_tenders_within_bounds BEFORE INSERT ON payment_tenders
WHEN NEW.amount_cents > 10000000000000 OR NEW.usd_cents > 10000000
BEGIN
  SELECT RAISE(ABORT, 'AMOUNT_TOO_LARGE: one tender is at most 10^13 cents of its currency');
END;
