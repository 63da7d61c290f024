import { TaquillaError } from '../../../shared/errors.ts';
import { formatRate, parseRate } from '../../../shared/money.ts';
import type { PaidWith } from '../../../shared/refunds.ts';
import type { PaymentMethod } from '../../../shared/schemas/payments.ts';
import type { Db } from '../../store/database.ts';

type Currency = 'USD' | 'VES';

export interface SaleRow {
  id: string;
  event_id: number;
  status: string;
  customer_name: string | null;
  event_name: string;
  starts_at: number;
  event_rate: string;
}

export interface TicketRow {
  id: number;
  event_id: number;
  zone_id: number;
  seat_id: number | null;
  quantity: number;
  price_cents: number;
  status: string;
  label: string;
}

interface IssuedRow {
  ticket_number: string;
  reserved_ticket_id: number;
  place: number;
}

/** One voidable line: a printed ticket (one place) or, unprinted, a whole reserved ticket. */
export interface Place {
  ticket: TicketRow;
  ticketNumber: string | null;
  places: number;
  voided: boolean;
}

/**
 * A sale as a void reads it, before anything is written: found by its printed number or id, its
 * voidable places (printed tickets, or unprinted reserved tickets whole), what was paid on it and
 * with what (net of change), what was refunded already, and the rate its refunds are worked at.
 */
export class VoidableSales {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      sale: db.prepare<[string], SaleRow>(
        `SELECT x.id, x.event_id, x.status, x.customer_name, e.name AS event_name, e.starts_at,
           e.ves_per_usd AS event_rate
         FROM transactions x JOIN events e ON e.id = x.event_id WHERE x.id = ?`,
      ),
      bySaleNumber: db.prepare<[string], { id: string }>(
        `SELECT id FROM transactions WHERE substr(replace(id, '-', ''), 1, 8) = ?
           AND status IN ('COMPLETED', 'RESERVED', 'CANCELLED') LIMIT 5`,
      ),
      tickets: db.prepare<[string], TicketRow>(
        `SELECT t.id, t.event_id, t.zone_id, t.seat_id, t.quantity, t.price_cents, t.status,
           COALESCE(s.label, z.name) AS label
         FROM reserved_tickets t JOIN zones z ON z.id = t.zone_id LEFT JOIN seats s ON s.id = t.seat_id
         WHERE t.transaction_id = ? ORDER BY t.id`,
      ),
      issued: db.prepare<[string], IssuedRow>(
        `SELECT ticket_number, reserved_ticket_id, place FROM issued_tickets WHERE transaction_id = ?
         ORDER BY reserved_ticket_id, place`,
      ),
      voidedNumbers: db.prepare<[string], { ticket_number: string }>(
        `SELECT v.ticket_number FROM voided_tickets v JOIN voids d ON d.id = v.void_id
         WHERE d.transaction_id = ? AND v.ticket_number IS NOT NULL`,
      ),
      paid: db.prepare<[string], { cents: number }>(
        'SELECT COALESCE(SUM(applied_cents), 0) AS cents FROM payments WHERE transaction_id = ?',
      ),
      refunded: db.prepare<[string], { cents: number }>(
        'SELECT COALESCE(SUM(refund_usd_cents), 0) AS cents FROM voids WHERE transaction_id = ?',
      ),
      tenders: db.prepare<[string], { method: PaymentMethod; currency: Currency; usd: number }>(
        `SELECT t.method, t.currency, SUM(t.usd_cents) AS usd FROM payment_tenders t
         JOIN payments p ON p.id = t.payment_id WHERE p.transaction_id = ? GROUP BY t.method, t.currency`,
      ),
      change: db.prepare<[string], { currency: Currency; usd: number }>(
        `SELECT change_currency AS currency, SUM(change_usd_cents) AS usd FROM payments
         WHERE transaction_id = ? AND change_cents > 0 GROUP BY change_currency`,
      ),
      lastRate: db.prepare<[string], { rate: string }>(
        `SELECT ves_per_usd AS rate FROM payments WHERE transaction_id = ?
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      ),
    };
  }

  /** What was applied to the sale's price, in USD cents. */
  paidCents(transactionId: string): number {
    return this.sql.paid.get(transactionId)!.cents;
  }

  /** What its voids refunded so far, in USD cents. */
  refundedCents(transactionId: string): number {
    return this.sql.refunded.get(transactionId)!.cents;
  }

  saleOf(number: string): string {
    const matches = this.sql.bySaleNumber.all(number.toLowerCase());
    if (matches.length === 0) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `No sale ${number}`, { transactionId: number });
    }
    if (matches.length > 1) {
      throw new TaquillaError('VALIDATION', `Sale number ${number} is not unique: give the full id`, {
        issues: [{ path: 'saleNumber', message: `matches ${matches.map((m) => m.id).join(', ')}` }],
      });
    }
    return matches[0]!.id;
  }

  saleOrThrow(transactionId: string): SaleRow {
    const sale = this.sql.sale.get(transactionId);
    if (!sale) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    return sale;
  }

  /**
   * What a void can take, line by line: each printed ticket (one place; general admission prints one
   * per place), or, for tickets not printed (a deposit), the reserved ticket whole.
   */
  places(sale: SaleRow): Place[] {
    const liveStatus = sale.status === 'RESERVED' ? 'ACTIVE' : 'COMPLETED';
    const tickets = this.sql.tickets.all(sale.id);
    const issued = this.sql.issued.all(sale.id);
    const voided = new Set(this.sql.voidedNumbers.all(sale.id).map((v) => v.ticket_number));
    const out: Place[] = [];
    for (const t of tickets) {
      const printed = issued.filter((i) => i.reserved_ticket_id === t.id);
      if (printed.length > 0 && sale.status !== 'RESERVED') {
        for (const i of printed) {
          out.push({
            ticket: t,
            ticketNumber: i.ticket_number,
            places: 1,
            voided: voided.has(i.ticket_number),
          });
        }
      } else if (t.status === liveStatus) {
        out.push({ ticket: t, ticketNumber: null, places: t.quantity, voided: false });
      }
    }
    return out;
  }

  /** The methods a sale was paid with, net of change (taken from the cash of its currency first). */
  paidWith(transactionId: string): PaidWith[] {
    const lines: PaidWith[] = this.sql.tenders
      .all(transactionId)
      .map((t) => ({ method: t.method, currency: t.currency, usdCents: t.usd }));
    for (const c of this.sql.change.all(transactionId)) {
      let owed = c.usd;
      const cash = lines.find((l) => l.method === (c.currency === 'USD' ? 'CASH_USD' : 'CASH_VES'));
      const order = [...(cash ? [cash] : []), ...[...lines].sort((a, b) => b.usdCents - a.usdCents)];
      for (const l of order) {
        const take = Math.min(owed, l.usdCents);
        l.usdCents -= take;
        owed -= take;
        if (owed === 0) break;
      }
    }
    return lines.filter((l) => l.usdCents > 0);
  }

  rateOf(sale: SaleRow): string {
    const rate = this.sql.lastRate.get(sale.id)?.rate ?? sale.event_rate;
    return formatRate(parseRate(rate));
  }
}
