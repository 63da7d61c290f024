import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupIntervalMs } from '../../../electron/services/reservations/cleanup-schedule.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { SyncEngine } from '../../../electron/services/sync/sync-engine.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { HOUR_MS, ManualClock, MINUTE_MS, systemClock } from '../../../shared/clock.ts';
import { type ServerProcess, serverCli, startServer } from '../server/server-process.ts';
import { tempDir } from '../../support/temp-store.ts';
import { EXAMPLE_EVENT } from '../../support/venue-example.ts';

const TAQUILLA = fileURLToPath(new URL('../../../bin/taquilla.js', import.meta.url));

/** Runs the real `taquilla` command (a process of its own) and parses its --json line. */
function taquilla<T>(args: string[], env: Record<string, string> = {}): T {
  const result = spawnSync(process.execPath, [TAQUILLA, ...args, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0)
    throw new Error(`taquilla ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/** What a terminal's store holds of the catalogue: events, zones, seats and tiers by id. */
function catalogueOf(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      events: db.prepare('SELECT id, name, starts_at, ves_per_usd, venue_id FROM events ORDER BY id').all(),
      zones: db
        .prepare('SELECT id, event_id, code, kind, capacity, price_tier_id FROM zones ORDER BY id')
        .all(),
      seats: db.prepare('SELECT id, zone_id, label, row_label, number, x, y FROM seats ORDER BY id').all(),
      tiers: db.prepare('SELECT id, event_id, price_cents FROM price_tiers ORDER BY id').all(),
      settings: (
        db.prepare('SELECT settings FROM tenants WHERE id = 1').get() as { settings: string } | undefined
      )?.settings,
    };
  } finally {
    db.close();
  }
}

/**
 * A venue set up from nothing with the documented commands (docs/server-and-sync.md, "Set up a
 * venue"): a server, its tenant's settings, an event defined once, two counters enrolled by command.
 * Both receive the same event under the same ids with the tenant's settings, and honour them.
 */
describe('a venue set up from nothing, by command', () => {
  const tmp = tempDir('taquilla-venue-setup-');
  const serverDb = join(tmp.dir, 'server.db');
  const counters = ['caja-1.db', 'caja-2.db'].map((f) => join(tmp.dir, f));
  let server: ServerProcess;
  let tenant: { tenantId: number; secret: string };
  let eventId: number;
  const admin = (args: string[]) => ['--db', serverDb, '--tenant', String(tenant.tenantId), ...args];

  beforeAll(async () => {
    // 1. the server's tenant, its settings and the event, all before any counter exists
    tenant = serverCli(['create-tenant', '--db', serverDb, '--name', 'Teatro Municipal']);
    serverCli([
      'tenant-settings',
      ...admin([
        '--set',
        'TEMPORARY_HOLD_MINUTES=4',
        '--set',
        'PARTIAL_PAYMENT_HOURS=48',
        '--set',
        'MAX_RESERVATIONS_PER_USER=6',
        '--set',
        'CLEANUP_INTERVAL_MINUTES=2',
      ]),
    ]);
    eventId = serverCli<{ eventId: number }>(['define-event', ...admin(['--file', EXAMPLE_EVENT])]).eventId;
    server = await startServer(['--db', serverDb], 0, false); // as the guide writes it: no 'serve'
    // 2. each counter enrols with a one-time code and receives the venue's events and settings
    for (const [i, db] of counters.entries()) {
      const { code } = serverCli<{ code: string }>(['enrol-code', ...admin([])]);
      const enrolled = taquilla<{ events: number[] }>([
        'enrol',
        '--server',
        server.url,
        '--code',
        code,
        '--name',
        `Caja ${i + 1}`,
        '--db',
        db,
      ]);
      expect(enrolled.events).toEqual([eventId]);
    }
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('both counters hold the same event, zones, seats and prices under the same ids, and the settings', () => {
    const [a, b] = counters.map(catalogueOf);
    expect(a!.seats).toHaveLength(30);
    expect(a!.zones).toHaveLength(3);
    expect(b).toEqual(a);
    expect(a!.events).toEqual([
      {
        id: eventId,
        name: 'Concierto de Año Nuevo',
        starts_at: Date.parse('2026-12-31T21:00:00-04:00'),
        ves_per_usd: '36.50',
        venue_id: 1,
      },
    ]);
    expect(JSON.parse(a!.settings!)).toEqual({
      TEMPORARY_HOLD_MINUTES: 4,
      PARTIAL_PAYMENT_HOURS: 48,
      MAX_RESERVATIONS_PER_USER: 6,
      CLEANUP_INTERVAL_MINUTES: 2,
    });
    // ...and the server's own ids: a seat id names the same seat everywhere.
    const serverSeats = new Database(serverDb, { readonly: true })
      .prepare('SELECT id, label FROM seats WHERE event_id = ? ORDER BY id')
      .all(eventId);
    expect(serverSeats).toEqual(
      a!.seats.map((s) => ({ id: (s as { id: number }).id, label: (s as { label: string }).label })),
    );
    const listed = taquilla<{ events: { id: number; seats: number }[] }>(['events', '--db', counters[1]!]);
    expect(listed.events.map((e) => [e.id, e.seats])).toEqual([[eventId, 30]]);
  });

  it('each counter gets its staff by command, the PIN kept off the command line', async () => {
    const added = taquilla<{ id: number; role: string }>(
      ['add-staff', '--name', 'María Cajera', '--role', 'cashier', '--db', counters[0]!],
      { TAQUILLA_STAFF_PIN: '4321' },
    );
    expect(added.role).toBe('cashier');
    const bad = spawnSync(
      process.execPath,
      [TAQUILLA, 'add-staff', '--name', 'X', '--role', 'cashier', '--db', counters[0]!],
      {
        encoding: 'utf8',
        env: { ...process.env, TAQUILLA_STAFF_PIN: '12a' },
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('a PIN is 4 to 8 digits');
    expect(
      taquilla<{ users: { name: string }[] }>(['staff', '--db', counters[0]!]).users.map((u) => u.name),
    ).toEqual(['María Cajera']);
    const db = openDatabase(counters[0]!);
    try {
      const { SessionService } = await import('../../../electron/services/session/session-service.ts');
      const { StoreKey } = await import('../../../electron/store/store-key.ts');
      const session = await new SessionService(db, systemClock, {
        pepper: StoreKey.open(db, systemClock).pepper,
      }).signIn(added.id, '4321');
      expect(session.user).toMatchObject({ name: 'María Cajera', role: 'cashier' });
    } finally {
      db.close();
    }
  });

  it("a hold on each counter lasts the tenant's TEMPORARY_HOLD_MINUTES, online and from an offline lease", async () => {
    const seats = catalogueOf(counters[0]!).seats.map((s) => (s as { id: number }).id);
    for (const [i, file] of counters.entries()) {
      const sync = new SyncEngine(openDatabase(file), systemClock);
      try {
        expect(await sync.checkConnection()).toBe('online');
        // Online: the server decides, the counter copies its answer.
        const online = await sync.holdSeats({
          eventId,
          sessionId: `online-${i}`,
          actor: 'ana',
          seatIds: [seats[i]!],
        });
        const serverTicket = new Database(serverDb, { readonly: true })
          .prepare<[number], { created_at: number; reserved_until: number }>(
            "SELECT created_at, reserved_until FROM tickets WHERE seat_id = ? AND status = 'ACTIVE'",
          )
          .get(seats[i]!)!;
        expect(serverTicket.reserved_until - serverTicket.created_at).toBe(4 * MINUTE_MS);
        expect(online.tickets[0]!.reservedUntil).toBe(serverTicket.reserved_until);
        // From a lease (how the counter sells offline): its own engine, on the settings it received.
        const leased = seats.slice(10 + i * 4, 14 + i * 4);
        await sync.acquireLease({ eventId, actor: 'ana', seatIds: leased, ticketNumbers: 10 });
        const before = sync.serverClock.now();
        const local = await sync.holdSeats({
          eventId,
          sessionId: `lease-${i}`,
          actor: 'ana',
          seatIds: [leased[0]!],
        });
        const after = sync.serverClock.now();
        expect(local.tickets[0]!.reservedUntil).toBeGreaterThanOrEqual(before + 4 * MINUTE_MS);
        expect(local.tickets[0]!.reservedUntil).toBeLessThanOrEqual(after + 4 * MINUTE_MS);
      } finally {
        sync.stop();
      }
    }
  });

  it('each counter honours the limit, the deposit hours and the cleanup interval it received', () => {
    const db = openDatabase(counters[1]!);
    try {
      const clock = new ManualClock(Date.UTC(2026, 11, 1, 12));
      const engine = new ReservationService(db, clock);
      const seats = catalogueOf(counters[1]!)
        .seats.map((s) => (s as { id: number }).id)
        .slice(20, 27);
      const held = engine.holdSeats({
        eventId,
        sessionId: 'limit',
        actor: 'ana',
        seatIds: seats.slice(0, 6),
      });
      expect(held.tickets[0]!.reservedUntil).toBe(clock.now() + 4 * MINUTE_MS);
      expect(() =>
        engine.holdSeats({ eventId, sessionId: 'limit', actor: 'ana', seatIds: [seats[6]!] }),
      ).toThrow(
        expect.objectContaining({ code: 'LIMIT_REACHED', details: expect.objectContaining({ limit: 6 }) }),
      );
      const deposit = engine.convertToPartial({ transactionId: held.transactionId, actor: 'ana' });
      expect(deposit.reservedUntil).toBe(clock.now() + 48 * HOUR_MS);
      expect(cleanupIntervalMs(db)).toBe(2 * MINUTE_MS);
    } finally {
      db.close();
    }
  });

  it('a settings change and a new event reach every counter on its next sync', () => {
    serverCli(['tenant-settings', ...admin(['--set', 'TEMPORARY_HOLD_MINUTES=6'])]);
    const file = JSON.parse(readFileSync(EXAMPLE_EVENT, 'utf8'));
    file.name = 'Concierto de Reyes';
    const second = join(tmp.dir, 'reyes.json');
    writeFileSync(second, JSON.stringify(file));
    const next = serverCli<{ eventId: number }>(['define-event', ...admin(['--file', second])]).eventId;
    for (const db of counters) {
      const status = taquilla<{ state: string; catalog: { revision: number; problems: unknown[] } }>([
        'sync-status',
        '--now',
        '--db',
        db,
      ]);
      expect(status).toMatchObject({ state: 'online', catalog: { problems: [] } });
    }
    const [a, b] = counters.map(catalogueOf);
    expect(b).toEqual(a);
    expect(a!.events.map((e) => (e as { id: number }).id)).toEqual([eventId, next]);
    expect(JSON.parse(a!.settings!).TEMPORARY_HOLD_MINUTES).toBe(6);
  });

  it("a counter set up on its own keeps its events: the server's event with the same id is reported, not forced", () => {
    // Counter 3 was set up on its own, before the venue had a server: the demo theatre and stadium.
    const third = join(tmp.dir, 'caja-3.db');
    taquilla(['seed-demo', '--db', third]);
    const { code } = serverCli<{ code: string }>(['enrol-code', ...admin([])]);
    taquilla(['enrol', '--server', server.url, '--code', code, '--name', 'Caja 3', '--db', third]);
    // Its event 1 shares an id with the server's event 1: the server's is not taken over it.
    const status = taquilla<{ catalog: { problems: { eventId: number; reason: string }[] } }>([
      'sync-status',
      '--now',
      '--db',
      third,
    ]);
    expect(status.catalog.problems.map((p) => p.eventId)).toContain(eventId);
    expect(status.catalog.problems[0]!.reason).toContain('set up on this terminal');
    expect((catalogueOf(third).events[0] as { name: string }).name).not.toBe('Concierto de Año Nuevo');
    // Nor can it publish its own event 1 over the venue's: the server refuses, and says why.
    const refused = spawnSync(process.execPath, [TAQUILLA, 'publish-event', '--event', '1', '--db', third], {
      encoding: 'utf8',
      env: { ...process.env, TAQUILLA_ADMIN_SECRET: tenant.secret },
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('is another event');
  });
});
