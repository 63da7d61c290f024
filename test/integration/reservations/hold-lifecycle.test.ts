import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTenantSettings } from '../../../electron/services/events/event-setup.ts';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type SmallVenue, smallVenue, T0 } from '../../support/temp-store.ts';

function refusal(fn: () => unknown): TaquillaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaquillaError) return error;
    throw error;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

let v: SmallVenue;
const who = (sessionId: string) => ({ sessionId, actor: `cajero-${sessionId}` });

beforeEach(() => {
  v = smallVenue();
});
afterEach(() => v.close());

function ticketStatus(ticketId: number): string {
  return v.db
    .prepare<[number], { status: string }>('SELECT status FROM reserved_tickets WHERE id = ?')
    .get(ticketId)!.status;
}
function txStatus(id: string): string {
  return v.db.prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?').get(id)!
    .status;
}
function countRows(table: string): number {
  return v.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;
}

describe('temporary holds', () => {
  it('selecting seats holds them for TEMPORARY_HOLD_MINUTES in one PENDING cart', () => {
    const [a, b] = v.seatIds;
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [a!, b!] });
    expect(held.tickets).toHaveLength(2);
    expect(held.tickets.every((t) => t.reservedUntil === T0 + 10 * MINUTE_MS)).toBe(true);
    expect(txStatus(held.transactionId)).toBe('PENDING');
    expect(held.tickets.map((t) => ticketStatus(t.ticketId))).toEqual(['ACTIVE', 'ACTIVE']);

    const more = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[2]!] });
    expect(more.transactionId).toBe(held.transactionId);
  });

  it('two sessions hold the same seat: exactly one wins and the other learns who holds it until when', () => {
    const seat = v.seatIds[0]!;
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [seat] });
    const error = refusal(() =>
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [seat] }),
    );
    expect(error.code).toBe('SEAT_TAKEN');
    expect(error.details).toEqual({
      seats: [
        {
          seatId: seat,
          label: 'PLA-A-1',
          state: 'held',
          heldUntil: T0 + 10 * MINUTE_MS,
          heldBySession: 's1',
          heldByActor: 'cajero-s1',
        },
      ],
    });
    const contention = v.db.prepare('SELECT refused FROM seat_contention WHERE seat_id = ?').get(seat);
    expect(contention).toEqual({ refused: 1 });
  });

  it('holding several seats is all-or-nothing', () => {
    const [a, b, c] = v.seatIds;
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [b!] });
    const before = countRows('reserved_tickets');
    const error = refusal(() =>
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [a!, b!, c!] }),
    );
    expect(error.code).toBe('SEAT_TAKEN');
    expect(countRows('reserved_tickets')).toBe(before);
    expect(countRows("transactions WHERE session_id = 's2'")).toBe(0);
  });

  it('asking again for a seat the session already holds is harmless', () => {
    const seat = v.seatIds[0]!;
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [seat] });
    const again = v.reservations.holdSeats({
      eventId: v.eventId,
      ...who('s1'),
      seatIds: [seat, v.seatIds[1]!],
    });
    expect(again.alreadyHeld).toEqual([seat]);
    expect(again.tickets.map((t) => t.seatId)).toEqual([v.seatIds[1]]);
  });

  it('an expired hold blocks nobody, even before cleanup marks it EXPIRED', () => {
    const seat = v.seatIds[0]!;
    const first = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [seat] });
    v.clock.advance(10 * MINUTE_MS); // exactly at reserved_until: no longer live
    const second = v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [seat] });
    expect(second.tickets).toHaveLength(1);
    expect(ticketStatus(first.tickets[0]!.ticketId)).toBe('EXPIRED');
    expect(txStatus(first.transactionId)).toBe('EXPIRED');
  });

  it('deselecting a seat cancels its hold; emptying the cart cancels the cart', () => {
    const [a, b] = v.seatIds;
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [a!, b!] });
    const released = v.reservations.releaseSeats({
      eventId: v.eventId,
      ...who('s1'),
      seatIds: [a!, v.seatIds[5]!],
    });
    expect(released).toEqual({ released: [a], notHeld: [v.seatIds[5]] });
    expect(ticketStatus(held.tickets[0]!.ticketId)).toBe('CANCELLED');
    expect(txStatus(held.transactionId)).toBe('PENDING');
    v.reservations.releaseSeats({ eventId: v.eventId, ...who('s1'), seatIds: [b!] });
    expect(txStatus(held.transactionId)).toBe('CANCELLED');
    // The seat is free for another session at once.
    expect(
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [a!] }).tickets,
    ).toHaveLength(1);
  });

  it('another session cannot release my seats', () => {
    const seat = v.seatIds[0]!;
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [seat] });
    expect(v.reservations.releaseSeats({ eventId: v.eventId, ...who('s2'), seatIds: [seat] })).toEqual({
      released: [],
      notHeld: [seat],
    });
    expect(ticketStatus(held.tickets[0]!.ticketId)).toBe('ACTIVE');
  });

  it('logout releases every hold of the session in every event at once', () => {
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: v.seatIds.slice(0, 3) });
    v.reservations.holdGeneral({ eventId: v.eventId, ...who('s1'), zoneId: v.gaZoneId, quantity: 2 });
    const result = v.reservations.releaseSession(who('s1'));
    expect(result.released).toBe(5);
    expect(countRows("reserved_tickets WHERE status = 'ACTIVE'")).toBe(0);
    expect(countRows("transactions WHERE status = 'CANCELLED'")).toBe(1);
  });

  it('a session may hold at most MAX_RESERVATIONS_PER_USER places', () => {
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: v.seatIds.slice(0, 8) });
    const error = refusal(() =>
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: v.seatIds.slice(8, 11) }),
    );
    expect(error.code).toBe('LIMIT_REACHED');
    expect(error.details).toEqual({ limit: 10, held: 8, requested: 3 });
    // GA places count too.
    expect(
      refusal(() =>
        v.reservations.holdGeneral({ eventId: v.eventId, ...who('s1'), zoneId: v.gaZoneId, quantity: 3 }),
      ).code,
    ).toBe('LIMIT_REACHED');
    // Expired holds no longer count against the limit.
    v.clock.advance(11 * MINUTE_MS);
    expect(
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: v.seatIds.slice(8, 11) }).tickets,
    ).toHaveLength(3);
  });

  it('tenant settings override the defaults', () => {
    setTenantSettings(v.db, v.tenantId, { TEMPORARY_HOLD_MINUTES: 3, MAX_RESERVATIONS_PER_USER: 2 });
    const held = v.reservations.holdSeats({
      eventId: v.eventId,
      ...who('s1'),
      seatIds: v.seatIds.slice(0, 2),
    });
    expect(held.tickets[0]!.reservedUntil).toBe(T0 + 3 * MINUTE_MS);
    expect(
      refusal(() => v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[2]!] }))
        .code,
    ).toBe('LIMIT_REACHED');
  });

  it('extending a hold is capped at MAX_HOLD_LIFETIME_MINUTES from its creation', () => {
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.clock.advance(8 * MINUTE_MS);
    const first = v.reservations.extendHolds({ eventId: v.eventId, ...who('s1') });
    expect(first.tickets[0]!.reservedUntil).toBe(T0 + 18 * MINUTE_MS);
    v.clock.advance(9 * MINUTE_MS);
    v.reservations.extendHolds({ eventId: v.eventId, ...who('s1') });
    v.clock.advance(9 * MINUTE_MS);
    const capped = v.reservations.extendHolds({ eventId: v.eventId, ...who('s1') });
    expect(capped.tickets[0]!.reservedUntil).toBe(T0 + 30 * MINUTE_MS);
    const error = refusal(() => v.reservations.extendHolds({ eventId: v.eventId, ...who('s1') }));
    expect(error.code).toBe('EXTENSION_LIMIT');
    expect(error.details).toEqual({ maxUntil: T0 + 30 * MINUTE_MS });
    v.clock.advance(4 * MINUTE_MS);
    expect(refusal(() => v.reservations.extendHolds({ eventId: v.eventId, ...who('s1') })).code).toBe(
      'NOTHING_HELD',
    );
  });
});

describe('general admission', () => {
  it('a zone never goes over capacity, and expired holds give places back', () => {
    v.reservations.holdGeneral({ eventId: v.eventId, ...who('s1'), zoneId: v.gaZoneId, quantity: 3 });
    const error = refusal(() =>
      v.reservations.holdGeneral({ eventId: v.eventId, ...who('s2'), zoneId: v.gaZoneId, quantity: 3 }),
    );
    expect(error.code).toBe('ZONE_FULL');
    expect(error.details).toEqual({ zoneId: v.gaZoneId, zoneName: 'General', requested: 3, available: 2 });
    v.reservations.holdGeneral({ eventId: v.eventId, ...who('s2'), zoneId: v.gaZoneId, quantity: 2 });
    v.clock.advance(10 * MINUTE_MS);
    v.reservations.holdGeneral({ eventId: v.eventId, ...who('s3'), zoneId: v.gaZoneId, quantity: 5 });
    expect(v.db.prepare('SELECT used FROM zones WHERE id = ?').get(v.gaZoneId)).toEqual({ used: 5 });
  });

  it('the database itself refuses a write that would overfill the zone', () => {
    const held = v.reservations.holdGeneral({
      eventId: v.eventId,
      ...who('s1'),
      zoneId: v.gaZoneId,
      quantity: 5,
    });
    expect(() =>
      v.db
        .prepare(
          `INSERT INTO reserved_tickets (transaction_id, event_id, zone_id, seat_id, quantity, session_id, price_cents,
             status, reserved_until, created_at, updated_at) VALUES (?, ?, ?, NULL, 1, 'x', 0, 'ACTIVE', ?, ?, ?)`,
        )
        .run(held.transactionId, v.eventId, v.gaZoneId, T0 + HOUR_MS, T0, T0),
    ).toThrow(/CHECK constraint failed/);
  });

  it('numbered zones refuse quantity holds', () => {
    expect(
      refusal(() =>
        v.reservations.holdGeneral({
          eventId: v.eventId,
          ...who('s1'),
          zoneId: v.numberedZoneId,
          quantity: 1,
        }),
      ).code,
    ).toBe('WRONG_ZONE_KIND');
  });
});

describe('checkout', () => {
  it('full payment completes the sale; sold seats cannot be held again', () => {
    const held = v.reservations.holdSeats({
      eventId: v.eventId,
      ...who('s1'),
      seatIds: v.seatIds.slice(0, 2),
    });
    const sale = v.reservations.complete({ transactionId: held.transactionId, actor: 'cajero-s1' });
    expect(sale).toEqual({
      transactionId: held.transactionId,
      status: 'COMPLETED',
      reservedUntil: null,
      tickets: 2,
      totalCents: 5000,
    });
    expect(held.tickets.map((t) => ticketStatus(t.ticketId))).toEqual(['COMPLETED', 'COMPLETED']);
    v.clock.advance(24 * HOUR_MS);
    const error = refusal(() =>
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[0]!] }),
    );
    expect(error.code).toBe('SEAT_TAKEN');
    expect((error.details as { seats: { state: string }[] }).seats[0]!.state).toBe('sold');
  });

  it('a partial payment keeps the seats for PARTIAL_PAYMENT_HOURS, then the final payment completes it', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    const reserved = v.reservations.convertToPartial({
      transactionId: held.transactionId,
      actor: 'cajero-s1',
      customer: { name: 'María Pérez', idNumber: 'V-12345678', phone: '0414-1234567' },
    });
    expect(reserved.status).toBe('RESERVED');
    expect(reserved.reservedUntil).toBe(T0 + 72 * HOUR_MS);
    v.clock.advance(48 * HOUR_MS); // long past the 10-minute hold
    expect(
      refusal(() => v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[0]!] }))
        .code,
    ).toBe('SEAT_TAKEN');
    expect(v.reservations.complete({ transactionId: held.transactionId, actor: 'cajero-s9' }).status).toBe(
      'COMPLETED',
    );
  });

  it('a partial-payment reservation that runs out expires and frees its seats', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.convertToPartial({ transactionId: held.transactionId, actor: 'c', hours: 24 });
    v.clock.advance(24 * HOUR_MS);
    expect(
      refusal(() => v.reservations.complete({ transactionId: held.transactionId, actor: 'c' })).code,
    ).toBe('HOLD_EXPIRED');
    expect(v.reservations.cleanupExpired()).toEqual({
      expiredTickets: 1,
      expiredTransactions: 1,
      batches: 1,
    });
    expect(txStatus(held.transactionId)).toBe('EXPIRED');
    expect(
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[0]!] }).tickets,
    ).toHaveLength(1);
  });

  it('cleanup in batches leaves every expiry in the audit trail and the change feed, and closes only emptied carts', () => {
    const s1 = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: v.seatIds.slice(0, 3) });
    const ga = v.reservations.holdGeneral({
      eventId: v.eventId,
      ...who('s2'),
      zoneId: v.gaZoneId,
      quantity: 2,
    });
    v.clock.advance(5 * MINUTE_MS);
    const s3 = v.reservations.holdSeats({ eventId: v.eventId, ...who('s3'), seatIds: [v.seatIds[3]!] });
    v.clock.advance(5 * MINUTE_MS); // s1's and s2's holds ran out; s3's has 5 minutes left
    const before = v.db
      .prepare<[number], { version: number }>('SELECT version FROM events WHERE id = ?')
      .get(v.eventId)!;
    const lastAudit = v.db
      .prepare<[], { id: number }>('SELECT COALESCE(MAX(id), 0) AS id FROM audit_log')
      .get()!.id;

    expect(v.reservations.cleanupExpired({ batchSize: 2 })).toEqual({
      expiredTickets: 4,
      expiredTransactions: 2,
      batches: 2,
    });

    const expired = [...s1.tickets, ...ga.tickets].map((t) => t.ticketId);
    expect(expired.map(ticketStatus)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED']);
    expect(ticketStatus(s3.tickets[0]!.ticketId)).toBe('ACTIVE');
    expect([s1.transactionId, ga.transactionId, s3.transactionId].map(txStatus)).toEqual([
      'EXPIRED',
      'EXPIRED',
      'PENDING',
    ]);
    const trail = v.db
      .prepare<
        [number],
        { actor: string; entity: string; entity_id: string; from_state: string; to_state: string }
      >('SELECT actor, entity, entity_id, from_state, to_state FROM audit_log WHERE id > ? ORDER BY id')
      .all(lastAudit);
    expect(
      trail
        .filter((a) => a.entity === 'ticket')
        .map((a) => Number(a.entity_id))
        .sort(),
    ).toEqual([...expired].sort());
    expect(
      trail
        .filter((a) => a.entity === 'transaction')
        .map((a) => a.entity_id)
        .sort(),
    ).toEqual([s1.transactionId, ga.transactionId].sort());
    expect(trail.every((a) => a.actor === 'system' && a.to_state === 'EXPIRED')).toBe(true);
    // The standing zone gave its places back (the trigger) and screens see every change.
    expect(
      v.db.prepare<[number], { used: number }>('SELECT used FROM zones WHERE id = ?').get(v.gaZoneId)!.used,
    ).toBe(0);
    const feed = v.availability.changesSince({ eventId: v.eventId, sinceVersion: before.version });
    expect(feed.reset).toBe(false);
    if (feed.reset) return;
    expect(feed.seats.map((x) => x.seatId).sort()).toEqual(v.seatIds.slice(0, 3).sort());
    expect(feed.seats.every((x) => x.state === 'free')).toBe(true);
    expect(feed.zones.find((z) => z.zoneId === v.gaZoneId)!.free).toBe(5);
    const changed = v.db
      .prepare<[number, number], { zone_id: number }>(
        'SELECT zone_id FROM availability_changes WHERE event_id = ? AND version > ? AND seat_id IS NULL',
      )
      .all(v.eventId, before.version);
    expect(changed.map((c) => c.zone_id)).toEqual([v.gaZoneId]);
  });

  it('checkout with a hold whose time ran out is refused and writes nothing', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.clock.advance(10 * MINUTE_MS + 1);
    const audit = countRows('audit_log');
    const error = refusal(() => v.reservations.complete({ transactionId: held.transactionId, actor: 'c' }));
    expect(error.code).toBe('HOLD_EXPIRED');
    expect(error.details).toEqual({
      seats: [{ seatId: v.seatIds[0], label: 'PLA-A-1', expiredAt: T0 + 10 * MINUTE_MS }],
    });
    expect(txStatus(held.transactionId)).toBe('PENDING');
    expect(countRows('audit_log')).toBe(audit);
  });

  it('a supervisor cancels a reservation and its seats go back on sale', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.convertToPartial({ transactionId: held.transactionId, actor: 'c' });
    v.reservations.cancel({
      transactionId: held.transactionId,
      actor: 'supervisora',
      reason: 'cliente desistió',
    });
    expect(txStatus(held.transactionId)).toBe('CANCELLED');
    expect(
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[0]!] }).tickets,
    ).toHaveLength(1);
  });

  it('mass extension of reservations is capped by MAX_RESERVATION_LIFETIME_HOURS', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.convertToPartial({ transactionId: held.transactionId, actor: 'c' }); // until T0 + 72 h
    expect(v.reservations.extendReservations({ hours: 72, actor: 'sup' })).toEqual({
      extended: 1,
      capped: 0,
      expired: 0,
    });
    expect(v.reservations.extendReservations({ hours: 72, actor: 'sup' })).toEqual({
      extended: 1,
      capped: 1,
      expired: 0,
    });
    expect(v.reservations.extendReservations({ hours: 1, actor: 'sup' })).toEqual({
      extended: 0,
      capped: 1,
      expired: 0,
    });
    const until = v.db
      .prepare('SELECT reserved_until FROM reserved_tickets WHERE transaction_id = ?')
      .get(held.transactionId);
    expect(until).toEqual({ reserved_until: T0 + 168 * HOUR_MS });
  });
});

describe('forbidden arrows of the lifecycle', () => {
  it('a completed sale cannot be cancelled, reserved or completed again', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.complete({ transactionId: held.transactionId, actor: 'c' });
    for (const call of [
      () => v.reservations.cancel({ transactionId: held.transactionId, actor: 'c', reason: 'x' }),
      () => v.reservations.convertToPartial({ transactionId: held.transactionId, actor: 'c' }),
      () => v.reservations.complete({ transactionId: held.transactionId, actor: 'c' }),
    ]) {
      expect(refusal(call).code).toBe('INVALID_TRANSITION');
    }
  });

  it('an expired or cancelled transaction never comes back', () => {
    const a = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.clock.advance(11 * MINUTE_MS);
    v.reservations.cleanupExpired();
    expect(refusal(() => v.reservations.complete({ transactionId: a.transactionId, actor: 'c' })).code).toBe(
      'INVALID_TRANSITION',
    );
    expect(
      refusal(() => v.reservations.convertToPartial({ transactionId: a.transactionId, actor: 'c' })).code,
    ).toBe('INVALID_TRANSITION');
    const b = v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[1]!] });
    v.reservations.cancel({ transactionId: b.transactionId, actor: 'c', reason: 'x' });
    expect(refusal(() => v.reservations.complete({ transactionId: b.transactionId, actor: 'c' })).code).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('the database refuses forbidden arrows written directly, and the audit log is append-only', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.complete({ transactionId: held.transactionId, actor: 'c' });
    expect(() =>
      v.db.prepare("UPDATE transactions SET status = 'PENDING' WHERE id = ?").run(held.transactionId),
    ).toThrow(/INVALID_TRANSITION/);
    expect(() =>
      v.db
        .prepare("UPDATE reserved_tickets SET status = 'ACTIVE' WHERE id = ?")
        .run(held.tickets[0]!.ticketId),
    ).toThrow(/INVALID_TRANSITION/);
    expect(() => v.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => v.db.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow(/append-only/);
  });

  it('a second live ticket for one seat is refused by the unique index itself', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    expect(() =>
      v.db
        .prepare(
          `INSERT INTO reserved_tickets (transaction_id, event_id, zone_id, seat_id, quantity, session_id, price_cents,
             status, reserved_until, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 'x', 0, 'COMPLETED', ?, ?, ?)`,
        )
        .run(held.transactionId, v.eventId, v.numberedZoneId, v.seatIds[0]!, T0, T0, T0),
    ).toThrow(/UNIQUE constraint failed/);
  });
});

describe('audit trail', () => {
  it('records who moved what from which state to which, and why', () => {
    const held = v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.complete({ transactionId: held.transactionId, actor: 'cajero-s1' });
    const trail = v.db
      .prepare('SELECT actor, entity, from_state, to_state, reason FROM audit_log ORDER BY id')
      .all() as {
      actor: string;
      entity: string;
      from_state: string | null;
      to_state: string;
      reason: string;
    }[];
    expect(trail).toEqual([
      {
        actor: 'cajero-s1',
        entity: 'transaction',
        from_state: null,
        to_state: 'PENDING',
        reason: 'cart opened',
      },
      { actor: 'cajero-s1', entity: 'ticket', from_state: null, to_state: 'ACTIVE', reason: 'hold PLA-A-1' },
      { actor: 'cajero-s1', entity: 'ticket', from_state: 'ACTIVE', to_state: 'COMPLETED', reason: 'sold' },
      {
        actor: 'cajero-s1',
        entity: 'transaction',
        from_state: 'PENDING',
        to_state: 'COMPLETED',
        reason: 'paid in full',
      },
    ]);
  });
});

describe('house seats and bad input', () => {
  it('blocked seats cannot be held, and a held seat cannot be blocked', () => {
    const [a, b] = v.seatIds;
    v.reservations.blockSeats({ eventId: v.eventId, seatIds: [a!], actor: 'sup', reason: 'prensa' });
    const error = refusal(() =>
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [a!, b!] }),
    );
    expect(error.code).toBe('SEAT_BLOCKED');
    expect(error.details).toEqual({ seats: [{ seatId: a, label: 'PLA-A-1', reason: 'prensa' }] });
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [b!] });
    expect(
      refusal(() => v.reservations.blockSeats({ eventId: v.eventId, seatIds: [b!], actor: 'sup' })).code,
    ).toBe('SEAT_TAKEN');
    v.reservations.unblockSeats({ eventId: v.eventId, seatIds: [a!], actor: 'sup' });
    expect(
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [a!] }).tickets,
    ).toHaveLength(1);
  });

  it.each([
    ['no seats', { eventId: 1, sessionId: 's', actor: 'a', seatIds: [] }],
    ['a seat twice', { eventId: 1, sessionId: 's', actor: 'a', seatIds: [1, 1] }],
    ['a negative id', { eventId: 1, sessionId: 's', actor: 'a', seatIds: [-4] }],
    ['a string id', { eventId: 1, sessionId: 's', actor: 'a', seatIds: ['1'] }],
    ['an empty session', { eventId: 1, sessionId: ' ', actor: 'a', seatIds: [1] }],
    ['an extra field', { eventId: 1, sessionId: 's', actor: 'a', seatIds: [1], admin: true }],
    ['nothing at all', undefined],
  ])('a hold request with %s is a VALIDATION error and writes nothing', (_name, input) => {
    const before = countRows('audit_log');
    const error = refusal(() => v.reservations.holdSeats(input));
    expect(error.code).toBe('VALIDATION');
    expect((error.details as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    expect(countRows('audit_log')).toBe(before);
  });

  it('unknown events, seats and transactions are named in the refusal', () => {
    expect(refusal(() => v.reservations.holdSeats({ eventId: 999, ...who('s1'), seatIds: [1] })).code).toBe(
      'UNKNOWN_EVENT',
    );
    const unknownSeat = refusal(() =>
      v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!, 99_999] }),
    );
    expect(unknownSeat.code).toBe('UNKNOWN_SEAT');
    expect(unknownSeat.details).toEqual({ seatIds: [99_999] });
    expect(refusal(() => v.reservations.complete({ transactionId: 'nope', actor: 'c' })).code).toBe(
      'UNKNOWN_TRANSACTION',
    );
  });
});
