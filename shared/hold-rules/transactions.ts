import { assertCartAsExpected } from '../cart-expectation.ts';
import { HOUR_MS } from '../clock.ts';
import { TaquillaError, type TicketView } from '../errors.ts';
import { assertTransactionTransition, extendedUntil, isLive, reservationLengthMs } from '../lifecycle.ts';
import type { CartExpectation } from '../schemas/reservations.ts';
import { allow, type Decision, refuse } from './decision.ts';
import type { HeldTicketFact, HoldSettings, TouchedTransactionFact, TransactionFact } from './facts.ts';
import { decideRelease, type TicketMove } from './holds.ts';

/** A ticket as screens and the cart check describe it. */
export function ticketView(t: HeldTicketFact): TicketView {
  return {
    seatId: t.seatId,
    zoneId: t.zoneId,
    label: t.label,
    quantity: t.quantity,
    priceCents: t.priceCents,
    reservedUntil: t.reservedUntil,
  };
}

export interface CheckoutFacts {
  now: number;
  transaction: TransactionFact;
  /** The transaction's ACTIVE tickets. */
  tickets: readonly HeldTicketFact[];
  /** What the cashier charged for; absent: no check. */
  expect?: CartExpectation | undefined;
}

/**
 * What a sale or a reservation may take: every ACTIVE ticket, each still in time. Order:
 * INVALID_TRANSITION, NOTHING_HELD, HOLD_EXPIRED, CART_CHANGED.
 */
function checkout(f: CheckoutFacts, to: 'RESERVED' | 'COMPLETED'): TaquillaError | null {
  const tx = f.transaction;
  try {
    assertTransactionTransition(tx.transactionId, tx.status, to);
  } catch (error) {
    return error as TaquillaError;
  }
  if (f.tickets.length === 0) {
    return new TaquillaError('NOTHING_HELD', 'This transaction holds nothing', {
      transactionId: tx.transactionId,
    });
  }
  // A sale never includes a seat whose hold ran out.
  const late = f.tickets.filter((t) => !isLive(t.reservedUntil, f.now));
  if (late.length > 0) {
    return new TaquillaError('HOLD_EXPIRED', `Time ran out for: ${late.map((t) => t.label).join(', ')}`, {
      seats: late.map((t) => ({ seatId: t.seatId, label: t.label, expiredAt: t.reservedUntil })),
    });
  }
  try {
    assertCartAsExpected(tx.transactionId, f.expect, f.tickets.map(ticketView));
  } catch (error) {
    return error as TaquillaError;
  }
  return null;
}

export interface ConvertFacts extends CheckoutFacts {
  settings: HoldSettings;
  /** A deposit's hours or a pay-at-counter slip's minutes (shared/lifecycle.ts reservationLengthMs). */
  length: { hours?: number | undefined; minutes?: number | undefined };
}

export interface ConvertEffects {
  /** The transaction becomes RESERVED until then; every ticket's hold ends then too. */
  until: number;
  tickets: HeldTicketFact[];
}

/** Checkout with a deposit (or a kiosk's pay-at-counter slip): the cart becomes RESERVED. */
export function decideConvert(f: ConvertFacts): Decision<ConvertEffects> {
  const refusal = checkout(f, 'RESERVED');
  if (refusal) return refuse(refusal);
  let length: number;
  try {
    length = reservationLengthMs(f.length, f.settings.PARTIAL_PAYMENT_HOURS);
  } catch (error) {
    return refuse(error as TaquillaError);
  }
  return allow({ until: f.now + length, tickets: [...f.tickets] });
}

export interface CompleteEffects {
  /** Every ticket becomes COMPLETED; the transaction COMPLETED. */
  tickets: HeldTicketFact[];
}

/** Full payment: every live ticket of the transaction is sold. */
export function decideComplete(f: CheckoutFacts): Decision<CompleteEffects> {
  const refusal = checkout(f, 'COMPLETED');
  if (refusal) return refuse(refusal);
  return allow({ tickets: [...f.tickets] });
}

export interface CancelEffects {
  moves: TicketMove[];
}

/** A cart abandoned or a reservation cancelled: its tickets go back on sale, the transaction CANCELLED. */
export function decideCancel(
  now: number,
  transaction: TransactionFact,
  tickets: readonly HeldTicketFact[],
  reason: string,
): Decision<CancelEffects> {
  try {
    assertTransactionTransition(transaction.transactionId, transaction.status, 'CANCELLED');
  } catch (error) {
    return refuse(error as TaquillaError);
  }
  return allow({ moves: decideRelease(now, tickets, reason) });
}

export type ReservationExtension =
  { kind: 'expired' } | { kind: 'at-cap' } | { kind: 'extended'; until: number; capped: boolean };

/**
 * A supervisor's mass extension of one reservation by `hours`, never past creation +
 * MAX_RESERVATION_LIFETIME_HOURS. A reservation whose time has run out is expired, not revived.
 */
export function decideReservationExtension(
  now: number,
  settings: HoldSettings,
  transaction: TransactionFact,
  hours: number,
): ReservationExtension {
  if (transaction.reservedUntil !== null && !isLive(transaction.reservedUntil, now)) {
    return { kind: 'expired' };
  }
  const current = transaction.reservedUntil ?? now;
  const wanted = current + hours * HOUR_MS;
  const until = extendedUntil(
    transaction.createdAt,
    current,
    wanted,
    settings.MAX_RESERVATION_LIFETIME_HOURS * HOUR_MS,
  );
  if (until === null) return { kind: 'at-cap' };
  return { kind: 'extended', until, capped: until < wanted };
}

/**
 * Which touched transactions close because nothing in them is ACTIVE any more, and to what.
 * PENDING carts and RESERVED reservations alike: an empty reservation holds nothing, and leaving it
 * RESERVED would let a later payment "sell" no seats (the terminal did this already; now both sides).
 * `keepOpen`: the cart the current hold adds to stays open even if expiry just emptied it.
 */
export function decideEmptied(
  touched: readonly TouchedTransactionFact[],
  to: 'EXPIRED' | 'CANCELLED',
  keepOpen?: string | null,
): { transactionId: string; from: 'PENDING' | 'RESERVED'; to: 'EXPIRED' | 'CANCELLED' }[] {
  const closing: ReturnType<typeof decideEmptied> = [];
  for (const t of touched) {
    if (t.transactionId === keepOpen || t.activeLeft > 0) continue;
    if (t.status !== 'PENDING' && t.status !== 'RESERVED') continue;
    closing.push({ transactionId: t.transactionId, from: t.status, to });
  }
  return closing;
}

/** The tickets among these whose hold time has run out (cleanup; correctness never waits for it). */
export function decideExpiry<T extends Pick<HeldTicketFact, 'reservedUntil'>>(
  now: number,
  tickets: readonly T[],
): T[] {
  return tickets.filter((t) => !isLive(t.reservedUntil, now));
}
