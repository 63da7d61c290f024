import { join } from 'node:path';
import { seedDemo, stadiumZones } from '../../electron/services/demo/demo-venues.ts';
import { createEvent } from '../../electron/services/events/event-setup.ts';
import { AvailabilityService } from '../../electron/services/reservations/availability-service.ts';
import { ReservationService } from '../../electron/services/reservations/reservation-service.ts';
import { openDatabase, PRAGMAS, startBackgroundCheckpoints } from '../../electron/store/database.ts';
import { ManualClock, MINUTE_MS } from '../../shared/clock.ts';
import { T0, tempDir } from '../support/temp-store.ts';
import { type BenchSuite, type Figure, percentile } from './figures.ts';

function micros(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

function summarize(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Holds and the 50,000-seat snapshot on the demo database. */
async function holdsAndSnapshot(dir: string): Promise<Figure[]> {
  // As the terminal runs: the selling connection never checkpoints; a worker thread does.
  const file = join(dir, 'holds.db');
  const db = openDatabase(file, { autoCheckpoint: false });
  const checkpoints = startBackgroundCheckpoints(file);
  const clock = new ManualClock(T0);
  const { stadiumEventId } = seedDemo(db, T0);
  const seats = db
    .prepare<[number], { id: number }>('SELECT id FROM seats WHERE event_id = ? ORDER BY id')
    .all(stadiumEventId)
    .map((r) => r.id);
  const service = new ReservationService(db, clock);
  const availability = new AvailabilityService(db, clock);
  let next = 0;
  // Warm-up (JIT, statement caches), not measured.
  for (let i = 0; i < 300; i++) {
    service.holdSeats({
      eventId: stadiumEventId,
      sessionId: `warm-${i}`,
      actor: 'bench',
      seatIds: [seats[49_999 - i]!],
    });
  }
  const one: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const seatIds = [seats[next++]!];
    const start = process.hrtime.bigint();
    service.holdSeats({ eventId: stadiumEventId, sessionId: `one-${i}`, actor: 'bench', seatIds });
    one.push(micros(start));
  }
  const ten: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const seatIds = seats.slice(next, next + 10);
    next += 10;
    const start = process.hrtime.bigint();
    service.holdSeats({ eventId: stadiumEventId, sessionId: `ten-${i}`, actor: 'bench', seatIds });
    ten.push(micros(start));
  }
  // 13,000 of the 50,000 seats are now held: the snapshot has real work to do.
  const cold: number[] = [];
  for (let i = 0; i < 15; i++) {
    const fresh = new AvailabilityService(db, clock);
    fresh.seatMap({ eventId: stadiumEventId }); // the static map is fetched once per screen, not per update
    const start = process.hrtime.bigint();
    fresh.snapshot({ eventId: stadiumEventId });
    cold.push(micros(start) / 1000);
  }
  availability.snapshot({ eventId: stadiumEventId });
  const patched: number[] = [];
  for (let i = 0; i < 50; i++) {
    service.holdSeats({
      eventId: stadiumEventId,
      sessionId: `p-${i}`,
      actor: 'bench',
      seatIds: [seats[next++]!],
    });
    const start = process.hrtime.bigint();
    availability.snapshot({ eventId: stadiumEventId });
    patched.push(micros(start) / 1000);
  }
  await checkpoints.stop();
  db.close();
  const h1 = summarize(one);
  const h10 = summarize(ten);
  const snap = summarize(cold);
  const patch = summarize(patched);
  return [
    { key: 'hold.1seat.p50', label: 'hold 1 seat, p50', value: h1.p50, unit: 'µs' },
    {
      key: 'hold.1seat.p99',
      label: 'hold 1 seat, p99',
      value: h1.p99,
      unit: 'µs',
      target: '< 1000 µs',
      met: h1.p99 < 1000,
    },
    { key: 'hold.10seats.p50', label: 'hold 10 seats, p50', value: h10.p50, unit: 'µs' },
    { key: 'hold.10seats.p99', label: 'hold 10 seats, p99', value: h10.p99, unit: 'µs' },
    {
      key: 'snapshot.50k.cold.p50',
      label: 'availability snapshot, 50,000 seats (13,350 held), from scratch, p50',
      value: snap.p50,
      unit: 'ms',
      target: '< 25 ms',
      met: snap.p50 < 25,
    },
    {
      key: 'snapshot.50k.cold.max',
      label: 'availability snapshot, 50,000 seats, from scratch, worst',
      value: Math.max(...cold),
      unit: 'ms',
    },
    {
      key: 'snapshot.50k.patched.p50',
      label: 'availability snapshot, 50,000 seats, cached and patched after one hold, p50',
      value: patch.p50,
      unit: 'ms',
    },
  ];
}

/** 100,000 holds whose time ran out, marked EXPIRED by cleanup in batches. */
async function cleanup(dir: string): Promise<Figure[]> {
  const file = join(dir, 'cleanup.db');
  const db = openDatabase(file, { autoCheckpoint: false });
  const checkpoints = startBackgroundCheckpoints(file);
  const clock = new ManualClock(T0);
  const { tenantId, stadiumEventId } = seedDemo(db, T0);
  const venueId = db
    .prepare<[number], { venue_id: number }>('SELECT venue_id FROM events WHERE id = ?')
    .get(stadiumEventId)!.venue_id;
  const second = createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Segundo juego',
      startsAt: T0 + 86_400_000,
      vesPerUsd: '236.45',
      zones: stadiumZones(),
    },
    T0,
  );
  const seatRows = db
    .prepare<[number, number], { id: number; event_id: number; zone_id: number }>(
      'SELECT id, event_id, zone_id FROM seats WHERE event_id IN (?, ?) ORDER BY id',
    )
    .all(stadiumEventId, second.eventId);
  const insertTx = db.prepare(
    `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'bench', 'PENDING', ?, ?)`,
  );
  const insertTicket = db.prepare(
    `INSERT INTO reserved_tickets (transaction_id, event_id, zone_id, seat_id, quantity, session_id, price_cents, status,
       reserved_until, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, 1000, 'ACTIVE', ?, ?, ?)`,
  );
  const holds = 100_000;
  db.transaction(() => {
    for (let i = 0; i < holds; i += 10) {
      const first = seatRows[i]!;
      const txId = `bench-${i}`;
      insertTx.run(txId, tenantId, first.event_id, txId, T0, T0);
      for (let k = i; k < i + 10; k++) {
        const seat = seatRows[k]!;
        insertTicket.run(txId, seat.event_id, seat.zone_id, seat.id, txId, T0 + 10 * MINUTE_MS, T0, T0);
      }
    }
  })();
  clock.advance(11 * MINUTE_MS);
  const service = new ReservationService(db, clock);
  const start = process.hrtime.bigint();
  const result = service.cleanupExpired({ batchSize: 5000 });
  const ms = micros(start) / 1000;
  await checkpoints.stop();
  db.close();
  if (result.expiredTickets !== holds)
    throw new Error(`cleanup expired ${result.expiredTickets}, expected ${holds}`);
  return [
    {
      key: 'cleanup.100k.ms',
      label: `cleanup of 100,000 expired holds (${result.batches} batches of 5,000, audit + feed included)`,
      value: ms,
      unit: 'ms',
      target: '< 1000 ms',
      met: ms < 1000,
    },
  ];
}

export const suite: BenchSuite = {
  name: 'reservations',
  run: async () => {
    const dir = tempDir('taquilla-bench-');
    try {
      const db = openDatabase(join(dir.dir, 'probe.db'));
      const sqliteVersion = db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()!.v;
      db.close();
      return {
        figures: [...(await holdsAndSnapshot(dir.dir)), ...(await cleanup(dir.dir))],
        notes: {
          sqlite: sqliteVersion,
          pragmas: PRAGMAS,
          checkpoints:
            'wal_autocheckpoint=0 on the selling connection; PASSIVE checkpoint every 500 ms from a worker thread',
          durableCommits: 'synchronous=FULL for complete/convert/cancel',
        },
      };
    } finally {
      dir.remove();
    }
  },
};
