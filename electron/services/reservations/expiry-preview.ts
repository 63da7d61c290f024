import type { Clock } from '../../../shared/clock.ts';
import type { Db } from '../../store/database.ts';

/** One ticket whose time ran out: what `cleanup-expired` would mark EXPIRED. */
export interface ExpiredTicketPreview {
  ticketId: number;
  transactionId: string;
  /** PENDING: a temporary hold (a cart); RESERVED: a partial-payment reservation (abono). */
  kind: 'hold' | 'deposit';
  eventId: number;
  event: string;
  /** The seat's label, or the general-admission zone's name. */
  place: string;
  quantity: number;
  reservedUntil: number;
  customerName: string | null;
}

export interface ExpiryPreview {
  at: number;
  tickets: ExpiredTicketPreview[];
  /** Transactions that would close as EXPIRED (none of their tickets would still be live). */
  transactions: number;
}

/**
 * What `ReservationService.cleanupExpired` would do now, read without writing anything
 * (`taquilla cleanup-expired --dry-run`): the same condition (ACTIVE, `reserved_until` passed), the
 * same rule for closing a transaction (no ticket of it still live).
 */
export class ExpiryPreviewService {
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      tickets: db.prepare<
        [{ now: number }],
        {
          id: number;
          transaction_id: string;
          tx_status: string;
          event_id: number;
          event: string;
          place: string;
          quantity: number;
          reserved_until: number;
          customer_name: string | null;
        }
      >(
        `SELECT t.id, t.transaction_id, x.status AS tx_status, t.event_id, e.name AS event,
           COALESCE(s.label, z.name) AS place, t.quantity, t.reserved_until, x.customer_name
         FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
           JOIN events e ON e.id = t.event_id JOIN zones z ON z.id = t.zone_id
           LEFT JOIN seats s ON s.id = t.seat_id
         WHERE t.status = 'ACTIVE' AND t.reserved_until <= @now
         ORDER BY t.reserved_until, t.id`,
      ),
      stillLive: db.prepare<[{ now: number; ids: string }], { n: number }>(
        `SELECT COUNT(*) AS n FROM transactions x
         WHERE x.id IN (SELECT value FROM json_each(@ids)) AND x.status IN ('PENDING', 'RESERVED')
           AND NOT EXISTS (SELECT 1 FROM reserved_tickets t
                           WHERE t.transaction_id = x.id AND t.status = 'ACTIVE' AND t.reserved_until > @now)`,
      ),
    };
  }

  preview(): ExpiryPreview {
    const now = this.clock.now();
    const tickets = this.sql.tickets.all({ now }).map((r) => ({
      ticketId: r.id,
      transactionId: r.transaction_id,
      kind: r.tx_status === 'RESERVED' ? ('deposit' as const) : ('hold' as const),
      eventId: r.event_id,
      event: r.event,
      place: r.place,
      quantity: r.quantity,
      reservedUntil: r.reserved_until,
      customerName: r.customer_name,
    }));
    const ids = JSON.stringify([...new Set(tickets.map((t) => t.transactionId))]);
    const transactions = tickets.length === 0 ? 0 : (this.sql.stillLive.get({ now, ids })?.n ?? 0);
    return { at: now, tickets, transactions };
  }
}
