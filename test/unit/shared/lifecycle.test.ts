import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { DEFAULT_SETTINGS, resolveSettings } from '../../../shared/config.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  assertTransactionTransition,
  canTransitionTicket,
  canTransitionTransaction,
  DEPOSIT_HOURS,
  extendedUntil,
  isLive,
  reservationLengthMs,
  SEAT_STATE_CODES,
  SEAT_STATES,
  seatStateFromCode,
  TICKET_STATUSES,
  TRANSACTION_STATUSES,
} from '../../../shared/lifecycle.ts';

describe('the hold lifecycle of the seed', () => {
  const allowedTransactions = [
    ['PENDING', 'RESERVED'], // partial payment
    ['PENDING', 'COMPLETED'], // paid
    ['PENDING', 'CANCELLED'], // deselected / abandoned
    ['PENDING', 'EXPIRED'], // timer ran out
    ['RESERVED', 'COMPLETED'], // balance paid
    ['RESERVED', 'EXPIRED'], // reservation ran out
    ['RESERVED', 'CANCELLED'], // supervisor cancels
  ];

  it('allows exactly the arrows of the diagram for transactions', () => {
    for (const from of TRANSACTION_STATUSES) {
      for (const to of TRANSACTION_STATUSES) {
        const expected = allowedTransactions.some(([f, t]) => f === from && t === to);
        expect(canTransitionTransaction(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('lets a ticket leave ACTIVE once, and never come back', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES) {
        const expected = from === 'ACTIVE' && to !== 'ACTIVE';
        expect(canTransitionTicket(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('refuses a forbidden arrow with a typed error naming it', () => {
    try {
      assertTransactionTransition('tx-1', 'COMPLETED', 'CANCELLED');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TaquillaError);
      expect((error as TaquillaError).details).toEqual({
        entity: 'transaction',
        id: 'tx-1',
        from: 'COMPLETED',
        to: 'CANCELLED',
      });
    }
  });

  it('a hold is live strictly before its end', () => {
    expect(isLive(1000, 999)).toBe(true);
    expect(isLive(1000, 1000)).toBe(false);
  });

  it('extensions stop at creation + lifetime cap', () => {
    expect(extendedUntil(0, 600, 1200, 1800)).toBe(1200);
    expect(extendedUntil(0, 1200, 2400, 1800)).toBe(1800);
    expect(extendedUntil(0, 1800, 2400, 1800)).toBeNull();
    expect(extendedUntil(0, 900, 800, 1800)).toBeNull(); // never shortens a hold
  });

  it('every seat state has a distinct one-character code that reads back', () => {
    const codes = SEAT_STATES.map((s) => SEAT_STATE_CODES[s]);
    expect(new Set(codes).size).toBe(SEAT_STATES.length);
    for (const state of SEAT_STATES) expect(seatStateFromCode(SEAT_STATE_CODES[state])).toBe(state);
    expect(() => seatStateFromCode('?')).toThrow();
  });
});

describe('settings', () => {
  it('resolve as tenant override, then defaults', () => {
    expect(resolveSettings()).toEqual(DEFAULT_SETTINGS);
    expect(resolveSettings({ TEMPORARY_HOLD_MINUTES: 5 })).toEqual({
      ...DEFAULT_SETTINGS,
      TEMPORARY_HOLD_MINUTES: 5,
    });
  });

  it('refuse bad overrides instead of ignoring them', () => {
    expect(() => resolveSettings({ PARTIAL_PAYMENT_HOURS: 12 })).toThrow();
    expect(() => resolveSettings({ MAX_RESERVATIONS_PER_USER: 0 })).toThrow();
    expect(() => resolveSettings({ TYPO_MINUTES: 3 })).toThrow();
    expect(() => resolveSettings({ TEMPORARY_HOLD_MINUTES: 40, MAX_HOLD_LIFETIME_MINUTES: 30 })).toThrow(
      /at least/,
    );
  });
});

describe('how long a reservation keeps its seats', () => {
  it('minutes for a kiosk slip, hours for a deposit, else the tenant default; never both', () => {
    expect(reservationLengthMs({ minutes: 30 }, 72)).toBe(30 * MINUTE_MS);
    expect(reservationLengthMs({ hours: 24 }, 72)).toBe(24 * HOUR_MS);
    expect(reservationLengthMs({}, 72)).toBe(72 * HOUR_MS);
    expect(() => reservationLengthMs({ minutes: 30, hours: 1 }, 72)).toThrow(/not both/);
  });

  it("a deposit lasts PARTIAL_PAYMENT_HOURS' bounds, 24 to 72 hours; a kiosk slip's minutes are its own", () => {
    expect(DEPOSIT_HOURS).toEqual({ min: 24, max: 72 });
    for (const hours of [1, 23, 73]) {
      let refused: unknown;
      try {
        reservationLengthMs({ hours }, 72);
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({
        code: 'DEPOSIT_TOO_SHORT',
        details: { hours, minimumHours: 24, maximumHours: 72 },
      });
    }
    expect(reservationLengthMs({ hours: 72 }, 24)).toBe(72 * HOUR_MS);
    expect(reservationLengthMs({ minutes: 30 }, 72)).toBe(30 * MINUTE_MS);
  });
});
