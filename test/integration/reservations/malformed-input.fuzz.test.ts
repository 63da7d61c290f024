import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTaquillaError } from '../../../shared/errors.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/**
 * Random and malformed input to every reservation operation: never a crash, always a typed error,
 * and a refused call writes nothing.
 */
let v: SmallVenue;
beforeAll(() => {
  v = smallVenue();
});
afterAll(() => v.close());

type Call = (input: unknown) => unknown;

function operations(): Record<string, { call: Call; valid: Record<string, unknown> }> {
  const r = v.reservations;
  const base = { eventId: v.eventId, sessionId: 'fuzz', actor: 'fuzzer' };
  return {
    holdSeats: { call: (i) => r.holdSeats(i), valid: { ...base, seatIds: [v.seatIds[0]] } },
    holdGeneral: { call: (i) => r.holdGeneral(i), valid: { ...base, zoneId: v.gaZoneId, quantity: 1 } },
    releaseSeats: { call: (i) => r.releaseSeats(i), valid: { ...base, seatIds: [v.seatIds[0]] } },
    releaseGeneral: { call: (i) => r.releaseGeneral(i), valid: { ...base, zoneId: v.gaZoneId } },
    releaseSession: { call: (i) => r.releaseSession(i), valid: { sessionId: 'fuzz', actor: 'fuzzer' } },
    extendHolds: { call: (i) => r.extendHolds(i), valid: { ...base, minutes: 5 } },
    convertToPartial: {
      call: (i) => r.convertToPartial(i),
      valid: { transactionId: 'x', actor: 'fuzzer', hours: 24 },
    },
    complete: { call: (i) => r.complete(i), valid: { transactionId: 'x', actor: 'fuzzer' } },
    cancel: { call: (i) => r.cancel(i), valid: { transactionId: 'x', actor: 'fuzzer', reason: 'r' } },
    extendReservations: { call: (i) => r.extendReservations(i), valid: { hours: 2, actor: 'fuzzer' } },
    cleanupExpired: { call: (i) => r.cleanupExpired(i), valid: { batchSize: 10 } },
    blockSeats: {
      call: (i) => r.blockSeats(i),
      valid: { eventId: v.eventId, seatIds: [v.seatIds[3]], actor: 'f' },
    },
    unblockSeats: {
      call: (i) => r.unblockSeats(i),
      valid: { eventId: v.eventId, seatIds: [v.seatIds[3]], actor: 'f' },
    },
    snapshot: { call: (i) => v.availability.snapshot(i), valid: { eventId: v.eventId } },
    seatMap: { call: (i) => v.availability.seatMap(i), valid: { eventId: v.eventId } },
    changesSince: {
      call: (i) => v.availability.changesSince(i),
      valid: { eventId: v.eventId, sinceVersion: 0 },
    },
  };
}

/** Nasty values: wrong types, huge numbers, NaN, prototype keys, long and odd strings. */
const nasty = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    0,
    2 ** 53,
    1.5,
    '',
    ' ',
    '1',
    'x'.repeat(10_000),
    "'; DROP TABLE seats; --",
    null,
    [],
    {},
    [1, 1],
    { __proto__: { admin: true } },
  ),
);

function auditCount(): number {
  return v.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_log').get()!.n;
}

describe('malformed input to every reservation operation', () => {
  it('a random payload is refused with a typed error and writes nothing', () => {
    const ops = operations();
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(ops)), fc.anything(), (name, payload) => {
        const before = auditCount();
        try {
          ops[name]!.call(payload);
        } catch (error) {
          expect(isTaquillaError(error), String(error)).toBe(true);
          expect(auditCount()).toBe(before);
          return;
        }
        // Some payloads are valid by chance (e.g. cleanupExpired({})); those may succeed.
      }),
      { numRuns: 400 },
    );
  });

  it('a valid payload with one field spoiled is refused field by field', () => {
    const ops = operations();
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(ops)), fc.nat(), nasty, (name, which, value) => {
        const { call, valid } = ops[name]!;
        const keys = Object.keys(valid);
        const spoiled = { ...valid, [keys[which % keys.length]!]: value };
        const before = auditCount();
        try {
          call(spoiled);
        } catch (error) {
          expect(isTaquillaError(error), String(error)).toBe(true);
          if (isTaquillaError(error) && error.code === 'VALIDATION') expect(auditCount()).toBe(before);
        }
      }),
      { numRuns: 600 },
    );
    // Whatever ran, the schema still stands.
    expect(v.db.prepare('SELECT COUNT(*) AS n FROM seats').get()).toEqual({ n: 20 });
    expect(v.db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  });
});
