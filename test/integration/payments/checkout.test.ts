import { afterEach, describe, expect, it } from 'vitest';
import { TaquillaError } from '../../../shared/errors.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

function refusal(fn: () => unknown): TaquillaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaquillaError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkout', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  it('a mixed-currency sale with change commits money and sale together', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations, { terminal: 'T1' });
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: venue.seatIds.slice(0, 2),
    });
    venue.reservations.holdGeneral({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      zoneId: venue.gaZoneId,
      quantity: 1,
    });
    // $60 due: card Bs. 1.095 ($30) + Pago Móvil Bs. 365 ($10) + $30 cash → $10 back in dollars.
    const result = payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      tenders: [
        { method: 'CARD', amountCents: 109_500, reference: '004512', terminalId: 'POS-1' },
        {
          method: 'PAGO_MOVIL',
          amountCents: 36_500,
          reference: '11223344',
          phone: '0424-1112233',
          bankCode: '0134',
        },
        { method: 'CASH_USD', amountCents: 3000 },
      ],
    });
    expect(result).toMatchObject({
      kind: 'SALE',
      status: 'COMPLETED',
      totalCents: 6000,
      appliedCents: 6000,
      balanceCents: 0,
    });
    expect(result.change).toEqual({ currency: 'USD', cents: 1000, usdCents: 1000 });
    expect(result.lines.map((l) => [l.method, l.currency, l.amountCents, l.usdCents])).toEqual([
      ['CARD', 'VES', 109_500, 3000],
      ['PAGO_MOVIL', 'VES', 36_500, 1000],
      ['CASH_USD', 'USD', 3000, 3000],
    ]);
    const tx = venue.db
      .prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?')
      .get(result.transactionId);
    expect(tx!.status).toBe('COMPLETED');
    const stored = venue.db
      .prepare('SELECT ves_per_usd, due_cents, applied_cents, change_currency, change_cents FROM payments')
      .get();
    expect(stored).toEqual({
      ves_per_usd: '36.5000',
      due_cents: 6000,
      applied_cents: 6000,
      change_currency: 'USD',
      change_cents: 1000,
    });
  });

  it('a refused payment leaves the cart held and records no money', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const short = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'ana',
        tenders: [{ method: 'CASH_USD', amountCents: 2000 }],
      }),
    );
    expect(short.code).toBe('UNDERPAID');
    expect(short.details).toMatchObject({ shortCents: 500, shortVesCents: 18_250 });
    const over = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'ana',
        tenders: [{ method: 'ZELLE', amountCents: 3000, reference: 'ZX1234' }],
      }),
    );
    expect(over.code).toBe('OVERPAID');
    const count = () => venue.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n;
    expect(count()).toBe(0);
    // The cart can still be paid properly.
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
    });
    expect(count()).toBe(1);
  });

  it('a hold that ran out is not sold, and its payment rolls back with it', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    venue.clock.advance(11 * 60_000);
    const refused = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'ana',
        tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
      }),
    );
    expect(refused.code).toBe('HOLD_EXPIRED');
    expect(venue.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n).toBe(0);
  });

  it('a bank reference pays only once', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const pm = {
      method: 'PAGO_MOVIL',
      amountCents: 91_250,
      reference: '55667788',
      phone: '04145550000',
      bankCode: '0102',
    } as const;
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const first = payments.checkout({ eventId: venue.eventId, sessionId: 'c1', actor: 'ana', tenders: [pm] });
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'ana',
      seatIds: [venue.seatIds[1]!],
    });
    const again = refusal(() =>
      payments.checkout({ eventId: venue.eventId, sessionId: 'c2', actor: 'ana', tenders: [pm] }),
    );
    expect(again.code).toBe('DUPLICATE_REFERENCE');
    expect(again.details).toMatchObject({ paymentId: first.paymentId, reference: '55667788' });
    // Same digits from another bank are another payment.
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'ana',
      tenders: [{ ...pm, bankCode: '0105' }],
    });
  });

  it('the rate used is the event rate of the moment, stored with each payment', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    payments.setEventSettings({
      eventId: venue.eventId,
      actor: 'sup',
      vesPerUsd: '40,25',
      depositMinimumPercent: 50,
    });
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const quote = payments.quote({ eventId: venue.eventId, sessionId: 'c1' });
    expect(quote).toMatchObject({
      vesPerUsd: '40.2500',
      balanceVesCents: 100_625,
      depositMinimumCents: 1250,
    });
    const sale = payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      tenders: [{ method: 'TRANSFER', amountCents: 100_625, reference: '778899', bankCode: '0108' }],
    });
    expect(sale).toMatchObject({ vesPerUsd: '40.2500', appliedCents: 2500, change: null });
  });

  it('a listener settling the sale (printing) already sees its payments, in the same transaction', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const seen: unknown[] = [];
    venue.reservations.onSettled((settled) => seen.push(payments.receiptPayments(settled.transactionId)));
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      tenders: [
        { method: 'ZELLE', amountCents: 1500, reference: 'zl-77' },
        { method: 'CASH_VES', amountCents: 40_000 },
      ],
    });
    // $25: Zelle $15 + Bs. 400 cash for Bs. 365 owed → Bs. 35 back.
    expect(seen).toEqual([
      {
        payments: [
          { method: 'ZELLE', currency: 'USD', amountCents: 1500, reference: 'ZL-77' },
          { method: 'CASH_VES', currency: 'VES', amountCents: 40_000, reference: null },
        ],
        change: { currency: 'VES', cents: 3500 },
        paidCents: 2500,
        balanceCents: 0,
      },
    ]);
  });

  it('a retried request (same request id) gets the first answer and takes the money once', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const { eventId, seatIds } = venue;
    venue.reservations.holdSeats({ eventId, sessionId: 'c1', actor: 'ana', seatIds: [seatIds[0]!] });
    const sale = {
      eventId,
      sessionId: 'c1',
      actor: 'ana',
      requestId: 'req-sale-0001',
      tenders: [{ method: 'CASH_USD', amountCents: 3000 }],
    };
    const first = payments.checkout(sale);
    // The reply was lost; the screen sends the same request again.
    expect(payments.checkout(sale)).toEqual(first);

    venue.reservations.holdSeats({ eventId, sessionId: 'c2', actor: 'ana', seatIds: [seatIds[1]!] });
    const deposit = payments.deposit({
      eventId,
      sessionId: 'c2',
      actor: 'ana',
      requestId: 'req-dep-0001',
      customer: { name: 'Ana Gómez', phone: '04161234567' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    expect(
      payments.deposit({
        eventId,
        sessionId: 'c2',
        actor: 'ana',
        requestId: 'req-dep-0001',
        customer: { name: 'Ana Gómez', phone: '04161234567' },
        tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
      }),
    ).toEqual(deposit);
    const instalment = {
      transactionId: deposit.transactionId,
      actor: 'ana',
      requestId: 'req-pay-0001',
      tenders: [{ method: 'CASH_VES', amountCents: 20_000 }],
    };
    const paid = payments.pay(instalment);
    expect(payments.pay(instalment)).toEqual(paid);
    expect(paid).toMatchObject({ status: 'RESERVED', paidCents: 1548, balanceCents: 952 });
    const count = venue.db
      .prepare<[], { n: number; s: number }>('SELECT COUNT(*) AS n, SUM(applied_cents) AS s FROM payments')
      .get();
    expect(count).toEqual({ n: 3, s: 2500 + 1000 + 548 });
    // The same key for a different payment is a mistake, not a replay.
    expect(refusal(() => payments.pay({ ...instalment, requestId: 'req-sale-0001' })).code).toBe(
      'IDEMPOTENCY_MISMATCH',
    );
  });
});
