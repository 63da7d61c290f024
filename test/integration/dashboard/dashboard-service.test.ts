import { afterEach, describe, expect, it } from 'vitest';
import { DashboardService, dashboardAlerts } from '../../../electron/services/dashboard/dashboard-service.ts';
import { DayClosingService } from '../../../electron/services/day-closing/day-closing-service.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { PaymentStatsService } from '../../../electron/services/payments/payment-stats.ts';
import { Catalog } from '../../../electron/services/reservations/catalog.ts';
import { ReservationStatsService } from '../../../electron/services/reservations/reservation-stats.ts';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { usdToVes } from '../../../shared/money.ts';
import { conversionText, heat, heatColor } from '../../../renderer/src/dashboard/alerts.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

const ANA = 'cashier:Ana Cajera';

describe('the supervisor dashboard (DashboardService on a real store)', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  function open(settings: unknown = {}) {
    venue = smallVenue({ settings });
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const closing = new DayClosingService(venue.db, venue.clock);
    const dashboard = new DashboardService(venue.db, venue.clock, {
      stats: new ReservationStatsService(venue.db, venue.clock),
      paymentStats: new PaymentStatsService(venue.db, venue.clock),
      calendar: closing.calendar,
      catalog: new Catalog(venue.db),
    });
    const hold = (sessionId: string, seats: number[]) =>
      venue.reservations.holdSeats({
        eventId: venue.eventId,
        sessionId,
        actor: ANA,
        seatIds: seats.map((i) => venue.seatIds[i]!),
      });
    return { payments, dashboard, hold };
  }

  it('ordinary 10-minute holds raise nothing: "expiring within the hour" is true of every hold', () => {
    const { dashboard, hold } = open();
    hold('a', [0, 1, 2]);
    hold('b', [3]);
    const summary = dashboard.summary();
    // The seed's figure still counts them (the CLI prints it)...
    expect(summary.reservations.events[0]!.expiringWithinHour).toBe(4);
    // ...but nothing is flagged.
    expect(summary.alerts).toEqual([]);
  });

  it('a cart kept alive past twice its normal hold is flagged, relative to TEMPORARY_HOLD_MINUTES', () => {
    const { dashboard, hold } = open({ TEMPORARY_HOLD_MINUTES: 10, MAX_HOLD_LIFETIME_MINUTES: 60 });
    hold('a', [0, 1]);
    for (let i = 0; i < 3; i++) {
      venue.clock.advance(8 * MINUTE_MS);
      venue.reservations.extendHolds({ eventId: venue.eventId, sessionId: 'a', actor: ANA });
    }
    hold('b', [5]); // a fresh cart
    const summary = dashboard.summary();
    expect(summary.alerts).toEqual([
      {
        kind: 'longHolds',
        severity: 'warn',
        eventId: venue.eventId,
        event: expect.any(String),
        n: 2,
        minutes: 20,
      },
    ]);
  });

  it('a deposit running out within the hour is urgent; one due later today is a warning', () => {
    const { dashboard, hold, payments } = open({ PARTIAL_PAYMENT_HOURS: 24 });
    hold('a', [0]);
    payments.deposit({
      eventId: venue.eventId,
      sessionId: 'a',
      actor: ANA,
      customer: { name: 'Carmen Díaz', phone: '04161234567' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    venue.clock.advance(10 * HOUR_MS);
    hold('b', [1]);
    payments.deposit({
      eventId: venue.eventId,
      sessionId: 'b',
      actor: ANA,
      customer: { name: 'Pedro Pérez', phone: '04141234567' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    // The first has 14 h left, the second 24 h: one due within a day, none urgent.
    expect(dashboard.summary().alerts.map((a) => a.kind)).toEqual(['dueSoon']);
    venue.clock.advance(13 * HOUR_MS + 30 * MINUTE_MS);
    const summary = dashboard.summary();
    const urgent = summary.alerts.find((a) => a.kind === 'depositsExpiring');
    expect(urgent).toMatchObject({ severity: 'danger', n: 1, minutes: 60 });
    expect(urgent?.kind === 'depositsExpiring' && urgent.balanceCents).toBeGreaterThan(0);
    expect(summary.attention[0]).toMatchObject({ depositsExpiringSoon: 1 });
    // Counted once: the urgent one is not also in the 24-hour warning.
    expect(summary.alerts.filter((a) => a.kind === 'dueSoon')).toEqual([
      expect.objectContaining({ n: 1, hours: 24 }),
    ]);
  });

  it("shows the business day's takings per method and currency, change given back, in USD and Bs.", () => {
    const { dashboard, hold, payments } = open();
    hold('a', [0, 1]);
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'a',
      actor: ANA,
      tenders: [
        { method: 'CASH_USD', amountCents: 2000 },
        { method: 'CASH_VES', amountCents: 5_000_000 },
      ],
    });
    hold('b', [2]);
    const { price, rate } = venue.db
      .prepare<[number], { price: number; rate: string }>(
        `SELECT p.price_cents AS price, e.ves_per_usd AS rate FROM zones z
         JOIN price_tiers p ON p.id = z.price_tier_id JOIN events e ON e.id = z.event_id WHERE z.id = ?`,
      )
      .get(venue.numberedZoneId)!;
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'b',
      actor: ANA,
      tenders: [
        {
          method: 'PAGO_MOVIL',
          amountCents: usdToVes(price, rate),
          reference: '00123456',
          phone: '04141234567',
          bankCode: '0102',
        },
      ],
    });
    const t = dashboard.summary().takings;
    expect(t.lines.map((l) => `${l.method}:${l.currency}`)).toEqual([
      'CASH_USD:USD',
      'CASH_VES:VES',
      'PAGO_MOVIL:VES',
    ]);
    const cashVes = t.lines.find((l) => l.method === 'CASH_VES')!;
    expect(cashVes.receivedCents).toBe(5_000_000);
    expect(cashVes.netCents).toBe(cashVes.receivedCents - cashVes.changeCents);
    const usdTotal = t.lines.reduce((sum, l) => sum + l.netUsdCents, 0);
    expect(t.netUsdCents).toBe(usdTotal);
    expect(t.netVesCents).toBeGreaterThan(0);
    expect(t.businessDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('the pure rule: contested seats and abandonment patterns still count', () => {
    const base = {
      eventId: 1,
      name: 'Gala',
      startsAt: 0,
      version: 1,
      activeHolds: 0,
      reserved: 0,
      reservationsOpen: 0,
      sold: 1,
      expiringWithinHour: 9,
      expired: 0,
      cancelled: 0,
      conversionRate: null,
      abandonedCarts: 3,
      contested: [{ seatId: 7, label: 'A-7', refused: 5, lastAt: 0 }],
    };
    const alerts = dashboardAlerts({
      reservations: { at: 0, events: [base] },
      outstanding: {
        at: 0,
        events: [],
        totals: {
          reservations: 0,
          balanceCents: 0,
          paidCents: 0,
          dueWithinDay: 0,
          dueWithinDayBalanceCents: 0,
        },
      },
      attention: [],
    });
    expect(alerts.map((a) => a.kind)).toEqual(['contested', 'abandonment']);
    expect(conversionText(2 / 3)).toBe('67 %');
    expect(heat(2, 4)).toBe(0.5);
    expect(heatColor(1)).toBe('hsl(0 90% 45%)');
  });
});
