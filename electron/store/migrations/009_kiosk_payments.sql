-- No sale without money at the kiosk (issue 11, finding 1). A kiosk records only what a payment
-- provider confirmed; with no provider it reserves the seats for a short time and prints a slip the
-- customer pays at the counter; and a payment reference pays once, compared normalised.

-- The provider this terminal asks to confirm card and Pago Móvil payments (one row; none: no
-- provider, the kiosk offers "Pagar en taquilla"). Names are checked by the terminal's registry.
CREATE TABLE payment_provider_setting (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  provider  TEXT    NOT NULL,
  set_at    INTEGER NOT NULL,
  set_by    TEXT    NOT NULL
);

-- Simulated approvals exist only on a training store, whoever writes the row.
CREATE TRIGGER training_provider_needs_training_store BEFORE INSERT ON payment_provider_setting
WHEN NEW.provider = 'training' AND NOT EXISTS (SELECT 1 FROM terminal_mode)
BEGIN
  SELECT RAISE(ABORT, 'TRAINING_PROVIDER: the training provider exists only on a training store');
END;

CREATE TRIGGER training_provider_needs_training_store_update BEFORE UPDATE ON payment_provider_setting
WHEN NEW.provider = 'training' AND NOT EXISTS (SELECT 1 FROM terminal_mode)
BEGIN
  SELECT RAISE(ABORT, 'TRAINING_PROVIDER: the training provider exists only on a training store');
END;

-- What a provider confirmed, written as soon as it answered and before the sale: money the provider
-- took is never forgotten, even if the sale is then refused. A confirmation pays one payment (USED,
-- with its payment_id) or is given back (REVERSED); until then it is CONFIRMED.
CREATE TABLE provider_confirmations (
  id                  INTEGER PRIMARY KEY,
  -- The kiosk's idempotency key of the attempt: a retry finds the confirmation instead of charging again.
  request_id          TEXT    NOT NULL UNIQUE,
  provider            TEXT    NOT NULL,
  method              TEXT    NOT NULL CHECK (method IN ('CARD', 'PAGO_MOVIL')),
  approval_reference  TEXT    NOT NULL,
  amount_cents        INTEGER NOT NULL CHECK (amount_cents > 0),
  currency            TEXT    NOT NULL CHECK (currency IN ('USD', 'VES')),
  bank_code           TEXT,
  phone               TEXT,
  terminal_id         TEXT,
  confirmed_at        INTEGER NOT NULL,
  status              TEXT    NOT NULL CHECK (status IN ('CONFIRMED', 'USED', 'REVERSED')),
  payment_id          TEXT    REFERENCES payments(id),
  settled_at          INTEGER,
  CHECK ((status = 'USED') = (payment_id IS NOT NULL)),
  CHECK ((status = 'CONFIRMED') = (settled_at IS NULL)),
  CHECK (method = 'CARD' OR (bank_code IS NOT NULL AND phone IS NOT NULL))
);
CREATE INDEX provider_confirmations_open ON provider_confirmations(approval_reference) WHERE status = 'CONFIRMED';
CREATE INDEX provider_confirmations_by_payment ON provider_confirmations(payment_id);

CREATE TRIGGER training_confirmations_need_training_store BEFORE INSERT ON provider_confirmations
WHEN NEW.provider = 'training' AND NOT EXISTS (SELECT 1 FROM terminal_mode)
BEGIN
  SELECT RAISE(ABORT, 'TRAINING_PROVIDER: simulated approvals exist only on a training store');
END;

-- A confirmation is settled once (used or given back) and never deleted.
CREATE TRIGGER provider_confirmations_settle_once BEFORE UPDATE ON provider_confirmations
WHEN OLD.status <> 'CONFIRMED' OR NEW.id <> OLD.id OR NEW.request_id <> OLD.request_id
  OR NEW.provider <> OLD.provider OR NEW.approval_reference <> OLD.approval_reference
  OR NEW.amount_cents <> OLD.amount_cents OR NEW.currency <> OLD.currency
BEGIN
  SELECT RAISE(ABORT, 'a provider confirmation is settled once and otherwise never changes');
END;

CREATE TRIGGER provider_confirmations_no_delete BEFORE DELETE ON provider_confirmations
BEGIN
  SELECT RAISE(ABORT, 'provider confirmations are kept');
END;

-- Every reference used by a payment, under its normalised key (shared/payment-references.ts:
-- method, bank, reference without leading zeros): the same money shown twice is refused anywhere.
CREATE TABLE payment_references (
  reference_key  TEXT    PRIMARY KEY,
  payment_id     TEXT    NOT NULL REFERENCES payments(id),
  tender_id      INTEGER NOT NULL REFERENCES payment_tenders(id)
);

-- The references paid before this version, first use first (the same keys as referenceKey()).
INSERT OR IGNORE INTO payment_references (reference_key, payment_id, tender_id)
SELECT
  method || '|' || COALESCE(bank_code, '') || '|' ||
    CASE WHEN ltrim(reference, '0') = '' THEN '0' ELSE ltrim(reference, '0') END,
  payment_id,
  id
FROM payment_tenders
WHERE method IN ('PAGO_MOVIL', 'TRANSFER') OR (method = 'ZELLE' AND reference IS NOT NULL)
ORDER BY id;

-- "Pagar en taquilla": a kiosk customer's seats kept by a short RESERVED transaction (the deposit
-- lifecycle with nothing paid yet), found at the counter by the code on the printed slip.
CREATE TABLE counter_slips (
  transaction_id  TEXT    PRIMARY KEY REFERENCES transactions(id),
  code            TEXT    NOT NULL UNIQUE CHECK (length(code) = 6),
  -- The kiosk's idempotency key: a retried request gets the same slip.
  request_id      TEXT    UNIQUE,
  minutes         INTEGER NOT NULL CHECK (minutes > 0),
  created_at      INTEGER NOT NULL,
  created_by      TEXT    NOT NULL,
  terminal        TEXT
);

-- Print jobs gain the slip (SQLite cannot change a CHECK in place: the table is rebuilt as it was).
CREATE TABLE print_jobs_009 (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('ticket', 'receipt', 'slip')),
  transaction_id  TEXT    NOT NULL REFERENCES transactions(id),
  ticket_number   TEXT    REFERENCES issued_tickets(ticket_number),
  copy            INTEGER NOT NULL DEFAULT 0 CHECK (copy >= 0),
  -- Receipt jobs: ReceiptPrintData without payments (added at print time). Slip jobs: SlipPrintData.
  -- Ticket jobs: '{}'.
  data            TEXT    NOT NULL CHECK (json_valid(data)),
  status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'DONE', 'CANCELLED')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  uncertain       INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
  last_error      TEXT,
  claimed_by      TEXT,
  claimed_until   INTEGER,
  created_at      INTEGER NOT NULL,
  printed_at      INTEGER,
  CHECK ((kind = 'ticket') = (ticket_number IS NOT NULL)),
  CHECK ((status = 'DONE') = (printed_at IS NOT NULL))
);
INSERT INTO print_jobs_009 (id, kind, transaction_id, ticket_number, copy, data, status, attempts, uncertain,
    last_error, claimed_by, claimed_until, created_at, printed_at)
  SELECT id, kind, transaction_id, ticket_number, copy, data, status, attempts, uncertain, last_error,
    claimed_by, claimed_until, created_at, printed_at
  FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_009 RENAME TO print_jobs;
CREATE INDEX print_jobs_pending ON print_jobs(id) WHERE status = 'PENDING';
CREATE INDEX print_jobs_by_transaction ON print_jobs(transaction_id);
CREATE UNIQUE INDEX one_original_per_ticket ON print_jobs(ticket_number) WHERE kind = 'ticket' AND copy = 0;
