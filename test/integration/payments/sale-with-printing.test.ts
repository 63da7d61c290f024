import { afterEach, describe, expect, it } from 'vitest';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { receiptPaymentsFromStore } from '../../../electron/services/printing/print-jobs.ts';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/** The seam with the printing capability: tickets are queued in the same write as the money. */
describe('a paid sale and its print jobs', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  const jobs = () =>
    venue.db
      .prepare<[], { kind: string; n: number }>(
        'SELECT kind, COUNT(*) AS n FROM print_jobs GROUP BY kind ORDER BY kind',
      )
      .all();
  const paymentCount = () =>
    venue.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n;

  it('a mixed payment queues the tickets and a receipt that reads back the tenders and the change', () => {
    venue = smallVenue();
    const printing = new PrintingService(venue.db, venue.clock);
    printing.attach(venue.reservations);
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:ana',
      seatIds: venue.seatIds.slice(0, 2),
    });
    const sale = payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:ana',
      tenders: [
        {
          method: 'PAGO_MOVIL',
          amountCents: 91_250,
          reference: '20261124',
          phone: '04121234567',
          bankCode: '0191',
        },
        { method: 'CASH_USD', amountCents: 3000 },
      ],
    });
    expect(jobs()).toEqual([
      { kind: 'receipt', n: 1 },
      { kind: 'ticket', n: 2 },
    ]);
    expect(receiptPaymentsFromStore(venue.db)(sale.transactionId, sale.totalCents)).toEqual({
      payments: [
        { method: 'PAGO_MOVIL', currency: 'VES', amountCents: 91_250, reference: '20261124' },
        { method: 'CASH_USD', currency: 'USD', amountCents: 3000, reference: null },
      ],
      change: { currency: 'USD', cents: 500 },
      balanceCents: 0,
    });
  });

  it('a deposit prints its deposit receipt, no ticket; the payment that completes the reservation prints the tickets', () => {
    venue = smallVenue();
    new PrintingService(venue.db, venue.clock).attach(venue.reservations);
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:ana',
      seatIds: [venue.seatIds[0]!],
    });
    const deposit = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:ana',
      customer: { name: 'María Pérez', idNumber: 'V-12345678' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    // Issue 15: the deposit's receipt (code, balance, until when); no ticket until it is paid.
    expect(jobs()).toEqual([{ kind: 'receipt', n: 1 }]);
    payments.pay({
      transactionId: deposit.transactionId,
      actor: 'cashier:luis',
      tenders: [{ method: 'CASH_USD', amountCents: 1500 }],
    });
    expect(jobs()).toEqual([
      { kind: 'receipt', n: 2 },
      { kind: 'ticket', n: 1 },
    ]);
  });

  it('if settling the sale fails (a listener refuses), the money is not recorded either', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    venue.reservations.onSettled(() => {
      throw new Error('printer store full');
    });
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:ana',
      seatIds: [venue.seatIds[0]!],
    });
    expect(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'cashier:ana',
        tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
      }),
    ).toThrow('printer store full');
    expect(paymentCount()).toBe(0);
    const status = venue.db.prepare<[], { status: string }>('SELECT status FROM transactions').get()!.status;
    expect(status).toBe('PENDING');
  });
});
