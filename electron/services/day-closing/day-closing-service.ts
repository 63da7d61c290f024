import { laterDay, nextDay } from '../../../shared/business-day.ts';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { parseRate, usdToVes } from '../../../shared/money.ts';
import {
  type ClosingListItem,
  type ClosingReport,
  type ClosingSummary,
  closingQuery,
  type DrawerCurrency,
  type MethodLine,
  xReportRequest,
  zReportRequest,
} from '../../../shared/schemas/day-closing.ts';
import type { PaymentMethod } from '../../../shared/schemas/payments.ts';
import {
  addChange,
  addReceived,
  addRefund,
  byMethod,
  changeMethod,
  emptyMethodLine,
} from '../../../shared/takings.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { BusinessCalendar } from './business-calendar.ts';
import { CashDrawer, shiftOpen, type ShiftRow } from './cash-drawer.ts';
import { type Staff, StaffDirectory } from './staff-directory.ts';

type Currency = 'USD' | 'VES';

interface TenderTotalRow {
  cashier: string;
  method: PaymentMethod;
  currency: Currency;
  count: number;
  received: number;
  usd: number;
}

interface PaymentRow {
  cashier: string;
  kind: 'SALE' | 'DEPOSIT' | 'INSTALMENT';
  applied_cents: number;
  ves_per_usd: string;
  created_at: number;
}

interface VoidRow {
  cashier: string;
  refund_usd_cents: number;
  ves_per_usd: string;
  created_at: number;
}

interface RefundLineRow {
  cashier: string;
  method: PaymentMethod;
  currency: Currency;
  cents: number;
  usd: number;
}

interface ChangeRow {
  cashier: string;
  currency: Currency;
  cents: number;
  usd: number;
}

interface ClosingRow {
  id: number;
  number: number;
  cashier: string;
  staff_id: number | null;
  business_day: string;
  closed_at: number;
  closed_by: string;
}

/** Which open payments a report counts: whose (null: everyone) and created before when (null: all). */
interface Scope {
  actors: string | null;
  before: number | null;
}

export interface DayClosingOptions {
  calendar?: BusinessCalendar;
  staff?: StaffDirectory;
  drawer?: CashDrawer;
}

/** The name people read: the actor without its role ('cashier:Ana Cajera' → 'Ana Cajera'). */
export function displayName(actor: string): string {
  return actor.replace(/^(cashier|supervisor|kiosk):/, '');
}

/**
 * Day closing. An X report summarises what a staff member (or everyone) has taken since their last
 * Z, drawers included, and changes nothing. A Z report closes one staff member's business day
 * (named by id, or by a name resolved to one: StaffDirectory): it is numbered, stored exactly as
 * issued, and marks every payment and drawer it counted, so nothing is counted by two Zs.
 *
 * Business days end at the tenant's cutoff hour (BusinessCalendar): a Z at 00:40 on Saturday closes
 * Friday. A Z closes the staff member's oldest open day (the day of their oldest payment or drawer
 * not yet closed, and never a day already closed): what belongs to later days waits for those days'
 * Zs, and what was sold after a day's Z goes to the next day. A drawer belongs to the day it opened;
 * a Z takes every payment up to that day's end, or up to the closing of its drawers if later. A Z is
 * refused while a drawer of that day is open (count it first: CashDrawer.close).
 */
export class DayClosingService {
  readonly calendar: BusinessCalendar;
  readonly staff: StaffDirectory;
  readonly drawer: CashDrawer;
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: DayClosingOptions = {},
  ) {
    this.calendar = options.calendar ?? new BusinessCalendar(db, clock);
    this.staff = options.staff ?? new StaffDirectory(db);
    this.drawer = options.drawer ?? new CashDrawer(db, clock, this.staff, this.calendar);
    const open = `p.closing_id IS NULL
      AND (@actors IS NULL OR p.cashier IN (SELECT value FROM json_each(@actors)))
      AND (@before IS NULL OR p.created_at < @before)`;
    const openVoids = `v.closing_id IS NULL
      AND (@actors IS NULL OR v.actor IN (SELECT value FROM json_each(@actors)))
      AND (@before IS NULL OR v.created_at < @before)`;
    this.sql = {
      tenders: db.prepare<[Scope], TenderTotalRow>(
        `SELECT p.cashier, t.method, t.currency, COUNT(*) AS count, SUM(t.amount_cents) AS received,
           SUM(t.usd_cents) AS usd
         FROM payment_tenders t JOIN payments p ON p.id = t.payment_id
         WHERE ${open} GROUP BY p.cashier, t.method, t.currency`,
      ),
      change: db.prepare<[Scope], ChangeRow>(
        `SELECT p.cashier, p.change_currency AS currency, SUM(p.change_cents) AS cents, SUM(p.change_usd_cents) AS usd
         FROM payments p WHERE ${open} AND p.change_cents > 0 GROUP BY p.cashier, p.change_currency`,
      ),
      payments: db.prepare<[Scope], PaymentRow>(
        `SELECT p.cashier, p.kind, p.applied_cents, p.ves_per_usd, p.created_at FROM payments p
         WHERE ${open} ORDER BY p.cashier, p.created_at`,
      ),
      // Refunds of voids count on the day of whoever voided, as payments do on whoever took them.
      voids: db.prepare<[Scope], VoidRow>(
        `SELECT v.actor AS cashier, v.refund_usd_cents, v.ves_per_usd, v.created_at FROM voids v
         WHERE ${openVoids} AND v.refund_usd_cents > 0 ORDER BY v.actor, v.created_at`,
      ),
      refundLines: db.prepare<[Scope], RefundLineRow>(
        `SELECT v.actor AS cashier, r.method, r.currency, SUM(r.amount_cents) AS cents, SUM(r.usd_cents) AS usd
         FROM refund_tenders r JOIN voids v ON v.id = r.void_id
         WHERE ${openVoids} GROUP BY v.actor, r.method, r.currency`,
      ),
      oldestOpen: db.prepare<[{ actors: string }], { at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(created_at) AS at FROM payments
           WHERE closing_id IS NULL AND cashier IN (SELECT value FROM json_each(@actors))
           UNION ALL
           SELECT MIN(created_at) FROM voids
           WHERE closing_id IS NULL AND actor IN (SELECT value FROM json_each(@actors)))`,
      ),
      // Z reports taken before staff ids (migration 023) are found by their actor.
      lastClosing: db.prepare<[{ staffId: number | null; actors: string }], ClosingRow>(
        `SELECT id, number, cashier, staff_id, business_day, closed_at, closed_by FROM day_closings
         WHERE staff_id = @staffId OR cashier IN (SELECT value FROM json_each(@actors))
         ORDER BY business_day DESC, number DESC LIMIT 1`,
      ),
      nextNumber: db.prepare<[], { n: number }>('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM day_closings'),
      insertClosing: db.prepare<
        [
          {
            number: number;
            cashier: string;
            staffId: number | null;
            day: string;
            now: number;
            actor: string;
            report: string;
          },
        ],
        { id: number }
      >(
        `INSERT INTO day_closings (number, cashier, staff_id, business_day, closed_at, closed_by, report)
         VALUES (@number, @cashier, @staffId, @day, @now, @actor, @report) RETURNING id`,
      ),
      closePayments: db.prepare<[{ id: number; actors: string; before: number }]>(
        `UPDATE payments SET closing_id = @id
         WHERE closing_id IS NULL AND cashier IN (SELECT value FROM json_each(@actors)) AND created_at < @before`,
      ),
      closeVoids: db.prepare<[{ id: number; actors: string; before: number }]>(
        `UPDATE voids SET closing_id = @id
         WHERE closing_id IS NULL AND actor IN (SELECT value FROM json_each(@actors)) AND created_at < @before`,
      ),
      takeShift: db.prepare<[number, number]>(
        'UPDATE cash_shifts SET closing_id = ? WHERE id = ? AND closing_id IS NULL',
      ),
      closing: db.prepare<[number], { report: string }>('SELECT report FROM day_closings WHERE number = ?'),
      closings: db.prepare<[], ClosingRow>(
        'SELECT id, number, cashier, staff_id, business_day, closed_at, closed_by FROM day_closings ORDER BY number',
      ),
    };
  }

  /** X report: the open day of one staff member, or of everyone; nothing is closed. */
  x(raw: unknown = {}): ClosingReport {
    const input = parseInput(xReportRequest, raw);
    const now = this.clock.now();
    const cutoffHour = this.calendar.cutoffHour();
    if (!input.staff) {
      const day = this.calendar.today(cutoffHour);
      return this.report('X', null, null, day, cutoffHour, now, null, { actors: null, before: null }, [
        ...this.drawer.untaken(null),
      ]);
    }
    const staff = this.staff.resolve(input.staff);
    const { day } = this.openDay(staff, now, cutoffHour);
    const shifts = staff.staffId === null ? [] : this.drawer.untaken(staff.staffId);
    const scope = { actors: JSON.stringify(staff.actors), before: null };
    return this.report('X', null, staff, day, cutoffHour, now, null, scope, shifts);
  }

  /**
   * Z report: closes the staff member's oldest open business day. DAY_ALREADY_CLOSED when that
   * would be a day still to come (today is closed and only later sales are open); SHIFT_OPEN when a
   * drawer of that day is still open; UNKNOWN_STAFF for a name or id that is nobody.
   */
  z(raw: unknown): ClosingReport {
    const input = parseInput(zReportRequest, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const cutoffHour = this.calendar.cutoffHour();
        const staff = this.staff.resolve(input.staff);
        const { day, last } = this.openDay(staff, now, cutoffHour);
        if (last && day > this.calendar.today(cutoffHour)) {
          throw new TaquillaError(
            'DAY_ALREADY_CLOSED',
            `${staff.name} already closed ${last.business_day} (Z ${last.number}); later sales go to the next day`,
            { cashier: staff.actor, businessDay: last.business_day, closingNumber: last.number },
          );
        }
        const shifts = staff.staffId === null ? [] : this.drawer.untaken(staff.staffId);
        const ofTheDay = shifts.filter((s) => s.business_day <= day);
        const stillOpen = ofTheDay.find((s) => s.closed_at === null);
        if (stillOpen) throw shiftOpen(stillOpen);
        // The day's payments, and every payment inside its drawers (a drawer closed past the cutoff).
        const before = Math.max(
          this.calendar.bounds(day, cutoffHour).end,
          ...ofTheDay.map((s) => s.closed_at! + 1),
        );
        const actors = JSON.stringify(staff.actors);
        const number = this.sql.nextNumber.get()!.n;
        const report = this.report(
          'Z',
          number,
          staff,
          day,
          cutoffHour,
          now,
          input.actor,
          { actors, before },
          ofTheDay,
        );
        const { id } = this.sql.insertClosing.get({
          number,
          cashier: staff.actor,
          staffId: staff.staffId,
          day,
          now,
          actor: input.actor,
          report: JSON.stringify(report),
        })!;
        this.sql.closePayments.run({ id, actors, before });
        this.sql.closeVoids.run({ id, actors, before });
        for (const s of ofTheDay) this.sql.takeShift.run(id, s.id);
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

  closings(): ClosingListItem[] {
    return this.sql.closings.all().map((r) => ({
      number: r.number,
      cashier: r.cashier,
      staffId: r.staff_id,
      cashierName: displayName(r.cashier),
      businessDay: r.business_day,
      closedAt: r.closed_at,
      closedBy: r.closed_by,
    }));
  }

  /**
   * The business day a staff member's next Z closes: the day of their oldest open payment or drawer
   * (today if none), but never one already closed (then the day after their last Z).
   */
  private openDay(staff: Staff, now: number, cutoffHour: number): { day: string; last: ClosingRow | null } {
    const actors = JSON.stringify(staff.actors);
    const last = this.sql.lastClosing.get({ staffId: staff.staffId, actors }) ?? null;
    const oldestPayment = this.sql.oldestOpen.get({ actors })!.at;
    const days = [
      ...(oldestPayment === null ? [] : [this.calendar.dayOf(oldestPayment, cutoffHour)]),
      ...(staff.staffId === null ? [] : this.drawer.untaken(staff.staffId).map((s) => s.business_day)),
    ].sort();
    let day = days[0] ?? this.calendar.today(cutoffHour);
    if (last) day = laterDay(day, nextDay(last.business_day));
    return { day, last };
  }

  private report(
    kind: 'X' | 'Z',
    number: number | null,
    staff: Staff | null,
    day: string,
    cutoffHour: number,
    now: number,
    by: string | null,
    scope: Scope,
    shifts: ShiftRow[],
  ): ClosingReport {
    type Summary = ClosingSummary & { cashier: string; cashierName: string };
    const perCashier = new Map<string, Summary>();
    const summaryOf = (cashier: string): Summary => {
      let s = perCashier.get(cashier);
      if (!s) {
        s = { cashier, cashierName: displayName(cashier), ...emptySummary() };
        perCashier.set(cashier, s);
      }
      return s;
    };
    const rates = new Map<string, bigint>();
    for (const p of this.sql.payments.all(scope)) {
      const s = summaryOf(p.cashier);
      let rate = rates.get(p.ves_per_usd);
      if (rate === undefined) rates.set(p.ves_per_usd, (rate = parseRate(p.ves_per_usd)));
      s.payments += 1;
      if (p.kind === 'SALE') s.sales += 1;
      else if (p.kind === 'DEPOSIT') s.deposits += 1;
      else s.instalments += 1;
      s.netUsdCents += p.applied_cents;
      s.netVesCents += usdToVes(p.applied_cents, rate);
      s.firstAt = s.firstAt === null ? p.created_at : Math.min(s.firstAt, p.created_at);
      s.lastAt = s.lastAt === null ? p.created_at : Math.max(s.lastAt, p.created_at);
    }
    // A refund is net takings given back: out of the day's net, at the rate the sale was paid at.
    for (const v of this.sql.voids.all(scope)) {
      const s = summaryOf(v.cashier);
      let rate = rates.get(v.ves_per_usd);
      if (rate === undefined) rates.set(v.ves_per_usd, (rate = parseRate(v.ves_per_usd)));
      s.refunds += 1;
      s.refundedUsdCents += v.refund_usd_cents;
      s.netUsdCents -= v.refund_usd_cents;
      s.netVesCents -= usdToVes(v.refund_usd_cents, rate);
      s.firstAt = s.firstAt === null ? v.created_at : Math.min(s.firstAt, v.created_at);
      s.lastAt = s.lastAt === null ? v.created_at : Math.max(s.lastAt, v.created_at);
    }
    const lines = new Map<string, MethodLine>();
    const lineOf = (who: string, method: PaymentMethod, currency: Currency): MethodLine => {
      const key = `${who}\u0000${method}\u0000${currency}`;
      let line = lines.get(key);
      if (!line) {
        lines.set(key, (line = emptyMethodLine(method, currency)));
        summaryOf(who).lines.push(line);
      }
      return line;
    };
    for (const row of this.sql.tenders.all(scope)) {
      const line = lineOf(row.cashier, row.method, row.currency);
      addReceived(line, { count: row.count, cents: row.received, usd: row.usd });
    }
    for (const row of this.sql.change.all(scope)) {
      addChange(lineOf(row.cashier, changeMethod(row.currency), row.currency), row);
    }
    // A cash refund leaves the voider's drawer.
    for (const row of this.sql.refundLines.all(scope)) {
      addRefund(lineOf(row.cashier, row.method, row.currency), row);
    }
    // Drawers: each adds to its staff member's cash reconciliation.
    for (const shift of shifts) {
      const owner = staff ?? this.staff.resolve({ staffId: shift.staff_id });
      const s = summaryOf(staff ? staff.actor : shift.staff);
      s.shifts += 1;
      s.drawer = addDrawers(s.drawer, this.drawer.figures(shift, owner, now));
    }
    const cashiers = [...perCashier.values()];
    for (const c of cashiers) {
      c.lines.sort(byMethod);
      c.outsideDrawer = outsideDrawer(c);
    }
    cashiers.sort((a, b) => a.cashier.localeCompare(b.cashier));
    const bounds = this.calendar.bounds(day, cutoffHour);
    return {
      kind,
      number,
      businessDay: day,
      cutoffHour,
      dayStartsAt: bounds.start,
      dayEndsAt: bounds.end,
      cashier: staff?.actor ?? null,
      staffId: staff?.staffId ?? null,
      cashierName: staff?.name ?? null,
      generatedAt: now,
      generatedBy: by,
      cashiers,
      totals: total(cashiers),
    };
  }
}

function emptyDrawer(): DrawerCurrency[] {
  return (['USD', 'VES'] as const).map((currency) => ({
    currency,
    floatCents: 0,
    cashInCents: 0,
    changeCents: 0,
    refundCents: 0,
    paidInCents: 0,
    paidOutCents: 0,
    expectedCents: 0,
    countedCents: null,
    overShortCents: null,
  }));
}

function emptySummary(): ClosingSummary {
  return {
    payments: 0,
    sales: 0,
    deposits: 0,
    instalments: 0,
    refunds: 0,
    refundedUsdCents: 0,
    lines: [],
    netUsdCents: 0,
    netVesCents: 0,
    firstAt: null,
    lastAt: null,
    shifts: 0,
    drawer: emptyDrawer(),
    outsideDrawer: [],
  };
}

/** Two drawers' figures added per currency; a count is known only when every drawer was counted. */
function addDrawers(a: DrawerCurrency[], b: DrawerCurrency[]): DrawerCurrency[] {
  return a.map((x, i) => {
    const y = b[i]!;
    const counted = x.countedCents !== null || y.countedCents !== null;
    const countedCents = counted ? (x.countedCents ?? 0) + (y.countedCents ?? 0) : null;
    const overShortCents =
      x.overShortCents === null && y.overShortCents === null
        ? null
        : (x.overShortCents ?? 0) + (y.overShortCents ?? 0);
    return {
      currency: x.currency,
      floatCents: x.floatCents + y.floatCents,
      cashInCents: x.cashInCents + y.cashInCents,
      changeCents: x.changeCents + y.changeCents,
      refundCents: x.refundCents + y.refundCents,
      paidInCents: x.paidInCents + y.paidInCents,
      paidOutCents: x.paidOutCents + y.paidOutCents,
      expectedCents: x.expectedCents + y.expectedCents,
      countedCents,
      overShortCents,
    };
  });
}

/** Cash (net of change) among the payments that no drawer of the report took in, per currency. */
function outsideDrawer(s: ClosingSummary): ClosingSummary['outsideDrawer'] {
  const out: ClosingSummary['outsideDrawer'] = [];
  for (const currency of ['USD', 'VES'] as const) {
    const method = currency === 'USD' ? 'CASH_USD' : 'CASH_VES';
    const cashNet = s.lines.find((l) => l.method === method)?.netCents ?? 0;
    const d = s.drawer.find((x) => x.currency === currency)!;
    const netCents = cashNet - (d.cashInCents - d.changeCents - d.refundCents);
    if (netCents !== 0) out.push({ currency, netCents });
  }
  return out;
}

function total(cashiers: ClosingSummary[]): ClosingSummary {
  const lines = new Map<string, MethodLine>();
  const sum = emptySummary();
  for (const c of cashiers) {
    sum.payments += c.payments;
    sum.sales += c.sales;
    sum.deposits += c.deposits;
    sum.instalments += c.instalments;
    sum.refunds += c.refunds;
    sum.refundedUsdCents += c.refundedUsdCents;
    sum.netUsdCents += c.netUsdCents;
    sum.netVesCents += c.netVesCents;
    sum.shifts += c.shifts;
    sum.drawer = addDrawers(sum.drawer, c.drawer);
    if (c.firstAt !== null && (sum.firstAt === null || c.firstAt < sum.firstAt)) sum.firstAt = c.firstAt;
    if (c.lastAt !== null && (sum.lastAt === null || c.lastAt > sum.lastAt)) sum.lastAt = c.lastAt;
    for (const l of c.lines) {
      const key = `${l.method}\u0000${l.currency}`;
      const t = lines.get(key) ?? emptyMethodLine(l.method, l.currency);
      t.count += l.count;
      t.refundCents += l.refundCents;
      t.receivedCents += l.receivedCents;
      t.changeCents += l.changeCents;
      t.netCents += l.netCents;
      t.netUsdCents += l.netUsdCents;
      lines.set(key, t);
    }
  }
  sum.lines = [...lines.values()].sort(byMethod);
  const outside = new Map<Currency, number>();
  for (const c of cashiers)
    for (const o of c.outsideDrawer) outside.set(o.currency, (outside.get(o.currency) ?? 0) + o.netCents);
  sum.outsideDrawer = [...outside].map(([currency, netCents]) => ({ currency, netCents }));
  return sum;
}
