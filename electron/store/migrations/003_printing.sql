-- Printing (issue 5): printer settings, ticket numbers, signing keys, issued tickets and the durable
-- print queue. Print jobs are inserted in the sale's own write transaction, so a committed sale always
-- has its jobs and a rolled-back sale never prints.

-- One row: the printer this terminal prints to (JSON shaped by shared/schemas/printing.ts).
CREATE TABLE printer_settings (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  settings    TEXT    NOT NULL CHECK (json_valid(settings)),
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT    NOT NULL
);

-- This terminal's ticket numbering (electron/services/printing/ticket-numbers.ts). Sync will later
-- replace the open-ended sequence with blocks leased from the server.
CREATE TABLE ticket_number_sequence (
  terminal_code  TEXT    PRIMARY KEY,
  next_number    INTEGER NOT NULL CHECK (next_number >= 1)
);

-- Ed25519 keys that sign ticket codes. The private key never leaves this store; door scanners get
-- the public key. One active key per tenant; retired keys still verify old tickets.
CREATE TABLE ticket_signing_keys (
  key_id       TEXT    PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  -- Raw 32-byte public key, base64url.
  public_key   TEXT    NOT NULL,
  -- PKCS#8 DER, base64.
  private_key  TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  retired_at   INTEGER
);
CREATE UNIQUE INDEX one_active_signing_key ON ticket_signing_keys(tenant_id) WHERE retired_at IS NULL;

-- A ticket as issued: one row per seat, or per place of a general-admission quantity.
CREATE TABLE issued_tickets (
  ticket_number       TEXT    PRIMARY KEY,
  transaction_id      TEXT    NOT NULL REFERENCES transactions(id),
  reserved_ticket_id  INTEGER NOT NULL REFERENCES reserved_tickets(id),
  -- 1..quantity for general admission; 1 for a seat.
  place               INTEGER NOT NULL CHECK (place >= 1),
  event_id            INTEGER NOT NULL REFERENCES events(id),
  code                TEXT    NOT NULL,
  -- What the ticket prints, frozen at the sale (TicketPrintData).
  data                TEXT    NOT NULL CHECK (json_valid(data)),
  -- Copies printed after the original ("COPIA n").
  copies              INTEGER NOT NULL DEFAULT 0 CHECK (copies >= 0),
  issued_at           INTEGER NOT NULL,
  UNIQUE (reserved_ticket_id, place)
);
CREATE INDEX issued_by_transaction ON issued_tickets(transaction_id);

CREATE TABLE print_jobs (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('ticket', 'receipt')),
  transaction_id  TEXT    NOT NULL REFERENCES transactions(id),
  ticket_number   TEXT    REFERENCES issued_tickets(ticket_number),
  -- 0 is the original; n is "COPIA n".
  copy            INTEGER NOT NULL DEFAULT 0 CHECK (copy >= 0),
  -- Receipt jobs: ReceiptPrintData without payments (added at print time). Ticket jobs: '{}'.
  data            TEXT    NOT NULL CHECK (json_valid(data)),
  status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'DONE', 'CANCELLED')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  -- 1 when an attempt sent the bytes but the printer could not confirm it printed them: the next
  -- attempt is marked so a second paper copy never goes unnoticed.
  uncertain       INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
  last_error      TEXT,
  -- The worker sending it, until when: two processes on one store never send the same job at once.
  claimed_by      TEXT,
  claimed_until   INTEGER,
  created_at      INTEGER NOT NULL,
  printed_at      INTEGER,
  CHECK ((kind = 'ticket') = (ticket_number IS NOT NULL)),
  CHECK ((status = 'DONE') = (printed_at IS NOT NULL))
);
CREATE INDEX print_jobs_pending ON print_jobs(id) WHERE status = 'PENDING';
CREATE INDEX print_jobs_by_transaction ON print_jobs(transaction_id);
-- A ticket's original is queued once, however often the sale's listener might run.
CREATE UNIQUE INDEX one_original_per_ticket ON print_jobs(ticket_number) WHERE kind = 'ticket' AND copy = 0;
