import { TaquillaError } from '../../../shared/errors.ts';
import type { CartExpectation } from '../../../shared/schemas/reservations.ts';
import type { Db } from '../../store/database.ts';
import type { Catalog } from '../reservations/catalog.ts';
import { transactionNumber } from './payment-references.ts';

/** A transaction as a payment sees it: what it costs and what has been paid on it. */
export interface PayableRow {
  id: string;
  event_id: number;
  status: string;
  reserved_until: number | null;
  customer_name: string | null;
  total_cents: number;
  paid_cents: number;
  tickets: number;
}

/**
 * The transactions money is taken for: a session's open cart or a reservation still in time, with
 * their total and what was paid, and what the cashier was charged for (the sale is refused as
 * CART_CHANGED if the transaction holds anything else when it settles). Reads only.
 */
export class Payables {
  private readonly sql;

  constructor(
    db: Db,
    private readonly catalog: Catalog,
  ) {
    // What a transaction costs and what has been paid on it. Payable transactions (PENDING,
    // RESERVED) count their ACTIVE tickets: those are what complete() will sell.
    const payable = `SELECT x.id, x.event_id, x.status, x.reserved_until, x.customer_name,
        COALESCE((SELECT SUM(t.price_cents * t.quantity) FROM reserved_tickets t
                  WHERE t.transaction_id = x.id AND t.status = 'ACTIVE'), 0) AS total_cents,
        COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0) AS paid_cents,
        (SELECT COUNT(*) FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.status = 'ACTIVE') AS tickets
      FROM transactions x`;
    this.sql = {
      cart: db.prepare<[number, string], PayableRow>(
        `${payable} WHERE x.event_id = ? AND x.session_id = ? AND x.status = 'PENDING'`,
      ),
      byId: db.prepare<[string], PayableRow>(`${payable} WHERE x.id = ?`),
      liveTickets: db.prepare<[string], { seat_id: number | null; quantity: number }>(
        "SELECT seat_id, quantity FROM reserved_tickets WHERE transaction_id = ? AND status = 'ACTIVE'",
      ),
    };
  }

  /** The transaction `transactionId` as a payment sees it (undefined when there is none). */
  byId(transactionId: string): PayableRow | undefined {
    return this.sql.byId.get(transactionId);
  }

  /** The session's open cart (undefined when it holds nothing). */
  cart(eventId: number, sessionId: string): PayableRow | undefined {
    return this.sql.cart.get(eventId, sessionId);
  }

  cartOrThrow(eventId: number, sessionId: string): PayableRow {
    this.catalog.event(eventId);
    const tx = this.sql.cart.get(eventId, sessionId);
    if (!tx || tx.tickets === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to pay for', { sessionId });
    }
    return tx;
  }

  reservationOrThrow(transactionId: string, now: number): PayableRow {
    const tx = this.sql.byId.get(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    // A reservation whose time ran out is expired whether or not cleanup has marked it yet.
    const expired =
      tx.status === 'EXPIRED' ||
      (tx.status === 'RESERVED' && tx.reserved_until !== null && tx.reserved_until <= now);
    if (expired) {
      const who = tx.customer_name ? ` for ${tx.customer_name}` : '';
      throw new TaquillaError(
        'RESERVATION_EXPIRED',
        `Reservation ${transactionNumber(tx.id)}${who} has expired; its seats were released`,
        {
          transactionId: tx.id,
          expiredAt: tx.reserved_until,
          customerName: tx.customer_name,
        },
      );
    }
    if (tx.status !== 'RESERVED') {
      throw new TaquillaError('NOT_PAYABLE', `Transaction ${transactionNumber(tx.id)} is ${tx.status}`, {
        transactionId: tx.id,
        status: tx.status,
      });
    }
    return tx;
  }

  /**
   * What this payment is for, as the cashier's screen shows it: the sale is refused (CART_CHANGED)
   * if the transaction holds anything else when it settles, here or at the central server.
   */
  chargedFor(tx: PayableRow): CartExpectation {
    const tickets = this.sql.liveTickets.all(tx.id);
    return {
      totalCents: tx.total_cents,
      seatIds: tickets.filter((t) => t.seat_id !== null).map((t) => t.seat_id!),
      places: tickets.filter((t) => t.seat_id === null).reduce((n, t) => n + t.quantity, 0),
    };
  }
}
