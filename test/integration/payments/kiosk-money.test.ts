import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Reply } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Issue 11, finding 1: a kiosk sold without money. A kiosk session (the customer's) could record a
 * cash sale through the API, complete a card sale with any typed approval number, and two sales with
 * the same reference both completed. The rules are the payment service's, whatever the payload.
 */
let api: ApiFixture;
let kiosk: Terminal;
let kioskCall: (method: string, input: unknown) => Promise<Reply>;

function count(sql: string): number {
  return api.terminal.db.prepare<[], { n: number }>(sql).get()!.n;
}

beforeEach(async () => {
  api = await startApi();
  // A kiosk on the same store as the counter (the same file, as two processes would share it).
  kiosk = createTerminal({ dbFile: api.terminal.db.name, clock: api.clock, kiosk: true });
  const dispatch = createDispatcher(kiosk, createHandlers(), () => {});
  const started = await dispatch({ method: 'kiosk.start', input: {} });
  if (!started.ok) throw new Error(JSON.stringify(started));
  const sessionToken = (started.result as { sessionToken: string }).sessionToken;
  kioskCall = (method, input) => dispatch({ method, input, sessionToken });
});

afterEach(async () => {
  kiosk.close();
  await api.close();
});

describe('a kiosk session never records money nobody confirmed', () => {
  it('cash through the API is refused and nothing is sold or recorded', async () => {
    expect((await kioskCall('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]!] })).ok).toBe(
      true,
    );
    const cash = await kioskCall('payments.checkout', {
      eventId: api.eventId,
      tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
    });
    // Refused by the payment service itself (not by a screen that never offers cash).
    expect(cash).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT_UNCONFIRMED', details: { method: 'CASH_USD', reason: 'kiosk-cash' } },
    });
    // Cash in bolívares is refused the same way.
    const ves = await kioskCall('payments.checkout', {
      eventId: api.eventId,
      tenders: [{ method: 'CASH_VES', amountCents: 100_000 }],
    });
    expect(ves).toMatchObject({ ok: false, error: { code: 'PAYMENT_UNCONFIRMED' } });
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM transactions WHERE status = 'COMPLETED'")).toBe(0);
  });

  it('the payment service refuses cash and unconfirmed card for a kiosk actor, whoever calls it', async () => {
    await kioskCall('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[1]!] });
    const session = kiosk.db
      .prepare<[], { session_id: string }>("SELECT session_id FROM transactions WHERE status = 'PENDING'")
      .get()!.session_id;
    const attempt = (tenders: unknown[]) =>
      Promise.resolve()
        .then(() =>
          kiosk.sales.checkout({ eventId: api.eventId, sessionId: session, actor: 'kiosk:Quiosco', tenders }),
        )
        .then(
          () => null,
          (e: unknown) => e,
        );
    const cash = await attempt([{ method: 'CASH_USD', amountCents: 2500 }]);
    expect(cash).toBeInstanceOf(TaquillaError);
    expect(cash).toMatchObject({
      code: 'PAYMENT_UNCONFIRMED',
      details: { method: 'CASH_USD', reason: 'kiosk-cash' },
    });
    const typed = await attempt([{ method: 'CARD', amountCents: 91_250, reference: 'AP1234' }]);
    expect(typed).toMatchObject({
      code: 'PAYMENT_UNCONFIRMED',
      details: { method: 'CARD', reason: 'no-confirmation' },
    });
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(0);
  });

  it('on a live store a typed card approval number sells nothing', async () => {
    await kioskCall('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[2]!] });
    // USD 25 at 36.50 Bs./USD = Bs. 912,50, "approved" by a number the customer made up.
    const typed = await kioskCall('payments.checkout', {
      eventId: api.eventId,
      tenders: [{ method: 'CARD', amountCents: 91_250, reference: '123456' }],
    });
    expect(typed).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT_UNCONFIRMED', details: { reason: 'no-confirmation' } },
    });
    const pagoMovil = await kioskCall('payments.checkout', {
      eventId: api.eventId,
      tenders: [
        {
          method: 'PAGO_MOVIL',
          amountCents: 91_250,
          reference: '99887766',
          phone: '04141234567',
          bankCode: '0102',
        },
      ],
    });
    expect(pagoMovil).toMatchObject({ ok: false, error: { code: 'PAYMENT_UNCONFIRMED' } });
    // Nor does the kiosk's own payment method without a provider: a live store has none.
    const viaProvider = await kioskCall('kiosk.pay', {
      eventId: api.eventId,
      method: 'CARD',
      requestId: 'kiosk-attempt-1',
    });
    expect(viaProvider).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT_UNCONFIRMED', details: { reason: 'no-provider' } },
    });
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(0);
  });
});

describe('a payment reference pays once, anywhere', () => {
  it('the same Pago Móvil reference with or without leading zeros: the second sale is refused naming the first', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const beto = await api.signIn(api.users.other, '4321');
    const pm = { method: 'PAGO_MOVIL', amountCents: 91_250, phone: '04141234567', bankCode: '0102' };
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[3]!] }, ana);
    const first = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ ...pm, reference: '00123456' }] },
      ana,
    );
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const number = (first.body.transactionId as string).replace(/-/g, '').slice(0, 8).toUpperCase();
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[4]!] }, beto);
    const again = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ ...pm, reference: '123456' }] },
      beto,
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'DUPLICATE_REFERENCE',
      details: { method: 'PAGO_MOVIL', reference: '123456', transactionNumber: number },
    });
    expect(again.body.error.message).toContain(number);
    expect(count("SELECT COUNT(*) AS n FROM transactions WHERE status = 'COMPLETED'")).toBe(1);
  });
});
