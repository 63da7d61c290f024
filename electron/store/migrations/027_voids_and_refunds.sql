-- Voids and refunds (issue 16). A sale (COMPLETED), some of its tickets, or a deposit (RESERVED) is
-- voided before the event starts, with a reason and a supervisor's approval; what was paid for the
-- voided tickets is given back, in the tender used or another one, and recorded here. Every table is
-- append-only: this is the audit of who voided what, who approved it, why, and what money went back.

-- One act of voiding: a whole sale, some of its tickets, or a deposit cancelled.
CREATE TABLE voids (
  id                TEXT    PRIMARY KEY,
  transaction_id    TEXT    NOT NULL REFERENCES transactions(id),
  event_id          INTEGER NOT NULL REFERENCES events(id),
  -- SALE: every ticket of a sale; TICKETS: some of them; DEPOSIT: a reservation cancelled.
  kind              TEXT    NOT NULL CHECK (kind IN ('SALE', 'TICKETS', 'DEPOSIT')),
  reason            TEXT    NOT NULL CHECK (length(trim(reason)) >= 3),
  -- Who voided (their drawer gives a cash refund back) and the supervisor who approved it.
  actor             TEXT    NOT NULL,
  approved_by       TEXT    NOT NULL,
  terminal          TEXT,
  -- Bolívares per dollar the refund used ('36.5000'): the rate the sale was paid at.
  ves_per_usd       TEXT    NOT NULL,
  -- What was given back, USD cents (the VES lines carry their own amounts).
  refund_usd_cents  INTEGER NOT NULL CHECK (refund_usd_cents >= 0),
  created_at        INTEGER NOT NULL,
  -- The caller's idempotency key: a retried void gets the first answer and refunds nothing twice.
  request_id        TEXT    UNIQUE,
  -- Set by the Z report that counted the refund; NULL while the staff member's day is open.
  closing_id        INTEGER REFERENCES day_closings(id)
);
CREATE INDEX voids_by_transaction ON voids(transaction_id);
CREATE INDEX voids_open_by_actor ON voids(actor, created_at) WHERE closing_id IS NULL;

CREATE TRIGGER voids_no_delete BEFORE DELETE ON voids
BEGIN
  SELECT RAISE(ABORT, 'voids are append-only');
END;

CREATE TRIGGER voids_only_close BEFORE UPDATE ON voids
  WHEN OLD.closing_id IS NOT NULL OR NEW.closing_id IS NULL OR NEW.id <> OLD.id
    OR NEW.refund_usd_cents <> OLD.refund_usd_cents OR NEW.transaction_id <> OLD.transaction_id
    OR NEW.actor <> OLD.actor OR NEW.approved_by <> OLD.approved_by OR NEW.reason <> OLD.reason
    OR NEW.created_at <> OLD.created_at OR NEW.request_id IS NOT OLD.request_id
BEGIN
  SELECT RAISE(ABORT, 'a void only changes by being closed, once');
END;

-- The money given back, one line per method (cash USD, cash VES, Pago Móvil, ...).
CREATE TABLE refund_tenders (
  id            INTEGER PRIMARY KEY,
  void_id       TEXT    NOT NULL REFERENCES voids(id),
  method        TEXT    NOT NULL CHECK (method IN ('CASH_USD', 'CASH_VES', 'PAGO_MOVIL', 'ZELLE', 'CARD', 'TRANSFER')),
  currency      TEXT    NOT NULL CHECK (currency IN ('USD', 'VES')),
  amount_cents  INTEGER NOT NULL CHECK (amount_cents > 0),
  usd_cents     INTEGER NOT NULL CHECK (usd_cents >= 0),
  -- The bank's reference of a refund sent by Pago Móvil, transfer or Zelle, when given.
  reference     TEXT,
  -- 1: the method the sale was paid with; 0: another one the cashier chose.
  as_paid       INTEGER NOT NULL CHECK (as_paid IN (0, 1)),
  CHECK (
    (method = 'CASH_USD' AND currency = 'USD') OR (method = 'CASH_VES' AND currency = 'VES') OR
    (method IN ('PAGO_MOVIL', 'CARD') AND currency = 'VES') OR (method = 'ZELLE' AND currency = 'USD') OR
    method = 'TRANSFER'
  )
);
CREATE INDEX refund_tenders_by_void ON refund_tenders(void_id);

CREATE TRIGGER refund_tenders_no_update BEFORE UPDATE ON refund_tenders
BEGIN
  SELECT RAISE(ABORT, 'refund tenders are append-only');
END;

CREATE TRIGGER refund_tenders_no_delete BEFORE DELETE ON refund_tenders
BEGIN
  SELECT RAISE(ABORT, 'refund tenders are append-only');
END;

-- The tickets a void took back: the terminal's revocation list. A printed ticket number in it is
-- refused at the door (verify-ticket: ANULADO) and never reprinted. `places`: how many of a
-- general-admission ticket's places (one for a seat); `ticket_number` NULL for a deposit's tickets,
-- which were never printed.
CREATE TABLE voided_tickets (
  id                  INTEGER PRIMARY KEY,
  void_id             TEXT    NOT NULL REFERENCES voids(id),
  reserved_ticket_id  INTEGER NOT NULL REFERENCES reserved_tickets(id),
  ticket_number       TEXT    UNIQUE REFERENCES issued_tickets(ticket_number),
  places              INTEGER NOT NULL CHECK (places >= 1),
  price_cents         INTEGER NOT NULL CHECK (price_cents >= 0)
);
CREATE INDEX voided_by_reserved_ticket ON voided_tickets(reserved_ticket_id);
CREATE INDEX voided_by_void ON voided_tickets(void_id);

CREATE TRIGGER voided_tickets_no_update BEFORE UPDATE ON voided_tickets
BEGIN
  SELECT RAISE(ABORT, 'voided tickets are append-only');
END;

CREATE TRIGGER voided_tickets_no_delete BEFORE DELETE ON voided_tickets
BEGIN
  SELECT RAISE(ABORT, 'voided tickets are append-only');
END;

-- Sold is terminal, except by a void: a COMPLETED ticket may become CANCELLED only once a void has
-- recorded it. Every other arrow out of a terminal state is still refused.
DROP TRIGGER ticket_terminal_guard;
CREATE TRIGGER ticket_terminal_guard BEFORE UPDATE OF status ON reserved_tickets
  WHEN OLD.status <> 'ACTIVE' AND NEW.status <> OLD.status
    AND NOT (OLD.status = 'COMPLETED' AND NEW.status = 'CANCELLED'
             AND EXISTS (SELECT 1 FROM voided_tickets v WHERE v.reserved_ticket_id = OLD.id))
BEGIN
  SELECT RAISE(ABORT, 'INVALID_TRANSITION');
END;

-- As migration 006 left it (a cart the server reopened may leave CANCELLED or EXPIRED), plus the void.
DROP TRIGGER transaction_terminal_guard;
CREATE TRIGGER transaction_terminal_guard BEFORE UPDATE OF status ON transactions
  WHEN NEW.status <> OLD.status AND (
    (OLD.status = 'COMPLETED'
      AND NOT (NEW.status = 'CANCELLED' AND EXISTS (SELECT 1 FROM voids v WHERE v.transaction_id = OLD.id)))
    OR (OLD.status IN ('CANCELLED', 'EXPIRED')
        AND NOT EXISTS (SELECT 1 FROM transaction_reopen_grants g WHERE g.transaction_id = OLD.id))
    OR (OLD.status = 'RESERVED' AND NEW.status = 'PENDING'))
BEGIN
  SELECT RAISE(ABORT, 'INVALID_TRANSITION');
END;

-- Some places of a sold general-admission ticket voided: the ticket keeps the rest, and only a void
-- may shrink a sold ticket. The zone's count follows the quantity as it follows the status.
CREATE TRIGGER sold_quantity_only_by_void BEFORE UPDATE OF quantity ON reserved_tickets
  WHEN NEW.quantity <> OLD.quantity AND OLD.status = 'COMPLETED' AND (
    NEW.quantity > OLD.quantity
    OR NOT EXISTS (SELECT 1 FROM voided_tickets v WHERE v.reserved_ticket_id = OLD.id))
BEGIN
  SELECT RAISE(ABORT, 'INVALID_TRANSITION');
END;

CREATE TRIGGER ga_quantity_follows AFTER UPDATE OF quantity ON reserved_tickets
  WHEN NEW.seat_id IS NULL AND OLD.status IN ('ACTIVE', 'COMPLETED') AND NEW.status = OLD.status
    AND NEW.quantity <> OLD.quantity
BEGIN
  UPDATE zones SET used = used - (OLD.quantity - NEW.quantity) WHERE id = OLD.zone_id;
END;
