import { describe, expect, it } from 'vitest';
import { assertCartAsExpected, cartIsGone, describeCart } from '../../../shared/cart-expectation.ts';

const seat = (seatId: number, priceCents = 2500) => ({
  seatId,
  zoneId: 1,
  label: `A-${seatId}`,
  quantity: 1,
  priceCents,
  reservedUntil: 0,
});
const places = (quantity: number) => ({
  seatId: null,
  zoneId: 2,
  label: 'General',
  quantity,
  priceCents: 1000,
  reservedUntil: 0,
});

describe('what the cashier charged for', () => {
  it('describes a cart by total, seats (sorted) and standing places', () => {
    expect(describeCart([seat(9), places(3), seat(4)])).toEqual({
      totalCents: 8000,
      seatIds: [4, 9],
      places: 3,
    });
  });

  it('accepts the same cart whatever the order of its seats, and no expectation at all', () => {
    const items = [seat(9), seat(4), places(2)];
    expect(() =>
      assertCartAsExpected('t', { totalCents: 7000, seatIds: [9, 4], places: 2 }, items),
    ).not.toThrow();
    expect(() => assertCartAsExpected('t', undefined, items)).not.toThrow();
  });

  it.each([
    ['a seat more', [seat(4), seat(5)]],
    ['another seat at the same price', [seat(6)]],
    ['a different price', [seat(4, 3000)]],
    ['a standing place more', [seat(4), places(1)]],
  ])('refuses %s with CART_CHANGED and what the cart holds now', (_, items) => {
    let thrown: unknown;
    try {
      assertCartAsExpected('tx-1', { totalCents: 2500, seatIds: [4], places: 0 }, items);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'CART_CHANGED',
      details: { transactionId: 'tx-1', actual: describeCart(items), items },
    });
  });
});

describe('cartIsGone', () => {
  const transition = (from: string, entity = 'transaction') => ({ entity, id: 't1', from, to: 'COMPLETED' });

  it('a cart whose holds ran out, that holds nothing, or that the server’s sweep closed is gone', () => {
    expect(cartIsGone('HOLD_EXPIRED', { seats: [] })).toBe(true);
    expect(cartIsGone('NOTHING_HELD', { transactionId: 't1' })).toBe(true);
    expect(cartIsGone('INVALID_TRANSITION', transition('EXPIRED'))).toBe(true);
    expect(cartIsGone('INVALID_TRANSITION', transition('CANCELLED'))).toBe(true);
  });

  it('any other refusal leaves the cart as the screen has it', () => {
    expect(cartIsGone('INVALID_TRANSITION', transition('EXPIRED', 'ticket'))).toBe(false);
    expect(cartIsGone('INVALID_TRANSITION', transition('COMPLETED'))).toBe(false);
    expect(cartIsGone('INVALID_TRANSITION', undefined)).toBe(false);
    expect(cartIsGone('CART_CHANGED', { items: [] })).toBe(false);
    expect(cartIsGone('OFFLINE', { outbox: 0 })).toBe(false);
  });
});
