import { afterEach, describe, expect, it } from 'vitest';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import {
  ReservationSearch,
  ticketNumberCandidates,
} from '../../../electron/services/payments/reservation-search.ts';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

describe('the reservations screen: outstanding deposits, and search by what is printed', () => {
  let venue: SmallVenue;
  afterEach(() => venue?.close());

  function aCounter() {
    venue = smallVenue();
    new PrintingService(venue.db, venue.clock).attach(venue.reservations);
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const search = new ReservationSearch(venue.db, venue.clock);
    let next = 0;
    const hold = (sessionId: string, seats = 1) => {
      const seatIds = venue.seatIds.slice(next, next + seats);
      next += seats;
      venue.reservations.holdSeats({ eventId: venue.eventId, sessionId, actor: 'cashier:Ana', seatIds });
    };
    const deposit = (sessionId: string, name: string, hours?: number, extra: object = {}) => {
      hold(sessionId);
      return payments.deposit({
        eventId: venue.eventId,
        sessionId,
        actor: 'cashier:Ana',
        customer: { name, phone: '04141234567', ...extra },
        tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
        ...(hours !== undefined ? { hours } : {}),
      });
    };
    return { payments, search, hold, deposit };
  }

  it('a deposit for less than 24 hours is refused by the service, and takes no money and reserves nothing', () => {
    const { payments, hold } = aCounter();
    hold('c1');
    let refused: unknown;
    try {
      payments.deposit({
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'cashier:Ana',
        customer: { name: 'María Pérez', phone: '04141234567' },
        tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
        hours: 1,
      });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TaquillaError);
    expect(refused).toMatchObject({
      code: 'DEPOSIT_TOO_SHORT',
      details: { hours: 1, minimumHours: 24, maximumHours: 72 },
    });
    const counts = venue.db
      .prepare<[], { payments: number; reserved: number }>(
        `SELECT (SELECT COUNT(*) FROM payments) AS payments,
           (SELECT COUNT(*) FROM transactions WHERE status = 'RESERVED') AS reserved`,
      )
      .get();
    expect(counts).toEqual({ payments: 0, reserved: 0 });
    // The engine itself refuses it too, whoever calls it.
    const cart = venue.db
      .prepare<[], { id: string }>("SELECT id FROM transactions WHERE status = 'PENDING'")
      .get()!;
    expect(() =>
      venue.reservations.convertToPartial({ transactionId: cart.id, actor: 'x', hours: 23 }),
    ).toThrow(/24 to 72 hours/);
    // 24 hours, the lower bound, is a deposit.
    const ok = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:Ana',
      customer: { name: 'María Pérez', phone: '04141234567' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
      hours: 24,
    });
    expect(ok.reservedUntil).toBe(venue.clock.now() + 24 * HOUR_MS);
  });

  it('lists the reservations still owing, soonest to expire first, with balances in USD and Bs.; expired and paid ones leave the list', () => {
    const { payments, search, deposit } = aCounter();
    const later = deposit('c1', 'Carla Díaz', 72);
    const sooner = deposit('c2', 'Beatriz Rojas', 24);
    const middle = deposit('c3', 'Andrés Soto', 48);
    const list = search.open();
    expect(list.map((m) => m.customerName)).toEqual(['Beatriz Rojas', 'Andrés Soto', 'Carla Díaz']);
    // USD 25 seat, USD 10 paid: USD 15 owed, Bs. 547,50 at the event's 36,50.
    expect(list[0]).toMatchObject({
      transactionId: sooner.transactionId,
      status: 'RESERVED',
      totalCents: 2500,
      paidCents: 1000,
      balanceCents: 1500,
      balanceVesCents: 54_750,
      vesPerUsd: '36.50',
      reservedUntil: sooner.reservedUntil,
    });
    payments.pay({
      transactionId: middle.transactionId,
      actor: 'cashier:Ana',
      tenders: [{ method: 'CASH_USD', amountCents: 1500 }],
    });
    venue.clock.advance(25 * HOUR_MS);
    expect(search.open().map((m) => m.transactionId)).toEqual([later.transactionId]);
    expect(search.open({ eventId: venue.eventId + 1 })).toEqual([]);
  });

  it('finds a sale by a printed ticket number, however typed, and by its sale number; a reservation by cédula or RIF', () => {
    const { payments, search, hold, deposit } = aCounter();
    hold('c1', 2);
    const sale = payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:Ana',
      tenders: [{ method: 'CASH_USD', amountCents: 5000 }],
    });
    const numbers = venue.db
      .prepare<[string], { n: string }>(
        'SELECT ticket_number AS n FROM issued_tickets WHERE transaction_id = ?',
      )
      .all(sale.transactionId)
      .map((r) => r.n);
    expect(numbers).toEqual(['T1-000001', 'T1-000002']);
    const ids = (query: string) => search.search({ query }).map((m) => m.transactionId);
    for (const typed of ['T1-000002', 't1-2', 'T1 000002', 'T1000002'])
      expect(ids(typed)).toEqual([sale.transactionId]);
    expect(search.search({ query: 'T1-000001' })[0]).toMatchObject({
      status: 'COMPLETED',
      ticketNumbers: ['T1-000001', 'T1-000002'],
      balanceCents: 0,
    });
    const saleNumber = sale.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
    expect(ids(saleNumber)).toEqual([sale.transactionId]);
    expect(ids('T1-000009')).toEqual([]);

    const person = deposit('c2', 'María Pérez', undefined, { idNumber: 'V-12.345.678' });
    const company = deposit('c3', 'Lácteos Los Andes', undefined, { idNumber: 'J-40123456-9' });
    expect(ids('12345678')).toEqual([person.transactionId]);
    // Her RIF is her cédula with a check digit: the same person.
    expect(ids('V-12345678-1')).toEqual([person.transactionId]);
    expect(ids('j-40.123.456-9')).toEqual([company.transactionId]);
    expect(search.search({ query: 'lacteos' })[0]).toMatchObject({ customerIdNumber: 'J-40123456-9' });
  });

  it('reads the ticket numbers a query can be', () => {
    expect(ticketNumberCandidates('t1-2')).toEqual(['T1-000002']);
    expect(ticketNumberCandidates('CAJA2 000123')).toEqual(['CAJA2-000123']);
    expect(ticketNumberCandidates('T1000002')).toEqual(['T-1000002', 'T1-000002']);
    expect(ticketNumberCandidates('María')).toEqual([]);
    expect(ticketNumberCandidates('04141234567')).toEqual([]);
  });
});
