import { describe, expect, it } from 'vitest';
import type { DashboardSummary, EventReservationStats } from '../../../../shared/api/dashboard.ts';
import {
  conversionText,
  dashboardAlerts,
  heat,
  heatColor,
} from '../../../../renderer/src/dashboard/alerts.ts';

function event(patch: Partial<EventReservationStats>): EventReservationStats {
  return {
    eventId: 1,
    name: 'Gala',
    startsAt: 0,
    activeHolds: 0,
    reserved: 0,
    reservationsOpen: 0,
    sold: 0,
    expiringWithinHour: 0,
    expired: 0,
    cancelled: 0,
    conversionRate: null,
    abandonedCarts: 0,
    contested: [],
    ...patch,
  };
}

const noOutstanding: DashboardSummary['outstanding'] = {
  at: 0,
  events: [],
  totals: { reservations: 0, balanceCents: 0, paidCents: 0, dueWithinDay: 0, dueWithinDayBalanceCents: 0 },
};

const summary = (events: EventReservationStats[], outstanding = noOutstanding): DashboardSummary => ({
  at: 0,
  reservations: { at: 0, events },
  outstanding,
  refunds: { count: 0, usdCents: 0, lines: [] },
});

describe('dashboard alerts', () => {
  it('a quiet event raises nothing', () => {
    expect(dashboardAlerts(summary([event({ sold: 10, activeHolds: 2 })]))).toEqual([]);
  });

  it('holds expiring within the hour, a seat refused 3+ times and mostly-abandoned carts are flagged', () => {
    const alerts = dashboardAlerts(
      summary([
        event({
          expiringWithinHour: 2,
          sold: 1,
          abandonedCarts: 3,
          contested: [
            { seatId: 7, label: 'A-7', refused: 5, lastAt: 0 },
            { seatId: 8, label: 'A-8', refused: 2, lastAt: 0 },
          ],
        }),
      ]),
    );
    expect(alerts.map((a) => a.kind)).toEqual(['expiring', 'contested', 'abandonment']);
    expect(alerts[1]).toMatchObject({ seat: 'A-7', n: 5 });
    expect(alerts[2]).toMatchObject({ n: 3, percent: 75 });
  });

  it('abandonment needs a pattern: a few carts, or a minority of them, are not flagged', () => {
    expect(dashboardAlerts(summary([event({ abandonedCarts: 2, sold: 0 })]))).toEqual([]);
    expect(dashboardAlerts(summary([event({ abandonedCarts: 4, sold: 10 })]))).toEqual([]);
  });

  it('deposits due within a day are flagged with their balance', () => {
    const outstanding = {
      ...noOutstanding,
      events: [
        {
          eventId: 1,
          name: 'Gala',
          reservations: 2,
          balanceCents: 9000,
          paidCents: 3000,
          dueWithinDay: 1,
          dueWithinDayBalanceCents: 5000,
          nextDueAt: 1,
          items: [],
        },
      ],
    };
    expect(dashboardAlerts(summary([], outstanding))).toEqual([
      { kind: 'dueSoon', severity: 'warn', eventId: 1, event: 'Gala', n: 1, balanceCents: 5000 },
    ]);
  });

  it('conversion reads as a whole percentage, heat as a share of the worst seat', () => {
    expect(conversionText(null)).toBe('—');
    expect(conversionText(2 / 3)).toBe('67 %');
    expect(heat(2, 4)).toBe(0.5);
    expect(heat(1, 0)).toBe(0);
    expect(heatColor(1)).toBe('hsl(0 90% 45%)');
  });
});
