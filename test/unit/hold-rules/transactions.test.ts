import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { DEFAULT_SETTINGS } from '../../../shared/config.ts';
import {
  type CheckoutFacts,
  decideBlockSeats,
  decideCancel,
  decideComplete,
  decideConvert,
  decideEmptied,
  decideExpiry,
  decideReservationExtension,
  decideUnblockSeats,
  type Decision,
  effectsOrThrow,
  type HeldTicketFact,
  type TransactionFact,
} from '../../../shared/hold-rules/index.ts';

const NOW = 2_000_000_000;
const settings = DEFAULT_SETTINGS;
const code = <E>(d: Decision<E>): string => (d.ok ? 'ok' : d.refusal.code);

const ticket = (ticketId: number, extra: Partial<HeldTicketFact> = {}): HeldTicketFact => ({
  ticketId,
  transactionId: 'tx',
  seatId: ticketId,
  zoneId: 1,
  label: `B${ticketId}`,
  quantity: 1,
  priceCents: 700,
  reservedUntil: NOW + MINUTE_MS,
  createdAt: NOW - MINUTE_MS,
  ...extra,
});
const tx = (status: TransactionFact['status'], extra: Partial<TransactionFact> = {}): TransactionFact => ({
  transactionId: 'tx',
  status,
  reservedUntil: null,
  createdAt: NOW - HOUR_MS,
  ...extra,
});

describe('checkout: decideConvert and decideComplete', () => {
  const base = (extra: Partial<CheckoutFacts> = {}): CheckoutFacts => ({
    now: NOW,
    transaction: tx('PENDING'),
    tickets: [ticket(1), ticket(2)],
    ...extra,
  });
  const table: [string, Partial<CheckoutFacts>, string, string][] = [
    ['a live cart', {}, 'ok', 'ok'],
    ['already sold', { transaction: tx('COMPLETED') }, 'INVALID_TRANSITION', 'INVALID_TRANSITION'],
    ['a reservation', { transaction: tx('RESERVED') }, 'INVALID_TRANSITION', 'ok'],
    [
      'transition before emptiness',
      { transaction: tx('EXPIRED'), tickets: [] },
      'INVALID_TRANSITION',
      'INVALID_TRANSITION',
    ],
    ['empty', { tickets: [] }, 'NOTHING_HELD', 'NOTHING_HELD'],
    [
      'a hold ran out',
      { tickets: [ticket(1), ticket(2, { reservedUntil: NOW })] },
      'HOLD_EXPIRED',
      'HOLD_EXPIRED',
    ],
    [
      'expired before cart changed',
      { tickets: [ticket(1, { reservedUntil: NOW })], expect: { totalCents: 1, seatIds: [], places: 0 } },
      'HOLD_EXPIRED',
      'HOLD_EXPIRED',
    ],
    [
      'not what was charged',
      { expect: { totalCents: 700, seatIds: [1], places: 0 } },
      'CART_CHANGED',
      'CART_CHANGED',
    ],
    ['what was charged', { expect: { totalCents: 1400, seatIds: [2, 1], places: 0 } }, 'ok', 'ok'],
  ];
  it.each(table)('%s', (_name, facts, convert, complete) => {
    expect(code(decideConvert({ ...base(facts), settings, length: {} }))).toBe(convert);
    expect(code(decideComplete(base(facts)))).toBe(complete);
  });

  it('a deposit keeps the seats PARTIAL_PAYMENT_HOURS, or the hours or minutes asked', () => {
    const c = (length: { hours?: number; minutes?: number }) =>
      decideConvert({ ...base(), settings, length });
    expect(effectsOrThrow(c({})).until).toBe(NOW + settings.PARTIAL_PAYMENT_HOURS * HOUR_MS);
    expect(effectsOrThrow(c({ hours: 24 })).until).toBe(NOW + 24 * HOUR_MS);
    expect(effectsOrThrow(c({ minutes: 30 })).until).toBe(NOW + 30 * MINUTE_MS);
    expect(code(c({ hours: 2 }))).toBe('DEPOSIT_TOO_SHORT');
    expect(code(c({ hours: 24, minutes: 5 }))).toBe('VALIDATION');
  });
});

describe('decideCancel', () => {
  it.each([
    ['PENDING', 'ok'],
    ['RESERVED', 'ok'],
    ['COMPLETED', 'INVALID_TRANSITION'],
    ['CANCELLED', 'INVALID_TRANSITION'],
  ] as const)('%s -> %s', (status, expected) => {
    expect(code(decideCancel(NOW, tx(status), [ticket(1)], 'r'))).toBe(expected);
  });
  it('cancels live tickets, expires late ones', () => {
    const e = effectsOrThrow(
      decideCancel(NOW, tx('RESERVED'), [ticket(1), ticket(2, { reservedUntil: NOW })], 'r'),
    );
    expect(e.moves.map((m) => m.to)).toEqual(['CANCELLED', 'EXPIRED']);
  });
});

describe('decideEmptied: empty transactions close', () => {
  const table: [string, TransactionFact['status'], number, string | null, boolean][] = [
    ['an empty cart', 'PENDING', 0, null, true],
    // Decided once for every store: an empty reservation closes too.
    ['an empty reservation', 'RESERVED', 0, null, true],
    ['a cart with tickets left', 'PENDING', 1, null, false],
    ['the cart being held into', 'PENDING', 0, 'tx', false],
    ['a sale', 'COMPLETED', 0, null, false],
    ['already closed', 'CANCELLED', 0, null, false],
  ];
  it.each(table)('%s', (_name, status, activeLeft, keepOpen, closes) => {
    const closing = decideEmptied([{ transactionId: 'tx', status, activeLeft }], 'EXPIRED', keepOpen);
    expect(closing.length === 1).toBe(closes);
  });
});

describe('decideExpiry', () => {
  it('takes exactly the tickets whose time has run out (the end instant included)', () => {
    const t = [
      ticket(1, { reservedUntil: NOW - 1 }),
      ticket(2, { reservedUntil: NOW }),
      ticket(3, { reservedUntil: NOW + 1 }),
    ];
    expect(decideExpiry(NOW, t).map((x) => x.ticketId)).toEqual([1, 2]);
  });
});

describe('decideReservationExtension', () => {
  const cap = settings.MAX_RESERVATION_LIFETIME_HOURS * HOUR_MS;
  it.each([
    ['ran out', tx('RESERVED', { reservedUntil: NOW }), { kind: 'expired' }],
    [
      'at the cap',
      tx('RESERVED', { reservedUntil: NOW + HOUR_MS, createdAt: NOW + HOUR_MS - cap }),
      { kind: 'at-cap' },
    ],
    [
      'extended',
      tx('RESERVED', { reservedUntil: NOW + HOUR_MS }),
      { kind: 'extended', until: NOW + 25 * HOUR_MS, capped: false },
    ],
    [
      'capped',
      tx('RESERVED', { reservedUntil: NOW + HOUR_MS, createdAt: NOW + 2 * HOUR_MS - cap }),
      { kind: 'extended', until: NOW + 2 * HOUR_MS, capped: true },
    ],
  ] as const)('%s', (_name, t, expected) => {
    expect(decideReservationExtension(NOW, settings, t, 24)).toEqual(expected);
  });
});

describe('house seats', () => {
  const seat = (seatId: number, blocked = false) => ({
    seatId,
    zoneId: 1,
    label: `C${seatId}`,
    priceCents: 100,
    blocked,
    blockedReason: blocked ? 'house' : null,
  });
  const live = {
    ticketId: 5,
    seatId: 1,
    zoneId: 1,
    label: 'C1',
    status: 'ACTIVE' as const,
    reservedUntil: NOW + 1,
    sessionId: 'o',
    transactionId: 't',
    transactionStatus: 'PENDING' as const,
    actor: 'a',
  };
  it.each([
    ['free seats', [seat(1), seat(2)], [], 'ok'],
    ['unknown seat', [seat(1)], [], 'UNKNOWN_SEAT'],
    ['a held seat', [seat(1), seat(2)], [live], 'SEAT_TAKEN'],
    ['a late hold gives way', [seat(1), seat(2)], [{ ...live, reservedUntil: NOW }], 'ok'],
  ] as const)('block %s', (_name, seats, onSeats, expected) => {
    expect(code(decideBlockSeats({ now: NOW, requested: [1, 2], seats, onSeats }))).toBe(expected);
  });
  it('blocks only seats not already blocked; unblocks only blocked ones', () => {
    const e = effectsOrThrow(
      decideBlockSeats({ now: NOW, requested: [1, 2], seats: [seat(1, true), seat(2)], onSeats: [] }),
    );
    expect(e.block.map((s) => s.seatId)).toEqual([2]);
    const u = effectsOrThrow(decideUnblockSeats([1, 2], [seat(1, true), seat(2)]));
    expect(u.unblock.map((s) => s.seatId)).toEqual([1]);
    expect(code(decideUnblockSeats([3], []))).toBe('UNKNOWN_SEAT');
  });
});
