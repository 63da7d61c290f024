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
  UNKNOWN_LEASE: { leaseId: string };
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
  NOT_LEASED: { seatIds: number[]; zoneId?: number; available?: number };
  /** Only a refused offline sale can be moved to other seats; other conflicts are refunded or accepted. */
  /** The transaction holds other tickets than the cashier charged for; `items`: what it holds now. */
  CART_CHANGED: {
    transactionId: string;
    expected: { totalCents: number; seatIds: number[]; places: number };
    actual: { totalCents: number; seatIds: number[]; places: number };
    items: TicketView[];
  };
  CONFLICT_NOT_MOVABLE: { conflictId: number; op: string; errorCode: string };
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
  DUPLICATE_REFERENCE: { method: string; reference: string; paymentId: string };
  RESERVATION_EXPIRED: { transactionId: string; expiredAt: number | null; customerName: string | null };
  NOT_PAYABLE: { transactionId: string; status: string };
  DAY_ALREADY_CLOSED: { cashier: string; businessDay: string; closingNumber: number };
  /** Counter app (issue 3): sign-in and the API's doors. */
  NOT_SIGNED_IN: Record<string, never>;
  ROLE_NOT_ALLOWED: { method: string; role: string; allowed: string[] };
  BAD_PIN: { attemptsLeft: number };
  LOCKED_OUT: { until: number };
  UNKNOWN_METHOD: { method: string };
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
