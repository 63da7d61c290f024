-- Payments, partial-payment balances, cashier notifications and day closings (issue 6).
-- Money is integer hundredths of its currency; USD is the base; every payment keeps the rate it used.

-- Per-event payment settings; an event without a row uses the defaults in shared/payments.ts.
CREATE TABLE event_payment_settings (
  event_id                      INTEGER PRIMARY KEY REFERENCES events(id),
  deposit_minimum_basis_points  INTEGER NOT NULL CHECK (deposit_minimum_basis_points BETWEEN 0 AND 10000),
  updated_at                    INTEGER NOT NULL,
  updated_by                    TEXT    NOT NULL
);

-- Z reports: one per cashier and business day, numbered across the terminal.
CREATE TABLE day_closings (
  id            INTEGER PRIMARY KEY,
  number        INTEGER NOT NULL UNIQUE,
  cashier       TEXT    NOT NULL,
  -- America/Caracas calendar day 'YYYY-MM-DD' the closing is for.
  business_day  TEXT    NOT NULL,
  closed_at     INTEGER NOT NULL,
  closed_by     TEXT    NOT NULL,
  -- The report exactly as it was printed, so a reprint never recomputes it.
  report        TEXT    NOT NULL CHECK (json_valid(report)),
  UNIQUE (cashier, business_day)
);

-- One act of paying: a sale paid in full, a deposit, or a later payment on a reservation.
CREATE TABLE payments (
  id                 TEXT    PRIMARY KEY,
  transaction_id     TEXT    NOT NULL REFERENCES transactions(id),
  event_id           INTEGER NOT NULL REFERENCES events(id),
  kind               TEXT    NOT NULL CHECK (kind IN ('SALE', 'DEPOSIT', 'INSTALMENT')),
  cashier            TEXT    NOT NULL,
  terminal           TEXT,
  -- Bolívares per dollar used by this payment ('36.5000').
  ves_per_usd        TEXT    NOT NULL,
  -- What was due before it and what it credited, USD cents.
  due_cents          INTEGER NOT NULL CHECK (due_cents >= 0),
  applied_cents      INTEGER NOT NULL CHECK (applied_cents >= 0 AND applied_cents <= due_cents),
  -- Cash given back, in the currency the cashier chose, and its USD worth at ves_per_usd.
  change_currency    TEXT    CHECK (change_currency IN ('USD', 'VES')),
  change_cents       INTEGER NOT NULL DEFAULT 0 CHECK (change_cents >= 0),
  change_usd_cents   INTEGER NOT NULL DEFAULT 0 CHECK (change_usd_cents >= 0),
  created_at         INTEGER NOT NULL,
  -- Set by the Z report that closed it; NULL while the cashier's day is open.
  closing_id         INTEGER REFERENCES day_closings(id),
  -- The caller's idempotency key: a retried request gets the first answer, never a second payment.
  request_id         TEXT    UNIQUE,
  CHECK ((change_cents = 0) = (change_currency IS NULL))
);
CREATE INDEX payments_by_transaction ON payments(transaction_id);
CREATE INDEX payments_open_by_cashier ON payments(cashier, created_at) WHERE closing_id IS NULL;
CREATE INDEX payments_by_closing ON payments(closing_id);

CREATE TABLE payment_tenders (
  id             INTEGER PRIMARY KEY,
  payment_id     TEXT    NOT NULL REFERENCES payments(id),
  method         TEXT    NOT NULL CHECK (method IN ('CASH_USD', 'CASH_VES', 'PAGO_MOVIL', 'ZELLE', 'CARD', 'TRANSFER')),
  currency       TEXT    NOT NULL CHECK (currency IN ('USD', 'VES')),
  amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
  usd_cents      INTEGER NOT NULL CHECK (usd_cents >= 0),
  reference      TEXT,
  phone          TEXT,
  bank_code      TEXT,
  email          TEXT,
  terminal_id    TEXT,
  CHECK (
    (method = 'CASH_USD' AND currency = 'USD' AND reference IS NULL) OR
    (method = 'CASH_VES' AND currency = 'VES' AND reference IS NULL) OR
    (method = 'PAGO_MOVIL' AND currency = 'VES' AND reference IS NOT NULL AND phone IS NOT NULL AND bank_code IS NOT NULL) OR
    (method = 'ZELLE' AND currency = 'USD' AND (reference IS NOT NULL OR email IS NOT NULL)) OR
    (method = 'CARD' AND currency = 'VES' AND reference IS NOT NULL) OR
    (method = 'TRANSFER' AND reference IS NOT NULL AND bank_code IS NOT NULL)
  )
);
CREATE INDEX tenders_by_payment ON payment_tenders(payment_id);
-- A bank reference pays once: the same Pago Móvil or transfer shown twice is refused. Card approval
-- codes repeat between terminals and days, so they are not unique.
CREATE UNIQUE INDEX one_use_per_bank_reference ON payment_tenders(method, bank_code, reference)
  WHERE method IN ('PAGO_MOVIL', 'TRANSFER');
CREATE UNIQUE INDEX one_use_per_zelle_reference ON payment_tenders(reference)
  WHERE method = 'ZELLE' AND reference IS NOT NULL;

CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
  SELECT RAISE(ABORT, 'payments are append-only');
END;

CREATE TRIGGER payments_only_close BEFORE UPDATE ON payments
  WHEN OLD.closing_id IS NOT NULL OR NEW.id <> OLD.id OR NEW.applied_cents <> OLD.applied_cents
    OR NEW.change_cents <> OLD.change_cents OR NEW.transaction_id <> OLD.transaction_id
    OR NEW.request_id IS NOT OLD.request_id
BEGIN
  SELECT RAISE(ABORT, 'a payment only changes by being closed, once');
END;

CREATE TRIGGER tenders_no_change BEFORE UPDATE ON payment_tenders
BEGIN
  SELECT RAISE(ABORT, 'payment tenders are append-only');
END;

-- Messages for the cashier ("reservation X for María Pérez expired; seats released").
CREATE TABLE notifications (
  id               INTEGER PRIMARY KEY,
  kind             TEXT    NOT NULL,
  transaction_id   TEXT,
  event_id         INTEGER,
  message          TEXT    NOT NULL,
  data             TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
  -- The audit entry it was produced from: producing twice is a no-op.
  source_audit_id  INTEGER UNIQUE,
  created_at       INTEGER NOT NULL,
  acknowledged_at  INTEGER,
  acknowledged_by  TEXT
);
CREATE INDEX notifications_unacknowledged ON notifications(created_at) WHERE acknowledged_at IS NULL;

-- How far the notification scan has read the audit log. An existing store starts at its end: what
-- expired before this version is not news.
CREATE TABLE notification_cursor (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  audit_id  INTEGER NOT NULL
);
INSERT INTO notification_cursor (id, audit_id) SELECT 1, COALESCE(MAX(id), 0) FROM audit_log;
