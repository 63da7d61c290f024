import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvailabilityService } from '../../../electron/services/reservations/availability-service.ts';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { isTaquillaError } from '../../../shared/errors.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/**
 * Random sequences of hold / release / extend / convert / complete / cancel / expire from many
 * sessions never break the rules of PRODUCT.md. Each run uses a fresh real SQLite file.
 */
const SESSIONS = ['s1', 's2', 's3', 's4'];
/** Small, so random runs reach the limit often. */
const LIMIT = 4;
const session = fc.constantFrom(...SESSIONS);
const seatIndexes = fc.uniqueArray(fc.integer({ min: 0, max: 19 }), { minLength: 1, maxLength: 4 });

const command = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('hold' as const), session, seats: seatIndexes }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('holdGa' as const),
      session,
      quantity: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), session, seats: seatIndexes }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('releaseGa' as const), session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('releaseSession' as const), session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('extend' as const), session }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('convert' as const), session }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('complete' as const), session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('completeReserved' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('block' as const), seats: seatIndexes }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unblock' as const), seats: seatIndexes }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.oneof(
        fc.integer({ min: 0, max: 12 * MINUTE_MS }),
        fc.integer({ min: 1, max: 80 }).map((h) => h * HOUR_MS),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('cleanup' as const), batch: fc.integer({ min: 1, max: 7 }) }),
  },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

function apply(v: SmallVenue, c: Command, sold: Set<number>): void {
  const r = v.reservations;
  const eventId = v.eventId;
  const seatIds = (idx: number[]) => idx.map((i) => v.seatIds[i]!);
  const cartOf = (s: string) =>
    v.db
      .prepare<[number, string], { id: string }>(
        "SELECT id FROM transactions WHERE event_id = ? AND session_id = ? AND status = 'PENDING'",
      )
      .get(eventId, s)?.id;
  const pickTx = (statuses: string, pick: number) => {
    const rows = v.db
      .prepare<[], { id: string }>(`SELECT id FROM transactions WHERE status IN (${statuses}) ORDER BY id`)
      .all();
    return rows.length === 0 ? undefined : rows[pick % rows.length]!.id;
  };
  switch (c.op) {
    case 'hold': {
      const result = r.holdSeats({
        eventId,
        sessionId: c.session,
        actor: c.session,
        seatIds: seatIds(c.seats),
      });
      // A successful hold is all-or-nothing: every requested seat is now this session's.
      const mine = new Set([...result.alreadyHeld, ...result.tickets.map((t) => t.seatId)]);
      expect(mine.size).toBe(c.seats.length);
      return;
    }
    case 'holdGa':
      r.holdGeneral({
        eventId,
        sessionId: c.session,
        actor: c.session,
        zoneId: v.gaZoneId,
        quantity: c.quantity,
      });
      return;
    case 'release':
      r.releaseSeats({ eventId, sessionId: c.session, actor: c.session, seatIds: seatIds(c.seats) });
      return;
    case 'releaseGa':
      r.releaseGeneral({ eventId, sessionId: c.session, actor: c.session, zoneId: v.gaZoneId });
      return;
    case 'releaseSession':
      r.releaseSession({ sessionId: c.session, actor: c.session });
      return;
    case 'extend':
      r.extendHolds({ eventId, sessionId: c.session, actor: c.session });
      return;
    case 'convert': {
      const id = cartOf(c.session);
      if (id) r.convertToPartial({ transactionId: id, actor: c.session });
      return;
    }
    case 'complete': {
      const id = cartOf(c.session);
      if (!id) return;
      r.complete({ transactionId: id, actor: c.session });
      for (const row of v.db
        .prepare<[string, string], { seat_id: number | null }>(
          'SELECT seat_id FROM reserved_tickets WHERE transaction_id = ? AND status = ?',
        )
        .all(id, 'COMPLETED')) {
        if (row.seat_id !== null) sold.add(row.seat_id);
      }
      return;
    }
    case 'completeReserved': {
      const id = pickTx("'RESERVED'", c.pick);
      if (!id) return;
      r.complete({ transactionId: id, actor: 'sup' });
      for (const row of v.db
        .prepare<[string, string], { seat_id: number | null }>(
          'SELECT seat_id FROM reserved_tickets WHERE transaction_id = ? AND status = ?',
        )
        .all(id, 'COMPLETED')) {
        if (row.seat_id !== null) sold.add(row.seat_id);
      }
      return;
    }
    case 'cancel': {
      const id = pickTx("'PENDING', 'RESERVED'", c.pick);
      if (id) r.cancel({ transactionId: id, actor: 'sup', reason: 'prueba' });
      return;
    }
    case 'block':
      r.blockSeats({ eventId, seatIds: seatIds(c.seats), actor: 'sup' });
      return;
    case 'unblock':
      r.unblockSeats({ eventId, seatIds: seatIds(c.seats), actor: 'sup' });
      return;
    case 'advance':
      v.clock.advance(c.ms);
      return;
    case 'cleanup':
      r.cleanupExpired({ batchSize: c.batch });
      return;
  }
}

function one<T>(v: SmallVenue, sql: string, ...params: unknown[]): T {
  return v.db.prepare(sql).get(...params) as T;
}

function checkInvariants(v: SmallVenue, sold: Set<number>): void {
  const now = v.clock.now();
  // 1. No seat is live in two transactions (held, reserved or sold) at once.
  const doubled = one<{ n: number }>(
    v,
    `SELECT COUNT(*) AS n FROM (SELECT seat_id FROM reserved_tickets
       WHERE seat_id IS NOT NULL AND (status = 'COMPLETED' OR (status = 'ACTIVE' AND reserved_until > ?))
       GROUP BY seat_id HAVING COUNT(*) > 1)`,
    now,
  );
  expect(doubled.n).toBe(0);
  // 2. General admission never over capacity; the counter matches the tickets.
  const zone = one<{ capacity: number; used: number }>(
    v,
    'SELECT capacity, used FROM zones WHERE id = ?',
    v.gaZoneId,
  );
  const ga = one<{ q: number; live: number }>(
    v,
    `SELECT COALESCE(SUM(quantity), 0) AS q,
       COALESCE(SUM(CASE WHEN status = 'COMPLETED' OR reserved_until > ? THEN quantity ELSE 0 END), 0) AS live
     FROM reserved_tickets WHERE zone_id = ? AND status IN ('ACTIVE', 'COMPLETED')`,
    now,
    v.gaZoneId,
  );
  expect(zone.used).toBe(ga.q);
  expect(ga.live).toBeLessThanOrEqual(zone.capacity);
  // 3. No session holds more than MAX_RESERVATIONS_PER_USER live places in its carts.
  const most = one<{ m: number | null }>(
    v,
    `SELECT MAX(q) AS m FROM (SELECT SUM(t.quantity) AS q FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
       WHERE t.status = 'ACTIVE' AND x.status = 'PENDING' AND t.reserved_until > ? GROUP BY t.session_id)`,
    now,
  );
  expect(most.m ?? 0).toBeLessThanOrEqual(LIMIT);
  // 4. Ticket and transaction states agree.
  const mismatched = one<{ n: number }>(
    v,
    `SELECT COUNT(*) AS n FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
     WHERE (t.status = 'COMPLETED' AND x.status <> 'COMPLETED')
        OR (t.status = 'ACTIVE' AND x.status NOT IN ('PENDING', 'RESERVED'))
        OR (t.status = 'ACTIVE' AND x.status = 'RESERVED' AND t.reserved_until <> x.reserved_until)`,
  );
  expect(mismatched.n).toBe(0);
  // 5. A sold seat stays sold, and no blocked seat is live.
  for (const seatId of sold) {
    expect(
      one<{ n: number }>(
        v,
        "SELECT COUNT(*) AS n FROM reserved_tickets WHERE seat_id = ? AND status = 'COMPLETED'",
        seatId,
      ).n,
    ).toBe(1);
  }
  const blockedLive = one<{ n: number }>(
    v,
    `SELECT COUNT(*) AS n FROM seats s JOIN reserved_tickets t ON t.seat_id = s.id
     WHERE s.blocked = 1 AND (t.status = 'COMPLETED' OR (t.status = 'ACTIVE' AND t.reserved_until > ?))`,
    now,
  );
  expect(blockedLive.n).toBe(0);
  // 6. The audit trail's last word on every ticket is its current status.
  const unaudited = one<{ n: number }>(
    v,
    // One pass over the log: a ticket's audit rows are not indexed by entity (migration 030).
    `WITH last AS (SELECT entity_id, MAX(id) AS id FROM audit_log WHERE entity = 'ticket' GROUP BY entity_id)
     SELECT COUNT(*) AS n FROM reserved_tickets t
       JOIN last l ON l.entity_id = CAST(t.id AS TEXT) JOIN audit_log a ON a.id = l.id
     WHERE t.status <> a.to_state`,
  );
  expect(unaudited.n).toBe(0);
}

describe('reservation invariants under random operations', () => {
  it('no sequence of operations from many sessions double-books, overfills or loses a sale', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), (commands) => {
        const v = smallVenue({ settings: { MAX_RESERVATIONS_PER_USER: LIMIT } });
        const sold = new Set<number>();
        try {
          for (const c of commands) {
            try {
              apply(v, c, sold);
            } catch (error) {
              // Refusals are fine; anything else (a crash, a raw SQLite error) is a defect.
              if (!isTaquillaError(error)) throw error;
            }
            checkInvariants(v, sold);
          }
          // The cached availability patched along the way equals a fresh computation.
          const a = v.availability.snapshot({ eventId: v.eventId });
          const b = new AvailabilityService(v.db, v.clock).snapshot({ eventId: v.eventId });
          expect(a.states).toBe(b.states);
          expect(a.zones).toEqual(b.zones);
        } finally {
          v.close();
        }
      }),
      { numRuns: 120 },
    );
  });
});
