import { afterEach, describe, expect, it } from 'vitest';
import { PaymentService, type SaleAuthority } from '../../../electron/services/payments/payment-service.ts';
import type { SyncEngine } from '../../../electron/services/sync/sync-engine.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

// The terminal's SyncEngine is a SaleAuthority as it is (checked by the compiler).
const _syncEngineFits = (engine: SyncEngine): SaleAuthority => engine;
void _syncEngineFits;

/**
 * On an enrolled terminal the central server settles sales: the authority (the SyncEngine) is asked
 * first, with the payment, and writes that payment here in the same write that copies the server's
 * decision. Here a stand-in authority confirms asynchronously and then copies into the local engine,
 * with the money, as the SyncEngine does.
 */
describe('payments confirmed by the central server', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  function serverStandIn(refuse: { next: TaquillaError | null }, book: () => PaymentService) {
    const calls: string[] = [];
    const authority: SaleAuthority = {
      complete: async ({ payment, ...raw }) => {
        calls.push(`complete ${raw.transactionId} (${payment.kind})`);
        await new Promise((r) => setTimeout(r, 5));
        if (refuse.next) throw refuse.next;
        return venue.db.transaction(() => {
          book().writePayment(raw.transactionId, payment);
          return venue.reservations.complete(raw);
        })();
      },
      convertToPartial: async ({ payment, ...raw }) => {
        calls.push(`reserve ${raw.transactionId} for ${raw.customer.name}`);
        await new Promise((r) => setTimeout(r, 5));
        if (refuse.next) throw refuse.next;
        return venue.db.transaction(() => {
          book().writePayment(raw.transactionId, payment);
          return venue.reservations.convertToPartial(raw);
        })();
      },
      pay: async ({ payment, transactionId, expect }) => {
        calls.push(`pay ${transactionId} after ${expect.paidCents}`);
        await new Promise((r) => setTimeout(r, 5));
        if (refuse.next) throw refuse.next;
        book().writePayment(transactionId, payment);
        return null;
      },
    };
    return { authority, calls };
  }

  const paymentCount = () =>
    venue.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n;

  it('the server confirms the sale, then the money is recorded; a refused tender never reaches the server', async () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const refuse = { next: null as TaquillaError | null };
    const { authority, calls } = serverStandIn(refuse, () => payments);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const short = {
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      tenders: [{ method: 'CASH_USD', amountCents: 100 }],
    };
    await expect(payments.checkoutVia(authority, short)).rejects.toMatchObject({ code: 'UNDERPAID' });
    expect(calls).toEqual([]);

    const sale = await payments.checkoutVia(authority, {
      ...short,
      tenders: [{ method: 'CASH_VES', amountCents: 100_000 }],
    });
    expect(calls).toHaveLength(1);
    expect(sale).toMatchObject({
      status: 'COMPLETED',
      appliedCents: 2500,
      change: { currency: 'VES', cents: 8750 },
    });
    expect(paymentCount()).toBe(1);
    expect(payments.unpaidSales()).toEqual([]);
  });

  it('the server refuses (seat taken there): nothing is sold and no money is recorded', async () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const refuse = {
      next: new TaquillaError('SEAT_TAKEN', 'taken at the server', { seats: [] }) as TaquillaError,
    };
    const { authority } = serverStandIn(refuse, () => payments);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    await expect(
      payments.checkoutVia(authority, {
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'ana',
        tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
      }),
    ).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
    expect(paymentCount()).toBe(0);
    expect(venue.db.prepare<[], { status: string }>('SELECT status FROM transactions').get()!.status).toBe(
      'PENDING',
    );
  });

  it('deposit and final payment through the server; a sale without its payment row is found', async () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const { authority, calls } = serverStandIn({ next: null }, () => payments);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const deposit = await payments.depositVia(authority, {
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      customer: { name: 'María Pérez', phone: '0414-1234567' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    expect(deposit).toMatchObject({ status: 'RESERVED', balanceCents: 1500 });
    expect(deposit.reservedUntil).toBeGreaterThan(venue.clock.now());
    const part = await payments.payVia(authority, {
      transactionId: deposit.transactionId,
      actor: 'luis',
      tenders: [{ method: 'CASH_USD', amountCents: 500 }],
    });
    expect(part).toMatchObject({ status: 'RESERVED', balanceCents: 1000 });
    const last = await payments.payVia(authority, {
      transactionId: deposit.transactionId,
      actor: 'luis',
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    expect(last).toMatchObject({ status: 'COMPLETED', balanceCents: 0 });
    // Every payment went to the server with what it pays for; the instalment that pays it off sells.
    expect(calls).toEqual([
      `reserve ${deposit.transactionId} for María Pérez`,
      `pay ${deposit.transactionId} after 1000`,
      `complete ${deposit.transactionId} (INSTALMENT)`,
    ]);
    expect(paymentCount()).toBe(3);
    expect(payments.unpaidSales()).toEqual([]);

    // A sale without its payment row (here: sold by the engine alone) is found.
    const orphan = venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'ana',
      seatIds: [venue.seatIds[1]!],
    });
    venue.reservations.complete({ transactionId: orphan.transactionId, actor: 'ana' });
    expect(payments.unpaidSales().map((u) => u.transactionId)).toEqual([orphan.transactionId]);
  });
});
