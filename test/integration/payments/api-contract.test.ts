import { afterEach, describe, expect, it } from 'vitest';
import { cashDrawerApi } from '../../../shared/api/cash-drawer.ts';
import { paymentsApi } from '../../../shared/api/payments.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import { DayClosingService } from '../../../electron/services/day-closing/day-closing-service.ts';
import { NotificationService } from '../../../electron/services/payments/notifications.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { PaymentStatsService } from '../../../electron/services/payments/payment-stats.ts';
import { ReservationSearch } from '../../../electron/services/payments/reservation-search.ts';
import { addStaff, type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/**
 * The API table's schemas and the services agree: what a handler would pass in (the payload plus the
 * session's id and actor) is accepted by the service, and what the service returns passes the
 * method's output schema, so the dispatcher never rejects a good answer.
 */
describe('payments API contract', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  it('inputs carry no session or actor, and every service answer fits its output schema', async () => {
    venue = smallVenue();
    const { db, clock, reservations, eventId, seatIds } = venue;
    const payments = new PaymentService(db, clock, reservations);
    const staffId = await addStaff(db, 'Ana', 'cashier');
    const who = { sessionId: 'caja1', actor: 'cashier:Ana' };

    expect(paymentsApi['payments.checkout'].input.safeParse({ eventId, tenders: [], ...who }).success).toBe(
      false,
    );
    const depositPayload = paymentsApi['payments.deposit'].input.parse({
      eventId,
      customer: { name: 'María Pérez', idNumber: '12345678' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    reservations.holdSeats({ eventId, seatIds: [seatIds[0]!], ...who });
    const quote = payments.quote({ eventId, sessionId: who.sessionId });
    expect(paymentsApi['payments.quote'].output.safeParse(quote).success).toBe(true);
    const deposit = payments.deposit({ ...depositPayload, ...who });
    expect(paymentsApi['payments.deposit'].output.parse(deposit)).toEqual(deposit);

    const payPayload = paymentsApi['payments.pay'].input.parse({
      transactionId: deposit.transactionId,
      tenders: [{ method: 'CASH_USD', amountCents: 500 }],
    });
    const paid = payments.pay({ ...payPayload, actor: who.actor });
    expect(paymentsApi['payments.pay'].output.parse(paid)).toEqual(paid);

    reservations.holdSeats({ eventId, seatIds: [seatIds[1]!], ...who });
    const checkoutPayload = paymentsApi['payments.checkout'].input.parse({
      eventId,
      tenders: [{ method: 'CASH_VES', amountCents: 100_000 }],
    });
    const sale = payments.checkout({ ...checkoutPayload, ...who });
    expect(paymentsApi['payments.checkout'].output.parse(sale)).toEqual(sale);

    const matches = new ReservationSearch(db, clock).search(
      paymentsApi['reservations.search'].input.parse({ query: 'maria' }),
    );
    expect(paymentsApi['reservations.search'].output.parse(matches)).toHaveLength(1);
    const open = new ReservationSearch(db, clock).open(paymentsApi['reservations.open'].input.parse({}));
    expect(paymentsApi['reservations.open'].output.parse(open)).toHaveLength(1);
    const outstanding = new PaymentStatsService(db, clock).outstanding();
    expect(paymentsApi['payments.outstanding'].output.parse(outstanding).totals.balanceCents).toBe(1000);

    const closing = new DayClosingService(db, clock);
    const staff = { staffId };
    const drawer = (method: keyof typeof cashDrawerApi, input: object, run: (i: object) => unknown) =>
      cashDrawerApi[method].output.parse(
        run({ ...cashDrawerApi[method].input.parse(input), staff, actor: who.actor }),
      );
    drawer('drawer.open', { floatUsdCents: 1000, floatVesCents: 0 }, (i) => closing.drawer.open(i));
    drawer('drawer.move', { kind: 'PAID_IN', currency: 'VES', amountCents: 500, reason: 'sencillo' }, (i) =>
      closing.drawer.move(i),
    );
    expect(cashDrawerApi['drawer.state'].output.safeParse(closing.drawer.state(staff)).success).toBe(true);
    drawer('drawer.close', { countedUsdCents: 1000, countedVesCents: 500 }, (i) => closing.drawer.close(i));
    expect(paymentsApi['reports.x'].output.safeParse(closing.x()).success).toBe(true);
    expect(paymentsApi['reports.x'].output.safeParse(closing.x({ staff })).success).toBe(true);
    expect(paymentsApi['reports.z'].output.safeParse(closing.z({ staff, actor: who.actor })).success).toBe(
      true,
    );

    clock.advance(80 * HOUR_MS);
    reservations.cleanupExpired();
    const notes = new NotificationService(db, clock).list();
    expect(paymentsApi['notifications.list'].output.parse(notes)).toHaveLength(1);
  });
});
