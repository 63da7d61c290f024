import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { tempDir } from '../../support/temp-store.ts';
import { EXAMPLE_EVENT } from '../../support/venue-example.ts';
import { type ServerProcess, serverCli, serverCliRaw, startServer } from './server-process.ts';

interface Setup {
  servers: ServerProcess[];
  storeArgs: string[];
  dir: string;
  cleanup: () => Promise<void>;
}

function venueAdminSuite(name: string, setup: () => Promise<Setup>) {
  describe(name, () => {
    let s: Setup;
    let admin: { tenantId: number; secret: string };
    let terminal: { credentialId: number; secret: string };
    let keys = 0;
    const tenantArgs = () => [...s.storeArgs, '--tenant', String(admin.tenantId)];
    const as = (secret: string) => ({
      headers: { authorization: `Bearer ${secret}` },
      validateStatus: () => true,
    });
    const op = (server: ServerProcess, path: string, body: unknown) =>
      axios.post(`${server.url}/v1/ops/${path}`, body, {
        headers: {
          authorization: `Bearer ${terminal.secret}`,
          'idempotency-key': `adm-${process.pid}-${++keys}`,
        },
        validateStatus: () => true,
      });

    beforeAll(async () => {
      s = await setup();
      admin = serverCli(['create-tenant', ...s.storeArgs, '--name', 'Teatro Municipal']);
      const code = serverCli<{ code: string }>(['enrol-code', ...tenantArgs()]).code;
      terminal = (await axios.post(`${s.servers[0]!.url}/v1/enrol`, { code, terminalName: 'Caja 1' })).data
        .result;
    });
    afterAll(async () => s?.cleanup());

    it('tenant settings: a bad value is refused with the rule it breaks, and nothing is written', () => {
      // Each refusal names every rule broken, from the settings' own bounds (shared/config.ts).
      const refused = [
        [
          [
            '--set',
            'TEMPORARY_HOLD_MINUTES=0',
            '--set',
            'PARTIAL_PAYMENT_HOURS=12',
            '--set',
            'HOLD_MINUTES=5',
          ],
          [
            'TEMPORARY_HOLD_MINUTES must be a whole number from 1 to 60 (got 0)',
            'PARTIAL_PAYMENT_HOURS must be a whole number from 24 to 72 (got 12)',
            'unknown setting HOLD_MINUTES',
          ],
        ],
        [
          ['--set', 'MAX_RESERVATIONS_PER_USER=diez'],
          ["MAX_RESERVATIONS_PER_USER must be a whole number from 1 to 100 (got 'diez')"],
        ],
        [
          ['--set', 'TEMPORARY_HOLD_MINUTES=45'],
          ['MAX_HOLD_LIFETIME_MINUTES (30) must be at least TEMPORARY_HOLD_MINUTES (45)'],
        ],
      ] as const;
      for (const [args, messages] of refused) {
        const result = serverCliRaw(['tenant-settings', ...tenantArgs(), ...args]);
        expect(result.status, result.stderr).toBe(1);
        for (const message of messages) expect(result.stderr).toContain(message);
      }
      expect(serverCliRaw(['tenant-settings', ...s.storeArgs, '--tenant', '999']).stderr).toContain(
        'UNKNOWN_TENANT',
      );
      expect(serverCliRaw(['tenant-settings', ...tenantArgs(), '--unset', 'NOPE']).status).toBe(2);
      const shown = serverCli<{ overrides: object; effective: Record<string, number> }>([
        'tenant-settings',
        ...tenantArgs(),
      ]);
      expect(shown.overrides).toEqual({});
      expect(shown.effective.TEMPORARY_HOLD_MINUTES).toBe(10);
    });

    it('an event defined once from a file gets its ids from the server; redefining keeps them', async () => {
      const defined = serverCli<{
        eventId: number;
        zones: { zoneId: number; code: string; seats?: number; seatIds?: number[] }[];
      }>(['define-event', ...tenantArgs(), '--file', EXAMPLE_EVENT]);
      expect(defined.zones.map((z) => [z.code, z.seats])).toEqual([
        ['PLA', 24],
        ['BAL', 6],
        ['GEN', undefined],
      ]);
      // A second event never reuses an id: counters keep every event's zones and seats in one id space.
      const second = serverCli<{ eventId: number; zones: { zoneId: number; seatIds?: number[] }[] }>([
        'define-event',
        ...tenantArgs(),
        '--file',
        EXAMPLE_EVENT,
      ]);
      expect(second.eventId).toBeGreaterThan(defined.eventId);
      expect(second.zones[0]!.seatIds![0]).toBeGreaterThan(defined.zones[1]!.seatIds![1]!);
      // Redefine the first with a dearer stalls and one more row: same ids, new seats after the others.
      const file = JSON.parse(readFileSync(EXAMPLE_EVENT, 'utf8'));
      file.zones[0].priceCents = 3000;
      file.zones[0].seats.push({ row: 'D', number: 1, x: 70, y: 150 });
      const changed = join(s.dir, 'changed.json');
      writeFileSync(changed, JSON.stringify(file));
      const again = serverCli<{
        eventId: number;
        zones: { zoneId: number; seats?: number; seatIds?: number[] }[];
      }>(['define-event', ...tenantArgs(), '--file', changed, '--event', String(defined.eventId)]);
      expect(again.eventId).toBe(defined.eventId);
      expect(again.zones.map((z) => z.zoneId)).toEqual(defined.zones.map((z) => z.zoneId));
      expect(again.zones[0]!.seats).toBe(25);
      expect(again.zones[0]!.seatIds![0]).toBe(defined.zones[0]!.seatIds![0]);
      // The running server sells it at once, at the new price.
      const plaSeat = defined.zones[0]!.seatIds![0]!;
      const held = await op(s.servers.at(-1)!, 'holdSeats', {
        eventId: defined.eventId,
        sessionId: 'define-1',
        actor: 'c',
        seatIds: [plaSeat],
      });
      expect(held.status, JSON.stringify(held.data)).toBe(200);
      expect(held.data.result.tickets[0].priceCents).toBe(3000);
      const listed = serverCli<{ events: { eventId: number }[] }>(['events', ...tenantArgs()]);
      expect(listed.events.map((e) => e.eventId)).toEqual([defined.eventId, second.eventId]);
    });

    it('a bad event file is refused with what is wrong, and defines nothing', () => {
      const file = JSON.parse(readFileSync(EXAMPLE_EVENT, 'utf8'));
      file.vesPerUsd = 'treinta';
      file.zones[1].code = 'PLA';
      const bad = join(s.dir, 'bad.json');
      writeFileSync(bad, JSON.stringify(file));
      const before = serverCli<{ revision: number }>(['events', ...tenantArgs()]).revision;
      const result = serverCliRaw(['define-event', ...tenantArgs(), '--file', bad]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('vesPerUsd: rate like 36.50');
      expect(result.stderr).toContain('zone code PLA appears twice');
      expect(
        serverCliRaw(['define-event', ...tenantArgs(), '--file', join(s.dir, 'missing.json')]).status,
      ).toBe(2);
      expect(serverCli<{ revision: number }>(['events', ...tenantArgs()]).revision).toBe(before);
    });

    it('the server honours the settings set by command, at once, on every instance', async () => {
      const event = serverCli<{ eventId: number; zones: { seatIds?: number[] }[] }>([
        'define-event',
        ...tenantArgs(),
        '--file',
        EXAMPLE_EVENT,
      ]);
      const seats = event.zones[0]!.seatIds!;
      const first = seats[0]!;
      // Every instance has read (and may have cached) the defaults before the change.
      for (const [i, server] of s.servers.entries()) {
        const r = await op(server, 'holdSeats', {
          eventId: event.eventId,
          sessionId: `pre-${i}`,
          actor: 'c',
          seatIds: [first + i],
        });
        expect(r.data.result.tickets[0].reservedUntil - r.data.serverTime).toBe(10 * MINUTE_MS);
      }
      serverCli([
        'tenant-settings',
        ...tenantArgs(),
        '--set',
        'TEMPORARY_HOLD_MINUTES=3',
        '--set',
        'MAX_RESERVATIONS_PER_USER=4',
        '--set',
        'PARTIAL_PAYMENT_HOURS=24',
      ]);
      for (const [i, server] of s.servers.entries()) {
        const sessionId = `set-${i}`;
        const base = first + 2 + i * 5;
        const r = await op(server, 'holdSeats', {
          eventId: event.eventId,
          sessionId,
          actor: 'c',
          seatIds: [base, base + 1, base + 2, base + 3],
        });
        expect(r.status).toBe(200);
        expect(r.data.result.tickets[0].reservedUntil - r.data.serverTime).toBe(3 * MINUTE_MS);
        const over = await op(server, 'holdSeats', {
          eventId: event.eventId,
          sessionId,
          actor: 'c',
          seatIds: [base + 4],
        });
        expect(over.data.error).toMatchObject({ code: 'LIMIT_REACHED', details: { limit: 4, held: 4 } });
        const deposit = await op(server, 'convertToPartial', {
          transactionId: r.data.result.transactionId,
          actor: 'c',
        });
        expect(deposit.data.result.reservedUntil - deposit.data.serverTime).toBe(24 * HOUR_MS);
      }
      const shown = serverCli<{ overrides: object }>([
        'tenant-settings',
        ...tenantArgs(),
        '--unset',
        'PARTIAL_PAYMENT_HOURS',
      ]);
      expect(shown.overrides).toEqual({ TEMPORARY_HOLD_MINUTES: 3, MAX_RESERVATIONS_PER_USER: 4 });
      // The admin API shows and changes the same settings.
      const api = await axios.get(`${s.servers[0]!.url}/v1/admin/settings`, as(admin.secret));
      expect(api.data.result.effective).toMatchObject({
        TEMPORARY_HOLD_MINUTES: 3,
        PARTIAL_PAYMENT_HOURS: 72,
      });
      const badPut = await axios.put(
        `${s.servers[0]!.url}/v1/admin/settings`,
        { TEMPORARY_HOLD_MINUTES: 99 },
        as(admin.secret),
      );
      expect(badPut.status).toBe(400);
      expect(badPut.data.error.details.issues[0].path).toBe('TEMPORARY_HOLD_MINUTES');
      expect(
        (await axios.put(`${s.servers[0]!.url}/v1/admin/settings`, {}, as(terminal.secret))).status,
      ).toBe(403);
    });

    it('terminals are listed, never with their secrets', () => {
      const listed = serverCli<{
        credentials: { credentialId: number; role: string; name: string; revokedAt: number | null }[];
      }>(['terminals', ...tenantArgs()]);
      expect(listed.credentials.map((c) => [c.role, c.name, c.revokedAt])).toEqual([
        ['admin', 'Teatro Municipal admin', null],
        ['terminal', 'Caja 1', null],
      ]);
      expect(JSON.stringify(listed)).not.toContain('tqs_');
      const unknown = serverCliRaw(['revoke', ...tenantArgs(), '--credential', '999']);
      expect([unknown.status, unknown.stderr.trim()]).toEqual([
        1,
        `taquilla-server: tenant ${admin.tenantId} has no credential 999`,
      ]);
      // A mistyped --db is not a new, empty database.
      const typo = serverCliRaw(['terminals', '--db', join(s.dir, 'sever.db'), '--tenant', '1']);
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain('no database at');
    });
  });
}

venueAdminSuite('venue administration by command, SQLite server', async () => {
  const tmp = tempDir('taquilla-venue-admin-');
  const db = join(tmp.dir, 'server.db');
  serverCli(['create-tenant', '--db', db, '--name', 'Otro']); // a second tenant: ids and settings stay apart
  const server = await startServer(['--db', db]);
  return {
    servers: [server],
    storeArgs: ['--db', db],
    dir: tmp.dir,
    cleanup: async () => {
      await server.stop();
      tmp.remove();
    },
  };
});

const pgUrl = process.env.TAQUILLA_PG_URL;
if (pgUrl) {
  venueAdminSuite('venue administration by command, two instances on PostgreSQL', async () => {
    const tmp = tempDir('taquilla-venue-admin-pg-');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    // As an operator would: the URL (and its password) from a file, never on the command line.
    const urlFile = join(tmp.dir, 'pg-url');
    writeFileSync(urlFile, pgUrl, { mode: 0o600 });
    const storeArgs = ['--pg-url-file', urlFile, '--pg-schema', schema];
    serverCli(['create-tenant', ...storeArgs, '--name', 'Otro']);
    const servers = await Promise.all([startServer(storeArgs), startServer(storeArgs)]);
    return {
      servers,
      storeArgs,
      dir: tmp.dir,
      cleanup: async () => {
        await Promise.all(servers.map((x) => x.stop()));
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
        tmp.remove();
      },
    };
  });
} else {
  describe.skip('venue administration on PostgreSQL (set TAQUILLA_PG_URL to run)', () => {
    it('needs PostgreSQL', () => undefined);
  });
}
