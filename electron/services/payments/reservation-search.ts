import type { Clock } from '../../../shared/clock.ts';
import { usdToVes } from '../../../shared/money.ts';
import {
  openReservationsInput,
  type ReservationMatch,
  searchReservationsInput,
} from '../../../shared/schemas/payments.ts';
import { normalizeSlipCode } from '../../../shared/slip-code.ts';
import { parseInput } from '../../../shared/validation.ts';
import { idSearchKey } from '../../../shared/venezuelan-id.ts';
import type { Db } from '../../store/database.ts';
import { transactionNumber } from './payment-service.ts';

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

/** Lower case without accents: 'María Pérez' and 'maria perez' are the same customer. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A phone as its last ten digits: 0414-1234567, +58 414 1234567 and 4141234567 are one number. */
export function phoneKey(text: string): string {
  return text.replace(/\D/g, '').slice(-10);
}

/**
 * An identity number's search key (shared/venezuelan-id.ts): V-12.345.678, v12345678, 12345678 and
 * the same person's RIF V-12345678-1 are one person. Text that is no identity number: its digits.
 */
export function idNumberKey(text: string): string {
  let key = idKeys.get(text);
  if (key === undefined) {
    key = idSearchKey(text) ?? text.replace(/\D/g, '');
    // Stored numbers repeat on every search: remember them (a few thousand at most per store).
    if (idKeys.size > 50_000) idKeys.clear();
    idKeys.set(text, key);
  }
  return key;
}
const idKeys = new Map<string, string>();

/**
 * The printed ticket numbers a query can be (T1-000123, t1 123, T1000123): the terminal's code (1 to
 * 6 letters or digits) and the number, padded as printed. Empty when it cannot be one.
 */
export function ticketNumberCandidates(query: string): string[] {
  const text = query.trim().toUpperCase();
  const apart = /^([A-Z0-9]{1,6})[\s-]+0*(\d{1,9})$/.exec(text);
  if (apart) return [`${apart[1]}-${apart[2]!.padStart(6, '0')}`];
  if (!/^[A-Z][A-Z0-9]{0,5}\d{6,9}$/.test(text)) return [];
  // Written together: every split that leaves a printed number (6+ digits) after a code.
  const out: string[] = [];
  for (let cut = 1; cut <= 6 && text.length - cut >= 6; cut++) {
    const number = text.slice(cut);
    if (/^\d+$/.test(number)) out.push(`${text.slice(0, cut)}-${number}`);
  }
  return out;
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
    const name = foldName(query);
    const digits = query.replace(/\D/g, '');
    const found = new Map<string, CandidateRow>();

    const code = normalizeSlipCode(query);
    if (code) for (const row of this.sql.bySlipCode.all(code)) found.set(row.id, row);

    const prefix = uuidPrefix(query);
    if (prefix) for (const row of this.sql.byIdPrefix.all(prefix, `${prefix}~`)) found.set(row.id, row);

    let ticket = false;
    for (const number of ticketNumberCandidates(query)) {
      for (const row of this.sql.byTicketNumber.all(number)) {
        found.set(row.id, row);
        ticket = true;
      }
    }

    const hasLetters = /\p{L}/u.test(name.replace(/^[vejgcp]-?(?=\d)/, ''));
    const idKey = idSearchKey(query);
    for (const row of this.sql.withCustomer.all({
      closed: input.includeClosed ? 1 : 0,
    })) {
      const byName = hasLetters && row.customer_name !== null && foldName(row.customer_name).includes(name);
      const byId =
        row.customer_id_number !== null &&
        (idKey !== null
          ? idNumberKey(row.customer_id_number) === idKey
          : digits.length >= 5 && idNumberKey(row.customer_id_number) === digits);
      // A ticket number's digits are no phone.
      const byPhone =
        !ticket &&
        digits.length >= 7 &&
        row.customer_phone !== null &&
        phoneKey(row.customer_phone).endsWith(phoneKey(digits));
      if (byName || byId || byPhone) found.set(row.id, row);
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

/**
 * The transaction number as people type it (the first 8 characters, any case, dashes optional)
 * turned into a prefix of the stored lower-case UUID; null when the text cannot be one.
 */
function uuidPrefix(query: string): string | null {
  const hex = query.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[0-9a-f]{6,32}$/.test(hex)) return null;
  // Put the dashes back where a UUID has them (after 8, 12, 16, 20 hex digits).
  let out = '';
  for (let i = 0; i < hex.length; i++) {
    if (i === 8 || i === 12 || i === 16 || i === 20) out += '-';
    out += hex[i];
  }
  return out;
}
