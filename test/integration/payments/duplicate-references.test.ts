import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { PaymentService, transactionNumber } from '../../../electron/services/payments/payment-service.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type SmallVenue, smallVenue, T0, tempDir } from '../../support/temp-store.ts';

function refusal(fn: () => unknown): TaquillaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaquillaError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** One Pago Móvil of Bs. 912,50 (USD 25 at 36.50) from bank 0102. */
const pm = (reference: string) =>
  ({ method: 'PAGO_MOVIL', amountCents: 91_250, reference, phone: '04145550000', bankCode: '0102' }) as const;

const maria = { name: 'María Pérez', phone: '04145551234' };

describe('a payment reference pays once, compared normalised (issue 11)', () => {
  let venue: SmallVenue;
  let payments: PaymentService;
  afterEach(() => venue?.close());

  function hold(session: string, seat: number): void {
    venue.reservations.holdSeats({
      eventId: venue.eventId,
      sessionId: session,
      actor: 'cashier:Ana',
      seatIds: [venue.seatIds[seat]!],
    });
  }

  function setUp(): void {
    venue = smallVenue();
    payments = new PaymentService(venue.db, venue.clock, venue.reservations);
  }

  it('a sale, a deposit and a later payment each refuse a reference a sale used, naming that sale', () => {
    setUp();
    hold('c1', 0);
    const first = payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c1',
      actor: 'cashier:Ana',
      tenders: [pm('00123456')],
    });
    const number = transactionNumber(first.transactionId);

    hold('c2', 1);
    const sale = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c2',
        actor: 'cashier:Beto',
        tenders: [pm('123456')],
      }),
    );
    expect(sale.code).toBe('DUPLICATE_REFERENCE');
    expect(sale.details).toEqual({
      method: 'PAGO_MOVIL',
      reference: '123456',
      paymentId: first.paymentId,
      transactionId: first.transactionId,
      transactionNumber: number,
    });
    expect(sale.message).toBe(`Pago Móvil reference 123456 was already used in sale ${number}`);

    const deposit = refusal(() =>
      payments.deposit({
        eventId: venue.eventId,
        sessionId: 'c2',
        actor: 'cashier:Beto',
        customer: maria,
        tenders: [{ ...pm('0000123456'), amountCents: 36_500 }],
      }),
    );
    expect(deposit).toMatchObject({ code: 'DUPLICATE_REFERENCE', details: { transactionNumber: number } });

    // A reservation taken with another reference: its later payment may not reuse the first one.
    const reserved = payments.deposit({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'cashier:Beto',
      customer: maria,
      tenders: [{ ...pm('7777'), amountCents: 36_500 }],
    });
    const instalment = refusal(() =>
      payments.pay({
        transactionId: reserved.transactionId,
        actor: 'cashier:Beto',
        tenders: [{ ...pm('123456'), amountCents: 54_750 }],
      }),
    );
    expect(instalment).toMatchObject({ code: 'DUPLICATE_REFERENCE', details: { transactionNumber: number } });
    // And the deposit's own reference, leading zeros added, is spent too.
    const own = refusal(() =>
      payments.pay({
        transactionId: reserved.transactionId,
        actor: 'cashier:Beto',
        tenders: [{ ...pm('0007777'), amountCents: 54_750 }],
      }),
    );
    expect(own).toMatchObject({
      code: 'DUPLICATE_REFERENCE',
      details: { transactionNumber: transactionNumber(reserved.transactionId) },
    });
    const count = venue.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n;
    expect(count).toBe(2);
  });

  it('the bank is part of the reference, the method is not; a transfer and Zelle are normalised the same way', () => {
    setUp();
    hold('c1', 0);
    payments.checkout({ eventId: venue.eventId, sessionId: 'c1', actor: 'a', tenders: [pm('4455')] });
    // The same digits from another bank are another payment.
    hold('c2', 1);
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'a',
      tenders: [{ ...pm('4455'), bankCode: '0105' }],
    });
    // ...but the same bank's reference shown as a transfer is the same money (one namespace per bank).
    hold('c3', 2);
    const asTransfer = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c3',
        actor: 'a',
        tenders: [{ method: 'TRANSFER', amountCents: 91_250, reference: '004455', bankCode: '0102' }],
      }),
    );
    expect(asTransfer.code).toBe('DUPLICATE_REFERENCE');
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c3',
      actor: 'a',
      tenders: [{ method: 'TRANSFER', amountCents: 91_250, reference: '004456', bankCode: '0102' }],
    });
    hold('c4', 3);
    const transfer = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c4',
        actor: 'a',
        tenders: [{ method: 'TRANSFER', amountCents: 91_250, reference: '4456', bankCode: '0102' }],
      }),
    );
    expect(transfer.code).toBe('DUPLICATE_REFERENCE');
    payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c4',
      actor: 'a',
      tenders: [{ method: 'ZELLE', amountCents: 2500, reference: 'ab 1234' }],
    });
    hold('c5', 4);
    const zelle = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c5',
        actor: 'a',
        tenders: [{ method: 'ZELLE', amountCents: 2500, reference: 'AB1234' }],
      }),
    );
    expect(zelle.code).toBe('DUPLICATE_REFERENCE');
  });

  it('two tenders of one payment cannot carry the same reference', () => {
    setUp();
    hold('c1', 0);
    hold('c1', 1);
    const twice = refusal(() =>
      payments.checkout({
        eventId: venue.eventId,
        sessionId: 'c1',
        actor: 'a',
        tenders: [pm('5566'), pm('05566')],
      }),
    );
    expect(twice.code).toBe('DUPLICATE_REFERENCE');
    // No earlier sale to name (the payment it would name was never made).
    expect(twice.details).toMatchObject({ paymentId: null, transactionId: null, transactionNumber: null });
    expect(venue.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n).toBe(0);
  });

  it('a card approval typed at the counter may repeat: POS approval codes do, between terminals and days', () => {
    setUp();
    const card = { method: 'CARD', amountCents: 91_250, reference: '004512' } as const;
    hold('c1', 0);
    payments.checkout({ eventId: venue.eventId, sessionId: 'c1', actor: 'cashier:Ana', tenders: [card] });
    hold('c2', 1);
    const again = payments.checkout({
      eventId: venue.eventId,
      sessionId: 'c2',
      actor: 'cashier:Ana',
      tenders: [card],
    });
    expect(again.status).toBe('COMPLETED');
  });
});

describe('references paid before the upgrade', () => {
  it('count as used once migration 009 runs (first use kept, normalised the same way)', () => {
    const { dir, remove } = tempDir();
    try {
      // A store as version 8 left it, with a Pago Móvil paid then.
      const old = join(dir, 'migrations-008');
      mkdirSync(old);
      const all = join(import.meta.dirname, '../../../electron/store/migrations');
      for (const name of readdirSync(all).filter((n) => Number(n.slice(0, 3)) < 9)) {
        copyFileSync(join(all, name), join(old, name));
      }
      const file = join(dir, 'terminal.db');
      const clock = new ManualClock(T0);
      let db = openDatabase(file, { migrationsDir: old });
      const tenantId = createTenant(db, 'Prueba', T0);
      const venueId = createVenue(db, tenantId, 'Sala');
      const event = createEvent(
        db,
        {
          tenantId,
          venueId,
          name: 'Concierto',
          startsAt: T0 + 86_400_000,
          vesPerUsd: '36.50',
          zones: [
            {
              kind: 'numbered',
              code: 'PLA',
              name: 'Platea',
              priceCents: 2500,
              seats: [1, 2].map((n) => ({ row: 'A', number: n, x: n, y: 0 })),
            },
          ],
        },
        T0,
      );
      const tx = '11111111-2222-3333-4444-555555555555';
      db.prepare(
        `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
         VALUES (?, ?, ?, 's', 'cashier:Ana', 'COMPLETED', ?, ?)`,
      ).run(tx, tenantId, event.eventId, T0, T0);
      db.prepare(
        `INSERT INTO payments (id, transaction_id, event_id, kind, cashier, ves_per_usd, due_cents, applied_cents,
           created_at) VALUES ('p-old', ?, ?, 'SALE', 'cashier:Ana', '36.5000', 2500, 2500, ?)`,
      ).run(tx, event.eventId, T0);
      db.prepare(
        `INSERT INTO payment_tenders (payment_id, method, currency, amount_cents, usd_cents, reference, phone, bank_code)
         VALUES ('p-old', 'PAGO_MOVIL', 'VES', 91250, 2500, '000987654', '04145550000', '0102')`,
      ).run();
      db.close();

      db = openDatabase(file);
      const reservations = new ReservationService(db, clock);
      const payments = new PaymentService(db, clock, reservations);
      reservations.holdSeats({
        eventId: event.eventId,
        sessionId: 'c1',
        actor: 'a',
        seatIds: [event.zones[0]!.seatIds[0]!],
      });
      const refused = refusal(() =>
        payments.checkout({ eventId: event.eventId, sessionId: 'c1', actor: 'a', tenders: [pm('987654')] }),
      );
      expect(refused).toMatchObject({
        code: 'DUPLICATE_REFERENCE',
        details: { paymentId: 'p-old', transactionNumber: '11111111' },
      });
      db.close();
    } finally {
      remove();
    }
  });
});
