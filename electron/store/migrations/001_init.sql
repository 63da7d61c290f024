-- Taquilla terminal store, version 1. Times are UTC epoch milliseconds; money is integer cents.

CREATE TABLE tenants (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  -- Overrides of the reservation settings (shared/config.ts); '{}' means all defaults.
  settings    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  created_at  INTEGER NOT NULL
);

CREATE TABLE venues (
  id         INTEGER PRIMARY KEY,
  tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
  name       TEXT    NOT NULL,
  city       TEXT
);

CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
  venue_id     INTEGER NOT NULL REFERENCES venues(id),
  name         TEXT    NOT NULL,
  starts_at    INTEGER NOT NULL,
  -- Bolívares per US dollar as a decimal string ('36.5000'); converted only in shared/money.ts.
  ves_per_usd  TEXT    NOT NULL,
  -- Bumped by every write that changes availability; the change feed is keyed by it.
  version      INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL
);

CREATE TABLE price_tiers (
  id           INTEGER PRIMARY KEY,
  event_id     INTEGER NOT NULL REFERENCES events(id),
  name         TEXT    NOT NULL,
  price_cents  INTEGER NOT NULL CHECK (price_cents >= 0)
);

CREATE TABLE zones (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES events(id),
  code           TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  kind           TEXT    NOT NULL CHECK (kind IN ('numbered', 'general')),
  capacity       INTEGER NOT NULL CHECK (capacity >= 0),
  -- General admission: quantity held, reserved or sold, kept by the triggers below. The CHECK is
  -- the database's own guarantee that a zone never goes over capacity.
  used           INTEGER NOT NULL DEFAULT 0,
  price_tier_id  INTEGER NOT NULL REFERENCES price_tiers(id),
  color          TEXT,
  x REAL, y REAL, width REAL, height REAL,
  sort           INTEGER NOT NULL DEFAULT 0,
  CHECK (used >= 0 AND used <= capacity),
  UNIQUE (event_id, code)
);

CREATE TABLE seats (
  id              INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES events(id),
  zone_id         INTEGER NOT NULL REFERENCES zones(id),
  label           TEXT    NOT NULL,
  row_label       TEXT    NOT NULL,
  number          INTEGER NOT NULL,
  x               REAL    NOT NULL,
  y               REAL    NOT NULL,
  price_tier_id   INTEGER NOT NULL REFERENCES price_tiers(id),
  -- House seats a supervisor keeps off sale.
  blocked         INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
  blocked_reason  TEXT,
  UNIQUE (event_id, label)
);
CREATE INDEX seats_by_event ON seats(event_id);
CREATE INDEX seats_blocked ON seats(event_id) WHERE blocked = 1;

CREATE TABLE transactions (
  id                  TEXT    PRIMARY KEY,
  tenant_id           INTEGER NOT NULL REFERENCES tenants(id),
  event_id            INTEGER NOT NULL REFERENCES events(id),
  session_id          TEXT    NOT NULL,
  actor               TEXT    NOT NULL,
  status              TEXT    NOT NULL CHECK (status IN ('PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED')),
  reserved_until      INTEGER,
  customer_name       TEXT,
  customer_id_number  TEXT,
  customer_phone      TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  completed_at        INTEGER
);
-- One open cart per selling session and event (the seed's TEMP_{session} transaction).
CREATE UNIQUE INDEX one_pending_cart ON transactions(event_id, session_id) WHERE status = 'PENDING';
CREATE INDEX transactions_by_status ON transactions(status, event_id);

CREATE TABLE reserved_tickets (
  id              INTEGER PRIMARY KEY,
  transaction_id  TEXT    NOT NULL REFERENCES transactions(id),
  event_id        INTEGER NOT NULL REFERENCES events(id),
  zone_id         INTEGER NOT NULL REFERENCES zones(id),
  -- A seat for numbered zones; NULL with a quantity for general admission.
  seat_id         INTEGER REFERENCES seats(id),
  quantity        INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
  session_id      TEXT    NOT NULL,
  price_cents     INTEGER NOT NULL CHECK (price_cents >= 0),
  status          TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'EXPIRED', 'COMPLETED', 'CANCELLED')),
  reserved_until  INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  CHECK (seat_id IS NULL OR quantity = 1)
);
-- The rule of rules: a seat has at most one live ticket (held, reserved or sold). A hold whose time
-- has passed is marked EXPIRED inside the same write transaction before a new one is inserted.
CREATE UNIQUE INDEX one_live_ticket_per_seat ON reserved_tickets(seat_id)
  WHERE seat_id IS NOT NULL AND status IN ('ACTIVE', 'COMPLETED');
CREATE INDEX tickets_active_by_until ON reserved_tickets(reserved_until) WHERE status = 'ACTIVE';
CREATE INDEX tickets_live_by_event ON reserved_tickets(event_id) WHERE status IN ('ACTIVE', 'COMPLETED');
CREATE INDEX tickets_ga_active ON reserved_tickets(zone_id, reserved_until)
  WHERE seat_id IS NULL AND status = 'ACTIVE';
CREATE INDEX tickets_by_transaction ON reserved_tickets(transaction_id);
CREATE INDEX tickets_active_by_session ON reserved_tickets(session_id) WHERE status = 'ACTIVE';
CREATE INDEX tickets_by_event_status ON reserved_tickets(event_id, status);

-- General-admission counters follow the tickets, so no code path can forget them.
CREATE TRIGGER ga_take AFTER INSERT ON reserved_tickets
  WHEN NEW.seat_id IS NULL AND NEW.status IN ('ACTIVE', 'COMPLETED')
BEGIN
  UPDATE zones SET used = used + NEW.quantity WHERE id = NEW.zone_id;
END;

CREATE TRIGGER ga_give_back AFTER UPDATE OF status ON reserved_tickets
  WHEN NEW.seat_id IS NULL AND OLD.status IN ('ACTIVE', 'COMPLETED') AND NEW.status NOT IN ('ACTIVE', 'COMPLETED')
BEGIN
  UPDATE zones SET used = used - OLD.quantity WHERE id = OLD.zone_id;
END;

-- A blocked seat can never be held, whichever code path tries.
CREATE TRIGGER blocked_seat_guard BEFORE INSERT ON reserved_tickets
  WHEN NEW.seat_id IS NOT NULL AND (SELECT blocked FROM seats WHERE id = NEW.seat_id) = 1
BEGIN
  SELECT RAISE(ABORT, 'SEAT_BLOCKED');
END;

-- Terminal states are terminal: the lifecycle's forbidden arrows are refused by the database too.
CREATE TRIGGER ticket_terminal_guard BEFORE UPDATE OF status ON reserved_tickets
  WHEN OLD.status <> 'ACTIVE' AND NEW.status <> OLD.status
BEGIN
  SELECT RAISE(ABORT, 'INVALID_TRANSITION');
END;

CREATE TRIGGER transaction_terminal_guard BEFORE UPDATE OF status ON transactions
  WHEN NEW.status <> OLD.status AND (
    OLD.status IN ('COMPLETED', 'CANCELLED', 'EXPIRED')
    OR (OLD.status = 'RESERVED' AND NEW.status = 'PENDING'))
BEGIN
  SELECT RAISE(ABORT, 'INVALID_TRANSITION');
END;

-- Append-only trail of every state change.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  entity      TEXT    NOT NULL CHECK (entity IN ('transaction', 'ticket', 'seat', 'tenant')),
  entity_id   TEXT    NOT NULL,
  from_state  TEXT,
  to_state    TEXT    NOT NULL,
  reason      TEXT    NOT NULL
);
CREATE INDEX audit_by_entity ON audit_log(entity, entity_id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Change feed: which seats or GA zones changed at each version of an event.
CREATE TABLE availability_changes (
  event_id  INTEGER NOT NULL,
  version   INTEGER NOT NULL,
  seat_id   INTEGER,
  zone_id   INTEGER NOT NULL
);
CREATE INDEX changes_by_event_version ON availability_changes(event_id, version);

-- Refused hold attempts per seat: the "seats with many competing attempts" alert.
CREATE TABLE seat_contention (
  seat_id     INTEGER PRIMARY KEY REFERENCES seats(id),
  event_id    INTEGER NOT NULL REFERENCES events(id),
  refused     INTEGER NOT NULL DEFAULT 0,
  last_at     INTEGER NOT NULL
);
CREATE INDEX contention_by_event ON seat_contention(event_id, refused);
