import type { Clock } from '../../../shared/clock.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import type {
  DashboardAlert,
  DashboardSummary,
  DayTakings,
  EventAttention,
} from '../../../shared/api/dashboard.ts';
import { usdToVes } from '../../../shared/money.ts';
import type { Currency } from '../../../shared/money.ts';
import type { PaymentMethod } from '../../../shared/schemas/payments.ts';
import type { MethodLine } from '../../../shared/schemas/day-closing.ts';
import {
  addChange,
  addReceived,
  addRefund,
  byMethod,
  changeMethod,
  emptyMethodLine,
} from '../../../shared/takings.ts';
import type { Db } from '../../store/database.ts';
import type { BusinessCalendar } from '../day-closing/business-calendar.ts';
import type { PaymentStatsService } from '../payments/payment-stats.ts';
import type { Catalog } from '../reservations/catalog.ts';
import type { ReservationStatsService } from '../reservations/reservation-stats.ts';

/**
 * When the dashboard raises a flag. A temporary hold lives TEMPORARY_HOLD_MINUTES (10 by default), so
 * "expires within the hour" is true of every hold and says nothing: holds are flagged only when they
 * outlive their normal duration (a cart kept alive by extensions keeps seats off sale). Deposits
 * (abonos) keep seats for 24–72 h, so one running out within the hour is worth a call to the customer.
 */
export const ALERT_THRESHOLDS = {
  /** A deposit whose time runs out within this many minutes is urgent (danger). */
  depositExpiringMinutes: 60,
  /** A hold alive this many times its normal duration was extended again and again (warn). */
  longHoldFactor: 2,
  /** Refused hold attempts on one seat that make it "contested". */
  contestedAttempts: 3,
  /** Share of ended carts that were abandoned before a pattern is flagged... */
  abandonmentShare: 0.5,
  /** ...once at least this many carts were abandoned. */
  abandonmentMinimum: 3,
} as const;

export type AlertThresholds = { readonly [K in keyof typeof ALERT_THRESHOLDS]: number };

interface TenderRow {
  method: PaymentMethod;
  currency: Currency;
  count: number;
  received: number;
  usd: number;
}

interface ChangeRow {
  currency: Currency;
  cents: number;
  usd: number;
}

/**
 * The supervisor dashboard's figures and alerts, decided here rather than in the screen: the seed's
 * reservation stats and the balances due (the same services as the CLI), what the business day has
 * taken per payment method in USD and Bs., and which events need attention.
 */
export class DashboardService {
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly deps: {
      stats: ReservationStatsService;
      paymentStats: PaymentStatsService;
      calendar: BusinessCalendar;
      catalog: Catalog;
    },
    private readonly thresholds: AlertThresholds = ALERT_THRESHOLDS,
  ) {
    this.sql = {
      tenders: db.prepare<[{ start: number; end: number }], TenderRow>(
        `SELECT t.method, t.currency, COUNT(*) AS count, SUM(t.amount_cents) AS received, SUM(t.usd_cents) AS usd
         FROM payment_tenders t JOIN payments p ON p.id = t.payment_id
         WHERE p.created_at >= @start AND p.created_at < @end GROUP BY t.method, t.currency`,
      ),
      change: db.prepare<[{ start: number; end: number }], ChangeRow>(
        `SELECT p.change_currency AS currency, SUM(p.change_cents) AS cents, SUM(p.change_usd_cents) AS usd
         FROM payments p WHERE p.created_at >= @start AND p.created_at < @end AND p.change_cents > 0
         GROUP BY p.change_currency`,
      ),
      // Voids' refunds of the day, by the method given back (migration 027).
      refunds: db.prepare<
        [{ start: number; end: number }],
        { method: PaymentMethod; currency: Currency; cents: number; usd: number; voids: number }
      >(
        `SELECT r.method, r.currency, SUM(r.amount_cents) AS cents, SUM(r.usd_cents) AS usd,
           COUNT(DISTINCT v.id) AS voids
         FROM refund_tenders r JOIN voids v ON v.id = r.void_id
         WHERE v.created_at >= @start AND v.created_at < @end GROUP BY r.method, r.currency`,
      ),
      voidsOfDay: db.prepare<[{ start: number; end: number }], { n: number; usd: number }>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(refund_usd_cents), 0) AS usd FROM voids
         WHERE created_at >= @start AND created_at < @end`,
      ),
      netVes: db.prepare<[{ start: number; end: number }], { applied_cents: number; ves_per_usd: string }>(
        `SELECT applied_cents, ves_per_usd FROM payments WHERE created_at >= @start AND created_at < @end`,
      ),
      depositsExpiring: db.prepare<
        [{ now: number; soon: number }],
        { event_id: number; n: number; balance: number }
      >(
        `SELECT x.event_id, COUNT(*) AS n,
           SUM(COALESCE((SELECT SUM(t.price_cents * t.quantity) FROM reserved_tickets t
                         WHERE t.transaction_id = x.id AND t.status = 'ACTIVE'), 0)
               - COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0)) AS balance
         FROM transactions x
         WHERE x.status = 'RESERVED' AND x.reserved_until > @now AND x.reserved_until <= @soon
         GROUP BY x.event_id`,
      ),
      // Live holds of open carts with the cart's age; the normal duration is the tenant's.
      holds: db.prepare<
        [{ now: number }],
        { event_id: number; tenant_id: number; created_at: number; q: number }
      >(
        `SELECT x.event_id, e.tenant_id, x.created_at, SUM(t.quantity) AS q
         FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id JOIN events e ON e.id = x.event_id
         WHERE t.status = 'ACTIVE' AND t.reserved_until > @now AND x.status = 'PENDING'
         GROUP BY x.id`,
      ),
    };
  }

  summary(options: { eventId?: number; contestedLimit?: number } = {}): DashboardSummary {
    const eventId = options.eventId === undefined ? {} : { eventId: options.eventId };
    const reservations = this.deps.stats.stats({ ...eventId, contestedLimit: options.contestedLimit ?? 50 });
    const outstanding = this.deps.paymentStats.outstanding(eventId);
    const attention = this.attention(reservations.events.map((e) => e.eventId));
    const alerts = dashboardAlerts({ reservations, outstanding, attention }, this.thresholds);
    const takings = this.takings();
    return {
      at: reservations.at,
      reservations,
      outstanding,
      takings,
      // The business day's voids (the X's figures; also inside takings' lines, netted).
      refunds: takings.refunds,
      attention,
      alerts,
    };
  }

  /** What the current business day (cutoff to cutoff) took, per method and currency, change given back. */
  takings(): DayTakings {
    const cutoffHour = this.deps.calendar.cutoffHour();
    const businessDay = this.deps.calendar.today(cutoffHour);
    const bounds = this.deps.calendar.bounds(businessDay, cutoffHour);
    const lines = new Map<string, MethodLine>();
    const lineOf = (method: PaymentMethod, currency: Currency): MethodLine => {
      const key = `${method}:${currency}`;
      let line = lines.get(key);
      if (!line) lines.set(key, (line = emptyMethodLine(method, currency)));
      return line;
    };
    for (const row of this.sql.tenders.all(bounds)) {
      addReceived(lineOf(row.method, row.currency), { count: row.count, cents: row.received, usd: row.usd });
    }
    for (const row of this.sql.change.all(bounds))
      addChange(lineOf(changeMethod(row.currency), row.currency), row);
    for (const row of this.sql.refunds.all(bounds)) addRefund(lineOf(row.method, row.currency), row);
    let netVesCents = 0;
    for (const p of this.sql.netVes.all(bounds)) netVesCents += usdToVes(p.applied_cents, p.ves_per_usd);
    const voided = this.sql.voidsOfDay.get(bounds)!;
    const ordered = [...lines.values()].sort(byMethod);
    return {
      businessDay,
      cutoffHour,
      startsAt: bounds.start,
      endsAt: bounds.end,
      lines: ordered,
      netUsdCents: ordered.reduce((sum, l) => sum + l.netUsdCents, 0),
      netVesCents,
      refunds: {
        count: voided.n,
        usdCents: voided.usd,
        lines: ordered
          .filter((l) => l.refundCents > 0)
          .map((l) => ({ method: l.method, currency: l.currency, cents: l.refundCents })),
      },
    };
  }

  private attention(eventIds: number[]): EventAttention[] {
    const now = this.clock.now();
    const byEvent = new Map<number, EventAttention>(
      eventIds.map((id) => [
        id,
        {
          eventId: id,
          depositsExpiringSoon: 0,
          depositsExpiringSoonBalanceCents: 0,
          longHolds: 0,
          normalHoldMinutes: 0,
        },
      ]),
    );
    const soon = now + this.thresholds.depositExpiringMinutes * MINUTE_MS;
    for (const row of this.sql.depositsExpiring.all({ now, soon })) {
      const a = byEvent.get(row.event_id);
      if (!a) continue;
      a.depositsExpiringSoon = row.n;
      a.depositsExpiringSoonBalanceCents = row.balance;
    }
    for (const row of this.sql.holds.all({ now })) {
      const a = byEvent.get(row.event_id);
      if (!a) continue;
      const normal = this.deps.catalog.settings(row.tenant_id).TEMPORARY_HOLD_MINUTES;
      a.normalHoldMinutes = normal;
      if (now - row.created_at > this.thresholds.longHoldFactor * normal * MINUTE_MS) a.longHolds += row.q;
    }
    return [...byEvent.values()];
  }
}

/**
 * The dashboard's alerts from its figures: deposits running out within the hour (danger), holds that
 * outlived their normal duration, contested seats, an abandonment pattern, deposits due within a day.
 */
export function dashboardAlerts(
  figures: Pick<DashboardSummary, 'reservations' | 'outstanding' | 'attention'>,
  thresholds: AlertThresholds = ALERT_THRESHOLDS,
): DashboardAlert[] {
  const alerts: DashboardAlert[] = [];
  const attention = new Map(figures.attention.map((a) => [a.eventId, a]));
  for (const e of figures.reservations.events) {
    const a = attention.get(e.eventId);
    if (a && a.depositsExpiringSoon > 0) {
      alerts.push({
        kind: 'depositsExpiring',
        severity: 'danger',
        eventId: e.eventId,
        event: e.name,
        n: a.depositsExpiringSoon,
        balanceCents: a.depositsExpiringSoonBalanceCents,
        minutes: thresholds.depositExpiringMinutes,
      });
    }
    if (a && a.longHolds > 0) {
      alerts.push({
        kind: 'longHolds',
        severity: 'warn',
        eventId: e.eventId,
        event: e.name,
        n: a.longHolds,
        minutes: a.normalHoldMinutes * thresholds.longHoldFactor,
      });
    }
    for (const seat of e.contested) {
      if (seat.refused >= thresholds.contestedAttempts) {
        alerts.push({
          kind: 'contested',
          severity: 'warn',
          eventId: e.eventId,
          event: e.name,
          seat: seat.label,
          n: seat.refused,
        });
      }
    }
    // Carts that ended: sold sales and abandoned carts (counted per cart, as the stats do).
    const ended = e.abandonedCarts + e.sold;
    const share = ended === 0 ? 0 : e.abandonedCarts / ended;
    if (e.abandonedCarts >= thresholds.abandonmentMinimum && share >= thresholds.abandonmentShare) {
      alerts.push({
        kind: 'abandonment',
        severity: 'warn',
        eventId: e.eventId,
        event: e.name,
        n: e.abandonedCarts,
        percent: Math.round(share * 100),
      });
    }
  }
  for (const e of figures.outstanding.events) {
    // Those within the hour already have their own, louder alert.
    const urgent = attention.get(e.eventId)?.depositsExpiringSoon ?? 0;
    const n = e.dueWithinDay - urgent;
    if (n > 0) {
      alerts.push({
        kind: 'dueSoon',
        severity: 'warn',
        eventId: e.eventId,
        event: e.name,
        n,
        // PaymentStatsService's window for dueWithinDay.
        hours: DAY_MS / HOUR_MS,
        balanceCents:
          e.dueWithinDayBalanceCents - (attention.get(e.eventId)?.depositsExpiringSoonBalanceCents ?? 0),
      });
    }
  }
  return alerts;
}
