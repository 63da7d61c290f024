import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { runCli } from '../../../electron/cli/taquilla.ts';
import {
  businessDay,
  DayClosingService,
} from '../../../electron/services/day-closing/day-closing-service.ts';
import { reportCsv, reportText } from '../../../electron/services/day-closing/report-export.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

describe('day closing', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  /** Ana sells two seats (mixed, change in bolívares); Luis takes a deposit and a later payment. */
  function aDayOfSales() {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const closing = new DayClosingService(venue.db, venue.clock);
    const { eventId, seatIds } = venue;
    venue.reservations.holdSeats({ eventId, sessionId: 'ana-1', actor: 'ana', seatIds: seatIds.slice(0, 2) });
    payments.checkout({
      eventId,
      sessionId: 'ana-1',
      actor: 'ana',
      // $50: $20 cash + Bs. 1.200 cash (= $32.88) → Bs. 105 back.
      tenders: [
        { method: 'CASH_USD', amountCents: 2000 },
        { method: 'CASH_VES', amountCents: 120_000 },
      ],
    });
    venue.clock.advance(HOUR_MS);
    venue.reservations.holdSeats({ eventId, sessionId: 'luis-1', actor: 'luis', seatIds: [seatIds[5]!] });
    const dep = payments.deposit({
      eventId,
      sessionId: 'luis-1',
      actor: 'luis',
      customer: { name: 'Carla Díaz', phone: '04261234567' },
      tenders: [{ method: 'ZELLE', amountCents: 1000, reference: 'ZEL-0001' }],
    });
    venue.clock.advance(HOUR_MS);
    payments.pay({
      transactionId: dep.transactionId,
      actor: 'luis',
      tenders: [{ method: 'CARD', amountCents: 54_750, reference: '778812' }],
    });
    return { payments, closing };
  }

  it('the X report adds up to the payments, per method, currency and cashier, and keeps the day open', () => {
    const { closing } = aDayOfSales();
    const x = closing.x();
    expect(x).toMatchObject({ kind: 'X', number: null, businessDay: '2026-11-24', cashier: null });
    const ana = x.cashiers.find((c) => c.cashier === 'ana')!;
    expect(ana).toMatchObject({ payments: 1, sales: 1, deposits: 0, netUsdCents: 5000 });
    expect(ana.lines).toEqual([
      {
        method: 'CASH_USD',
        currency: 'USD',
        count: 1,
        receivedCents: 2000,
        changeCents: 0,
        netCents: 2000,
        netUsdCents: 2000,
      },
      {
        method: 'CASH_VES',
        currency: 'VES',
        count: 1,
        receivedCents: 120_000,
        changeCents: 10_500,
        netCents: 109_500,
        netUsdCents: 3000,
      },
    ]);
    const luis = x.cashiers.find((c) => c.cashier === 'luis')!;
    expect(luis).toMatchObject({ payments: 2, deposits: 1, instalments: 1, netUsdCents: 2500 });
    expect(luis.lines.map((l) => [l.method, l.netCents, l.netUsdCents])).toEqual([
      ['ZELLE', 1000, 1000],
      ['CARD', 54_750, 1500],
    ]);
    // Totals: what the lines say equals what was credited to sales, at the stored rates.
    expect(x.totals.netUsdCents).toBe(7500);
    expect(x.totals.lines.reduce((s, l) => s + l.netUsdCents, 0)).toBe(7500);
    const credited = venue.db
      .prepare<[], { s: number }>('SELECT SUM(applied_cents) AS s FROM payments')
      .get()!.s;
    expect(credited).toBe(7500);
    // The day stays open: a second X is the same.
    expect(closing.x().totals).toEqual(x.totals);
    expect(closing.closings()).toEqual([]);
  });

  it('Z closes one cashier once a day, numbered; later sales go to the next day', () => {
    const { payments, closing } = aDayOfSales();
    const z = closing.z({ cashier: 'ana', actor: 'supervisora' });
    expect(z).toMatchObject({
      kind: 'Z',
      number: 1,
      cashier: 'ana',
      businessDay: '2026-11-24',
      generatedBy: 'supervisora',
    });
    expect(z.totals.netUsdCents).toBe(5000);
    // Luis's day is still open, Ana's has nothing left.
    expect(closing.x({ cashier: 'ana' }).cashiers).toEqual([]);
    expect(closing.x().totals.netUsdCents).toBe(2500);

    let refused: unknown;
    try {
      closing.z({ cashier: 'ana', actor: 'supervisora' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TaquillaError);
    expect((refused as TaquillaError).code).toBe('DAY_ALREADY_CLOSED');
    expect((refused as TaquillaError).details).toEqual({
      cashier: 'ana',
      businessDay: '2026-11-24',
      closingNumber: 1,
    });

    // Ana sells again after her Z: it belongs to tomorrow's day.
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'ana-2',
      actor: 'ana',
      seatIds: [venue.seatIds[9]!],
    });
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'ana-2',
      actor: 'ana',
      tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
    });
    const next = closing.x({ cashier: 'ana' });
    expect(next).toMatchObject({ businessDay: '2026-11-25' });
    expect(next.totals.netUsdCents).toBe(2500);

    // Luis closes his own day; numbers go on across cashiers.
    expect(closing.z({ cashier: 'luis', actor: 'luis' }).number).toBe(2);
    venue.clock.advance(DAY_MS);
    expect(businessDay(venue.clock.now())).toBe('2026-11-25');
    const tomorrow = closing.z({ cashier: 'ana', actor: 'ana' });
    expect(tomorrow).toMatchObject({ number: 3, businessDay: '2026-11-25' });
    expect(tomorrow.totals.netUsdCents).toBe(2500);
    // A stored Z reprints exactly as issued.
    expect(closing.closing({ number: 1 })).toEqual(z);
  });

  it('exports CSV and a printable text layout', () => {
    const { closing } = aDayOfSales();
    const z = closing.z({ cashier: 'luis', actor: 'luis' });
    const csv = reportCsv(z).trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'report,number,business_day,cashier,method,currency,count,received,change,net,net_usd',
    );
    expect(csv).toContain('Z,1,2026-11-24,luis,CARD,VES,1,547.50,0.00,547.50,15.00');
    expect(csv.at(-1)).toBe('Z,1,2026-11-24,TOTAL,ALL,USD,2,,,,25.00');
    const text = reportText(z, 42);
    expect(text).toContain('REPORTE Z Nº 0001');
    expect(text).toContain('Tarjeta débito (1)');
    for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(42);
  });

  it('the CLI prints the X report, writes the Z as CSV and refuses a second Z', async () => {
    aDayOfSales();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), clock: venue.clock };
    expect(await runCli(['x-report', '--db', venue.file], io)).toBe(0);
    expect(out.join('\n')).toContain('REPORTE X');
    const file = join(venue.file, '..', 'z.csv');
    expect(await runCli(['z-report', '--db', venue.file, '--cashier', 'ana', '--out', file], io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(
      'Z,1,2026-11-24,ana,CASH_VES,VES,1,1200.00,105.00,1095.00,30.00',
    );
    expect(await runCli(['z-report', '--db', venue.file, '--cashier', 'ana'], io)).toBe(1);
    expect(err.join('\n')).toContain('DAY_ALREADY_CLOSED');
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
