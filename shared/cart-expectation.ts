import { type ErrorDetails, TaquillaError, type TicketView } from './errors.ts';
import type { CartExpectation } from './schemas/reservations.ts';

/** What a transaction holds, in the terms a cashier charges for: total, seats, standing places. */
export function describeCart(items: readonly TicketView[]): CartExpectation {
  return {
    totalCents: items.reduce((sum, t) => sum + t.priceCents * t.quantity, 0),
    seatIds: items
      .filter((t) => t.seatId !== null)
      .map((t) => t.seatId!)
      .sort((a, b) => a - b),
    places: items.filter((t) => t.seatId === null).reduce((n, t) => n + t.quantity, 0),
  };
}

/**
 * Refuses a sale or reservation of anything but what the cashier charged for. The same rule runs in
 * the terminal's engine and at the central server, whose copy of a cart can differ from the screen's.
 */
export function assertCartAsExpected(
  transactionId: string,
  expected: CartExpectation | undefined,
  items: readonly TicketView[],
): void {
  if (!expected) return;
  const actual = describeCart(items);
  const seats = [...expected.seatIds].sort((a, b) => a - b);
  const same =
    actual.totalCents === expected.totalCents &&
    actual.places === expected.places &&
    actual.seatIds.length === seats.length &&
    actual.seatIds.every((id, i) => id === seats[i]);
  if (same) return;
  throw new TaquillaError(
    'CART_CHANGED',
    'The cart changed since it was charged: check it and charge again',
    {
      transactionId,
      expected: { ...expected, seatIds: seats },
      actual,
      items: [...items],
    },
  );
}

/**
 * Whether a refused sale or reservation means the cart on screen is no longer the one that exists,
 * so the screen must read it again: its holds ran out (HOLD_EXPIRED), it holds nothing (NOTHING_HELD),
 * or it is already closed — the server's sweep closes an expired cart EXPIRED, and completing it is
 * then refused INVALID_TRANSITION out of that state. Decided by the refusal's code and facts.
 */
export function cartIsGone(code: string, details: unknown): boolean {
  if (code === 'HOLD_EXPIRED' || code === 'NOTHING_HELD') return true;
  if (code !== 'INVALID_TRANSITION') return false;
  const d = details as Partial<ErrorDetails['INVALID_TRANSITION']> | null | undefined;
  return d?.entity === 'transaction' && (d.from === 'EXPIRED' || d.from === 'CANCELLED');
}
