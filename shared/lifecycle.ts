import { HOUR_MS, MINUTE_MS } from './clock.ts';
import { TaquillaError } from './errors.ts';

/**
 * The hold lifecycle of the seed (SISTEMA_RESERVAS.md):
 *   select -> ticket ACTIVE in a PENDING transaction (temporary hold)
 *   PENDING -> RESERVED (partial payment) | COMPLETED (paid) | CANCELLED (deselected) | EXPIRED
 *   RESERVED -> COMPLETED | EXPIRED | CANCELLED (supervisor)
 * Every other arrow is forbidden; terminal states never change.
 */
export const TRANSACTION_STATUSES = ['PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export const TICKET_STATUSES = ['ACTIVE', 'EXPIRED', 'COMPLETED', 'CANCELLED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const TRANSACTION_ARROWS: Readonly<Record<TransactionStatus, readonly TransactionStatus[]>> = {
  PENDING: ['RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED'],
  RESERVED: ['COMPLETED', 'EXPIRED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
  EXPIRED: [],
};

const TICKET_ARROWS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  ACTIVE: ['EXPIRED', 'COMPLETED', 'CANCELLED'],
  EXPIRED: [],
  COMPLETED: [],
  CANCELLED: [],
};

export function canTransitionTransaction(from: TransactionStatus, to: TransactionStatus): boolean {
  return TRANSACTION_ARROWS[from].includes(to);
}

export function canTransitionTicket(from: TicketStatus, to: TicketStatus): boolean {
  return TICKET_ARROWS[from].includes(to);
}

export function assertTransactionTransition(
  id: string,
  from: TransactionStatus,
  to: TransactionStatus,
): void {
  if (!canTransitionTransaction(from, to)) {
    throw new TaquillaError('INVALID_TRANSITION', `Transaction ${id} cannot go from ${from} to ${to}`, {
      entity: 'transaction',
      id,
      from,
      to,
    });
  }
}

/** A hold blocks others only while its time has not run out, whether or not cleanup has run. */
export function isLive(reservedUntil: number, now: number): boolean {
  return reservedUntil > now;
}

/**
 * Where an extension may take a hold: the requested end, but never past creation + lifetime cap.
 * Returns null when the hold is already at its cap (nothing to extend).
 */
export function extendedUntil(
  createdAt: number,
  currentUntil: number,
  requestedUntil: number,
  maxLifetimeMs: number,
): number | null {
  const cap = createdAt + maxLifetimeMs;
  const next = Math.min(requestedUntil, cap);
  return next > currentUntil ? next : null;
}

/**
 * How long a RESERVED transaction keeps its seats, in ms: `minutes` (a kiosk's "Pagar en taquilla"
 * slip, issue 11) or `hours` (a deposit), else the tenant's PARTIAL_PAYMENT_HOURS. Both is a mistake.
 */
export function reservationLengthMs(
  input: { hours?: number | undefined; minutes?: number | undefined },
  partialPaymentHours: number,
): number {
  if (input.minutes !== undefined && input.hours !== undefined) {
    throw new TaquillaError('VALIDATION', 'Give hours or minutes, not both', {
      issues: [{ path: 'minutes', message: 'give hours or minutes, not both' }],
    });
  }
  if (input.minutes !== undefined) return input.minutes * MINUTE_MS;
  return (input.hours ?? partialPaymentHours) * HOUR_MS;
}

/** What a seat looks like to a screen. */
export const SEAT_STATES = ['free', 'held', 'reserved', 'sold', 'blocked'] as const;
export type SeatState = (typeof SEAT_STATES)[number];

/** One character per seat in the compact availability string. */
export const SEAT_STATE_CODES: Readonly<Record<SeatState, string>> = {
  free: '.',
  held: 'h',
  reserved: 'r',
  sold: 's',
  blocked: 'b',
};

export function seatStateFromCode(code: string): SeatState {
  for (const state of SEAT_STATES) if (SEAT_STATE_CODES[state] === code) return state;
  throw new Error(`Unknown seat state code '${code}'`);
}
