import type { DashboardSummary } from '../../../shared/api/dashboard.ts';

/**
 * The seed's alerts, read off the dashboard's figures: reservations expiring within an hour, seats
 * with many competing hold attempts, cart-abandonment patterns, and deposits due within a day.
 * Thresholds are presentation choices (when to raise a flag), not business rules.
 */
export const ALERT_THRESHOLDS = {
  /** Refused hold attempts on one seat that make it "contested". */
  contestedAttempts: 3,
  /** Share of ended carts that were abandoned before a pattern is flagged... */
  abandonmentShare: 0.5,
  /** ...once at least this many carts were abandoned. */
  abandonmentMinimum: 3,
} as const;

export type DashboardAlert =
  | { kind: 'expiring'; severity: 'danger'; eventId: number; event: string; n: number }
  | { kind: 'contested'; severity: 'warn'; eventId: number; event: string; seat: string; n: number }
  | { kind: 'abandonment'; severity: 'warn'; eventId: number; event: string; n: number; percent: number }
  | { kind: 'dueSoon'; severity: 'warn'; eventId: number; event: string; n: number; balanceCents: number };

export function dashboardAlerts(summary: DashboardSummary, thresholds = ALERT_THRESHOLDS): DashboardAlert[] {
  const alerts: DashboardAlert[] = [];
  for (const e of summary.reservations.events) {
    if (e.expiringWithinHour > 0) {
      alerts.push({
        kind: 'expiring',
        severity: 'danger',
        eventId: e.eventId,
        event: e.name,
        n: e.expiringWithinHour,
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
  for (const e of summary.outstanding.events) {
    if (e.dueWithinDay > 0) {
      alerts.push({
        kind: 'dueSoon',
        severity: 'warn',
        eventId: e.eventId,
        event: e.name,
        n: e.dueWithinDay,
        balanceCents: e.dueWithinDayBalanceCents,
      });
    }
  }
  return alerts;
}

/** Conversion as people read it: '67 %', or '—' before anything has settled. */
export function conversionText(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)} %`;
}

/** Heat 0..1 of a contested seat relative to the most contested one. */
export function heat(refused: number, max: number): number {
  return max <= 0 ? 0 : Math.min(1, refused / max);
}

/** A colour from pale yellow (little contested) to deep red (most contested). */
export function heatColor(h: number): string {
  const hue = Math.round(50 - 50 * h);
  const light = Math.round(70 - 25 * h);
  return `hsl(${hue} 90% ${light}%)`;
}
