import { afterEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { NotificationService } from '../../../electron/services/payments/notifications.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { PaymentStatsService } from '../../../electron/services/payments/payment-stats.ts';
import { ReservationSearch } from '../../../electron/services/payments/reservation-search.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import type { SettledTransaction } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
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

const maria = { name: 'María Pérez', idNumber: 'V-12.345.678', phone: '0414-555.12.34' };

describe('partial payments', () => {
  let venue: SmallVenue;
  const extra: { close: () => void }[] = [];
  afterEach(() => {
    for (const e of extra.splice(0)) e.close();
    venue?.close();
  });

  /** A second terminal: its own connection, engine and payment service on the same file. */
  function secondTerminal() {
    const db = openDatabase(venue.file);
    extra.push(db);
    const reservations = new ReservationService(db, venue.clock);
    return {
      db,
      reservations,
      payments: new PaymentService(db, venue.clock, reservations, { terminal: 'T2' }),
    };
  }

  it('deposit on one terminal, balance paid on another: the sale completes once and tickets are released to print', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations, { terminal: 'T1' });
    const t2 = secondTerminal();
    const settled: SettledTransaction[] = [];
    t2.reservations.onSettled((s) => settled.push(s));

    // Two seats at $25 = $50; 30 % minimum = $15.
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'caja1',
      actor: 'ana',
      seatIds: venue.seatIds.slice(0, 2),
    });
    expect(payments.quote({ eventId: venue.eventId, sessionId: 'caja1' })).toMatchObject({
      totalCents: 5000,
      balanceCents: 5000,
      balanceVesCents: 182_500,
      depositMinimumCents: 1500,
    });
    const tooSmall = refusal(() =>
      payments.deposit({
        eventId: venue.eventId,
        sessionId: 'caja1',
        actor: 'ana',
        customer: maria,
        tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
      }),
    );
    expect(tooSmall.code).toBe('DEPOSIT_TOO_SMALL');

    const deposit = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'caja1',
      actor: 'ana',
      customer: maria,
      tenders: [
        { method: 'CASH_USD', amountCents: 1000 },
        {
          method: 'PAGO_MOVIL',
          amountCents: 36_500,
          reference: '4455667788',
          phone: '04145551234',
          bankCode: '0102',
        },
      ],
    });
    expect(deposit).toMatchObject({
      kind: 'DEPOSIT',
      status: 'RESERVED',
      appliedCents: 2000,
      balanceCents: 3000,
    });
    expect(deposit.reservedUntil).toBe(venue.clock.now() + 72 * HOUR_MS);

    // Hours later, at the other terminal: part of the balance, then the rest with change.
    venue.clock.advance(5 * HOUR_MS);
    const part = t2.payments.pay({
      transactionId: deposit.transactionId,
      actor: 'luis',
      tenders: [{ method: 'ZELLE', amountCents: 1000, email: 'maria@example.com' }],
    });
    expect(part).toMatchObject({ status: 'RESERVED', paidCents: 3000, balanceCents: 2000 });
    expect(t2.payments.quote({ transactionId: deposit.transactionId })).toMatchObject({
      status: 'RESERVED',
      totalCents: 5000,
      paidCents: 3000,
      balanceCents: 2000,
      balanceVesCents: 73_000,
    });
    expect(settled).toEqual([]);

    const last = t2.payments.pay({
      transactionId: deposit.transactionId,
      actor: 'luis',
      tenders: [{ method: 'CASH_VES', amountCents: 80_000 }],
    });
    // Bs. 800 for Bs. 730 owed ($20 at 36.50): Bs. 70 back.
    expect(last).toMatchObject({ status: 'COMPLETED', appliedCents: 2000, paidCents: 5000, balanceCents: 0 });
    expect(last.change).toEqual({ currency: 'VES', cents: 7000, usdCents: 192 });
    expect(settled.map((s) => [s.status, s.tickets.length])).toEqual([['COMPLETED', 2]]);

    // Paid is paid: a further payment is refused, from either terminal.
    expect(
      refusal(() =>
        payments.pay({
          transactionId: deposit.transactionId,
          actor: 'ana',
          tenders: [{ method: 'CASH_USD', amountCents: 100 }],
        }),
      ).code,
    ).toBe('NOT_PAYABLE');
    const rows = venue.db
      .prepare('SELECT kind, terminal, applied_cents FROM payments ORDER BY created_at, rowid')
      .all();
    expect(rows).toEqual([
      { kind: 'DEPOSIT', terminal: 'T1', applied_cents: 2000 },
      { kind: 'INSTALMENT', terminal: 'T2', applied_cents: 1000 },
      { kind: 'INSTALMENT', terminal: 'T2', applied_cents: 2000 },
    ]);
  });

  it('an expired reservation refuses payment, releases its seats and tells the cashier', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const notifications = new NotificationService(venue.db, venue.clock);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'caja1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const deposit = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'caja1',
      actor: 'ana',
      customer: maria,
      hours: 24,
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    const stats = new PaymentStatsService(venue.db, venue.clock);
    expect(stats.outstanding().totals).toMatchObject({
      reservations: 1,
      balanceCents: 1500,
      paidCents: 1000,
      dueWithinDay: 1,
    });

    venue.clock.advance(24 * HOUR_MS);
    // Before cleanup has run, the reservation is already expired for payment purposes.
    const refused = refusal(() =>
      payments.pay({
        transactionId: deposit.transactionId,
        actor: 'ana',
        tenders: [{ method: 'CASH_USD', amountCents: 1500 }],
      }),
    );
    expect(refused.code).toBe('RESERVATION_EXPIRED');
    expect(refusal(() => payments.quote({ transactionId: deposit.transactionId })).code).toBe(
      'RESERVATION_EXPIRED',
    );
    expect(refused.details).toMatchObject({
      customerName: 'María Pérez',
      transactionId: deposit.transactionId,
    });
    expect(stats.outstanding().totals.reservations).toBe(0);

    venue.reservations.cleanupExpired();
    expect(notifications.collect()).toBe(1);
    expect(notifications.collect()).toBe(0); // produced once
    const [note] = notifications.list();
    expect(note).toMatchObject({ kind: 'RESERVATION_EXPIRED', transactionId: deposit.transactionId });
    expect(note!.message).toMatch(
      /^Reservation [0-9A-F]{8} for María Pérez expired; seats released \(PLA-A-1\)\. Deposit paid: \$10\.00\.$/,
    );
    expect(
      refusal(() =>
        payments.pay({
          transactionId: deposit.transactionId,
          actor: 'ana',
          tenders: [{ method: 'CASH_USD', amountCents: 1500 }],
        }),
      ).code,
    ).toBe('RESERVATION_EXPIRED');
    // The seat is on sale again.
    expect(
      venue.reservations.holdSeats({
        eventId: venue.eventId,
        sessionId: 'caja2',
        actor: 'luis',
        seatIds: [venue.seatIds[0]!],
      }).tickets,
    ).toHaveLength(1);
    expect(notifications.acknowledge({ ids: [note!.id], actor: 'ana' })).toEqual({ acknowledged: 1 });
    expect(notifications.list()).toEqual([]);
    expect(notifications.list({ includeAcknowledged: true })[0]).toMatchObject({ acknowledgedBy: 'ana' });
  });

  it('finds a reservation by cédula, phone, name without accents, or transaction number', () => {
    venue = smallVenue();
    const payments = new PaymentService(venue.db, venue.clock, venue.reservations);
    const search = new ReservationSearch(venue.db, venue.clock);
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    const a = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'ana',
      customer: maria,
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'ana',
      seatIds: [venue.seatIds[1]!],
    });
    const b = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'ana',
      customer: { name: 'José Rodríguez', phone: '+58 412 765 4321' },
      tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
    });
    const ids = (query: string) => search.search({ query }).map((m) => m.transactionId);
    expect(ids('12345678')).toEqual([a.transactionId]);
    expect(ids('v-12.345.678')).toEqual([a.transactionId]);
    expect(ids('0414 555 1234')).toEqual([a.transactionId]);
    expect(ids('04127654321')).toEqual([b.transactionId]);
    expect(ids('maria perez')).toEqual([a.transactionId]);
    expect(ids('RODRIGUEZ')).toEqual([b.transactionId]);
    const number = a.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
    expect(ids(number)).toEqual([a.transactionId]);
    expect(ids('nadie')).toEqual([]);
    expect(search.search({ query: 'maría' })[0]).toMatchObject({
      number,
      status: 'RESERVED',
      customerName: 'María Pérez',
      totalCents: 2500,
      paidCents: 1000,
      balanceCents: 1500,
      seats: ['PLA-A-1'],
      expired: false,
    });
  });
});
