import { generationMigrationSql, ticketMarkMigrationSql } from './generation.ts';

/**
 * Numbered changes to the server's schema after `serverSchema` (version 0: every table as first
 * shipped, created if missing). Both dialects keep the version in one row of `server_schema` (a table
 * rather than SQLite's user_version, so one rule serves SQLite and PostgreSQL); each store applies the
 * pending migrations in one transaction at init, and refuses a database written by a newer server.
 */
export interface ServerMigration {
  version: number;
  name: string;
  sql: (dialect: 'sqlite' | 'postgres') => string;
}

/** audit_log's entities from server migration 11 on (sql-audit.ts AUDIT_ENTITIES). */
const AUDIT_ENTITIES_V11 =
  "'transaction', 'ticket', 'seat', 'lease', 'void', 'credential', 'policy', 'conflict', 'key'";

export const SERVER_MIGRATIONS: readonly ServerMigration[] = [
  {
    version: 1,
    name: 'idempotency keys per credential',
    // Two terminals of one tenant may pick the same key: each key is its credential's own. A row
    // written before this (credential_id 0) still answers its key for the whole tenant, so a request
    // sent before the upgrade and retried after it is not applied twice. DEFAULT 0 keeps an instance
    // not yet upgraded (a rolling upgrade on PostgreSQL) writing rows that mean what they meant.
    sql: (dialect) =>
      dialect === 'sqlite'
        ? `
CREATE TABLE idempotency_v1 (
  tenant_id      INTEGER NOT NULL,
  credential_id  INTEGER NOT NULL DEFAULT 0,
  key            TEXT NOT NULL,
  request_hash   TEXT NOT NULL,
  status         INTEGER NOT NULL,
  body           TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, credential_id, key)
);
INSERT INTO idempotency_v1 (tenant_id, credential_id, key, request_hash, status, body, created_at)
  SELECT tenant_id, 0, key, request_hash, status, body, created_at FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_v1 RENAME TO idempotency;
`
        : `
ALTER TABLE idempotency ADD COLUMN credential_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE idempotency DROP CONSTRAINT idempotency_pkey;
ALTER TABLE idempotency ADD PRIMARY KEY (tenant_id, credential_id, key);
`,
  },
  {
    version: 2,
    name: 'payment references once per tenant',
    // A Pago Móvil, transfer or Zelle reference pays once in the whole venue, whichever counter shows
    // it (issue 12 red team): the key is shared/payment-references.ts `recordedReferenceKey`, the
    // primary key refuses a second use even between two instances writing at once. Payments stored
    // before this version are not re-read (their keys are normalised in code, not SQL): each counter
    // still refuses the ones it has a copy of.
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      return `
CREATE TABLE payment_references (
  tenant_id       ${big} NOT NULL,
  reference_key   TEXT NOT NULL,
  payment_id      TEXT NOT NULL,
  transaction_id  TEXT NOT NULL,
  created_at      ${big} NOT NULL,
  PRIMARY KEY (tenant_id, reference_key)
);
`;
    },
  },
  {
    version: 3,
    name: 'bounded history: change-feed retention, key ages; one index fewer per ticket',
    // The change feed is pruned by version: each cleanup notes every event's version and the time
    // (feed_marks); versions noted longer ago than the retention are deleted, and feed_floors says from
    // which version on the feed is whole (an older cursor is answered with the whole event). Keys are
    // pruned by age. tickets_by_seat is gone: every read by seat asks for live tickets, which the
    // unique partial index one_live_ticket_per_seat finds, so a hold writes one index entry fewer.
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      return `
DROP INDEX IF EXISTS tickets_by_seat;
CREATE TABLE IF NOT EXISTS feed_marks (
  tenant_id  ${big} NOT NULL,
  event_id   ${big} NOT NULL,
  version    ${big} NOT NULL,
  at         ${big} NOT NULL
);
CREATE INDEX IF NOT EXISTS feed_marks_by_event ON feed_marks(tenant_id, event_id, at);
CREATE TABLE IF NOT EXISTS feed_floors (
  tenant_id  ${big} NOT NULL,
  event_id   ${big} NOT NULL,
  version    ${big} NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency(tenant_id, created_at);
`;
    },
  },
  {
    version: 4,
    name: 'voids decided at the server: the void, its places and its refund; offline sales by counter id',
    // A void on an enrolled counter is decided here (voidTickets): its tickets go back on sale in the
    // same write; the refund lines travel in `record` beside the sale's payments. lease_sales finds an
    // offline sale (stored under the server's own id) by the id its counter knows it by.
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      return `
CREATE TABLE IF NOT EXISTS voids (
  tenant_id         ${big} NOT NULL,
  id                TEXT NOT NULL,
  transaction_id    TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('SALE', 'TICKETS', 'DEPOSIT')),
  actor             TEXT NOT NULL,
  approved_by       TEXT NOT NULL,
  reason            TEXT NOT NULL,
  credential_id     ${big} NOT NULL,
  refund_usd_cents  ${big} NOT NULL CHECK (refund_usd_cents >= 0),
  record            TEXT NOT NULL,
  created_at        ${big} NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS voids_by_transaction ON voids(tenant_id, transaction_id);
CREATE TABLE IF NOT EXISTS lease_sales (
  tenant_id       ${big} NOT NULL,
  sale_id         TEXT NOT NULL,
  transaction_id  TEXT NOT NULL,
  PRIMARY KEY (tenant_id, sale_id)
);
`;
    },
  },
  {
    version: 5,
    name: "tickets any door verifies: counters' public ticket keys, the printed tickets taken back",
    // Each counter registers its public ticket keys under its credential (enrolment, rotation); the
    // keyset export (keyset-store.ts) gives every door all of them with the numbers voids took back.
    // Voids recorded before this version are not in revoked_tickets (their counters still refuse them).
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      return `
CREATE TABLE IF NOT EXISTS ticket_keys (
  tenant_id      ${big} NOT NULL,
  key_id         TEXT NOT NULL,
  credential_id  ${big} NOT NULL,
  public_key     TEXT NOT NULL,
  valid_from     ${big} NOT NULL,
  retired_at     ${big},
  registered_at  ${big} NOT NULL,
  PRIMARY KEY (tenant_id, key_id)
);
CREATE TABLE IF NOT EXISTS revoked_tickets (
  tenant_id       ${big} NOT NULL,
  ticket_number   TEXT NOT NULL,
  transaction_id  TEXT NOT NULL,
  reason          TEXT NOT NULL CHECK (reason IN ('voided', 'refunded', 'moved')),
  revoked_at      ${big} NOT NULL,
  PRIMARY KEY (tenant_id, ticket_number)
);
`;
    },
  },
  {
    version: 6,
    name: 'audit trail of every state change; house seats with their reason',
    // Written in the transaction of the change it records (sql-audit.ts); pruned by age with the
    // change feed. blocked_reason: a house seat blocked with block-seats says why (SEAT_BLOCKED).
    // (Number 6: migration 5 is the ticket keysets' — the numbers only need to rise.)
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      const id = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
      return `
CREATE TABLE IF NOT EXISTS audit_log (
  id             ${id},
  tenant_id      ${big} NOT NULL,
  event_id       ${big},
  at             ${big} NOT NULL,
  actor          TEXT NOT NULL,
  credential_id  ${big} NOT NULL,
  entity         TEXT NOT NULL CHECK (entity IN ('transaction', 'ticket', 'seat', 'lease', 'void')),
  entity_id      TEXT NOT NULL,
  from_state     TEXT,
  to_state       TEXT NOT NULL,
  reason         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_event ON audit_log(tenant_id, event_id, id);
CREATE INDEX IF NOT EXISTS audit_by_age ON audit_log(tenant_id, at);
ALTER TABLE seats ADD COLUMN blocked_reason TEXT;
`;
    },
  },
  {
    version: 8,
    name: 'conflict resolutions recorded at the server',
    // Issue 14: a counter records here how a supervisor settled an offline sale the server refused
    // (moved, refunded, accepted as it stands), once per sale: the operator's audit, and the moved
    // and refunded tickets' numbers for the revocation list. server/storage/conflict-overrides.ts.
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      return `
CREATE TABLE IF NOT EXISTS conflict_resolutions (
  tenant_id       ${big} NOT NULL,
  sale_id         TEXT NOT NULL,
  credential_id   ${big} NOT NULL,
  event_id        ${big} NOT NULL,
  resolution      TEXT NOT NULL CHECK (resolution IN ('moved', 'refunded', 'override')),
  reason          TEXT NOT NULL,
  actor           TEXT NOT NULL,
  approved_by     TEXT NOT NULL,
  record          TEXT NOT NULL,
  resolved_at     ${big} NOT NULL,
  recorded_at     ${big} NOT NULL,
  PRIMARY KEY (tenant_id, sale_id)
);
`;
    },
  },
  {
    version: 9,
    name: 'lease policies and recalls',
    // A supervisor's lease policy per event, for every counter (credential_id 0) or one counter; and
    // the leases a rebalance took back (server/storage/lease-policy-store.ts owns both).
    sql: (dialect) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      return `
CREATE TABLE lease_policies (
  tenant_id      ${big} NOT NULL,
  event_id       ${big} NOT NULL,
  credential_id  ${big} NOT NULL DEFAULT 0,
  policy         TEXT NOT NULL,
  set_at         ${big} NOT NULL,
  set_by         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, event_id, credential_id)
);
CREATE TABLE lease_recalls (
  tenant_id      ${big} NOT NULL,
  lease_id       TEXT NOT NULL,
  event_id       ${big} NOT NULL,
  credential_id  ${big} NOT NULL,
  recalled_at    ${big} NOT NULL,
  PRIMARY KEY (tenant_id, lease_id)
);
CREATE INDEX lease_recalls_by_credential ON lease_recalls(tenant_id, credential_id);
`;
    },
  },
  {
    version: 11,
    name: "the operator's actions in the audit trail: credentials, lease policies, conflicts, ticket keys",
    // Issue 14: a revoked credential, a lease policy set or removed, a conflict settled and a ticket key
    // registered or retired are audited beside the sales (sql-audit.ts AUDIT_ENTITIES). SQLite cannot
    // change a CHECK in place: the table is copied (ids kept); PostgreSQL swaps the constraint.
    // (Number 11: 10 is the server generation's — the numbers only need to rise.)
    sql: (dialect) => {
      const entities = AUDIT_ENTITIES_V11;
      if (dialect === 'postgres') {
        return `
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_entity_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_check CHECK (entity IN (${entities}));
`;
      }
      return `
CREATE TABLE audit_log_v11 (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id      INTEGER NOT NULL,
  event_id       INTEGER,
  at             INTEGER NOT NULL,
  actor          TEXT NOT NULL,
  credential_id  INTEGER NOT NULL,
  entity         TEXT NOT NULL CHECK (entity IN (${entities})),
  entity_id      TEXT NOT NULL,
  from_state     TEXT,
  to_state       TEXT NOT NULL,
  reason         TEXT NOT NULL
);
INSERT INTO audit_log_v11 SELECT id, tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state,
  to_state, reason FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v11 RENAME TO audit_log;
CREATE INDEX IF NOT EXISTS audit_by_event ON audit_log(tenant_id, event_id, id);
CREATE INDEX IF NOT EXISTS audit_by_age ON audit_log(tenant_id, at);
`;
    },
  },
  {
    version: 13,
    name: 'audit trail without its age index',
    // Every state change wrote an entry into audit_by_age, which only the retention's DELETE read:
    // an index page more in each write's WAL and checkpoint. The retention now finds the old entries
    // by id (sql-retention.ts pruneAudit), as the change feed is pruned by version.
    // (Number 13: the numbers between are other branches' — they only need to rise.)
    sql: () => 'DROP INDEX IF EXISTS audit_by_age;',
  },
  {
    version: 14,
    name: "a lease's tickets by seat",
    // Issue 17: each offline sale read every unsold ticket of its lease (2,000 rows for one seat), so a
    // replay grew with the lease. The index by transaction gains the seat, which serves the same
    // reads by transaction and now a sale's own seats (`seat_id IN`) and standing places (`IS NULL`);
    // replacing it keeps a hold's index writes as they were.
    sql: () => `
CREATE INDEX IF NOT EXISTS tickets_by_transaction_seat ON tickets(tenant_id, transaction_id, seat_id);
DROP INDEX IF EXISTS tickets_by_transaction;
`,
  },
  {
    version: 15,
    name: 'audit trail ids without AUTOINCREMENT (SQLite)',
    // AUTOINCREMENT kept audit_log's last id in sqlite_sequence: one more page written by every
    // state change's commit and checkpoint. A plain INTEGER PRIMARY KEY takes MAX(id) + 1, so an
    // entry still gets an id above every entry present (the retention's walk and the audit's
    // newest-first read rely on that, nothing on ids never seen again). The table is copied, ids
    // kept (SQLite cannot drop AUTOINCREMENT in place). PostgreSQL's BIGSERIAL has no such page.
    // (Number 15: the numbers between are other branches' — they only need to rise.)
    sql: (dialect) =>
      dialect === 'postgres'
        ? 'SELECT 1;'
        : `
CREATE TABLE audit_log_v15 (
  id             INTEGER PRIMARY KEY,
  tenant_id      INTEGER NOT NULL,
  event_id       INTEGER,
  at             INTEGER NOT NULL,
  actor          TEXT NOT NULL,
  credential_id  INTEGER NOT NULL,
  entity         TEXT NOT NULL CHECK (entity IN (${AUDIT_ENTITIES_V11})),
  entity_id      TEXT NOT NULL,
  from_state     TEXT,
  to_state       TEXT NOT NULL,
  reason         TEXT NOT NULL
);
INSERT INTO audit_log_v15 SELECT id, tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state,
  to_state, reason FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v15 RENAME TO audit_log;
CREATE INDEX IF NOT EXISTS audit_by_event ON audit_log(tenant_id, event_id, id);
`,
  },
  {
    version: 16,
    name: 'the server generation: a random id, minted again by a restore',
    // Issue 14: a counter that sees it change re-sends what a restore lost (server/storage/generation.ts).
    sql: generationMigrationSql,
  },
  {
    version: 17,
    name: 'the generation notes the highest ticket id a restore brought back',
    // Issue 14 (docs/soak.md finding 9): holds and leases the backup brought back step aside for a
    // re-sent sale.
    sql: ticketMarkMigrationSql,
  },
];

/** The schema version this server writes. */
export const SERVER_SCHEMA_VERSION = SERVER_MIGRATIONS.at(-1)?.version ?? 0;

/** A database written by a newer server: this one must not open it (it could misread it). */
export class NewerSchemaError extends Error {
  constructor(readonly found: number) {
    super(
      `the server database has schema ${found}, newer than this taquilla-server (${SERVER_SCHEMA_VERSION}); update the server`,
    );
  }
}

export const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS server_schema (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  INTEGER NOT NULL
)`;

/**
 * Brings the schema to SERVER_SCHEMA_VERSION. Runs inside the caller's transaction (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: under the init advisory lock), with its statements: `exec` runs a script,
 * `version` reads the stored version (null before any was stored).
 */
export async function migrateServerSchema(
  dialect: 'sqlite' | 'postgres',
  exec: (sql: string) => Promise<void>,
  version: () => Promise<number | null>,
): Promise<{ from: number; to: number }> {
  await exec(VERSION_TABLE);
  let current = await version();
  if (current === null) {
    await exec('INSERT INTO server_schema (id, version) VALUES (1, 0)');
    current = 0;
  }
  if (current > SERVER_SCHEMA_VERSION) throw new NewerSchemaError(current);
  const from = current;
  for (const migration of SERVER_MIGRATIONS) {
    if (migration.version <= current) continue;
    await exec(migration.sql(dialect));
    await exec(`UPDATE server_schema SET version = ${migration.version} WHERE id = 1`);
    current = migration.version;
  }
  return { from, to: current };
}
