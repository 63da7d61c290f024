import type { Clock } from '../../../shared/clock.ts';
import { type ReservationMatch, searchReservationsInput } from '../../../shared/schemas/payments.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { customerMatches, uuidPrefix } from '../../../shared/customer-keys.ts';
import { transactionNumber } from './payment-service.ts';

interface CandidateRow {
  id: string;
  event_id: number;
  event_name: string;
  status: string;
  customer_name: string | null;
  customer_id_number: string | null;
  customer_phone: string | null;
  reserved_until: number | null;
  updated_at: number;
  total_cents: number;
  paid_cents: number;
  seats: string | null;
}

export { foldName, idNumberKey, phoneKey } from '../../../shared/customer-keys.ts';

const STATUS_ORDER: Record<string, number> = {
  RESERVED: 0,
  EXPIRED: 1,
  COMPLETED: 2,
  CANCELLED: 3,
  PENDING: 4,
};

/**
 * Finds a partial-payment reservation by customer name, cédula, phone or transaction number, so
 * the customer can pay the balance at any terminal. Only transactions that carry a customer (made
 * by a deposit) or whose number is typed are looked at; there are few, so the matching that
 * ignores accents and separators is done here rather than in SQL.
 */
export class ReservationSearch {
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    const columns = `x.id, x.event_id, e.name AS event_name, x.status, x.customer_name, x.customer_id_number,
        x.customer_phone, x.reserved_until, x.updated_at,
        COALESCE((SELECT SUM(t.price_cents * t.quantity) FROM reserved_tickets t WHERE t.transaction_id = x.id
           AND t.status = CASE WHEN x.status IN ('PENDING', 'RESERVED') THEN 'ACTIVE' ELSE x.status END), 0)
          AS total_cents,
        COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0) AS paid_cents,
        (SELECT group_concat(COALESCE(s.label, z.name || ' ×' || t.quantity), ', ')
           FROM reserved_tickets t LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
           WHERE t.transaction_id = x.id
             AND t.status = CASE WHEN x.status IN ('PENDING', 'RESERVED') THEN 'ACTIVE' ELSE x.status END) AS seats`;
    this.sql = {
      withCustomer: db.prepare<[{ closed: number }], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.customer_name IS NOT NULL AND (@closed = 1 OR x.status IN ('RESERVED', 'EXPIRED'))`,
      ),
      // A ticket number as printed: the venue's (enrolled) or this terminal's own (T1-000123).
      byTicketNumber: db.prepare<[number, string], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.id IN (SELECT transaction_id FROM venue_ticket_numbers WHERE number = ?
                        UNION SELECT transaction_id FROM issued_tickets WHERE ticket_number = ?)`,
      ),
      // Ids are lower-case UUIDs: a range on the primary key finds a typed prefix without a scan.
      byIdPrefix: db.prepare<[string, string], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.id >= ? AND x.id < ? LIMIT 20`,
      ),
    };
  }

  search(raw: unknown): ReservationMatch[] {
    const input = parseInput(searchReservationsInput, raw);
    const now = this.clock.now();
    const query = input.query;
    const found = new Map<string, CandidateRow>();

    const prefix = uuidPrefix(query);
    if (prefix) for (const row of this.sql.byIdPrefix.all(prefix, `${prefix}~`)) found.set(row.id, row);

    const digits = query.replace(/\D/g, '');
    if (digits.length > 0 && digits.length <= 15) {
      for (const row of this.sql.byTicketNumber.all(Number(digits), query.trim().toUpperCase())) {
        found.set(row.id, row);
      }
    }

    for (const row of this.sql.withCustomer.all({
      closed: input.includeClosed ? 1 : 0,
    })) {
      const customer = {
        name: row.customer_name,
        idNumber: row.customer_id_number,
        phone: row.customer_phone,
      };
      if (customerMatches(query, customer)) found.set(row.id, row);
    }

    return [...found.values()]
      .sort(
        (a, b) =>
          (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
          (a.reserved_until ?? 0) - (b.reserved_until ?? 0) ||
          b.updated_at - a.updated_at,
      )
      .slice(0, input.limit ?? 20)
      .map((row) => {
        const expired =
          row.status === 'EXPIRED' ||
          (row.status === 'RESERVED' && row.reserved_until !== null && row.reserved_until <= now);
        return {
          transactionId: row.id,
          number: transactionNumber(row.id),
          eventId: row.event_id,
          eventName: row.event_name,
          status: expired ? 'EXPIRED' : row.status,
          customerName: row.customer_name,
          customerIdNumber: row.customer_id_number,
          customerPhone: row.customer_phone,
          reservedUntil: row.reserved_until,
          totalCents: row.total_cents,
          paidCents: row.paid_cents,
          balanceCents: expired || row.status === 'COMPLETED' ? 0 : row.total_cents - row.paid_cents,
          seats: row.seats ? row.seats.split(', ') : [],
          expired,
        };
      });
  }
}
