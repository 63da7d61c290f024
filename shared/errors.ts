import type { PrinterTargetProblem } from './schemas/printing.ts';

/**
 * Errors are values with codes. Services throw TaquillaError; transports map the code to a status,
 * the renderer maps it to a sentence. `details` carries the facts a cashier needs.
 */
export interface SeatConflict {
  seatId: number;
  label: string;
  state: 'held' | 'reserved' | 'sold';
  /** Epoch ms the competing hold ends; absent for sold seats. */
  heldUntil?: number;
  heldBySession: string;
  heldByActor: string;
}

/** One ticket of a transaction as screens, the server and error details describe it. */
export interface TicketView {
  /** Null for general admission (a quantity of standing places). */
  seatId: number | null;
  zoneId: number;
  label: string;
  quantity: number;
  priceCents: number;
  reservedUntil: number;
}

export interface ErrorDetails {
  VALIDATION: { issues: { path: string; message: string }[] };
  UNKNOWN_EVENT: { eventId: number };
  /** Server administration: the tenant named by a command or credential does not exist. */
  UNKNOWN_TENANT: { tenantId: number };
  UNKNOWN_ZONE: { zoneId: number };
  UNKNOWN_SEAT: { seatIds: number[]; labels?: string[] };
  UNKNOWN_TRANSACTION: { transactionId: string };
  SEAT_TAKEN: { seats: SeatConflict[] };
  SEAT_BLOCKED: { seats: { seatId: number; label: string; reason: string | null }[] };
  ZONE_FULL: { zoneId: number; zoneName: string; requested: number; available: number };
  WRONG_ZONE_KIND: { zoneId: number; kind: 'numbered' | 'general' };
  LIMIT_REACHED: { limit: number; held: number; requested: number };
  HOLD_EXPIRED: { seats: { seatId: number | null; label: string; expiredAt: number }[] };
  NOTHING_HELD: { sessionId?: string; transactionId?: string };
  EXTENSION_LIMIT: { maxUntil: number };
  INVALID_TRANSITION: { entity: 'transaction' | 'ticket'; id: string; from: string; to: string };
  UNAUTHORIZED: Record<string, never>;
  FORBIDDEN: { role: string };
  IDEMPOTENCY_MISMATCH: { key: string };
  /**
   * `generation`: the server's generation, named where the server has no such lease at all (a
   * counter whose lease was granted under another generation re-sends its sales as recovered).
   */
  UNKNOWN_LEASE: { leaseId: string; generation?: string };
  OFFLINE: { outbox: number };
  /**
   * The server was asked but its answer was lost, and it could not be asked again in time: the sale
   * may or may not have gone through. The terminal finds out by the request's idempotency key as soon
   * as the server answers, and tells the cashier then; nothing is final until it does.
   */
  OUTCOME_UNKNOWN: { transactionId: string | null; outbox: number };
  /** A sale or deposit reached the server without the money that pays it. */
  PAYMENT_REQUIRED: { transactionId: string; totalCents: number; paidCents: number };
  /** What was paid on the transaction changed (another counter took a payment): quote again. */
  BALANCE_CHANGED: { transactionId: string; totalCents: number; paidCents: number };
  /** A request given up for lost was settled at the server as never to be applied. */
  ABANDONED: { key: string };
  /** `endedAt`: the lease ran out (server time, as this counter measures it) — sell online again. */
  NOT_LEASED: { seatIds: number[]; zoneId?: number; available?: number; endedAt?: number };
  /**
   * A reported offline sale that its lease does not cover: seats or places never leased (or already
   * reported), ticket numbers outside the lease's block or used before, or a sale time outside the lease.
   */
  OUTSIDE_LEASE: {
    leaseId: string;
    reason: 'not-leased' | 'ticket-numbers' | 'sold-at';
    seatIds?: number[];
    zoneId?: number;
    ticketNumbers?: number[];
    soldAt?: number;
    from?: number;
    until?: number;
  };
  /** A lease renewal longer than the event's lease policy (minutes). */
  LEASE_RENEWAL_TOO_LONG: { leaseId: string; renewMinutes: number; maxMinutes: number };
  /** Only a refused offline sale can be moved to other seats; other conflicts are refunded or accepted. */
  /** The transaction holds other tickets than the cashier charged for; `items`: what it holds now. */
  CART_CHANGED: {
    transactionId: string;
    expected: { totalCents: number; seatIds: number[]; places: number };
    actual: { totalCents: number; seatIds: number[]; places: number };
    items: TicketView[];
  };
  CONFLICT_NOT_MOVABLE: { conflictId: number; op: string; errorCode: string };
  /** A refused offline sale already settled at the server (by another resolution or terminal). */
  CONFLICT_RESOLVED: { saleId: string; resolution: string };
  /** Payments (issue 6). Amounts in USD cents unless a field says VES. */
  UNDERPAID: { dueCents: number; paidCents: number; shortCents: number; shortVesCents: number };
  OVERPAID: {
    dueCents: number;
    paidCents: number;
    excessCents: number;
    cashCents: number;
    reason: 'no-cash' | 'change-exceeds-cash' | 'deposit-covers-total';
  };
  DEPOSIT_TOO_SMALL: {
    totalCents: number;
    minimumCents: number;
    paidCents: number;
    minimumBasisPoints: number;
  };
  /**
   * The reference (normalised: bank, digits without separators or leading zeros) paid sale
   * `transactionNumber`; null there when two tenders of this very payment carry it.
   */
  DUPLICATE_REFERENCE: {
    method: string;
    reference: string;
    paymentId: string | null;
    transactionId: string | null;
    transactionNumber: string | null;
  };
  /** Beyond what one tender or one payment may be (shared/money.ts); amounts in `currency` cents. */
  AMOUNT_TOO_LARGE: {
    scope: 'tender' | 'payment';
    currency: 'USD' | 'VES';
    amountCents: number;
    maxCents: number;
  };
  /** An event's exchange rate outside what a box office can mean (Bs. per USD, 4 decimals). */
  RATE_OUT_OF_RANGE: { vesPerUsd: string; minimum: string; maximum: string };
  /** A rate change far from the current rate waits for the supervisor's confirmation. */
  RATE_CHANGE_UNCONFIRMED: {
    eventId: number;
    current: string;
    proposed: string;
    changePercent: number;
    confirmAbovePercent: number;
  };
  RESERVATION_EXPIRED: { transactionId: string; expiredAt: number | null; customerName: string | null };
  NOT_PAYABLE: { transactionId: string; status: string };
  DAY_ALREADY_CLOSED: { cashier: string; businessDay: string; closingNumber: number };
  /** A deposit asked to keep its seats outside PARTIAL_PAYMENT_HOURS' bounds (shared/lifecycle.ts). */
  DEPOSIT_TOO_SHORT: { hours: number; minimumHours: number; maximumHours: number };
  /**
   * Cash drawer and day closing (issue 16). `reference`: what was asked for (an id or a name);
   * `reason`: no such staff member, or a name several match; `known`: who could be meant.
   */
  UNKNOWN_STAFF: {
    reference: string;
    reason: 'unknown' | 'ambiguous';
    known: { staffId: number | null; name: string }[];
  };
  /** The staff member's drawer is open (Z before closing it, or a second open). */
  SHIFT_OPEN: { staffId: number; shiftId: number; openedAt: number; businessDay: string };
  /** Cash in or out, or a count, with no drawer open. */
  NO_OPEN_SHIFT: { staffId: number };
  /** A paid-out by a cashier needs a supervisor's approval (their PIN). */
  APPROVAL_REQUIRED: { kind: 'PAID_OUT' | 'VOID' | 'CONFLICT' };
  /** A paid-out larger than the cash the drawer should hold in that currency. */
  INSUFFICIENT_CASH: { currency: 'USD' | 'VES'; requestedCents: number; availableCents: number };
  /**
   * Voids and refunds (issue 16). A sale is voided only before its event starts; only a sale
   * (COMPLETED) or a deposit (RESERVED) can be; a ticket once; and on a counter enrolled with the
   * central server not here alone (the seat must free at the server, venue-wide).
   */
  EVENT_STARTED: { transactionId: string; eventId: number; startsAt: number };
  NOT_VOIDABLE: { transactionId: string; status: string };
  ALREADY_VOIDED: { transactionId: string; ticketNumbers: string[] };
  VOID_NEEDS_SERVER: { transactionId: string };
  /** A voided ticket is never printed again (reprint) nor let in (verify-ticket). */
  TICKET_VOIDED: { ticketNumbers: string[] };
  /** Counter app (issue 3): sign-in and the API's doors. */
  NOT_SIGNED_IN: Record<string, never>;
  ROLE_NOT_ALLOWED: { method: string; role: string; allowed: string[] };
  /** The fewest tries left: the user's (or the override's) and the terminal's. */
  BAD_PIN: { attemptsLeft: number };
  /** What is locked until when: one user, the supervisor override, or every PIN at the terminal. */
  LOCKED_OUT: { until: number; scope: 'user' | 'supervisor-override' | 'terminal' };
  UNKNOWN_METHOD: { method: string };
  /** Printing (issue 15): a copy of a ticket or receipt needs a supervisor's PIN. */
  SUPERVISOR_APPROVAL: { action: 'reprint' };
  /** The terminal's own store failed (issue 18): nothing was written; the words say what to do. */
  STORE_FULL: Record<string, never>;
  STORE_READ_ONLY: Record<string, never>;
  STORE_UNAVAILABLE: { sqliteCode: string };
  /** A printer device path or capture file the terminal will not write to (shared/schemas/printing.ts). */
  PRINTER_TARGET: {
    path: string;
    problem: PrinterTargetProblem;
  };
  /** Training mode (issue 11): what keeps a store from becoming, or acting as, a training store. */
  TRAINING_MODE: { reason: 'enrolled' | 'has-sales' | 'training-store' | 'live-store' };
  /** Issue 11: a kiosk records only money a payment provider confirmed. */
  PAYMENT_UNCONFIRMED: {
    method: string;
    reason:
      | 'kiosk-cash'
      | 'no-confirmation'
      | 'no-provider'
      | 'method-not-offered'
      | 'provider-mismatch'
      | 'reversed';
  };
  /**
   * "Pagar en taquilla" refused: this kiosk has `open` unpaid slips (its limit), or this customer
   * session already made its slips.
   */
  PAY_AT_COUNTER_LIMIT: { scope: 'kiosk' | 'session'; limit: number; open: number };
  /** The provider refused to take the money (card declined, Pago Móvil not found at the bank). */
  PAYMENT_DECLINED: { provider: string; method: string; reason: string };
  /** The provider took the money, the sale was then refused, and giving it back failed: see the counter. */
  PAYMENT_NOT_REVERSED: {
    provider: string;
    method: string;
    reference: string;
    amountCents: number;
    currency: 'USD' | 'VES';
  };
  UNKNOWN_PAYMENT_PROVIDER: { provider: string; available: string[] };
}

export type ErrorCode = keyof ErrorDetails;

export class TaquillaError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'TaquillaError';

  constructor(
    readonly code: C,
    message: string,
    readonly details: ErrorDetails[C],
  ) {
    super(message);
  }

  toJSON(): { code: C; message: string; details: ErrorDetails[C] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isTaquillaError(value: unknown): value is TaquillaError {
  return value instanceof TaquillaError;
}
