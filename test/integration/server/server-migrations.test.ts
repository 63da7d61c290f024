import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { HoldStore } from '../../../server/storage/hold-store.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { SERVER_MIGRATIONS, SERVER_SCHEMA_VERSION } from '../../../server/storage/server-migrations.ts';
import { serverSchema } from '../../../server/storage/server-schema.ts';
import { restoreServerDb } from '../../../server/storage/sqlite-backup.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { T0, tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';

/**
 * A database written by a server from before idempotency keys were scoped per credential (schema 0,
 * exactly `serverSchema` as it shipped): one tenant, its event, one request answered under key
 * `old-key` by the old server (whoever sent it).
 */
const OLD_REPLY = { result: { transactionId: 'old-tx', tickets: [] } };
const HOLD = { eventId: 7, sessionId: 'before-upgrade', actor: 'c', seatIds: [101] };
const HOLD_HASH = `holdSeats:${JSON.stringify(HOLD)}`;
const LEGACY_ROWS = `
INSERT INTO tenants (id, name, settings, created_at) VALUES (1, 'Teatro', '{}', ${T0});
INSERT INTO idempotency (tenant_id, key, request_hash, status, body, created_at)
  VALUES (1, 'old-key-0001', '${HOLD_HASH}', 200, '${JSON.stringify(OLD_REPLY)}', ${T0});
`;

async function upgradeBehaviour(store: HoldStore) {
  await store.putEvent(1, demoEvent(7), T0);
  const idem = (key: string, input: unknown) => ({
    key,
    requestHash: `holdSeats:${JSON.stringify(input)}`,
  });
  // The request answered before the upgrade, retried after it (by whichever terminal sent it): the
  // stored answer, not a second hold.
  const retried = await store.execute(1, 5, 'holdSeats', HOLD, T0, idem('old-key-0001', HOLD));
  expect(retried.replayed).toBe(true);
  expect(retried.body).toEqual(OLD_REPLY);
  // After it, the same new key from two terminals is two requests.
  const a = { ...HOLD, sessionId: 'a', seatIds: [102] };
  const b = { ...HOLD, sessionId: 'b', seatIds: [103] };
  const first = await store.execute(1, 5, 'holdSeats', a, T0, idem('new-key-0001', a));
  const second = await store.execute(1, 6, 'holdSeats', b, T0, idem('new-key-0001', b));
  expect(first.status).toBe(200);
  expect(second.status).toBe(200);
  expect(second.replayed).toBe(false);
}

describe('server schema migrations (SQLite)', () => {
  it('an old database is upgraded in place: keys answered before the upgrade still answer, new keys are per terminal', async () => {
    const tmp = tempDir('taquilla-migrate-');
    const file = join(tmp.dir, 'server.db');
    const old = new Database(file);
    old.exec(serverSchema('sqlite'));
    old.exec(LEGACY_ROWS);
    old.close();
    const store = new SqliteHoldStore(file);
    try {
      await store.init();
      await upgradeBehaviour(store);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM server_schema').get()).toEqual({ version: SERVER_SCHEMA_VERSION });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // Opening it again changes nothing (every migration ran once).
    const again = new SqliteHoldStore(file);
    await again.init();
    await again.close();
    tmp.remove();
  });

  it('server migration 15: the audit trail keeps its entries and ids, and new ids continue above them without sqlite_sequence', async () => {
    const tmp = tempDir('taquilla-migrate-');
    const file = join(tmp.dir, 'server.db');
    // A database as a server of schema 13 left it, with audit entries of a hold and a release.
    const old = new Database(file);
    old.exec(serverSchema('sqlite'));
    old.exec('CREATE TABLE server_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    for (const m of SERVER_MIGRATIONS.filter((m) => m.version <= 13)) old.exec(m.sql('sqlite'));
    old.exec('INSERT INTO server_schema (id, version) VALUES (1, 13)');
    old.exec(`INSERT INTO tenants (id, name, settings, created_at) VALUES (1, 'Teatro', '{}', ${T0})`);
    old.exec(`INSERT INTO audit_log (id, tenant_id, event_id, at, actor, credential_id, entity, entity_id,
      from_state, to_state, reason) VALUES (40, 1, 7, ${T0}, 'c', 5, 'ticket', 't1', NULL, 'ACTIVE', 'held'),
      (41, 1, 7, ${T0}, 'c', 5, 'ticket', 't1', 'ACTIVE', 'RELEASED', 'released')`);
    old.close();

    const store = new SqliteHoldStore(file);
    try {
      await store.init();
      await store.putEvent(1, demoEvent(7), T0);
      const held = await store.execute(1, 5, 'holdSeats', { ...HOLD, seatIds: [104] }, T0, null);
      expect(held.status).toBe(200);
      const entries = await store.auditTrail(1, { eventId: 7, limit: 100 });
      expect(entries.slice(0, 2).map((e) => [e.id, e.reason])).toEqual([
        [40, 'held'],
        [41, 'released'],
      ]);
      expect(entries.slice(2).every((e) => e.id > 41)).toBe(true);
      expect(entries.length).toBeGreaterThan(2);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_log'").get() as {
      sql: string;
    };
    expect(table.sql).not.toMatch(/AUTOINCREMENT/);
    const sequence = db.prepare("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'").get()
      ? db.prepare("SELECT name FROM sqlite_sequence WHERE name = 'audit_log'").all()
      : [];
    expect(sequence).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    tmp.remove();
  });

  it('server migration 17: a live database marks no ticket as brought back; a backup older than 17 just restored marks all of its own', async () => {
    const tmp = tempDir('taquilla-migrate-');
    // A server of schema 16 with a hold in it; its file copied as the operator's backup.
    const file = join(tmp.dir, 'server.db');
    const old = new Database(file);
    old.exec(serverSchema('sqlite'));
    old.exec('CREATE TABLE server_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    for (const m of SERVER_MIGRATIONS.filter((m) => m.version <= 16)) old.exec(m.sql('sqlite'));
    old.exec('INSERT INTO server_schema (id, version) VALUES (1, 16)');
    old.exec(`INSERT INTO tenants (id, name, settings, created_at) VALUES (1, 'Teatro', '{}', ${T0})`);
    old.close();
    const live = new SqliteHoldStore(file);
    await live.init();
    await live.putEvent(1, demoEvent(7), T0);
    expect((await live.execute(1, 5, 'holdSeats', { ...HOLD, seatIds: [105] }, T0, null)).status).toBe(200);
    await live.close();
    const backup = join(tmp.dir, 'server-16.backup');
    copyFileSync(file, backup);
    // Upgraded in place (this test file's copy went to 17 above: read its mark).
    const markOf = (f: string) => {
      const db = new Database(f, { readonly: true });
      try {
        return (db.prepare('SELECT ticket_mark FROM server_generation').get() as { ticket_mark: number })
          .ticket_mark;
      } finally {
        db.close();
      }
    };
    expect(markOf(file)).toBe(0);
    // The same database at 16, restored by this server, then opened.
    const at16 = new Database(backup);
    at16.exec('ALTER TABLE server_generation DROP COLUMN ticket_mark');
    at16.exec('UPDATE server_schema SET version = 16');
    at16.close();
    const restored = join(tmp.dir, 'restored.db');
    restoreServerDb({ from: backup, to: restored, now: T0 + 60_000 });
    const reopened = new SqliteHoldStore(restored);
    await reopened.init();
    await reopened.close();
    const db = new Database(restored, { readonly: true });
    const highest = (db.prepare('SELECT MAX(id) AS id FROM tickets').get() as { id: number }).id;
    db.close();
    expect(highest).toBeGreaterThan(0);
    expect(markOf(restored)).toBe(highest);
    tmp.remove();
  });

  it('a database written by a newer server is refused, untouched', async () => {
    const tmp = tempDir('taquilla-migrate-');
    const file = join(tmp.dir, 'server.db');
    const store = new SqliteHoldStore(file);
    await store.init();
    await store.close();
    const db = new Database(file);
    db.exec(`UPDATE server_schema SET version = ${SERVER_SCHEMA_VERSION + 1}`);
    db.close();
    const newer = new SqliteHoldStore(file);
    await expect(newer.init()).rejects.toThrow(/newer than this taquilla-server/);
    await newer.close().catch(() => undefined);
    tmp.remove();
  });
});

const url = process.env.TAQUILLA_PG_URL;
describe.skipIf(!url)('server schema migrations (PostgreSQL)', () => {
  it('an old schema is upgraded in place: keys answered before the upgrade still answer, new keys are per terminal', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await client.query(serverSchema('postgres'));
      await client.query(LEGACY_ROWS);
      // as the old server left it: BIGSERIAL ids continue after the rows it wrote
      await client.query(`SELECT setval('tenants_id_seq', 1)`);
      const store = new PgHoldStore(url!, { schema });
      try {
        await store.init();
        await upgradeBehaviour(store);
      } finally {
        await store.close();
      }
      const { rows } = await client.query('SELECT version FROM server_schema');
      expect(rows).toEqual([{ version: SERVER_SCHEMA_VERSION }]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
