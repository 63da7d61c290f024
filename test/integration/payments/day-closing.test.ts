import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/taquilla.ts';
import { DayClosingService } from '../../../electron/services/day-closing/day-closing-service.ts';
import { reportCsv, reportText } from '../../../electron/services/day-closing/report-export.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { DAY_MS, HOUR_MS, ManualClock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { TenderInput } from '../../../shared/schemas/payments.ts';
import { addStaff, type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/** Caracas is UTC−4: a wall-clock time there, as epoch ms. */
const caracas = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h + 4, min);

function refusal(fn: () => unknown): TaquillaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaquillaError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('day closing', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  interface Day {
    payments: PaymentService;
    closing: DayClosingService;
    ana: number;
    luis: number;
    /** Sells the next free seat for `actor`, paid with `tenders` (default: USD 25 cash). */
    sell: (actor: string, tenders?: TenderInput[]) => void;
  }

  async function aVenue(settings: unknown = {}, at?: number): Promise<Day> {
    venue = smallVenue({ settings });
    if (at !== undefined) venue.clock.set(at);
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const closing = new DayClosingService(venue.db, venue.clock);
    const ana = await addStaff(venue.db, 'Ana Cajera', 'cashier');
    const luis = await addStaff(venue.db, 'Luis Supervisor', 'supervisor');
    let next = 0;
    const sell = (actor: string, tenders: TenderInput[] = [{ method: 'CASH_USD', amountCents: 2500 }]) => {
      const sessionId = `s-${next}`;
      venue.reservations.holdSeats({
        eventId: venue.eventId,
        sessionId,
        actor,
        seatIds: [venue.seatIds[next++]!],
      });
      payments.checkout({ eventId: venue.eventId, sessionId, actor, tenders });
    };
    return { payments, closing, ana, luis, sell };
  }

  /** Ana sells two seats (mixed, change in bolívares); Luis takes a deposit and a later payment. */
  async function aDayOfSales(): Promise<Day> {
    const day = await aVenue();
    const { payments } = day;
    const { eventId, seatIds } = venue;
    const ana = 'cashier:Ana Cajera';
    const luis = 'supervisor:Luis Supervisor';
    venue.reservations.holdSeats({ eventId, sessionId: 'ana-1', actor: ana, seatIds: seatIds.slice(18, 20) });
    payments.checkout({
      eventId,
      sessionId: 'ana-1',
      actor: ana,
      // $50: $20 cash + Bs. 1.200 cash (= $32.88) → Bs. 105 back.
      tenders: [
        { method: 'CASH_USD', amountCents: 2000 },
        { method: 'CASH_VES', amountCents: 120_000 },
      ],
    });
    venue.clock.advance(HOUR_MS);
    venue.reservations.holdSeats({ eventId, sessionId: 'luis-1', actor: luis, seatIds: [seatIds[17]!] });
    const dep = payments.deposit({
      eventId,
      sessionId: 'luis-1',
      actor: luis,
      customer: { name: 'Carla Díaz', phone: '04261234567' },
      tenders: [{ method: 'ZELLE', amountCents: 1000, reference: 'ZEL-0001' }],
    });
    venue.clock.advance(HOUR_MS);
    payments.pay({
      transactionId: dep.transactionId,
      actor: luis,
      tenders: [{ method: 'CARD', amountCents: 54_750, reference: '778812' }],
    });
    return day;
  }

  it('the X report adds up to the payments, per method, currency and staff member, in USD and Bs., and keeps the day open', async () => {
    const { closing } = await aDayOfSales();
    const x = closing.x();
    expect(x).toMatchObject({
      kind: 'X',
      number: null,
      businessDay: '2026-11-24',
      cashier: null,
      cutoffHour: 4,
    });
    const ana = x.cashiers.find((c) => c.cashierName === 'Ana Cajera')!;
    expect(ana).toMatchObject({
      cashier: 'cashier:Ana Cajera',
      payments: 1,
      sales: 1,
      deposits: 0,
      netUsdCents: 5000,
      netVesCents: 182_500,
    });
    expect(ana.lines).toEqual([
      {
        method: 'CASH_USD',
        currency: 'USD',
        count: 1,
        receivedCents: 2000,
        changeCents: 0,
        refundCents: 0,
        netCents: 2000,
        netUsdCents: 2000,
      },
      {
        method: 'CASH_VES',
        currency: 'VES',
        count: 1,
        receivedCents: 120_000,
        changeCents: 10_500,
        refundCents: 0,
        netCents: 109_500,
        netUsdCents: 3000,
      },
    ]);
    // No drawer was opened: the cash is reported as taken outside any drawer count.
    expect(ana.outsideDrawer).toEqual([
      { currency: 'USD', netCents: 2000 },
      { currency: 'VES', netCents: 109_500 },
    ]);
    const luis = x.cashiers.find((c) => c.cashierName === 'Luis Supervisor')!;
    expect(luis).toMatchObject({ payments: 2, deposits: 1, instalments: 1, netUsdCents: 2500 });
    expect(luis.lines.map((l) => [l.method, l.netCents, l.netUsdCents])).toEqual([
      ['ZELLE', 1000, 1000],
      ['CARD', 54_750, 1500],
    ]);
    // Totals: what the lines say equals what was credited to sales, at the stored rates, in both currencies.
    expect(x.totals).toMatchObject({ netUsdCents: 7500, netVesCents: 273_750 });
    expect(x.totals.lines.reduce((s, l) => s + l.netUsdCents, 0)).toBe(7500);
    const credited = venue.db
      .prepare<[], { s: number }>('SELECT SUM(applied_cents) AS s FROM payments')
      .get()!.s;
    expect(credited).toBe(7500);
    expect(closing.x().totals).toEqual(x.totals);
    expect(closing.closings()).toEqual([]);
  });

  it('Z closes one staff member by id, once a day, numbered; a display name resolves to the same person; later sales go to the next day', async () => {
    const day = await aDayOfSales();
    const { closing } = day;
    const z = closing.z({ staff: { staffId: day.ana }, actor: 'supervisor:Luis Supervisor' });
    expect(z).toMatchObject({
      kind: 'Z',
      number: 1,
      staffId: day.ana,
      cashier: 'cashier:Ana Cajera',
      cashierName: 'Ana Cajera',
      businessDay: '2026-11-24',
      generatedBy: 'supervisor:Luis Supervisor',
    });
    expect(z.totals.netUsdCents).toBe(5000);
    expect(closing.x({ staff: { staffId: day.ana } }).cashiers).toEqual([]);
    expect(closing.x().totals.netUsdCents).toBe(2500);

    // Her display name (the one people see), however typed, is the same staff member: refused as closed.
    const again = refusal(() => closing.z({ staff: { name: 'ana cajera' }, actor: 'x' }));
    expect(again.code).toBe('DAY_ALREADY_CLOSED');
    expect(again.details).toEqual({
      cashier: 'cashier:Ana Cajera',
      businessDay: '2026-11-24',
      closingNumber: 1,
    });

    // Ana sells again after her Z: it belongs to the next day.
    day.sell('cashier:Ana Cajera');
    const next = closing.x({ staff: { name: 'Ana Cajera' } });
    expect(next).toMatchObject({ businessDay: '2026-11-25' });
    expect(next.totals.netUsdCents).toBe(2500);

    // Luis closes his own day; numbers go on across staff.
    expect(closing.z({ staff: { name: 'supervisor:Luis Supervisor' }, actor: 'luis' }).number).toBe(2);
    venue.clock.advance(DAY_MS);
    const tomorrow = closing.z({ staff: { staffId: day.ana }, actor: 'ana' });
    expect(tomorrow).toMatchObject({ number: 3, businessDay: '2026-11-25' });
    expect(tomorrow.totals.netUsdCents).toBe(2500);
    expect(closing.closing({ number: 1 })).toEqual(z);
    expect(closing.closings().map((c) => [c.number, c.cashierName, c.staffId, c.businessDay])).toEqual([
      [1, 'Ana Cajera', day.ana, '2026-11-24'],
      [2, 'Luis Supervisor', day.luis, '2026-11-24'],
      [3, 'Ana Cajera', day.ana, '2026-11-25'],
    ]);
  });

  it('an unknown staff member is refused, by id or name, naming who exists, and nothing is closed', async () => {
    const { closing } = await aDayOfSales();
    const byId = refusal(() => closing.z({ staff: { staffId: 99 }, actor: 'x' }));
    expect(byId.code).toBe('UNKNOWN_STAFF');
    expect(byId.details).toMatchObject({
      reference: '99',
      reason: 'unknown',
      known: [
        { staffId: 1, name: 'Ana Cajera' },
        { staffId: 2, name: 'Luis Supervisor' },
      ],
    });
    // The cashier's first name alone, or the internal actor of someone else: nobody.
    expect(refusal(() => closing.z({ staff: { name: 'Ana' }, actor: 'x' })).code).toBe('UNKNOWN_STAFF');
    expect(refusal(() => closing.x({ staff: { name: 'cashier:Beto' } })).code).toBe('UNKNOWN_STAFF');
    expect(closing.closings()).toEqual([]);
    // Two staff whose names differ only in case or accents are told apart by id only.
    await addStaff(venue.db, 'ana cajera', 'cashier');
    const ambiguous = refusal(() => closing.z({ staff: { name: 'Ána Cajera' }, actor: 'x' }));
    expect(ambiguous.details).toMatchObject({ reason: 'ambiguous' });
    expect(closing.closings()).toEqual([]);
  });

  it('a Friday-night Z taken at 00:40 on Saturday closes Friday; Saturday closes on Saturday night', async () => {
    const friday = caracas(2026, 11, 27, 20, 0);
    const day = await aVenue({}, friday);
    const ana = 'cashier:Ana Cajera';
    day.sell(ana); // Friday 20:00
    venue.clock.set(caracas(2026, 11, 27, 23, 50));
    day.sell(ana); // Friday 23:50
    venue.clock.set(caracas(2026, 11, 28, 0, 40));
    const fridayZ = day.closing.z({ staff: { staffId: day.ana }, actor: ana });
    expect(fridayZ).toMatchObject({
      businessDay: '2026-11-27',
      dayStartsAt: caracas(2026, 11, 27, 4),
      dayEndsAt: caracas(2026, 11, 28, 4),
    });
    expect(fridayZ.totals.payments).toBe(2);

    // 03:59 is still Friday night: already closed, so it waits for the next Z, Saturday's.
    venue.clock.set(caracas(2026, 11, 28, 3, 59));
    day.sell(ana);
    expect(day.closing.x({ staff: { staffId: day.ana } }).businessDay).toBe('2026-11-28');
    venue.clock.set(caracas(2026, 11, 28, 4, 0));
    day.sell(ana); // Saturday 04:00
    venue.clock.set(caracas(2026, 11, 28, 22, 0));
    day.sell(ana); // Saturday night
    venue.clock.set(caracas(2026, 11, 29, 1, 15));
    const saturdayZ = day.closing.z({ staff: { staffId: day.ana }, actor: ana });
    expect(saturdayZ).toMatchObject({ number: 2, businessDay: '2026-11-28' });
    expect(saturdayZ.totals.payments).toBe(3);
    // A second Z on Saturday night is refused: nothing is open, and Sunday has not begun.
    expect(refusal(() => day.closing.z({ staff: { staffId: day.ana }, actor: ana })).code).toBe(
      'DAY_ALREADY_CLOSED',
    );
  });

  it('a Z taken late closes only its own day: Saturday morning closes Friday, then Saturday is closed apart', async () => {
    const day = await aVenue({}, caracas(2026, 11, 27, 21, 0));
    const ana = 'cashier:Ana Cajera';
    day.sell(ana); // Friday 21:00
    venue.clock.set(caracas(2026, 11, 28, 10, 0));
    day.sell(ana); // Saturday 10:00, before anyone remembered Friday's Z
    venue.clock.set(caracas(2026, 11, 28, 11, 0));
    const late = day.closing.z({ staff: { staffId: day.ana }, actor: ana });
    expect(late).toMatchObject({ businessDay: '2026-11-27', totals: { payments: 1 } });
    const saturday = day.closing.z({ staff: { staffId: day.ana }, actor: ana });
    expect(saturday).toMatchObject({ businessDay: '2026-11-28', totals: { payments: 1 } });
  });

  it("the cutoff is the tenant's BUSINESS_DAY_CUTOFF_HOUR: at 6, a sale at 05:30 is the night before's", async () => {
    const day = await aVenue({ BUSINESS_DAY_CUTOFF_HOUR: 6 }, caracas(2026, 11, 28, 5, 30));
    day.sell('cashier:Ana Cajera');
    const z = day.closing.z({ staff: { staffId: day.ana }, actor: 'x' });
    expect(z).toMatchObject({
      businessDay: '2026-11-27',
      cutoffHour: 6,
      dayEndsAt: caracas(2026, 11, 28, 6),
    });
    // At midnight (0) the same instant is Saturday's.
    venue.close();
    const midnight = await aVenue({ BUSINESS_DAY_CUTOFF_HOUR: 0 }, caracas(2026, 11, 28, 5, 30));
    midnight.sell('cashier:Ana Cajera');
    expect(midnight.closing.x({ staff: { staffId: midnight.ana } }).businessDay).toBe('2026-11-28');
  });

  it('exports CSV and a printable text layout with USD and Bs. totals', async () => {
    const { closing, luis } = await aDayOfSales();
    const z = closing.z({ staff: { staffId: luis }, actor: 'luis' });
    const csv = reportCsv(z).trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'report,number,business_day,cashier,method,currency,count,received,change,net,net_usd',
    );
    expect(csv).toContain('Z,1,2026-11-24,Luis Supervisor,CARD,VES,1,547.50,0.00,547.50,15.00');
    expect(csv.at(-2)).toBe('Z,1,2026-11-24,TOTAL,ALL,USD,2,,,,25.00');
    expect(csv.at(-1)).toBe('Z,1,2026-11-24,TOTAL,ALL,VES,2,,,912.50,');
    const text = reportText(z, 42);
    expect(text).toContain('REPORTE Z N.º 0001');
    expect(text).toContain('Tarjeta de débito (1)');
    expect(text).toMatch(/Día\s+24\/11\/2026/);
    expect(text).toMatch(/Corte\s+04:00 a 04:00/);
    expect(text).toMatch(/Personal\s+Luis Supervisor/);
    expect(text).toMatch(/TOTAL\s+USD 25,00\n\s+Bs\. 912,50/);
    expect(text).not.toContain('supervisor:');
    for (const width of [32, 42, 48]) {
      for (const line of reportText(z, width).trimEnd().split('\n'))
        expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('the CLI closes a staff member named as shown (not an empty Z), and refuses a name or id that is nobody', async () => {
    await aDayOfSales();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), clock: venue.clock };
    expect(await runCli(['x-report', '--db', venue.file], io)).toBe(0);
    expect(out.join('\n')).toContain('REPORTE X');
    // The issue: `--cashier "Ana Cajera"` created an empty "Sin pagos" Z. It is Ana, with her payment.
    const file = join(venue.file, '..', 'z.csv');
    expect(await runCli(['z-report', '--db', venue.file, '--cashier', 'Ana Cajera', '--out', file], io)).toBe(
      0,
    );
    expect(readFileSync(file, 'utf8')).toContain(
      'Z,1,2026-11-24,Ana Cajera,CASH_VES,VES,1,1200.00,105.00,1095.00,30.00',
    );
    expect(await runCli(['z-report', '--db', venue.file, '--staff', '1'], io)).toBe(1);
    expect(err.pop()).toContain('DAY_ALREADY_CLOSED');
    expect(await runCli(['z-report', '--db', venue.file, '--cashier', 'Nadie'], io)).toBe(1);
    expect(err.pop()).toMatch(
      /UNKNOWN_STAFF.*No staff member 'Nadie' \(staff: 1 Ana Cajera, 2 Luis Supervisor\)/,
    );
    expect(await runCli(['z-report', '--db', venue.file, '--staff', '7'], io)).toBe(1);
    expect(await runCli(['z-report', '--db', venue.file], io)).toBe(2);
    expect(new DayClosingService(venue.db, new ManualClock(0)).closings()).toHaveLength(1);

    const settings = ['payment-settings', '--db', venue.file, '--event', String(venue.eventId)];
    expect(await runCli([...settings, '--deposit-percent', '12.5', '--rate', '40,1'], io)).toBe(0);
    expect(out.pop()).toBe(`Event ${venue.eventId}: minimum deposit 12.5 %, Bs. 40.1000 per USD.`);
    expect(await runCli([...settings, '--deposit-percent', 'x'], io)).toBe(2);
    out.length = 0;
    expect(
      await runCli(['find-reservation', '--db', venue.file, '--query', 'carla', '--all', '--json'], io),
    ).toBe(0);
    expect(JSON.parse(out[0]!).matches[0]).toMatchObject({ customerName: 'Carla Díaz', status: 'COMPLETED' });
  });
});
