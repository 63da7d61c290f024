import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/taquilla.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { type ServerProcess, serverCli, startServer } from '../server/server-process.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

describe('taquilla enrol / publish-event / sync-status (the documented commands)', () => {
  const tmp = tempDir('taquilla-sync-cli-');
  const serverDb = join(tmp.dir, 'server.db');
  const terminalDb = join(tmp.dir, 'terminal.db');
  let server: ServerProcess;
  let admin: { tenantId: number; secret: string };
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      clock: new ManualClock(T0),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    admin = serverCli(['create-tenant', '--db', serverDb, '--name', 'Teatro']);
    server = await startServer(['--db', serverDb]);
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('enrols with a one-time code, publishes an event, and reports the link', async () => {
    expect((await run(['seed-demo', '--db', terminalDb])).code).toBe(0);
    const { code } = serverCli<{ code: string }>([
      'enrol-code',
      '--db',
      serverDb,
      '--tenant',
      String(admin.tenantId),
    ]);
    const enrolled = await run([
      'enrol',
      '--server',
      server.url,
      '--code',
      code,
      '--name',
      'Caja 1',
      '--db',
      terminalDb,
    ]);
    expect(enrolled.code).toBe(0);
    expect((await run(['enrol', '--server', server.url, '--code', code, '--db', terminalDb])).code).not.toBe(
      0,
    );
    const published = await run([
      'publish-event',
      '--event',
      '1',
      '--admin-secret',
      admin.secret,
      '--db',
      terminalDb,
    ]);
    expect(published.code).toBe(0);
    const status = await run(['sync-status', '--now', '--json', '--db', terminalDb]);
    expect(JSON.parse(status.out)).toMatchObject({ state: 'online', outbox: 0, openConflicts: 0 });
    // the terminal's PC clock (fixed at T0) is not the server's: the offset says by how much
    expect(Math.abs(JSON.parse(status.out).clockOffsetMs - (Date.now() - T0))).toBeLessThan(5000);
  });

  it("publishes a counter's own event with the secret kept off the command line; a new counter receives it", async () => {
    // Without a secret anywhere, the command says where to put it.
    const missing = await run(['publish-event', '--event', '2', '--db', terminalDb]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('TAQUILLA_ADMIN_SECRET');
    process.env.TAQUILLA_ADMIN_SECRET = admin.secret;
    try {
      expect((await run(['publish-event', '--event', '1', '--db', terminalDb])).code).toBe(0);
    } finally {
      delete process.env.TAQUILLA_ADMIN_SECRET;
    }
    const secretFile = join(tmp.dir, 'admin-secret');
    writeFileSync(secretFile, `${admin.secret}\n`, { mode: 0o600 });
    expect(
      (await run(['publish-event', '--event', '1', '--admin-secret-file', secretFile, '--db', terminalDb]))
        .code,
    ).toBe(0);
    // A counter enrolled on an empty store receives the event as the first counter has it: same ids.
    const fresh = join(tmp.dir, 'fresh.db');
    const { code } = serverCli<{ code: string }>([
      'enrol-code',
      '--db',
      serverDb,
      '--tenant',
      String(admin.tenantId),
    ]);
    const enrolled = await run([
      'enrol',
      '--server',
      server.url,
      '--code',
      code,
      '--name',
      'Caja 2',
      '--json',
      '--db',
      fresh,
    ]);
    expect(JSON.parse(enrolled.out).events).toEqual([1]);
    const seats = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db
          .prepare('SELECT id, zone_id, label, x, y, price_tier_id FROM seats WHERE event_id = 1 ORDER BY id')
          .all();
      } finally {
        db.close();
      }
    };
    const original = seats(terminalDb);
    expect(original.length).toBeGreaterThan(2000);
    expect(seats(fresh)).toEqual(original);
    // The publishing counter takes the event back as the venue's without complaint.
    const status = JSON.parse((await run(['sync-status', '--now', '--json', '--db', terminalDb])).out);
    expect(status.catalog.problems).toEqual([]);
  });

  it('sync-status without --now says the link as it is: online while the server answers, offline when it does not', async () => {
    const online = await run(['sync-status', '--json', '--db', terminalDb]);
    expect(online.code).toBe(0);
    expect(JSON.parse(online.out)).toMatchObject({ state: 'online', lastSyncAgeMs: expect.any(Number) });
    expect((await run(['sync-status', '--db', terminalDb])).out).toMatch(
      /^state {7}online[\s\S]*last sync .* ago\)/,
    );
    await server.stop();
    const offline = await run(['sync-status', '--json', '--db', terminalDb]);
    expect(JSON.parse(offline.out)).toMatchObject({ state: 'offline' });
  });
});
