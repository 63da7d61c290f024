import type { Cart } from '../../../shared/api/counter.ts';
import type { Clock } from '../../../shared/clock.ts';
import type { TicketView } from '../../../shared/errors.ts';
import type { Db } from '../../store/database.ts';
import { Catalog } from '../reservations/catalog.ts';

interface CartRow extends TicketView {
  transactionId: string;
  ticketId: number;
}

/** Reads a session's open cart for an event: its live tickets, by server time. */
export class CartReader {
  private readonly catalog: Catalog;
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.catalog = new Catalog(db);
    this.sql = {
      cart: db.prepare<[{ event: number; session: string }], { id: string }>(
        `SELECT id FROM transactions WHERE event_id = @event AND session_id = @session AND status = 'PENDING'`,
      ),
      tickets: db.prepare<[{ tx: string; now: number }], CartRow>(
        `SELECT t.transaction_id AS transactionId, t.id AS ticketId, t.seat_id AS seatId, t.zone_id AS zoneId,
                COALESCE(s.label, z.name) AS label, t.quantity, t.price_cents AS priceCents,
                t.reserved_until AS reservedUntil
         FROM reserved_tickets t JOIN zones z ON z.id = t.zone_id LEFT JOIN seats s ON s.id = t.seat_id
         WHERE t.transaction_id = @tx AND t.status = 'ACTIVE' AND t.reserved_until > @now
         ORDER BY t.id`,
      ),
    };
  }

  /** The PENDING transaction of the session for the event, if any (whatever its tickets' times). */
  transactionId(eventId: number, sessionId: string): string | null {
    return this.sql.cart.get({ event: eventId, session: sessionId })?.id ?? null;
  }

  cart(eventId: number, sessionId: string): Cart {
    const event = this.catalog.event(eventId);
    const now = this.clock.now();
    const transactionId = this.transactionId(eventId, sessionId);
    const rows = transactionId ? this.sql.tickets.all({ tx: transactionId, now }) : [];
    return {
      eventId,
      transactionId,
      tickets: rows.map(({ transactionId: _tx, ...ticket }) => ticket),
      vesPerUsd: event.ves_per_usd,
      serverTime: now,
    };
  }
}
