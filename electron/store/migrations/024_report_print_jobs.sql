-- X and Z reports print on the receipt printer through the same durable queue as tickets (issue 16):
-- a 'report' job carries the report as issued (ClosingReport JSON) and belongs to no sale. SQLite
-- cannot change a CHECK or NOT NULL in place: the table is rebuilt as it was (through 019), with those
-- two changes. A migration that adds print_jobs columns must add them to a rebuild like this one.
CREATE TABLE print_jobs_024 (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('ticket', 'receipt', 'slip', 'report')),
  -- NULL only for a report.
  transaction_id  TEXT    REFERENCES transactions(id),
  ticket_number   TEXT    REFERENCES issued_tickets(ticket_number),
  copy            INTEGER NOT NULL DEFAULT 0 CHECK (copy >= 0),
  -- Receipt jobs: ReceiptPrintData without payments (added at print time). Slip jobs: SlipPrintData.
  -- Report jobs: the ClosingReport as issued. Ticket jobs: '{}'.
  data            TEXT    NOT NULL CHECK (json_valid(data)),
  status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'DONE', 'CANCELLED')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  uncertain       INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
  last_error      TEXT,
  claimed_by      TEXT,
  claimed_until   INTEGER,
  created_at      INTEGER NOT NULL,
  printed_at      INTEGER,
  -- 019: a job that reached the printer unconfirmed waits for the cashier's word (and why).
  interrupted_at  INTEGER,
  interruption    TEXT,
  CHECK ((kind = 'ticket') = (ticket_number IS NOT NULL)),
  CHECK ((kind = 'report') = (transaction_id IS NULL)),
  CHECK ((status = 'DONE') = (printed_at IS NOT NULL))
);
INSERT INTO print_jobs_024 (id, kind, transaction_id, ticket_number, copy, data, status, attempts, uncertain,
    last_error, claimed_by, claimed_until, created_at, printed_at, interrupted_at, interruption)
  SELECT id, kind, transaction_id, ticket_number, copy, data, status, attempts, uncertain, last_error,
    claimed_by, claimed_until, created_at, printed_at, interrupted_at, interruption
  FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_024 RENAME TO print_jobs;
CREATE INDEX print_jobs_pending ON print_jobs(id) WHERE status = 'PENDING';
CREATE INDEX print_jobs_by_transaction ON print_jobs(transaction_id);
CREATE UNIQUE INDEX one_original_per_ticket ON print_jobs(ticket_number) WHERE kind = 'ticket' AND copy = 0;
CREATE INDEX print_jobs_interrupted ON print_jobs(id) WHERE status = 'PENDING' AND interrupted_at IS NOT NULL;
