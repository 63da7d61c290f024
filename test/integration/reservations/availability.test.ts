import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AvailabilityService } from '../../../electron/services/reservations/availability-service.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { seatStateFromCode } from '../../../shared/lifecycle.ts';
import { type SmallVenue, smallVenue, T0 } from '../../support/temp-store.ts';

let v: SmallVenue;
beforeEach(() => {
  v = smallVenue();
});
afterEach(() => v.close());

const who = (sessionId: string) => ({ sessionId, actor: `cajero-${sessionId}` });

function statesOf(states: string, seatOrder: number[]): Map<number, string> {
  return new Map(seatOrder.map((id, i) => [id, seatStateFromCode(states[i]!)]));
}

/** A fresh service with an empty cache computes everything from the database. */
function fresh() {
  return new AvailabilityService(v.db, v.clock);
}

describe('availability snapshot', () => {
  it('shows every seat: free, held, reserved, sold and blocked, with who holds it until when', () => {
    const [a, b, c, d] = v.seatIds;
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [a!] });
    const r = v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [b!] });
    v.reservations.convertToPartial({ transactionId: r.transactionId, actor: 'c' });
    const s = v.reservations.holdSeats({ eventId: v.eventId, ...who('s3'), seatIds: [c!] });
    v.reservations.complete({ transactionId: s.transactionId, actor: 'c' });
    v.reservations.blockSeats({ eventId: v.eventId, seatIds: [d!], actor: 'sup' });
    v.reservations.holdGeneral({ eventId: v.eventId, ...who('s4'), zoneId: v.gaZoneId, quantity: 2 });

    const map = v.availability.seatMap({ eventId: v.eventId });
    const snap = v.availability.snapshot({ eventId: v.eventId });
    expect(snap.states).toHaveLength(20);
    const states = statesOf(snap.states, map.seats.id);
    expect([
      states.get(a!),
      states.get(b!),
      states.get(c!),
      states.get(d!),
      states.get(v.seatIds[4]!),
    ]).toEqual(['held', 'reserved', 'sold', 'blocked', 'free']);
    expect(snap.taken.find((t) => t.seatId === a)).toEqual({
      seatId: a,
      state: 'held',
      until: T0 + 10 * MINUTE_MS,
      sessionId: 's1',
    });
    expect(snap.zones).toEqual([
      { zoneId: v.numberedZoneId, capacity: 20, free: 16 },
      { zoneId: v.gaZoneId, capacity: 5, free: 3 },
    ]);
  });

  it('a snapshot asked again serves what is current: unchanged, after a hold, after a lapse', () => {
    const [a, b] = v.seatIds;
    const first = v.availability.snapshot({ eventId: v.eventId });
    first.taken.push({ seatId: b!, state: 'sold', until: null, sessionId: 'x' }); // a caller's own copy
    const again = v.availability.snapshot({ eventId: v.eventId });
    expect(again).toEqual({ ...first, taken: [] });

    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [a!] });
    const held = v.availability.snapshot({ eventId: v.eventId });
    expect(held.version).toBeGreaterThan(first.version);
    expect(held.states[0]).toBe('h');
    expect(held.taken.map((t) => t.seatId)).toEqual([a]);
    expect(held.zones[0]).toEqual({ zoneId: v.numberedZoneId, capacity: 20, free: 19 });
    expect(v.availability.snapshot({ eventId: v.eventId })).toEqual(held);

    v.clock.advance(10 * MINUTE_MS);
    const lapsed = v.availability.snapshot({ eventId: v.eventId });
    expect(lapsed.version).toBe(held.version);
    expect(lapsed.states[0]).toBe('.');
    expect(lapsed.taken).toEqual([]);
    expect(lapsed.zones[0]).toEqual({ zoneId: v.numberedZoneId, capacity: 20, free: 20 });
    expect(fresh().snapshot({ eventId: v.eventId })).toEqual(lapsed);
  });

  it('a hold whose time ran out shows as free before cleanup, in cache and from scratch', () => {
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.holdGeneral({ eventId: v.eventId, ...who('s1'), zoneId: v.gaZoneId, quantity: 2 });
    expect(v.availability.snapshot({ eventId: v.eventId }).states[0]).toBe('h');
    v.clock.advance(10 * MINUTE_MS);
    for (const service of [v.availability, fresh()]) {
      const snap = service.snapshot({ eventId: v.eventId });
      expect(snap.states[0]).toBe('.');
      expect(snap.taken).toEqual([]);
      expect(snap.zones[1]).toEqual({ zoneId: v.gaZoneId, capacity: 5, free: 5 });
    }
  });

  it('the cached snapshot, patched from the change feed, always equals one computed from scratch', () => {
    const cached = v.availability;
    const steps: (() => unknown)[] = [
      () => v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: v.seatIds.slice(0, 3) }),
      () => v.reservations.releaseSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[1]!] }),
      () => v.reservations.blockSeats({ eventId: v.eventId, seatIds: [v.seatIds[7]!], actor: 'sup' }),
      () => v.clock.advance(5 * MINUTE_MS),
      () => v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[9]!] }),
      () => v.clock.advance(6 * MINUTE_MS),
      () => v.reservations.cleanupExpired(),
      () => v.reservations.unblockSeats({ eventId: v.eventId, seatIds: [v.seatIds[7]!], actor: 'sup' }),
    ];
    for (const step of steps) {
      step();
      const a = cached.snapshot({ eventId: v.eventId });
      const b = fresh().snapshot({ eventId: v.eventId });
      expect(a.version).toBe(b.version);
      expect(a.states).toBe(b.states);
      expect(new Set(a.taken.map((t) => JSON.stringify(t)))).toEqual(
        new Set(b.taken.map((t) => JSON.stringify(t))),
      );
      expect(a.zones).toEqual(b.zones);
    }
  });
});

describe('change feed', () => {
  it('tells what changed since a version, with each changed seat current state', () => {
    const start = v.availability.snapshot({ eventId: v.eventId }).version;
    const held = v.reservations.holdSeats({
      eventId: v.eventId,
      ...who('s1'),
      seatIds: v.seatIds.slice(0, 2),
    });
    v.reservations.releaseSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[1]!] });
    const changes = v.availability.changesSince({ eventId: v.eventId, sinceVersion: start });
    if (changes.reset) throw new Error('unexpected reset');
    expect(changes.version).toBe(start + 2);
    expect(changes.seats).toEqual(
      expect.arrayContaining([
        { seatId: v.seatIds[0], state: 'held', until: held.tickets[0]!.reservedUntil, sessionId: 's1' },
        { seatId: v.seatIds[1], state: 'free', until: null, sessionId: null },
      ]),
    );
    expect(changes.seats).toHaveLength(2);
    const none = v.availability.changesSince({ eventId: v.eventId, sinceVersion: changes.version });
    expect(none.reset === false && none.seats).toEqual([]);
  });

  it('asks the client to reload when its version is from the future or pruned away', () => {
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s1'), seatIds: [v.seatIds[0]!] });
    v.reservations.holdSeats({ eventId: v.eventId, ...who('s2'), seatIds: [v.seatIds[1]!] });
    expect(v.availability.changesSince({ eventId: v.eventId, sinceVersion: 99 }).reset).toBe(true);
    v.availability.pruneFeed(1);
    expect(v.availability.changesSince({ eventId: v.eventId, sinceVersion: 0 }).reset).toBe(true);
    expect(v.availability.changesSince({ eventId: v.eventId, sinceVersion: 1 }).reset).toBe(false);
  });

  it('refuses bad queries with a typed error', () => {
    expect(() => v.availability.snapshot({ eventId: 'x' })).toThrow(/Invalid input/);
    expect(() => v.availability.snapshot({ eventId: 12345 })).toThrow(/no event 12345/);
  });
});
