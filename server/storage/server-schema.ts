/**
 * The server's schema, written once with two spellings of the few types that differ. The rules that
 * matter are in the schema itself: one live ticket per seat (unique partial index), one open cart per
 * session and event, general-admission use within capacity (CHECK).
 */
export function serverSchema(dialect: 'sqlite' | 'postgres'): string {
  const id = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGSERIAL PRIMARY KEY';
  const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return `
CREATE TABLE IF NOT EXISTS tenants (
  id           ${id},
  name         TEXT NOT NULL,
  settings     TEXT NOT NULL DEFAULT '{}',
  next_ticket  ${big} NOT NULL DEFAULT 1,
  created_at   ${big} NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
  id           ${id},
  tenant_id    ${big} NOT NULL REFERENCES tenants(id),
  role         TEXT NOT NULL CHECK (role IN ('admin', 'terminal')),
  name         TEXT NOT NULL,
  -- sha256 of the secret: a stolen database does not give working credentials.
  secret_hash  TEXT NOT NULL UNIQUE,
  revoked_at   ${big},
  created_at   ${big} NOT NULL
);
CREATE TABLE IF NOT EXISTS enrol_codes (
  code_hash   TEXT PRIMARY KEY,
  tenant_id   ${big} NOT NULL REFERENCES tenants(id),
  expires_at  ${big} NOT NULL,
  used_at     ${big},
  created_at  ${big} NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  tenant_id      ${big} NOT NULL REFERENCES tenants(id),
  id             ${big} NOT NULL,
  name           TEXT NOT NULL,
  lease_minutes  INTEGER NOT NULL,
  version        ${big} NOT NULL DEFAULT 0,
  created_at     ${big} NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE IF NOT EXISTS zones (
  tenant_id    ${big} NOT NULL,
  event_id     ${big} NOT NULL,
  id           ${big} NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('numbered', 'general')),
  name         TEXT NOT NULL,
  price_cents  ${big} NOT NULL CHECK (price_cents >= 0),
  capacity     ${big} NOT NULL CHECK (capacity >= 0),
  used         ${big} NOT NULL DEFAULT 0,
  CHECK (used >= 0 AND used <= capacity),
  PRIMARY KEY (tenant_id, event_id, id),
  FOREIGN KEY (tenant_id, event_id) REFERENCES events(tenant_id, id)
);
CREATE TABLE IF NOT EXISTS seats (
  tenant_id  ${big} NOT NULL,
  event_id   ${big} NOT NULL,
  id         ${big} NOT NULL,
  zone_id    ${big} NOT NULL,
  label      TEXT NOT NULL,
  blocked    INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
  PRIMARY KEY (tenant_id, event_id, id),
  FOREIGN KEY (tenant_id, event_id, zone_id) REFERENCES zones(tenant_id, event_id, id)
);
CREATE TABLE IF NOT EXISTS transactions (
  tenant_id       ${big} NOT NULL,
  id              TEXT NOT NULL,
  event_id        ${big} NOT NULL,
  session_id      TEXT NOT NULL,
  actor           TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED')),
  reserved_until  ${big},
  created_at      ${big} NOT NULL,
  updated_at      ${big} NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS one_pending_cart ON transactions(tenant_id, event_id, session_id)
  WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS transactions_by_session ON transactions(tenant_id, session_id) WHERE status = 'PENDING';
CREATE TABLE IF NOT EXISTS tickets (
  id              ${id},
  tenant_id       ${big} NOT NULL,
  transaction_id  TEXT NOT NULL,
  event_id        ${big} NOT NULL,
  zone_id         ${big} NOT NULL,
  seat_id         ${big},
  quantity        ${big} NOT NULL CHECK (quantity >= 1),
  session_id      TEXT NOT NULL,
  price_cents     ${big} NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('ACTIVE', 'EXPIRED', 'COMPLETED', 'CANCELLED')),
  reserved_until  ${big} NOT NULL,
  created_at      ${big} NOT NULL,
  updated_at      ${big} NOT NULL,
  CHECK (seat_id IS NULL OR quantity = 1),
  FOREIGN KEY (tenant_id, transaction_id) REFERENCES transactions(tenant_id, id)
);
-- The rule of rules: at most one live (held, reserved or sold) ticket per seat, whatever the race.
CREATE UNIQUE INDEX IF NOT EXISTS one_live_ticket_per_seat ON tickets(tenant_id, event_id, seat_id)
  WHERE seat_id IS NOT NULL AND status IN ('ACTIVE', 'COMPLETED');
-- A transaction's tickets, and one seat's (or its standing places, seat_id NULL) within it: an offline
-- sale's checks read only the seats it names from its lease (server migration 14).
CREATE INDEX IF NOT EXISTS tickets_by_transaction_seat ON tickets(tenant_id, transaction_id, seat_id);
CREATE INDEX IF NOT EXISTS tickets_active_by_session ON tickets(tenant_id, session_id) WHERE status = 'ACTIVE';
CREATE INDEX IF NOT EXISTS tickets_ga_active ON tickets(tenant_id, event_id, zone_id)
  WHERE seat_id IS NULL AND status = 'ACTIVE';
-- The cleanup of expired holds finds them by their end.
CREATE INDEX IF NOT EXISTS tickets_active_by_until ON tickets(tenant_id, reserved_until) WHERE status = 'ACTIVE';
CREATE TABLE IF NOT EXISTS changes (
  tenant_id  ${big} NOT NULL,
  event_id   ${big} NOT NULL,
  version    ${big} NOT NULL,
  seat_id    ${big},
  zone_id    ${big} NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_version ON changes(tenant_id, event_id, version);
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id     ${big} NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER NOT NULL,
  body          TEXT NOT NULL,
  created_at    ${big} NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
-- Money, stored in the same transaction as the sale, deposit or instalment it pays for: a sale is
-- never COMPLETED here without payments covering it. \`record\` is the payment as the counter took it.
CREATE TABLE IF NOT EXISTS payments (
  tenant_id       ${big} NOT NULL,
  id              TEXT NOT NULL,
  transaction_id  TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('SALE', 'DEPOSIT', 'INSTALMENT', 'MOVED')),
  cashier         TEXT NOT NULL,
  credential_id   ${big} NOT NULL,
  applied_cents   ${big} NOT NULL CHECK (applied_cents >= 0),
  record          TEXT NOT NULL,
  created_at      ${big} NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, transaction_id) REFERENCES transactions(tenant_id, id)
);
CREATE INDEX IF NOT EXISTS payments_by_transaction ON payments(tenant_id, transaction_id);
-- The venue's ticket numbers: one per place (a seat, or each standing place), unique per tenant across
-- every terminal. Online sales and deposits take theirs from tenants.next_ticket in their own write;
-- offline sales report the numbers of their lease's block.
CREATE TABLE IF NOT EXISTS ticket_numbers (
  tenant_id       ${big} NOT NULL,
  number          ${big} NOT NULL,
  transaction_id  TEXT NOT NULL,
  ticket_id       ${big} NOT NULL,
  place           INTEGER NOT NULL CHECK (place >= 1),
  PRIMARY KEY (tenant_id, number)
);
CREATE INDEX IF NOT EXISTS ticket_numbers_by_transaction ON ticket_numbers(tenant_id, transaction_id);
-- Who a reservation (a deposit) is for, so the balance can be paid at any counter: found by name,
-- cédula, phone or sale number. Only reservations carry a customer.
CREATE TABLE IF NOT EXISTS reservation_customers (
  tenant_id       ${big} NOT NULL,
  transaction_id  TEXT NOT NULL,
  name            TEXT NOT NULL,
  id_number       TEXT,
  phone           TEXT,
  PRIMARY KEY (tenant_id, transaction_id),
  FOREIGN KEY (tenant_id, transaction_id) REFERENCES transactions(tenant_id, id)
);
CREATE TABLE IF NOT EXISTS leases (
  tenant_id       ${big} NOT NULL,
  id              TEXT NOT NULL,
  credential_id   ${big} NOT NULL,
  event_id        ${big} NOT NULL,
  transaction_id  TEXT NOT NULL,
  ticket_from     ${big} NOT NULL,
  ticket_to       ${big} NOT NULL,
  expires_at      ${big} NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('OPEN', 'RETURNED')),
  created_at      ${big} NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
-- The venue's catalogue as counters receive it (shared/schemas/venue.ts). Each change to an event
-- or to the tenant's settings takes the tenant's next revision; a terminal asks for what changed
-- after the last revision it applied.
CREATE TABLE IF NOT EXISTS catalog_revisions (
  tenant_id  ${big} PRIMARY KEY REFERENCES tenants(id),
  revision   ${big} NOT NULL
);
CREATE TABLE IF NOT EXISTS catalog_events (
  tenant_id   ${big} NOT NULL REFERENCES tenants(id),
  event_id    ${big} NOT NULL,
  revision    ${big} NOT NULL,
  -- The whole event with its ids (catalogEvent), as delivered.
  definition  TEXT NOT NULL,
  updated_at  ${big} NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX IF NOT EXISTS catalog_events_by_revision ON catalog_events(tenant_id, revision);
CREATE TABLE IF NOT EXISTS venues (
  tenant_id  ${big} NOT NULL REFERENCES tenants(id),
  id         ${big} NOT NULL,
  name       TEXT NOT NULL,
  city       TEXT,
  PRIMARY KEY (tenant_id, id)
);
-- The last id handed out per tenant and kind (venue, event, tier, zone, seat): terminals keep every
-- kind in one id space per store, so ids are unique per tenant, not per event.
CREATE TABLE IF NOT EXISTS catalog_ids (
  tenant_id  ${big} NOT NULL REFERENCES tenants(id),
  kind       TEXT NOT NULL CHECK (kind IN ('venue', 'event', 'tier', 'zone', 'seat')),
  last_id    ${big} NOT NULL,
  PRIMARY KEY (tenant_id, kind)
);
`;
}
