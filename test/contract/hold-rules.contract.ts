import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../shared/clock.ts';
import type { SettingsOverride } from '../../shared/config.ts';

/**
 * One contract for the hold rules (shared/hold-rules), run against every store that keeps holds: the
 * terminal engine on a SQLite file, the central server on SQLite and on PostgreSQL. The same cases,
 * the same expected refusals (codes and facts). A change to a hold rule is one edit in shared/ and a
 * case here.
 */

/** What an operation answered: its result, or its refusal's code and facts. */
export type Outcome =
  { code: null; result: Record<string, unknown> } | { code: string; details: Record<string, unknown> };

/** A store under the contract: one event with 10 numbered seats (2500 cents) and a standing zone for 5 (1000). */
export interface HoldRulesStore {
  seatIds: number[];
  gaZoneId: number;
  advance(ms: number): void;
  holdSeats(sessionId: string, seatIds: number[]): Promise<Outcome>;
  holdGeneral(sessionId: string, quantity: number): Promise<Outcome>;
  releaseSeats(sessionId: string, seatIds: number[]): Promise<Outcome>;
  releaseGeneral(sessionId: string): Promise<Outcome>;
  extendHolds(sessionId: string, minutes?: number): Promise<Outcome>;
  /** A deposit (half of `totalCents` where money travels with it) keeping the seats `hours`. */
  convertToPartial(transactionId: string, totalCents: number, hours: number): Promise<Outcome>;
  /** Paid in full (`totalCents` where money travels with it). */
  complete(transactionId: string, totalCents: number): Promise<Outcome>;
  cancel(transactionId: string): Promise<Outcome>;
  /** House seats (block-seats). */
  blockSeats(seatIds: number[]): Promise<Outcome>;
  /** The store's expiry sweep (terminal cleanup, server sweeper). */
  sweep(): Promise<void>;
  transactionStatus(transactionId: string): Promise<string | null>;
  close(): Promise<void>;
}

/** Every store runs with these settings. */
export const CONTRACT_SETTINGS: SettingsOverride = {
  MAX_RESERVATIONS_PER_USER: 4,
  TEMPORARY_HOLD_MINUTES: 10,
  MAX_HOLD_LIFETIME_MINUTES: 30,
};

export const SEAT_CENTS = 2500;
export const GA_CENTS = 1000;

/** The contract's cases by name; a store that still differs pins a case with the reason. */
export const CASES = {
  seatHold: 'free seats are held; another session is refused SEAT_TAKEN with who holds them',
  batch: 'a batch with one taken seat holds none of them',
  again: 'asking again for seats the cart holds is harmless (alreadyHeld)',
  limit: 'a session holds at most MAX_RESERVATIONS_PER_USER places, seats and standing together',
  seatOrder: 'seat checks: SEAT_TAKEN before LIMIT_REACHED',
  gaOrder: 'standing places: ZONE_FULL before LIMIT_REACHED (as seats: availability first)',
  capacity: 'a standing zone never goes over capacity; release and expiry give places back',
  release: 'releasing seats frees them; releasing the last closes the cart CANCELLED',
  extend:
    'extensions add time up to MAX_HOLD_LIFETIME_MINUTES, then EXTENSION_LIMIT; NOTHING_HELD without holds',
  expiry: 'a hold whose time ran out blocks nobody and cannot be sold (HOLD_EXPIRED)',
  convert: 'a deposit makes the cart RESERVED and keeps its seats past the hold time',
  complete: 'a sale is COMPLETED; its seats are sold (SEAT_TAKEN); it cannot be cancelled',
  cancel: 'a cancelled reservation frees its seats',
  emptiedReservation:
    'a reservation emptied (its time ran out, another session took its seat) is closed EXPIRED',
  sweepCart: 'the expiry sweep closes a cart whose holds ran out (EXPIRED)',
  sweepReservation: 'the expiry sweep closes a reservation whose time ran out (EXPIRED) and frees its seats',
  houseSeats:
    'a seat blocked with block-seats is refused to every hold (SEAT_BLOCKED); a held seat cannot be blocked',
} as const;
export type CaseName = keyof typeof CASES;

/**
 * Runs the contract on `open`'s store (a fresh one per case). `pins`: cases this store still fails,
 * each with the difference it shows; they run as expected failures until the store follows the rules.
 */
export function holdRulesContract(
  name: string,
  open: () => Promise<HoldRulesStore>,
  pins: Partial<Record<CaseName, string>> = {},
): void {
  describe(`hold rules contract: ${name}`, () => {
    let s: HoldRulesStore;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => s?.close());

    const ok = (o: Outcome): Record<string, unknown> => {
      expect(o.code, JSON.stringify(o)).toBeNull();
      return (o as { result: Record<string, unknown> }).result;
    };
    const refused = (o: Outcome, code: string): Record<string, unknown> => {
      expect(o.code, JSON.stringify(o)).toBe(code);
      return (o as { details: Record<string, unknown> }).details;
    };
    const cart = (o: Outcome) => ok(o).transactionId as string;
    const seat = (i: number) => s.seatIds[i]!;

    const cases: Record<CaseName, () => Promise<void>> = {
      seatHold: async () => {
        const held = ok(await s.holdSeats('a', [seat(0), seat(1)]));
        expect((held.tickets as { seatId: number }[]).map((t) => t.seatId)).toEqual([seat(0), seat(1)]);
        const details = refused(await s.holdSeats('b', [seat(1)]), 'SEAT_TAKEN');
        expect(details.seats).toEqual([
          expect.objectContaining({ seatId: seat(1), state: 'held', heldBySession: 'a' }),
        ]);
      },
      batch: async () => {
        ok(await s.holdSeats('a', [seat(0)]));
        refused(await s.holdSeats('b', [seat(1), seat(0)]), 'SEAT_TAKEN');
        ok(await s.holdSeats('c', [seat(1)])); // seat(1) was not held by the refused batch
      },
      again: async () => {
        const first = cart(await s.holdSeats('a', [seat(0)]));
        const again = ok(await s.holdSeats('a', [seat(0), seat(1)]));
        expect(again.transactionId).toBe(first);
        expect(again.alreadyHeld).toEqual([seat(0)]);
      },
      limit: async () => {
        ok(await s.holdSeats('a', [seat(0), seat(1)]));
        ok(await s.holdGeneral('a', 1));
        const details = refused(await s.holdSeats('a', [seat(2), seat(3)]), 'LIMIT_REACHED');
        expect(details).toEqual({ limit: 4, held: 3, requested: 2 });
        refused(await s.holdGeneral('a', 2), 'LIMIT_REACHED');
        ok(await s.holdSeats('a', [seat(2)]));
      },
      seatOrder: async () => {
        ok(await s.holdSeats('a', [seat(0), seat(1), seat(2), seat(3)]));
        ok(await s.holdSeats('b', [seat(4)]));
        // 'a' is at its limit and seat(4) is taken: the taken seat is what is said.
        refused(await s.holdSeats('a', [seat(4)]), 'SEAT_TAKEN');
      },
      gaOrder: async () => {
        ok(await s.holdGeneral('other', 4));
        ok(await s.holdSeats('a', [seat(0), seat(1), seat(2)]));
        // One place left and 'a' may take one more: both rules refuse 2; the zone is what is said.
        const details = refused(await s.holdGeneral('a', 2), 'ZONE_FULL');
        expect(details).toMatchObject({ zoneId: s.gaZoneId, requested: 2, available: 1 });
      },
      capacity: async () => {
        ok(await s.holdGeneral('a', 3));
        ok(await s.holdGeneral('b', 2));
        expect(refused(await s.holdGeneral('c', 1), 'ZONE_FULL')).toMatchObject({ available: 0 });
        expect(ok(await s.releaseGeneral('b')).released).toBe(2);
        ok(await s.holdGeneral('c', 2));
        refused(await s.holdGeneral('d', 1), 'ZONE_FULL');
        s.advance(11 * MINUTE_MS); // every hold ran out: the places are back, sweep or not
        ok(await s.holdGeneral('d', 4));
        await s.sweep();
        expect(refused(await s.holdGeneral('e', 2), 'ZONE_FULL')).toMatchObject({ available: 1 });
      },
      release: async () => {
        const id = cart(await s.holdSeats('a', [seat(0), seat(1)]));
        expect(ok(await s.releaseSeats('a', [seat(0), seat(5)]))).toEqual({
          released: [seat(0)],
          notHeld: [seat(5)],
        });
        ok(await s.holdSeats('b', [seat(0)]));
        expect(await s.transactionStatus(id)).toBe('PENDING');
        ok(await s.releaseSeats('a', [seat(1)]));
        expect(await s.transactionStatus(id)).toBe('CANCELLED');
      },
      extend: async () => {
        refused(await s.extendHolds('a'), 'NOTHING_HELD');
        ok(await s.holdSeats('a', [seat(0)]));
        s.advance(5 * MINUTE_MS);
        const extended = ok(await s.extendHolds('a', 10));
        expect((extended.tickets as { reservedUntil: number }[])[0]!.reservedUntil).toBeGreaterThan(0);
        s.advance(9 * MINUTE_MS); // 14 min after the hold: still live thanks to the extension
        refused(await s.holdSeats('b', [seat(0)]), 'SEAT_TAKEN');
        ok(await s.extendHolds('a', 20)); // up to the 30-minute cap
        s.advance(10 * MINUTE_MS);
        refused(await s.extendHolds('a', 10), 'EXTENSION_LIMIT');
      },
      expiry: async () => {
        const id = cart(await s.holdSeats('a', [seat(0)]));
        s.advance(10 * MINUTE_MS); // the end instant itself: no longer held
        const details = refused(await s.complete(id, SEAT_CENTS), 'HOLD_EXPIRED');
        expect(details.seats).toEqual([expect.objectContaining({ seatId: seat(0) })]);
        ok(await s.holdSeats('b', [seat(0)]));
      },
      convert: async () => {
        const id = cart(await s.holdSeats('a', [seat(0), seat(1)]));
        const reserved = ok(await s.convertToPartial(id, 2 * SEAT_CENTS, 24));
        expect(reserved).toMatchObject({ status: 'RESERVED' });
        s.advance(11 * MINUTE_MS);
        expect(refused(await s.holdSeats('b', [seat(0)]), 'SEAT_TAKEN').seats).toEqual([
          expect.objectContaining({ state: 'reserved' }),
        ]);
        expect(await s.transactionStatus(id)).toBe('RESERVED');
        refused(await s.convertToPartial(id, 2 * SEAT_CENTS, 24), 'INVALID_TRANSITION');
      },
      complete: async () => {
        const id = cart(await s.holdSeats('a', [seat(0)]));
        ok(await s.holdGeneral('a', 2));
        expect(ok(await s.complete(id, SEAT_CENTS + 2 * GA_CENTS))).toMatchObject({ status: 'COMPLETED' });
        expect(await s.transactionStatus(id)).toBe('COMPLETED');
        s.advance(HOUR_MS);
        expect(refused(await s.holdSeats('b', [seat(0)]), 'SEAT_TAKEN').seats).toEqual([
          expect.objectContaining({ state: 'sold' }),
        ]);
        expect(refused(await s.holdGeneral('b', 4), 'ZONE_FULL')).toMatchObject({ available: 3 });
        refused(await s.cancel(id), 'INVALID_TRANSITION');
      },
      cancel: async () => {
        const id = cart(await s.holdSeats('a', [seat(0)]));
        ok(await s.convertToPartial(id, SEAT_CENTS, 24));
        ok(await s.cancel(id));
        expect(await s.transactionStatus(id)).toBe('CANCELLED');
        ok(await s.holdSeats('b', [seat(0)]));
      },
      emptiedReservation: async () => {
        const id = cart(await s.holdSeats('a', [seat(0)]));
        ok(await s.convertToPartial(id, SEAT_CENTS, 24));
        s.advance(25 * HOUR_MS);
        ok(await s.holdSeats('b', [seat(0)]));
        // Nothing is left in it: an empty reservation closes like an empty cart.
        expect(await s.transactionStatus(id)).toBe('EXPIRED');
      },
      sweepCart: async () => {
        const id = cart(await s.holdSeats('a', [seat(0)]));
        s.advance(11 * MINUTE_MS);
        await s.sweep();
        expect(await s.transactionStatus(id)).toBe('EXPIRED');
      },
      sweepReservation: async () => {
        const id = cart(await s.holdSeats('a', [seat(0)]));
        ok(await s.convertToPartial(id, SEAT_CENTS, 24));
        s.advance(25 * HOUR_MS);
        await s.sweep();
        expect(await s.transactionStatus(id)).toBe('EXPIRED');
        ok(await s.holdSeats('b', [seat(0)]));
      },
      houseSeats: async () => {
        ok(await s.holdSeats('a', [seat(0)]));
        const details = refused(await s.blockSeats([seat(0), seat(1)]), 'SEAT_TAKEN');
        expect(details.seats).toEqual([expect.objectContaining({ seatId: seat(0), state: 'held' })]);
        ok(await s.blockSeats([seat(1)]));
        expect(refused(await s.holdSeats('b', [seat(2), seat(1)]), 'SEAT_BLOCKED').seats).toEqual([
          expect.objectContaining({ seatId: seat(1) }),
        ]);
        ok(await s.holdSeats('b', [seat(2)]));
      },
    };

    for (const [key, run] of Object.entries(cases) as [CaseName, () => Promise<void>][]) {
      const pin = pins[key];
      if (pin) it.fails(`${CASES[key]} [pinned: ${pin}]`, run);
      else it(CASES[key], run);
    }
  });
}
