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

-- A payment reference is compared as one namespace per bank (shared/payment-references.ts): Pago
-- Móvil and transfers of one bank share 'BANK|<bank>|<reference>', and Zelle and provider card
-- references lose their separators too ('ABCD-1234' is 'ABCD1234'). The references stored before are
-- re-keyed the same way; where two old keys become one (the same money shown as both methods), the
-- first use keeps it.
CREATE TABLE payment_references_022 (
  reference_key  TEXT    PRIMARY KEY,
  payment_id     TEXT    NOT NULL REFERENCES payments(id),
  tender_id      INTEGER NOT NULL REFERENCES payment_tenders(id)
);

WITH parts AS (
  SELECT tender_id, payment_id,
    substr(reference_key, 1, instr(reference_key, '|') - 1) AS method,
    substr(reference_key, instr(reference_key, '|') + 1) AS rest
  FROM payment_references
), split AS (
  SELECT tender_id, payment_id, method,
    substr(rest, 1, instr(rest, '|') - 1) AS middle,
    ltrim(replace(replace(replace(replace(replace(upper(substr(rest, instr(rest, '|') + 1)),
      '-', ''), ' ', ''), '.', ''), '/', ''), '_', ''), '0') AS reference
  FROM parts
)
INSERT OR IGNORE INTO payment_references_022 (reference_key, payment_id, tender_id)
SELECT
  CASE WHEN method IN ('PAGO_MOVIL', 'TRANSFER') THEN 'BANK' ELSE method END || '|' || middle || '|' ||
    CASE WHEN reference = '' THEN '0' ELSE reference END,
  payment_id,
  tender_id
FROM split
ORDER BY tender_id;

DROP TABLE payment_references;
ALTER TABLE payment_references_022 RENAME TO payment_references;
