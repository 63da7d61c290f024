import { TaquillaError, type TicketView } from '../../../shared/errors.ts';
import type { TransactionStatus } from '../../../shared/lifecycle.ts';
import type { TicketRow } from './rows.ts';

export interface HeldTicket extends TicketView {
  ticketId: number;
}

export interface HoldResult {
  transactionId: string;
  tickets: HeldTicket[];
  /** Seats the session already held before this request (asking again is harmless). */
  alreadyHeld: number[];
  version: number;
}

export interface TransactionSummary {
  transactionId: string;
  status: TransactionStatus;
  reservedUntil: number | null;
  tickets: number;
  totalCents: number;
}

/** A transaction that reached COMPLETED, RESERVED or CANCELLED, as listeners see it. */
export interface SettledTransaction {
  transactionId: string;
  eventId: number;
  sessionId: string;
  status: 'COMPLETED' | 'RESERVED' | 'CANCELLED';
  from: TransactionStatus;
  actor: string;
  at: number;
  reservedUntil: number | null;
  /**
   * RESERVED only: a deposit (abono, money taken) or a kiosk's "Pagar en taquilla" reservation
   * (nothing paid yet; the kiosk prints its slip, not a deposit receipt).
   */
  reservation?: 'deposit' | 'pay-at-counter';
  tickets: HeldTicket[];
  totalCents: number;
}

/**
 * Runs inside the write transaction that settles a sale, so what it writes (print jobs, outbox
 * entries) commits or rolls back with the sale. A throw refuses the sale.
 */
export type SettledListener = (settled: SettledTransaction) => void;

export interface CleanupResult {
  expiredTickets: number;
  expiredTransactions: number;
  batches: number;
}

export function toHeld(t: TicketRow): HeldTicket {
  return {
    ticketId: t.id,
    seatId: t.seat_id,
    zoneId: t.zone_id,
    label: t.label,
    quantity: t.quantity,
    priceCents: t.price_cents,
    reservedUntil: t.reserved_until,
  };
}

export function summary(
  transactionId: string,
  status: TransactionStatus,
  reservedUntil: number | null,
  tickets: readonly TicketRow[],
): TransactionSummary {
  return {
    transactionId,
    status,
    reservedUntil,
    tickets: tickets.reduce((n, t) => n + t.quantity, 0),
    totalCents: tickets.reduce((sum, t) => sum + t.price_cents * t.quantity, 0),
  };
}

/** Maps the schema's own refusals (the backstops) to the same typed errors as the rules. */
export function translateStoreRefusal(error: unknown): unknown {
  if (error instanceof TaquillaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('reserved_tickets.seat_id')) {
    return new TaquillaError('SEAT_TAKEN', 'Seat taken by another transaction', { seats: [] });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK' && message.includes('used')) {
    return new TaquillaError('ZONE_FULL', 'Zone is full', {
      zoneId: 0,
      zoneName: '',
      requested: 0,
      available: 0,
    });
  }
  if (code === 'SQLITE_CONSTRAINT_TRIGGER' && message === 'SEAT_BLOCKED') {
    return new TaquillaError('SEAT_BLOCKED', 'Seat is not on sale', { seats: [] });
  }
  return error;
}
