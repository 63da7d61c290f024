import { HOUR_MS, MINUTE_MS } from './clock.ts';
import { reservationSettingsSchema } from './config.ts';
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
 * How long a deposit may keep its seats, in hours: the bounds of PARTIAL_PAYMENT_HOURS (24 to 72).
 * A deposit for less would release seats before the customer could come back with the rest.
 */
export const DEPOSIT_HOURS = {
  min: reservationSettingsSchema.shape.PARTIAL_PAYMENT_HOURS.minValue!,
  max: reservationSettingsSchema.shape.PARTIAL_PAYMENT_HOURS.maxValue!,
} as const;

/** Refuses (DEPOSIT_TOO_SHORT) a deposit asked to last outside DEPOSIT_HOURS. */
export function assertDepositHours(hours: number | undefined): void {
  if (hours === undefined || (hours >= DEPOSIT_HOURS.min && hours <= DEPOSIT_HOURS.max)) return;
  throw new TaquillaError(
    'DEPOSIT_TOO_SHORT',
    `A deposit keeps its seats ${DEPOSIT_HOURS.min} to ${DEPOSIT_HOURS.max} hours, not ${hours}`,
    { hours, minimumHours: DEPOSIT_HOURS.min, maximumHours: DEPOSIT_HOURS.max },
  );
}

/**
 * How long a RESERVED transaction keeps its seats, in ms: `minutes` (a kiosk's "Pagar en taquilla"
 * slip, issue 11, short by design) or `hours` (a deposit, within DEPOSIT_HOURS), else the tenant's
 * PARTIAL_PAYMENT_HOURS. Both is a mistake. Every engine (terminal, central server) asks here.
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
  assertDepositHours(input.hours);
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
