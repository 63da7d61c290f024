import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Reply } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { transactionNumber } from '../../../electron/services/payments/payment-service.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { SLIP_CODE_ALPHABET } from '../../../shared/slip-code.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Issue 11: a kiosk with no payment provider offers "Pagar en taquilla". The customer's holds become a
 * short reservation with a code; a slip prints; a cashier finds it by the code, takes the money with
 * the normal payment and the tickets print. Unpaid, it lapses and frees its seats like any reservation.
 */
let printer: VirtualPrinter;
let api: ApiFixture;
let kiosk: Terminal;
let kioskCall: (method: string, input: unknown) => Promise<Reply>;

beforeAll(async () => {
  printer = new VirtualPrinter();
  await printer.start();
});
afterAll(() => printer.stop());

beforeEach(async () => {
  api = await startApi();
  api.terminal.printing.setSettings(
    { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } },
    'test',
  );
  kiosk = createTerminal({ dbFile: api.terminal.db.name, clock: api.clock, kiosk: true });
  const dispatch = createDispatcher(kiosk, createHandlers(), () => {});
  const started = await dispatch({ method: 'kiosk.start', input: {} });
  const token = (started as { result: { sessionToken: string } }).result.sessionToken;
  kioskCall = (method, input) => dispatch({ method, input, sessionToken: token });
});

afterEach(async () => {
  kiosk.close();
  await api.close();
});

interface Slip {
  transactionId: string;
  number: string;
  code: string;
  reservedUntil: number;
  minutes: number;
  totalCents: number;
  seats: string[];
}

async function reserveAtCounter(seats: number[], requestId?: string): Promise<Slip> {
  const held = await kioskCall('holds.seats', {
    eventId: api.eventId,
    seatIds: seats.map((i) => api.seatIds[i]!),
  });
  expect(held.ok).toBe(true);
  const reply = await kioskCall('kiosk.payAtCounter', {
    eventId: api.eventId,
    ...(requestId ? { requestId } : {}),
  });
  if (!reply.ok) throw new Error(JSON.stringify(reply));
  return reply.result as Slip;
}

async function printed(terminal: Terminal): Promise<string[]> {
  const before = printer.documents.length;
  expect(await terminal.printing.queue.drain()).toBe('idle');
  return printer.documents.slice(before).map((d) => d.text);
}

describe('"Pagar en taquilla" at a kiosk with no payment provider', () => {
  it('offers only paying at the counter', async () => {
    expect(await kioskCall('kiosk.paymentOptions', { eventId: api.eventId })).toEqual({
      ok: true,
      result: { provider: null, payAtCounterMinutes: 30 },
    });
  });

  it('reserves the seats for 30 minutes with a code and prints a slip the virtual printer decodes', async () => {
    const slip = await reserveAtCounter([0, 1]);
    expect(slip.code).toMatch(new RegExp(`^[${SLIP_CODE_ALPHABET}]{6}$`));
    expect(slip).toMatchObject({
      number: transactionNumber(slip.transactionId),
      minutes: 30,
      reservedUntil: api.clock.now() + 30 * MINUTE_MS,
      totalCents: 5000,
      seats: ['PLA-A-1', 'PLA-A-2'],
    });
    // The deposit lifecycle, with nothing paid: the seats show as reserved on every screen.
    const snapshot = api.terminal.availability.snapshot({ eventId: api.eventId });
    expect(snapshot.taken.filter((s) => s.state === 'reserved')).toHaveLength(2);

    const [text, ...rest] = await printed(kiosk);
    expect(rest).toEqual([]);
    const shown = `${slip.code.slice(0, 3)}-${slip.code.slice(3)}`;
    expect(text).toContain('PAGAR EN TAQUILLA');
    expect(text).toContain(shown);
    expect(text).toContain(`[QR ${slip.code}]`);
    expect(text).toContain(`[BARCODE ${slip.code}]`);
    expect(text).toContain('Asientos: PLA-A-1, PLA-A-2');
    expect(text).toContain('USD 50,00');
    expect(text).toMatch(/Pague antes de las\s+10:30/);
    expect(text).toContain('no es una entrada');
    expect(text).not.toContain('ENTRENAMIENTO');
  });

  it('a cashier finds it by the code (typed any way, or scanned), takes the money and the tickets print', async () => {
    const slip = await reserveAtCounter([2, 3]);
    await printed(kiosk);
    const ana = await api.signIn(api.users.cashier, '1234');
    for (const typed of [
      slip.code,
      slip.code.toLowerCase(),
      `${slip.code.slice(0, 3)}-${slip.code.slice(3)}`,
    ]) {
      const found = await api.call('reservations.search', { query: typed }, ana);
      expect(found.body).toEqual([
        expect.objectContaining({
          transactionId: slip.transactionId,
          slipCode: slip.code,
          status: 'RESERVED',
          balanceCents: 5000,
          paidCents: 0,
          seats: ['PLA-A-3', 'PLA-A-4'],
        }),
      ]);
    }
    const paid = await api.call(
      'payments.pay',
      { transactionId: slip.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 6000 }] },
      ana,
    );
    expect(paid.body).toMatchObject({ kind: 'INSTALMENT', status: 'COMPLETED', balanceCents: 0 });
    expect(paid.body.change).toEqual({ currency: 'USD', cents: 1000, usdCents: 1000 });
    const docs = await printed(api.terminal);
    expect(docs).toHaveLength(3);
    expect(docs[0]).toContain('Fila A  Asiento 3');
    expect(docs[1]).toContain('Fila A  Asiento 4');
    expect(docs[2]).toContain('RECIBO');
    expect(docs[2]).toContain('Atendió: Ana');
    // Paid: a second payment on it is refused.
    const twice = await api.call(
      'payments.pay',
      { transactionId: slip.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 100 }] },
      ana,
    );
    expect(twice.body.error.code).toBe('NOT_PAYABLE');
  });

  it('unpaid, it lapses after its minutes and frees its seats like any reservation', async () => {
    // A tenant may choose its own time.
    api.terminal.db.prepare(`UPDATE tenants SET settings = '{"PAY_AT_COUNTER_MINUTES":15}'`).run();
    const slip = await reserveAtCounter([4]);
    expect(slip.reservedUntil).toBe(api.clock.now() + 15 * MINUTE_MS);
    api.clock.advance(15 * MINUTE_MS);
    const ana = await api.signIn(api.users.cashier, '1234');
    const late = await api.call(
      'payments.pay',
      { transactionId: slip.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      ana,
    );
    expect(late.body.error.code).toBe('RESERVATION_EXPIRED');
    // Even before cleanup runs, another customer may take the seat.
    const held = await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[4]!] }, ana);
    expect(held.status).toBe(200);
    const found = await api.call('reservations.search', { query: slip.code }, ana);
    expect(found.body).toEqual([
      expect.objectContaining({ status: 'EXPIRED', expired: true, balanceCents: 0 }),
    ]);
    // Nothing was paid: the lapse is not a notice to refund anyone.
    expect((await api.call('notifications.list', {}, ana)).body).toEqual([]);
  });

  it('a retried request gets the same slip (one reservation, one slip printed); an empty cart is refused', async () => {
    const first = await reserveAtCounter([5], 'kiosk-slip-0001');
    const again = await kioskCall('kiosk.payAtCounter', {
      eventId: api.eventId,
      requestId: 'kiosk-slip-0001',
    });
    expect(again).toEqual({ ok: true, result: first });
    expect(await printed(kiosk)).toHaveLength(1);
    const empty = await kioskCall('kiosk.payAtCounter', { eventId: api.eventId });
    expect(empty).toMatchObject({ ok: false, error: { code: 'NOTHING_HELD' } });
    // Only a kiosk asks for it.
    const ana = await api.signIn(api.users.cashier, '1234');
    expect((await api.call('kiosk.payAtCounter', { eventId: api.eventId }, ana)).body.error.code).toBe(
      'ROLE_NOT_ALLOWED',
    );
  });
});
