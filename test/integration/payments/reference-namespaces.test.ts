import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { isTaquillaError } from '../../../shared/errors.ts';
import { T0, tempDir } from '../../support/temp-store.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Red-team finding 10 (issue 11 follow-up): references that are the same payment shown twice are
 * refused however they are written, a bank's Pago Móvil and transfer references are one namespace,
 * and a reference repeated inside one payment is a clear refusal (it was a 500, or named a payment
 * that was never made).
 */
let api: ApiFixture;
let cashier: string;
beforeEach(async () => {
  api = await startApi();
  cashier = await api.signIn(api.users.cashier, '1234');
});
afterEach(() => api.close());

/** Bs. 912,50 is USD 25.00 at 36.50: one seat. */
const pagoMovil = (reference: string, bankCode = '0102') => ({
  method: 'PAGO_MOVIL',
  amountCents: 91_250,
  reference,
  phone: '04145550000',
  bankCode,
});
const transfer = (reference: string, bankCode = '0102') => ({
  method: 'TRANSFER',
  amountCents: 91_250,
  reference,
  bankCode,
});

let nextSeat = 0;
async function sell(tenders: unknown[], seats = 1): ReturnType<ApiFixture['call']> {
  const seatIds = api.seatIds.slice(nextSeat, nextSeat + seats);
  nextSeat += seats;
  expect((await api.call('holds.seats', { eventId: api.eventId, seatIds }, cashier)).status).toBe(200);
  const sale = await api.call('payments.checkout', { eventId: api.eventId, tenders }, cashier);
  if (sale.status !== 200) await api.call('holds.clear', { eventId: api.eventId }, cashier);
  return sale;
}

const payments = () =>
  (api.terminal.db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n;

describe('one payment shown twice is refused, however it is written', () => {
  beforeEach(() => {
    nextSeat = 0;
  });

  it('Zelle ABCD-1234 and ABCD1234 are one reference', async () => {
    const first = await sell([{ method: 'ZELLE', amountCents: 2500, reference: 'ABCD-1234' }]);
    expect(first.status).toBe(200);
    const again = await sell([{ method: 'ZELLE', amountCents: 2500, reference: 'abcd1234' }]);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'DUPLICATE_REFERENCE',
      details: { transactionId: first.body.transactionId },
    });
  });

  it("a bank's Pago Móvil and transfer references are one namespace; another bank's are not", async () => {
    const first = await sell([pagoMovil('00123456')]);
    expect(first.status).toBe(200);
    const asTransfer = await sell([transfer('123456')]);
    expect(asTransfer.body.error).toMatchObject({
      code: 'DUPLICATE_REFERENCE',
      details: { method: 'TRANSFER', transactionId: first.body.transactionId },
    });
    expect((await sell([transfer('123456', '0105')])).status).toBe(200);
    const backAsPagoMovil = await sell([pagoMovil('0123-456', '0105')]);
    expect(backAsPagoMovil.body.error.code).toBe('DUPLICATE_REFERENCE');
  });

  it('the same reference twice in one payment: a clear refusal naming no sale, nothing written', async () => {
    for (const tenders of [
      [pagoMovil('5566'), pagoMovil('5566')],
      [transfer('5566'), transfer('05566')],
      [pagoMovil('7788'), transfer('7788')],
    ]) {
      const sale = await sell(tenders, 2);
      expect(sale.status, JSON.stringify(sale.body)).toBe(409);
      expect(sale.body.error).toMatchObject({
        code: 'DUPLICATE_REFERENCE',
        details: { paymentId: null, transactionId: null, transactionNumber: null },
      });
      expect(sale.body.error.message).toMatch(/appears twice in this payment/);
    }
    expect(payments()).toBe(0);
  });
});

describe('references stored before migration 022', () => {
  it('are re-keyed into one namespace per bank (first use kept) and without separators', () => {
    const { dir, remove } = tempDir();
    try {
      // A store as version 10 left it: Pago Móvil 5566 and a transfer 005566 at bank 0102 (both
      // accepted then), and Zelle AB-12.
      const old = join(dir, 'migrations-010');
      mkdirSync(old);
      const all = join(import.meta.dirname, '../../../electron/store/migrations');
      for (const name of readdirSync(all).filter((n) => Number(n.slice(0, 3)) <= 10)) {
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
              seats: [1, 2, 3].map((n) => ({ row: 'A', number: n, x: n, y: 0 })),
            },
          ],
        },
        T0,
      );
      const paid = (n: number, method: string, reference: string, bank: string | null) => {
        const tx = `1111111${n}-2222-3333-4444-555555555555`;
        db.prepare(
          `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
           VALUES (?, ?, ?, 's', 'cashier:Ana', 'COMPLETED', ?, ?)`,
        ).run(tx, tenantId, event.eventId, T0, T0);
        db.prepare(
          `INSERT INTO payments (id, transaction_id, event_id, kind, cashier, ves_per_usd, due_cents, applied_cents,
             created_at) VALUES (?, ?, ?, 'SALE', 'cashier:Ana', '36.5000', 2500, 2500, ?)`,
        ).run(`p${n}`, tx, event.eventId, T0 + n);
        const currency = method === 'ZELLE' ? 'USD' : 'VES';
        const tender = db
          .prepare(
            `INSERT INTO payment_tenders (payment_id, method, currency, amount_cents, usd_cents, reference, phone, bank_code)
             VALUES (?, ?, ?, ?, 2500, ?, ?, ?)`,
          )
          .run(
            `p${n}`,
            method,
            currency,
            currency === 'USD' ? 2500 : 91_250,
            reference,
            method === 'PAGO_MOVIL' ? '04145550000' : null,
            bank,
          );
        // The key migration 009 and the code of its time gave it.
        const digits = reference.replace(/^0+/, '');
        db.prepare(
          'INSERT INTO payment_references (reference_key, payment_id, tender_id) VALUES (?, ?, ?)',
        ).run(`${method}|${bank ?? ''}|${digits}`, `p${n}`, Number(tender.lastInsertRowid));
      };
      paid(1, 'PAGO_MOVIL', '5566', '0102');
      paid(2, 'TRANSFER', '005566', '0102');
      paid(3, 'ZELLE', 'AB-12', null);
      db.close();

      db = openDatabase(file);
      const keys = db
        .prepare<[], { reference_key: string; payment_id: string }>(
          'SELECT reference_key, payment_id FROM payment_references ORDER BY reference_key',
        )
        .all();
      expect(keys).toEqual([
        { reference_key: 'BANK|0102|5566', payment_id: 'p1' },
        { reference_key: 'ZELLE||AB12', payment_id: 'p3' },
      ]);
      const reservations = new ReservationService(db, clock);
      const service = new PaymentService(db, clock, reservations);
      reservations.holdSeats({
        eventId: event.eventId,
        sessionId: 'c1',
        actor: 'a',
        seatIds: [event.zones[0]!.seatIds[0]!],
      });
      for (const tender of [transfer('05566'), { method: 'ZELLE', amountCents: 2500, reference: 'ab12' }]) {
        let code: string | null = null;
        try {
          service.checkout({ eventId: event.eventId, sessionId: 'c1', actor: 'a', tenders: [tender] });
        } catch (error) {
          code = isTaquillaError(error) ? error.code : String(error);
        }
        expect(code).toBe('DUPLICATE_REFERENCE');
      }
      db.close();
    } finally {
      remove();
    }
  });
});
