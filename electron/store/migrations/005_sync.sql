-- Sync with the central hold server (issue 4). Times are UTC epoch ms.

-- This terminal's enrolment: one row. The secret is the terminal's own credential (the server keeps
-- only its hash); it lives here because the store is the terminal's only durable place.
CREATE TABLE sync_credentials (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  server_url     TEXT    NOT NULL,
  tenant_id      INTEGER NOT NULL,
  credential_id  INTEGER NOT NULL,
  secret         TEXT    NOT NULL,
  terminal_name  TEXT    NOT NULL,
  enrolled_at    INTEGER NOT NULL
);

-- Small facts that survive a restart: clock offset, last sync.
CREATE TABLE sync_state (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- Everything the server has not acknowledged yet, in order. The idempotency key is fixed when the
-- item is written, so however often it is sent, the server applies it once.
CREATE TABLE sync_outbox (
  id               INTEGER PRIMARY KEY,
  idempotency_key  TEXT    NOT NULL UNIQUE,
  op               TEXT    NOT NULL,
  body             TEXT    NOT NULL CHECK (json_valid(body)),
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  acked_at         INTEGER,
  reply_status     INTEGER,
  reply            TEXT
);
CREATE INDEX sync_outbox_pending ON sync_outbox(id) WHERE acked_at IS NULL;

-- Inventory the server leased to this terminal for offline selling.
CREATE TABLE sync_leases (
  id           TEXT    PRIMARY KEY,
  event_id     INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  ticket_from  INTEGER NOT NULL,
  ticket_to    INTEGER NOT NULL,
  next_ticket  INTEGER NOT NULL,
  ga_zone_id   INTEGER,
  ga_quantity  INTEGER NOT NULL DEFAULT 0,
  ga_sold      INTEGER NOT NULL DEFAULT 0,
  status       TEXT    NOT NULL CHECK (status IN ('OPEN', 'RETURNED')),
  created_at   INTEGER NOT NULL,
  CHECK (next_ticket BETWEEN ticket_from AND ticket_to + 1),
  CHECK (ga_sold BETWEEN 0 AND ga_quantity)
);

CREATE TABLE sync_lease_seats (
  lease_id  TEXT    NOT NULL REFERENCES sync_leases(id),
  seat_id   INTEGER NOT NULL,
  sold_at   INTEGER,
  PRIMARY KEY (lease_id, seat_id)
);

-- Local carts that sell from a lease (offline, or online on leased seats).
CREATE TABLE sync_lease_carts (
  transaction_id  TEXT PRIMARY KEY,
  lease_id        TEXT NOT NULL REFERENCES sync_leases(id)
);

-- What the server refused on replay: shown to the supervisor until resolved, never dropped.
CREATE TABLE sync_conflicts (
  id               INTEGER PRIMARY KEY,
  outbox_id        INTEGER NOT NULL UNIQUE REFERENCES sync_outbox(id),
  op               TEXT    NOT NULL,
  body             TEXT    NOT NULL,
  error_code       TEXT    NOT NULL,
  error            TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  resolved_at      INTEGER,
  resolution       TEXT CHECK (resolution IN ('moved', 'refunded', 'override')),
  resolution_note  TEXT,
  resolved_by      TEXT
);
CREATE INDEX sync_conflicts_open ON sync_conflicts(id) WHERE resolved_at IS NULL;
