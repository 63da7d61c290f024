import type { Clock } from '../../../shared/clock.ts';
import { customerMatches, ticketNumberCandidates, uuidPrefix } from '../../../shared/customer-keys.ts';
import { usdToVes } from '../../../shared/money.ts';
import {
  openReservationsInput,
  type ReservationMatch,
  searchReservationsInput,
} from '../../../shared/schemas/payments.ts';
import { normalizeSlipCode } from '../../../shared/slip-code.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { transactionNumber } from './payment-service.ts';

export { foldName, idNumberKey, phoneKey, ticketNumberCandidates } from '../../../shared/customer-keys.ts';

interface CandidateRow {
  id: string;
  event_id: number;
  event_name: string;
  ves_per_usd: string;
  status: string;
  customer_name: string | null;
  customer_id_number: string | null;
  customer_phone: string | null;
  reserved_until: number | null;
  updated_at: number;
  total_cents: number;
  paid_cents: number;
  seats: string | null;
  tickets: string | null;
  slip_code: string | null;
}

const STATUS_ORDER: Record<string, number> = {
  RESERVED: 0,
  EXPIRED: 1,
  COMPLETED: 2,
  CANCELLED: 3,
  PENDING: 4,
};

/**
 * Finds a partial-payment reservation by customer name, cédula/RIF/passport, phone or sale number, a
 * sale by a printed ticket number, or a kiosk's "Pagar en taquilla" reservation by the code on its
 * slip, so the customer can pay the balance at any terminal; and lists the reservations still owing,
 * soonest to expire first. Only transactions that carry a customer (made by a deposit) or whose
 * number or ticket is typed are looked at; there are few, so the matching that ignores accents and
 * separators is done here rather than in SQL.
 */
export class ReservationSearch {
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    const columns = `x.id, x.event_id, e.name AS event_name, e.ves_per_usd, x.status, x.customer_name, x.customer_id_number,
        x.customer_phone, x.reserved_until, x.updated_at,
        COALESCE((SELECT SUM(t.price_cents * t.quantity) FROM reserved_tickets t WHERE t.transaction_id = x.id
           AND t.status = CASE WHEN x.status IN ('PENDING', 'RESERVED') THEN 'ACTIVE' ELSE x.status END), 0)
          AS total_cents,
        COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0) AS paid_cents,
        (SELECT group_concat(COALESCE(s.label, z.name || ' ×' || t.quantity), ', ')
           FROM reserved_tickets t LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
           WHERE t.transaction_id = x.id
             AND t.status = CASE WHEN x.status IN ('PENDING', 'RESERVED') THEN 'ACTIVE' ELSE x.status END) AS seats,
        (SELECT group_concat(i.ticket_number, ', ') FROM issued_tickets i WHERE i.transaction_id = x.id) AS tickets,
        (SELECT c.code FROM counter_slips c WHERE c.transaction_id = x.id) AS slip_code`;
    this.sql = {
      withCustomer: db.prepare<[{ closed: number }], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.customer_name IS NOT NULL AND (@closed = 1 OR x.status IN ('RESERVED', 'EXPIRED'))`,
      ),
      // Ids are lower-case UUIDs: a range on the primary key finds a typed prefix without a scan.
      byIdPrefix: db.prepare<[string, string], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.id >= ? AND x.id < ? LIMIT 20`,
      ),
      // A kiosk's "Pagar en taquilla" slip, by the code printed on it (typed or scanned).
      // A printed ticket, by its number: the sale it belongs to.
      byVenueTicketNumber: db.prepare<[number], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.id IN (SELECT transaction_id FROM venue_ticket_numbers WHERE number = ?)`,
      ),
      byTicketNumber: db.prepare<[string], CandidateRow>(
        `SELECT ${columns} FROM issued_tickets i JOIN transactions x ON x.id = i.transaction_id
           JOIN events e ON e.id = x.event_id
         WHERE i.ticket_number = ?`,
      ),
      // Reservations still owing and not run out, soonest first (deposits and kiosk slips).
      open: db.prepare<[{ now: number; eventId: number | null; limit: number }], CandidateRow>(
        `SELECT ${columns} FROM transactions x JOIN events e ON e.id = x.event_id
         WHERE x.status = 'RESERVED' AND x.reserved_until > @now AND (@eventId IS NULL OR x.event_id = @eventId)
         ORDER BY x.reserved_until, x.id LIMIT @limit`,
      ),
      bySlipCode: db.prepare<[string], CandidateRow>(
        `SELECT ${columns} FROM counter_slips c JOIN transactions x ON x.id = c.transaction_id
           JOIN events e ON e.id = x.event_id
         WHERE c.code = ?`,
      ),
    };
  }

  search(raw: unknown): ReservationMatch[] {
    const input = parseInput(searchReservationsInput, raw);
    const now = this.clock.now();
    const query = input.query;
    const found = new Map<string, CandidateRow>();

    const code = normalizeSlipCode(query);
    if (code) for (const row of this.sql.bySlipCode.all(code)) found.set(row.id, row);

    const prefix = uuidPrefix(query);
    if (prefix) for (const row of this.sql.byIdPrefix.all(prefix, `${prefix}~`)) found.set(row.id, row);

    let ticket = false;
    // The venue's number (an enrolled counter prints the one the server recorded: 0000123).
    const typed = query.trim();
    if (/^\d{1,9}$/.test(typed)) {
      for (const row of this.sql.byVenueTicketNumber.all(Number(typed))) {
        found.set(row.id, row);
        ticket = true;
      }
    }
    for (const number of ticketNumberCandidates(query)) {
      for (const row of this.sql.byTicketNumber.all(number)) {
        found.set(row.id, row);
        ticket = true;
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
      if (customerMatches(query, customer, ticket)) found.set(row.id, row);
    }

    const rows = [...found.values()]
      .sort(
        (a, b) =>
          (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
          (a.reserved_until ?? 0) - (b.reserved_until ?? 0) ||
          b.updated_at - a.updated_at,
      )
      .slice(0, input.limit ?? 20);
    return this.matches(rows, now);
  }

  /** Reservations still owing, soonest to expire first (the reservations screen's list). */
  open(raw: unknown = {}): ReservationMatch[] {
    const input = parseInput(openReservationsInput, raw);
    const now = this.clock.now();
    const rows = this.sql.open.all({ now, eventId: input.eventId ?? null, limit: input.limit ?? 200 });
    return this.matches(rows, now);
  }

  private matches(rows: CandidateRow[], now: number): ReservationMatch[] {
    return rows.map((row) => {
      const expired =
        row.status === 'EXPIRED' ||
        (row.status === 'RESERVED' && row.reserved_until !== null && row.reserved_until <= now);
      const balance = expired || row.status === 'COMPLETED' ? 0 : row.total_cents - row.paid_cents;
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
        balanceCents: balance,
        balanceVesCents: usdToVes(balance, row.ves_per_usd),
        vesPerUsd: row.ves_per_usd,
        seats: row.seats ? row.seats.split(', ') : [],
        ticketNumbers: row.tickets ? row.tickets.split(', ') : [],
        expired,
        slipCode: row.slip_code,
      };
    });
  }
}
