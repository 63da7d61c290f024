import { afterEach, describe, expect, it } from 'vitest';
import { DayClosingService } from '../../../electron/services/day-closing/day-closing-service.ts';
import { reportCsv, reportText } from '../../../electron/services/day-closing/report-export.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { TenderInput } from '../../../shared/schemas/payments.ts';
import { addStaff, type SmallVenue, smallVenue } from '../../support/temp-store.ts';

function refusal(fn: () => unknown): TaquillaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaquillaError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const ANA = 'cashier:Ana Cajera';
const LUIS = 'supervisor:Luis Supervisor';

describe('the cash drawer', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  async function aCounter() {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const closing = new DayClosingService(venue.db, venue.clock);
    const drawer = closing.drawer;
    const ana = await addStaff(venue.db, 'Ana Cajera', 'cashier');
    const luis = await addStaff(venue.db, 'Luis Supervisor', 'supervisor');
    let next = 0;
    const sell = (actor: string, tenders: TenderInput[], changeCurrency?: 'USD' | 'VES') => {
      const sessionId = `s-${next}`;
      venue.reservations.holdSeats({
        eventId: venue.eventId,
        sessionId,
        actor,
        seatIds: [venue.seatIds[next++]!],
      });
      venue.clock.advance(MINUTE_MS);
      return payments.checkout({
        eventId: venue.eventId,
        sessionId,
        actor,
        tenders,
        ...(changeCurrency ? { changeCurrency } : {}),
      });
    };
    const cashRows = () =>
      venue.db.prepare<[], { n: number }>('SELECT (SELECT COUNT(*) FROM cash_movements) AS n').get()!.n;
    return { payments, closing, drawer, ana, luis, sell, cashRows };
  }

  it('expected cash per currency is float + cash sales − change + paid in − paid out; the count gives over or short', async () => {
    const { drawer, ana, sell } = await aCounter();
    const opened = drawer.open({
      staff: { staffId: ana },
      actor: ANA,
      floatUsdCents: 5000,
      floatVesCents: 200_000,
    });
    expect(opened).toMatchObject({ status: 'OPEN', staffName: 'Ana Cajera', businessDay: '2026-11-24' });
    // USD 25 at Bs. 36,50: USD 20 cash + Bs. 200 cash; the USD 5 left is Bs. 182,50 → Bs. 17,50 back.
    sell(ANA, [
      { method: 'CASH_USD', amountCents: 2000 },
      { method: 'CASH_VES', amountCents: 20_000 },
    ]);
    // USD 25 in dollars: USD 30 handed over, USD 5 back.
    sell(ANA, [{ method: 'CASH_USD', amountCents: 3000 }], 'USD');
    // A card sale moves no cash.
    sell(ANA, [{ method: 'CARD', amountCents: 91_250, reference: 'AP0001' }]);
    drawer.move({
      staff: { staffId: ana },
      actor: ANA,
      kind: 'PAID_IN',
      currency: 'VES',
      amountCents: 50_000,
      reason: 'más sencillo del banco',
    });
    drawer.move({
      staff: { staffId: ana },
      actor: ANA,
      kind: 'PAID_OUT',
      currency: 'USD',
      amountCents: 1000,
      reason: 'agua para la taquilla',
      approvedBy: LUIS,
    });
    const state = drawer.state({ staffId: ana });
    const [usd, ves] = state.shift!.drawer;
    // Dollars: 50 float + 20 + 30 cash − 5 change − 10 paid out = 85.
    expect(usd).toEqual({
      currency: 'USD',
      floatCents: 5000,
      cashInCents: 5000,
      changeCents: 500,
      refundCents: 0,
      paidInCents: 0,
      paidOutCents: 1000,
      expectedCents: 8500,
      countedCents: null,
      overShortCents: null,
    });
    // Bolívares: 2.000 float + 200 cash − 17,50 change + 500 paid in = 2.682,50.
    expect(ves).toMatchObject({
      floatCents: 200_000,
      cashInCents: 20_000,
      changeCents: 1750,
      refundCents: 0,
      paidInCents: 50_000,
      paidOutCents: 0,
      expectedCents: 268_250,
    });
    expect(
      state.shift!.movements.map((m) => [m.kind, m.currency, m.amountCents, m.reason, m.approvedBy]),
    ).toEqual([
      ['PAID_IN', 'VES', 50_000, 'más sencillo del banco', null],
      ['PAID_OUT', 'USD', 1000, 'agua para la taquilla', LUIS],
    ]);

    venue.clock.advance(HOUR_MS);
    const closed = drawer.close({
      staff: { staffId: ana },
      actor: ANA,
      countedUsdCents: 8500,
      countedVesCents: ves!.expectedCents - 1000,
      note: 'faltan Bs. 10',
    });
    expect(closed).toMatchObject({ status: 'CLOSED', closedBy: ANA, note: 'faltan Bs. 10' });
    expect(
      closed.drawer.map((d) => [d.currency, d.expectedCents - (d.countedCents ?? 0), d.overShortCents]),
    ).toEqual([
      ['USD', 0, 0],
      ['VES', 1000, -1000],
    ]);
    // A sale after the drawer closed is not in that count.
    sell(ANA, [{ method: 'CASH_USD', amountCents: 2500 }]);
    expect(drawer.state({ staffId: ana }).shift!.drawer[0]!.expectedCents).toBe(8500);
  });

  it('refuses a second drawer, a paid-out nobody approved or larger than the drawer, and cash with no drawer open: nothing written', async () => {
    const { drawer, ana, luis, cashRows } = await aCounter();
    const move = (kind: 'PAID_IN' | 'PAID_OUT', amountCents: number, extra: object = {}) =>
      drawer.move({
        staff: { staffId: ana },
        actor: ANA,
        kind,
        currency: 'USD',
        amountCents,
        reason: 'prueba',
        ...extra,
      });
    expect(refusal(() => move('PAID_IN', 100)).code).toBe('NO_OPEN_SHIFT');
    expect(
      refusal(() =>
        drawer.close({ staff: { staffId: ana }, actor: ANA, countedUsdCents: 0, countedVesCents: 0 }),
      ).code,
    ).toBe('NO_OPEN_SHIFT');
    drawer.open({ staff: { staffId: ana }, actor: ANA, floatUsdCents: 2000, floatVesCents: 0 });
    const second = refusal(() =>
      drawer.open({ staff: { staffId: ana }, actor: ANA, floatUsdCents: 1, floatVesCents: 0 }),
    );
    expect(second.code).toBe('SHIFT_OPEN');
    expect(refusal(() => move('PAID_OUT', 500)).code).toBe('APPROVAL_REQUIRED');
    const tooMuch = refusal(() => move('PAID_OUT', 2001, { approvedBy: LUIS }));
    expect(tooMuch).toMatchObject({
      code: 'INSUFFICIENT_CASH',
      details: { currency: 'USD', requestedCents: 2001, availableCents: 2000 },
    });
    expect(cashRows()).toBe(0);
    // A supervisor's own paid-out is theirs to approve.
    drawer.open({ staff: { staffId: luis }, actor: LUIS, floatUsdCents: 1000, floatVesCents: 0 });
    const own = drawer.move({
      staff: { staffId: luis },
      actor: LUIS,
      kind: 'PAID_OUT',
      currency: 'USD',
      amountCents: 1000,
      reason: 'depósito al banco',
    });
    expect(own.movements[0]).toMatchObject({ approvedBy: LUIS });
    expect(
      refusal(() =>
        drawer.open({ staff: { name: 'Quiosco' }, actor: 'k', floatUsdCents: 0, floatVesCents: 0 }),
      ).code,
    ).toBe('UNKNOWN_STAFF');
  });

  it('a closed drawer and its cash movements are history: the store refuses to change them', async () => {
    const { drawer, ana } = await aCounter();
    const shift = drawer.open({ staff: { staffId: ana }, actor: ANA, floatUsdCents: 1000, floatVesCents: 0 });
    drawer.move({
      staff: { staffId: ana },
      actor: ANA,
      kind: 'PAID_IN',
      currency: 'USD',
      amountCents: 100,
      reason: 'cambio',
    });
    drawer.close({ staff: { staffId: ana }, actor: ANA, countedUsdCents: 1100, countedVesCents: 0 });
    const db = venue.db;
    expect(() =>
      db.prepare('UPDATE cash_shifts SET counted_usd_cents = 9999 WHERE id = ?').run(shift.id),
    ).toThrow(/closed cash drawer/);
    expect(() => db.prepare('UPDATE cash_movements SET amount_cents = 1').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM cash_shifts').run()).toThrow(/never deleted/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO cash_movements (shift_id, kind, currency, amount_cents, reason, actor, created_at) VALUES (?, 'PAID_OUT', 'USD', 5, 'x', 'x', 0)",
        )
        .run(shift.id),
    ).toThrow(/open drawer/);
  });

  it('the Z takes the day’s closed drawers with their count, refuses while a drawer is open, and never counts one twice', async () => {
    const { drawer, closing, ana, sell } = await aCounter();
    drawer.open({ staff: { staffId: ana }, actor: ANA, floatUsdCents: 5000, floatVesCents: 100_000 });
    sell(ANA, [{ method: 'CASH_USD', amountCents: 2500 }]);
    sell(ANA, [
      {
        method: 'PAGO_MOVIL',
        amountCents: 91_250,
        reference: '123456',
        phone: '04141234567',
        bankCode: '0102',
      },
    ]);
    const open = refusal(() => closing.z({ staff: { staffId: ana }, actor: ANA }));
    expect(open).toMatchObject({ code: 'SHIFT_OPEN', details: { staffId: ana, businessDay: '2026-11-24' } });
    // The X shows the open drawer's expected cash so far.
    const x = closing.x({ staff: { staffId: ana } });
    expect(x.totals.drawer[0]).toMatchObject({ expectedCents: 7500, countedCents: null });
    drawer.close({ staff: { staffId: ana }, actor: ANA, countedUsdCents: 7600, countedVesCents: 100_000 });
    // Cash taken after the drawer closed is reported apart, in no count.
    sell(ANA, [{ method: 'CASH_USD', amountCents: 2500 }]);
    const z = closing.z({ staff: { staffId: ana }, actor: LUIS });
    expect(z.totals).toMatchObject({ shifts: 1, payments: 3, netUsdCents: 7500 });
    expect(z.totals.drawer).toEqual([
      {
        currency: 'USD',
        floatCents: 5000,
        cashInCents: 2500,
        changeCents: 0,
        refundCents: 0,
        paidInCents: 0,
        paidOutCents: 0,
        expectedCents: 7500,
        countedCents: 7600,
        overShortCents: 100,
      },
      {
        currency: 'VES',
        floatCents: 100_000,
        cashInCents: 0,
        changeCents: 0,
        refundCents: 0,
        paidInCents: 0,
        paidOutCents: 0,
        expectedCents: 100_000,
        countedCents: 100_000,
        overShortCents: 0,
      },
    ]);
    expect(z.totals.outsideDrawer).toEqual([{ currency: 'USD', netCents: 2500 }]);
    expect(drawer.state({ staffId: ana }).shift).toBeNull();
    const text = reportText(z, 42);
    expect(text).toMatch(/CAJA \(1 turno\)/);
    expect(text).toMatch(/Sobrante\s+USD 1,00/);
    expect(text).toMatch(/Efectivo sin caja abierta\s+USD 25,00/);
    const csv = reportCsv(z);
    expect(csv).toContain('Z,1,2026-11-24,Ana Cajera,DRAWER_OVER_SHORT,USD,1,,,1.00,');
    expect(csv).toContain('Z,1,2026-11-24,Ana Cajera,CASH_OUTSIDE_DRAWER,USD,,,,25.00,');
    // The next day's drawer starts fresh; the Z'd one is in no later report.
    venue.clock.advance(24 * HOUR_MS);
    drawer.open({ staff: { staffId: ana }, actor: ANA, floatUsdCents: 1000, floatVesCents: 0 });
    expect(closing.x({ staff: { staffId: ana } }).totals).toMatchObject({ shifts: 1, payments: 0 });
  });

  it('a drawer of a night past midnight and past the cutoff takes every sale inside it into its day', async () => {
    const { drawer, closing, ana, sell } = await aCounter();
    // 2026-11-24 22:00 in Caracas.
    venue.clock.set(Date.UTC(2026, 10, 25, 2, 0));
    drawer.open({ staff: { staffId: ana }, actor: ANA, floatUsdCents: 0, floatVesCents: 0 });
    sell(ANA, [{ method: 'CASH_USD', amountCents: 2500 }]);
    // 04:30 the next morning: past the cutoff, still the same drawer.
    venue.clock.set(Date.UTC(2026, 10, 25, 8, 30));
    sell(ANA, [{ method: 'CASH_USD', amountCents: 2500 }]);
    drawer.close({ staff: { staffId: ana }, actor: ANA, countedUsdCents: 5000, countedVesCents: 0 });
    const z = closing.z({ staff: { staffId: ana }, actor: ANA });
    expect(z).toMatchObject({ businessDay: '2026-11-24', totals: { payments: 2, netUsdCents: 5000 } });
    expect(z.totals.drawer[0]).toMatchObject({ expectedCents: 5000, overShortCents: 0 });
    expect(z.totals.outsideDrawer).toEqual([]);
  });
});
