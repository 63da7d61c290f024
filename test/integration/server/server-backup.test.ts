import { SERVER_SCHEMA_VERSION } from '../../../server/storage/server-migrations.ts';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerEventDefinition } from '../../../shared/schemas/sync.ts';
import { tempDir } from '../../support/temp-store.ts';
import { type ServerProcess, serverCli, serverCliRaw, startServer } from './server-process.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/taquilla-server.js', import.meta.url));
const SEATS = 2000; // the most one lease may hold: room for the sales made while a backup runs

function venueEvent(): ServerEventDefinition {
  return {
    eventId: 1,
    name: 'Drill',
    leaseMinutes: 240,
    zones: [
      {
        kind: 'numbered',
        zoneId: 1,
        name: 'Platea',
        priceCents: 2500,
        seats: Array.from({ length: SEATS }, (_, i) => ({ seatId: i + 1, label: `P-${i + 1}` })),
      },
    ],
  };
}

interface Sale {
  key: string;
  body: Record<string, unknown>;
  seatId: number;
}

/**
 * A counter reporting sales one after another (offline sales from its lease: each is acknowledged by
 * the server, under its idempotency key, once committed).
 */
async function counter(server: () => ServerProcess, adminSecret: string) {
  const post = async (path: string, body: unknown, key?: string) => {
    const res = await fetch(`${server().url}${path}`, {
      method: path.startsWith('/v1/admin/events') ? 'PUT' : 'POST',
      headers: {
        authorization: `Bearer ${adminSecret}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      body: (await res.json()) as { serverTime: number; result: { leaseId: string; ticketFrom: number } },
    };
  };
  expect((await post('/v1/admin/events', venueEvent())).status).toBe(200);
  const seatIds = Array.from({ length: SEATS }, (_, i) => i + 1);
  const lease = await post(
    '/v1/ops/lease',
    { eventId: 1, actor: 'drill', seatIds, ticketNumbers: SEATS },
    `lease-${randomBytes(4).toString('hex')}`,
  );
  expect(lease.status).toBe(200);
  const { leaseId, ticketFrom } = lease.body.result;
  const acknowledged: Sale[] = [];
  let next = 0;
  let selling = false;
  let failed: unknown = null;
  let stopped: Promise<void> = Promise.resolve();
  return {
    acknowledged,
    failed: () => failed,
    post,
    /** Starts selling one seat after another until `stop`. */
    start() {
      selling = true;
      stopped = (async () => {
        while (selling && next < SEATS) {
          const n = next++;
          const sale: Sale = {
            key: `sale-${leaseId}-${n}`,
            seatId: n + 1,
            body: {
              leaseId,
              saleId: `s-${n}`,
              actor: 'drill',
              seatIds: [n + 1],
              ticketNumbers: [ticketFrom + n],
              soldAt: Date.now(),
            },
          };
          const reply = await post('/v1/ops/leaseSale', sale.body, sale.key);
          if (reply.status !== 200)
            throw new Error(`sale ${n} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
          acknowledged.push(sale);
          await new Promise((r) => setTimeout(r, 5)); // a busy counter, not a flood
        }
      })().catch((error: unknown) => {
        failed = error;
      });
    },
    async stop() {
      selling = false;
      await stopped;
    },
    /** Sends a sale again: answered from the store (replayed) only if the store has it. */
    async isRecorded(sale: Sale): Promise<boolean> {
      const reply = await post('/v1/ops/leaseSale', sale.body, sale.key);
      return reply.status === 200 && reply.replayed;
    },
    async soldSeats(): Promise<Set<number>> {
      const res = await fetch(`${server().url}/v1/events/1/availability`, {
        headers: { authorization: `Bearer ${adminSecret}` },
      });
      const { result } = (await res.json()) as { result: { seats: { seatId: number; state: string }[] } };
      return new Set(result.seats.filter((s) => s.state === 'sold').map((s) => s.seatId));
    },
  };
}

/** Waits for the counter's progress; a counter that stopped (a refused sale) fails the test at once. */
const until = async (condition: () => boolean, counterFailed: () => unknown) => {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    const failure = counterFailed();
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    if (Date.now() > deadline) throw new Error('the counter made no progress for 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('server backup and restore drill: SQLite (real processes)', () => {
  const tmp = tempDir('taquilla-server-backup-');
  const db = join(tmp.dir, 'server.db');
  const backup = join(tmp.dir, 'backups', 'server-1.backup');
  let server: ServerProcess;
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it(
    'backs up while sales keep coming, restores, and every sale acknowledged before the backup is there',
    { timeout: 120_000 },
    async () => {
      const admin = serverCli<{ secret: string }>(['create-tenant', '--db', db, '--name', 'Teatro']);
      server = await startServer(['--db', db]);
      const caja = await counter(() => server, admin.secret);
      caja.start();
      await until(() => caja.acknowledged.length >= 30, caja.failed);
      // The backup runs while the counter keeps selling.
      const before = caja.acknowledged.length;
      const { stdout } = await run(process.execPath, [BIN, 'backup', '--db', db, '--out', backup]);
      const during = caja.acknowledged.length;
      await until(() => caja.acknowledged.length >= during + 20, caja.failed);
      await caja.stop();
      expect(caja.failed()).toBeNull();
      expect(during).toBeGreaterThan(before); // sales went on while it copied
      expect(JSON.parse(stdout)).toMatchObject({
        file: backup,
        bytes: expect.any(Number),
        schemaVersion: SERVER_SCHEMA_VERSION,
      });

      // A running server's database is never replaced underneath it.
      const busy = serverCliRaw(['restore', '--db', db, '--from', backup]);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toMatch(/open by a running server; stop it, then restore/);

      await server.stop();
      const restored = serverCliRaw(['restore', '--db', db, '--from', backup]);
      expect(restored.status, restored.stderr).toBe(0);
      const { replaced } = JSON.parse(restored.stdout) as { replaced: string };
      expect(replaced).toMatch(/server\.db\.replaced-\d{8}-\d{6}$/);
      expect(existsSync(replaced)).toBe(true); // the database it replaced is kept
      const check = new Database(db, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();

      server = await startServer(['--db', db]);
      const sold = await caja.soldSeats();
      const acknowledgedBefore = caja.acknowledged.slice(0, before);
      for (const sale of acknowledgedBefore) {
        expect(sold.has(sale.seatId), `seat ${sale.seatId}`).toBe(true);
        expect(await caja.isRecorded(sale), sale.key).toBe(true);
      }
      // What was acknowledged after the backup finished is not in it: the drill's window of loss.
      const after = caja.acknowledged.slice(during + 1);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((sale) => !sold.has(sale.seatId))).toBe(true);
    },
  );

  it('refuses what it cannot do, in one line: an existing --out, a file that is not a server database, --pg', () => {
    const exists = serverCliRaw(['backup', '--db', db, '--out', backup]);
    expect(exists.status).toBe(2);
    expect(exists.stderr).toMatch(/already exists/);
    const junk = join(tmp.dir, 'junk.backup');
    writeFileSync(junk, 'not a database at all, just text'.repeat(200));
    const notDb = serverCliRaw(['restore', '--db', join(tmp.dir, 'other.db'), '--from', junk]);
    expect(notDb.status).toBe(1);
    expect(notDb.stderr.trim().split('\n')).toHaveLength(1);
    const terminalStore = join(tmp.dir, 'terminal.db');
    new Database(terminalStore).exec('CREATE TABLE reserved_tickets (id INTEGER)').close();
    const wrongKind = serverCliRaw(['restore', '--db', join(tmp.dir, 'other.db'), '--from', terminalStore]);
    expect(wrongKind.status).toBe(1);
    expect(wrongKind.stderr).toMatch(/is not a Taquilla server database/);
    const onPg = serverCliRaw([
      'backup',
      '--pg',
      'postgres://x@127.0.0.1/x',
      '--out',
      join(tmp.dir, 'pg.backup'),
    ]);
    expect(onPg.status).toBe(2);
    expect(onPg.stderr).toMatch(/pg_dump/);
  });
});

const url = process.env.TAQUILLA_PG_URL;
/** pg_dump/pg_restore from PATH, else Debian's PostgreSQL 15. */
const pgTool = (name: string) =>
  ['/usr/bin', '/usr/lib/postgresql/15/bin'].map((d) => join(d, name)).find((f) => existsSync(f)) ?? name;

describe.skipIf(!url)(
  'server backup and restore drill: PostgreSQL with pg_dump / pg_restore (real processes)',
  () => {
    const tmp = tempDir('taquilla-pg-backup-');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let server: ServerProcess;
    const parsed = new URL(url ?? 'postgres://x@localhost/x');
    // As docs/operations.md runs them: the password from PGPASSWORD (or ~/.pgpass), never on the command line.
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(parsed.password) };
    const withoutPassword = (() => {
      const u = new URL(parsed.toString());
      u.password = '';
      return u.toString();
    })();
    const dropSchema = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    };
    afterAll(async () => {
      await server?.stop();
      await dropSchema();
      tmp.remove();
    });

    it(
      'pg_dump while sales keep coming, the schema lost, pg_restore: every sale acknowledged before the dump is there',
      { timeout: 120_000 },
      async () => {
        const args = ['--pg', url!, '--pg-schema', schema];
        const admin = serverCli<{ secret: string }>(['create-tenant', ...args, '--name', 'Teatro']);
        server = await startServer(args);
        const caja = await counter(() => server, admin.secret);
        caja.start();
        await until(() => caja.acknowledged.length >= 30, caja.failed);
        const dump = join(tmp.dir, 'taquilla.dump');
        const before = caja.acknowledged.length;
        await run(
          pgTool('pg_dump'),
          [
            '--format=custom',
            `--schema=${schema}`,
            '--no-owner',
            `--file=${dump}`,
            `--dbname=${withoutPassword}`,
          ],
          { env },
        );
        const during = caja.acknowledged.length;
        await until(() => caja.acknowledged.length >= during + 20, caja.failed);
        await caja.stop();
        expect(caja.failed()).toBeNull();
        expect(during).toBeGreaterThan(before);
        await server.stop();

        // The database is lost; the restore makes the schema afresh from the dump alone.
        await dropSchema();
        await run(
          pgTool('pg_restore'),
          ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${withoutPassword}`, dump],
          { env },
        );
        server = await startServer(args);
        const sold = await caja.soldSeats();
        for (const sale of caja.acknowledged.slice(0, before)) {
          expect(sold.has(sale.seatId), `seat ${sale.seatId}`).toBe(true);
          expect(await caja.isRecorded(sale), sale.key).toBe(true);
        }
        const after = caja.acknowledged.slice(during + 1);
        expect(after.length).toBeGreaterThan(0);
        expect(after.every((sale) => !sold.has(sale.seatId))).toBe(true);
        const ready = await fetch(`${server.url}/ready`);
        expect(ready.status).toBe(200);
      },
    );
  },
);
