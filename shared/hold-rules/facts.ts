import type { ReservationSettings } from '../config.ts';
import type { TicketStatus, TransactionStatus } from '../lifecycle.ts';

/**
 * The facts a store loads before asking the hold rules. Plain numbers and strings, read inside the
 * store's own write transaction; the rules never read anything else (no clock, no I/O).
 * Times are epoch ms; money is integer cents.
 */

/** The settings the hold rules read (a tenant's resolved ReservationSettings satisfy it). */
export type HoldSettings = Pick<
  ReservationSettings,
  | 'TEMPORARY_HOLD_MINUTES'
  | 'MAX_HOLD_LIFETIME_MINUTES'
  | 'MAX_RESERVATIONS_PER_USER'
  | 'PARTIAL_PAYMENT_HOURS'
  | 'MAX_RESERVATION_LIFETIME_HOURS'
>;

/** A numbered seat of the event, as the catalogue has it. */
export interface SeatFact {
  seatId: number;
  zoneId: number;
  label: string;
  priceCents: number;
  /** A house seat (block-seats): not on sale until unblocked. */
  blocked: boolean;
  blockedReason: string | null;
}

/**
 * A ticket that occupies one of the requested seats: every ACTIVE or COMPLETED ticket on it (the
 * store's one-live-ticket-per-seat index), including ACTIVE ones whose time has already run out.
 */
export interface SeatTicketFact {
  ticketId: number;
  seatId: number;
  zoneId: number;
  label: string;
  status: Extract<TicketStatus, 'ACTIVE' | 'COMPLETED'>;
  reservedUntil: number;
  sessionId: string;
  transactionId: string;
  transactionStatus: TransactionStatus;
  actor: string;
}

/** A general-admission (or numbered, for the kind check) zone. */
export interface ZoneFact {
  zoneId: number;
  name: string;
  kind: 'numbered' | 'general';
  capacity: number;
  /** Places counted against capacity (ACTIVE and COMPLETED tickets), late holds included. */
  used: number;
  priceCents: number;
}

/** A standing-places hold in a zone whose time ran out but that still counts in `used`. */
export interface LateZoneHold {
  ticketId: number;
  transactionId: string;
  quantity: number;
}

/** What a hold needs to know about the session asking. */
export interface SessionFact {
  sessionId: string;
  /** The session's open (PENDING) cart in this event, if any. */
  cartId: string | null;
  /**
   * Places the session holds right now: quantities of its ACTIVE tickets in PENDING carts, in every
   * event, whose time has not run out.
   */
  held: number;
}

/** An ACTIVE ticket of a transaction (a cart or a reservation). */
export interface HeldTicketFact {
  ticketId: number;
  transactionId: string;
  /** Null for general admission. */
  seatId: number | null;
  zoneId: number;
  label: string;
  quantity: number;
  priceCents: number;
  reservedUntil: number;
  createdAt: number;
}

/** A transaction (cart, reservation, sale) as the rules see it. */
export interface TransactionFact {
  transactionId: string;
  status: TransactionStatus;
  reservedUntil: number | null;
  createdAt: number;
}

/** A transaction some tickets of which just moved out of ACTIVE, and how many ACTIVE it has left. */
export interface TouchedTransactionFact {
  transactionId: string;
  status: TransactionStatus;
  activeLeft: number;
}
