import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type ClosingReport,
  type ClosingSummary,
  closingQuery,
  type MethodLine,
  PAYMENT_METHODS,
  type PaymentMethod,
  xReportInput,
  zReportInput,
} from '../../../shared/schemas/payments.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';

const BUSINESS_TIME_ZONE = 'America/Caracas';
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The business day of an instant: its calendar date in Caracas, 'YYYY-MM-DD'. */
export function businessDay(epochMs: number): string {
  return dayFormat.format(epochMs);
}

/** The calendar day after 'YYYY-MM-DD'. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

interface TenderTotalRow {
  cashier: string;
  method: PaymentMethod;
  currency: 'USD' | 'VES';
  count: number;
  received: number;
  usd: number;
}

interface PaymentTotalRow {
  cashier: string;
  payments: number;
  sales: number;
  deposits: number;
  instalments: number;
  applied: number;
  first_at: number | null;
  last_at: number | null;
}

interface ChangeRow {
  cashier: string;
  currency: 'USD' | 'VES';
  cents: number;
  usd: number;
}

/**
 * Day closing. An X report summarises what a cashier (or everyone) has taken since their last Z and
 * changes nothing. A Z report closes the cashier's day: it is numbered, stored exactly as printed,
 * and marks every payment it counted, so no payment is counted by two Zs. One Z per cashier per
 * Caracas calendar day: a second one is refused, and what is sold after a Z waits for the next
 * day's Z.
 */
export class DayClosingService {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    const openFor = `p.closing_id IS NULL AND (@cashier IS NULL OR p.cashier = @cashier)`;
    this.sql = {
      tenders: db.prepare<[{ cashier: string | null }], TenderTotalRow>(
        `SELECT p.cashier, t.method, t.currency, COUNT(*) AS count, SUM(t.amount_cents) AS received,
           SUM(t.usd_cents) AS usd
         FROM payment_tenders t JOIN payments p ON p.id = t.payment_id
         WHERE ${openFor} GROUP BY p.cashier, t.method, t.currency`,
      ),
      change: db.prepare<[{ cashier: string | null }], ChangeRow>(
        `SELECT p.cashier, p.change_currency AS currency, SUM(p.change_cents) AS cents, SUM(p.change_usd_cents) AS usd
         FROM payments p WHERE ${openFor} AND p.change_cents > 0 GROUP BY p.cashier, p.change_currency`,
      ),
      payments: db.prepare<[{ cashier: string | null }], PaymentTotalRow>(
        `SELECT p.cashier, COUNT(*) AS payments,
           SUM(p.kind = 'SALE') AS sales, SUM(p.kind = 'DEPOSIT') AS deposits, SUM(p.kind = 'INSTALMENT') AS instalments,
           SUM(p.applied_cents) AS applied, MIN(p.created_at) AS first_at, MAX(p.created_at) AS last_at
         FROM payments p WHERE ${openFor} GROUP BY p.cashier ORDER BY p.cashier`,
      ),
      lastClosing: db.prepare<[string], { number: number; business_day: string }>(
        'SELECT number, business_day FROM day_closings WHERE cashier = ? ORDER BY business_day DESC LIMIT 1',
      ),
      nextNumber: db.prepare<[], { n: number }>('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM day_closings'),
      insertClosing: db.prepare<
        [{ number: number; cashier: string; day: string; now: number; actor: string; report: string }],
        { id: number }
      >(
        `INSERT INTO day_closings (number, cashier, business_day, closed_at, closed_by, report)
         VALUES (@number, @cashier, @day, @now, @actor, @report) RETURNING id`,
      ),
      closePayments: db.prepare<[number, string]>(
        'UPDATE payments SET closing_id = ? WHERE cashier = ? AND closing_id IS NULL',
      ),
      closing: db.prepare<[number], { report: string }>('SELECT report FROM day_closings WHERE number = ?'),
      closings: db.prepare<
        [],
        { number: number; cashier: string; business_day: string; closed_at: number; closed_by: string }
      >('SELECT number, cashier, business_day, closed_at, closed_by FROM day_closings ORDER BY number'),
    };
  }

  /** X report: the open day of one cashier, or of every cashier; the day stays open. */
  x(raw: unknown = {}): ClosingReport {
    const input = parseInput(xReportInput, raw);
    const now = this.clock.now();
    const cashier = input.cashier ?? null;
    return this.report(
      'X',
      null,
      cashier,
      cashier ? this.openDay(cashier, now) : businessDay(now),
      now,
      null,
    );
  }

  /** Z report: closes the cashier's day. Refused if that cashier already closed today. */
  z(raw: unknown): ClosingReport {
    const input = parseInput(zReportInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const today = businessDay(now);
        const last = this.sql.lastClosing.get(input.cashier);
        if (last && last.business_day >= today) {
          throw new TaquillaError(
            'DAY_ALREADY_CLOSED',
            `${input.cashier} already closed ${last.business_day} (Z ${last.number}); later sales go to the next day`,
            { cashier: input.cashier, businessDay: last.business_day, closingNumber: last.number },
          );
        }
        const number = this.sql.nextNumber.get()!.n;
        const report = this.report('Z', number, input.cashier, today, now, input.actor);
        const { id } = this.sql.insertClosing.get({
          number,
          cashier: input.cashier,
          day: today,
          now,
          actor: input.actor,
          report: JSON.stringify(report),
        })!;
        this.sql.closePayments.run(id, input.cashier);
        return report;
      })
      .immediate();
  }

  /** A stored Z exactly as it was issued (for a reprint). */
  closing(raw: unknown): ClosingReport | null {
    const input = parseInput(closingQuery, raw);
    const row = this.sql.closing.get(input.number);
    return row ? (JSON.parse(row.report) as ClosingReport) : null;
  }

  closings(): { number: number; cashier: string; businessDay: string; closedAt: number; closedBy: string }[] {
    return this.sql.closings.all().map((r) => ({
      number: r.number,
      cashier: r.cashier,
      businessDay: r.business_day,
      closedAt: r.closed_at,
      closedBy: r.closed_by,
    }));
  }

  /** The day a cashier's open payments belong to: today, or tomorrow once today is closed. */
  private openDay(cashier: string, now: number): string {
    const today = businessDay(now);
    const last = this.sql.lastClosing.get(cashier);
    return last && last.business_day >= today ? nextDay(last.business_day) : today;
  }

  private report(
    kind: 'X' | 'Z',
    number: number | null,
    cashier: string | null,
    day: string,
    now: number,
    by: string | null,
  ): ClosingReport {
    const params = { cashier };
    const perCashier = new Map<string, ClosingSummary & { cashier: string }>();
    for (const row of this.sql.payments.all(params)) {
      perCashier.set(row.cashier, {
        cashier: row.cashier,
        payments: row.payments,
        sales: row.sales,
        deposits: row.deposits,
        instalments: row.instalments,
        lines: [],
        netUsdCents: row.applied,
        firstAt: row.first_at,
        lastAt: row.last_at,
      });
    }
    const lines = new Map<string, MethodLine>();
    const lineOf = (who: string, method: PaymentMethod, currency: 'USD' | 'VES'): MethodLine => {
      const key = `${who}\u0000${method}\u0000${currency}`;
      let line = lines.get(key);
      if (!line) {
        line = { method, currency, count: 0, receivedCents: 0, changeCents: 0, netCents: 0, netUsdCents: 0 };
        lines.set(key, line);
        perCashier.get(who)!.lines.push(line);
      }
      return line;
    };
    for (const row of this.sql.tenders.all(params)) {
      const line = lineOf(row.cashier, row.method, row.currency);
      line.count += row.count;
      line.receivedCents += row.received;
      line.netCents += row.received;
      line.netUsdCents += row.usd;
    }
    // Change leaves the cash drawer of its currency, whatever was paid.
    for (const row of this.sql.change.all(params)) {
      const line = lineOf(row.cashier, row.currency === 'USD' ? 'CASH_USD' : 'CASH_VES', row.currency);
      line.changeCents += row.cents;
      line.netCents -= row.cents;
      line.netUsdCents -= row.usd;
    }
    const cashiers = [...perCashier.values()];
    for (const c of cashiers) c.lines.sort(byMethod);
    return {
      kind,
      number,
      businessDay: day,
      cashier,
      generatedAt: now,
      generatedBy: by,
      cashiers,
      totals: total(cashiers),
    };
  }
}

function byMethod(a: MethodLine, b: MethodLine): number {
  return (
    PAYMENT_METHODS.indexOf(a.method) - PAYMENT_METHODS.indexOf(b.method) ||
    a.currency.localeCompare(b.currency)
  );
}

function total(cashiers: ClosingSummary[]): ClosingSummary {
  const lines = new Map<string, MethodLine>();
  const sum: ClosingSummary = {
    payments: 0,
    sales: 0,
    deposits: 0,
    instalments: 0,
    lines: [],
    netUsdCents: 0,
    firstAt: null,
    lastAt: null,
  };
  for (const c of cashiers) {
    sum.payments += c.payments;
    sum.sales += c.sales;
    sum.deposits += c.deposits;
    sum.instalments += c.instalments;
    sum.netUsdCents += c.netUsdCents;
    if (c.firstAt !== null && (sum.firstAt === null || c.firstAt < sum.firstAt)) sum.firstAt = c.firstAt;
    if (c.lastAt !== null && (sum.lastAt === null || c.lastAt > sum.lastAt)) sum.lastAt = c.lastAt;
    for (const l of c.lines) {
      const key = `${l.method}\u0000${l.currency}`;
      const t = lines.get(key) ?? {
        ...l,
        count: 0,
        receivedCents: 0,
        changeCents: 0,
        netCents: 0,
        netUsdCents: 0,
      };
      t.count += l.count;
      t.receivedCents += l.receivedCents;
      t.changeCents += l.changeCents;
      t.netCents += l.netCents;
      t.netUsdCents += l.netUsdCents;
      lines.set(key, t);
    }
  }
  sum.lines = [...lines.values()].sort(byMethod);
  return sum;
}
