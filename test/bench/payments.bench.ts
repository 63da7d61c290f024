import { DayClosingService } from '../../electron/services/day-closing/day-closing-service.ts';
import { reportCsv } from '../../electron/services/day-closing/report-export.ts';
import { PaymentService } from '../../electron/services/payments/payment-service.ts';
import { ReservationSearch } from '../../electron/services/payments/reservation-search.ts';
import { settle } from '../../shared/payments.ts';
import type { Tender } from '../../shared/schemas/payments.ts';
import { addStaff, smallVenue } from '../support/temp-store.ts';
import { type BenchSuite, type Figure, percentile } from './figures.ts';

const SALES = 600;
const DEPOSITS = 200;

function micros(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** The pure rules: one mixed three-tender settlement. */
function settleFigures(): Figure[] {
  const tenders: Tender[] = [
    { method: 'CARD', amountCents: 109_500, reference: '004512' },
    { method: 'PAGO_MOVIL', amountCents: 36_500, reference: '1122', phone: '04241112233', bankCode: '0134' },
    { method: 'CASH_USD', amountCents: 3000 },
  ];
  for (let i = 0; i < 2000; i++) settle(6000, tenders, '36.50');
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const start = process.hrtime.bigint();
    settle(6000, tenders, '36.50');
    samples.push(micros(start));
  }
  samples.sort((a, b) => a - b);
  return [
    {
      key: 'payments.settle.p99',
      label: 'settle a 3-tender mixed payment (pure rules), p99',
      value: percentile(samples, 99),
      unit: 'µs',
      target: '< 100 µs',
      met: percentile(samples, 99) < 100,
    },
  ];
}

export const suite: BenchSuite = {
  name: 'payments',
  run: async () => {
    const figures = settleFigures();
    const venue = smallVenue({ gaCapacity: SALES + DEPOSITS + 10 });
    try {
      const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
      const closing = new DayClosingService(venue.db, venue.clock);
      const staff: number[] = [];
      for (let c = 0; c < 4; c++) staff.push(await addStaff(venue.db, `cajero${c}`, 'cashier'));
      // cajero0 sells from an open drawer, so the Z below sums a drawer as well as payments.
      closing.drawer.open({
        staff: { staffId: staff[0]! },
        actor: 'cashier:cajero0',
        floatUsdCents: 5000,
        floatVesCents: 0,
      });
      const checkout: number[] = [];
      for (let i = 0; i < SALES; i++) {
        const sessionId = `s${i}`;
        venue.reservations.holdGeneral({
          eventId: venue.eventId,
          sessionId,
          actor: `cashier:cajero${i % 4}`,
          zoneId: venue.gaZoneId,
          quantity: 1,
        });
        const start = process.hrtime.bigint();
        // $10 due: Bs. 182,50 Pago Móvil ($5) + $10 cash → $5 back.
        payments.checkout({
          eventId: venue.eventId,
          sessionId,
          actor: `cashier:cajero${i % 4}`,
          tenders: [
            {
              method: 'PAGO_MOVIL',
              amountCents: 18_250,
              reference: String(100_000 + i),
              phone: '04141234567',
              bankCode: '0102',
            },
            { method: 'CASH_USD', amountCents: 1000 },
          ],
        });
        checkout.push(micros(start) / 1000);
        venue.clock.advance(1000);
      }
      const deposit: number[] = [];
      for (let i = 0; i < DEPOSITS; i++) {
        const sessionId = `d${i}`;
        venue.reservations.holdGeneral({
          eventId: venue.eventId,
          sessionId,
          actor: 'cashier:cajero0',
          zoneId: venue.gaZoneId,
          quantity: 1,
        });
        const start = process.hrtime.bigint();
        payments.deposit({
          eventId: venue.eventId,
          sessionId,
          actor: 'cashier:cajero0',
          customer: { name: `Cliente ${i}`, idNumber: `V-${10_000_000 + i}` },
          tenders: [{ method: 'CASH_USD', amountCents: 500 }],
        });
        deposit.push(micros(start) / 1000);
      }
      checkout.sort((a, b) => a - b);
      deposit.sort((a, b) => a - b);
      const search = new ReservationSearch(venue.db, venue.clock);
      const searchStart = process.hrtime.bigint();
      for (let i = 0; i < 50; i++) search.search({ query: `V-${10_000_000 + i}` });
      const searchMs = micros(searchStart) / 1000 / 50;

      closing.drawer.close({
        staff: { staffId: staff[0]! },
        actor: 'cashier:cajero0',
        countedUsdCents: 0,
        countedVesCents: 0,
      });
      const xStart = process.hrtime.bigint();
      const x = closing.x();
      const xMs = micros(xStart) / 1000;
      const zStart = process.hrtime.bigint();
      const z = closing.z({ staff: { staffId: staff[0]! }, actor: 'supervisor:sup' });
      reportCsv(z);
      const zMs = micros(zStart) / 1000;
      figures.push(
        {
          key: 'payments.checkout.p50',
          label: `checkout, mixed VES+USD with change, durable commit with the sale (${SALES} sales), p50`,
          value: percentile(checkout, 50),
          unit: 'ms',
        },
        {
          key: 'payments.checkout.p99',
          label: 'checkout, p99',
          value: percentile(checkout, 99),
          unit: 'ms',
          target: '< 50 ms',
          met: percentile(checkout, 99) < 50,
        },
        {
          key: 'payments.deposit.p99',
          label: `deposit → RESERVED for a named customer (${DEPOSITS}), p99`,
          value: percentile(deposit, 99),
          unit: 'ms',
          target: '< 50 ms',
          met: percentile(deposit, 99) < 50,
        },
        {
          key: 'payments.search.mean',
          label: `reservation search by cédula among ${DEPOSITS} reservations, mean`,
          value: searchMs,
          unit: 'ms',
          target: '< 20 ms',
          met: searchMs < 20,
        },
        {
          key: 'payments.xreport',
          label: `X report over ${x.totals.payments} payments, 4 cashiers`,
          value: xMs,
          unit: 'ms',
          target: '< 200 ms',
          met: xMs < 200,
        },
        {
          key: 'payments.zreport',
          label: `Z report for one cashier (${z.totals.payments} payments, a counted drawer) + CSV`,
          value: zMs,
          unit: 'ms',
          target: '< 200 ms',
          met: zMs < 200,
        },
      );
      return {
        figures,
        notes: { sales: SALES, deposits: DEPOSITS, commit: 'synchronous=FULL for payment writes' },
      };
    } finally {
      venue.close();
    }
  },
};
