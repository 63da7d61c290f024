import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * The cash drawer, the X and Z on paper, and the reservations list, over the terminal's local HTTP
 * API with signed-in sessions, as the counter's screens call them.
 */
let printer: VirtualPrinter;
let api: ApiFixture;

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
});
afterEach(() => api.close());

async function printed(): Promise<string[]> {
  const before = printer.documents.length;
  expect(await api.terminal.printing.queue.drain()).toBe('idle');
  return printer.documents.slice(before).map((d) => d.text);
}

async function sell(session: string, seat: number, tenders: object[]): Promise<void> {
  await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[seat]!] }, session);
  const { status, body } = await api.call('payments.checkout', { eventId: api.eventId, tenders }, session);
  expect(status, JSON.stringify(body)).toBe(200);
}

describe('the cash drawer over the local API', () => {
  it("a cashier opens her drawer, sells, a paid-out needs a supervisor's PIN, closes with a count; the Z prints with it", async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    expect((await api.call('drawer.state', {}, ana)).body).toMatchObject({
      shift: null,
      businessDay: '2026-11-24',
      cutoffHour: 4,
    });
    const opened = await api.call('drawer.open', { floatUsdCents: 5000, floatVesCents: 100_000 }, ana);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ status: 'OPEN', staffId: api.users.cashier, staffName: 'Ana' });
    expect((await api.call('drawer.open', { floatUsdCents: 0, floatVesCents: 0 }, ana)).body.error.code).toBe(
      'SHIFT_OPEN',
    );
    await sell(ana, 0, [{ method: 'CASH_USD', amountCents: 3000 }]);
    expect(await printed()).toHaveLength(2); // the ticket and the receipt

    const out = { kind: 'PAID_OUT', currency: 'USD', amountCents: 1000, reason: 'hielo para la barra' };
    const unapproved = await api.call('drawer.move', out, ana);
    expect(unapproved.status).toBe(409);
    expect(unapproved.body.error.code).toBe('APPROVAL_REQUIRED');
    // A wrong supervisor PIN is counted like any PIN try and approves nothing.
    const wrong = await api.call('drawer.move', { ...out, supervisorPin: '0000' }, ana);
    expect(wrong.body.error.code).toBe('BAD_PIN');
    const approved = await api.call('drawer.move', { ...out, supervisorPin: '9999' }, ana);
    expect(approved.status).toBe(200);
    expect(approved.body.movements).toEqual([
      expect.objectContaining({
        kind: 'PAID_OUT',
        amountCents: 1000,
        approvedBy: 'supervisor:Sara',
        actor: 'cashier:Ana',
      }),
    ]);
    // 50 float + 30 cash − 5 change − 10 out.
    expect(approved.body.drawer[0]).toMatchObject({ currency: 'USD', changeCents: 500, expectedCents: 6500 });

    const z = await api.call('reports.z', {}, ana);
    expect(z.body.error).toMatchObject({ code: 'SHIFT_OPEN', details: { staffId: api.users.cashier } });
    const counted = await api.call('drawer.close', { countedUsdCents: 6400, countedVesCents: 100_000 }, ana);
    expect(counted.body).toMatchObject({ status: 'CLOSED' });
    expect(counted.body.drawer.map((d: { overShortCents: number }) => d.overShortCents)).toEqual([-100, 0]);

    const x = await api.call('reports.print', {}, ana);
    expect(x.body).toMatchObject({ copy: 0 });
    const [xText] = await printed();
    expect(xText).toContain('REPORTE X');
    expect(xText).toMatch(/Personal\s+Ana/);
    expect(xText).toMatch(/Faltante\s+USD 1,00/);

    const closed = await api.call('reports.z', {}, ana);
    expect(closed.body).toMatchObject({ kind: 'Z', number: 1, staffId: api.users.cashier });
    expect(closed.body.totals.drawer[0]).toMatchObject({ expectedCents: 6500, countedCents: 6400 });
    expect((await api.call('reports.print', { number: 1 }, ana)).body).toMatchObject({ copy: 0 });
    expect((await api.call('reports.print', { number: 1 }, ana)).body).toMatchObject({ copy: 1 });
    const [zText, copyText] = await printed();
    expect(zText).toContain('REPORTE Z N.º 0001');
    expect(zText).toContain('Día cerrado');
    expect(zText).not.toContain('COPIA');
    expect(copyText).toContain('COPIA 1');
    // Beto may print neither Ana's Z nor ask for her report.
    const beto = await api.signIn(api.users.other, '4321');
    expect((await api.call('reports.print', { number: 1 }, beto)).status).toBe(403);
    expect((await api.call('reports.print', { staffId: api.users.cashier }, beto)).status).toBe(403);
    expect((await api.call('drawer.state', { staffId: api.users.cashier }, beto)).status).toBe(403);
    const sara = await api.signIn(api.users.supervisor, '9999');
    expect((await api.call('drawer.state', { staffId: api.users.cashier }, sara)).body.shift).toBeNull();
  });

  it('a supervisor takes cash out of her own drawer without another PIN; bad amounts are refused and write nothing', async () => {
    const sara = await api.signIn(api.users.supervisor, '9999');
    await api.call('drawer.open', { floatUsdCents: 2000, floatVesCents: 0 }, sara);
    const own = await api.call(
      'drawer.move',
      { kind: 'PAID_OUT', currency: 'USD', amountCents: 500, reason: 'depósito' },
      sara,
    );
    expect(own.body.movements[0]).toMatchObject({ approvedBy: 'supervisor:Sara' });
    for (const bad of [
      { kind: 'PAID_IN', currency: 'USD', amountCents: 0, reason: 'nada' },
      { kind: 'PAID_IN', currency: 'USD', amountCents: 12.5, reason: 'medio' },
      { kind: 'PAID_IN', currency: 'EUR', amountCents: 100, reason: 'euros' },
      { kind: 'PAID_IN', currency: 'USD', amountCents: 100, reason: '' },
    ]) {
      expect((await api.call('drawer.move', bad, sara)).status).toBe(400);
    }
    const tooMuch = await api.call(
      'drawer.move',
      { kind: 'PAID_OUT', currency: 'USD', amountCents: 1501, reason: 'demasiado' },
      sara,
    );
    expect(tooMuch.body.error).toMatchObject({
      code: 'INSUFFICIENT_CASH',
      details: { availableCents: 1500 },
    });
    expect((await api.call('drawer.state', {}, sara)).body.shift.movements).toHaveLength(1);
  });

  it('the reservations list: deposits and kiosk slips still owing, soonest first, balances in USD and Bs.; a 1-hour deposit is refused', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const deposit = async (seat: number, name: string, hours?: number) => {
      await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[seat]!] }, ana);
      return api.call(
        'payments.deposit',
        {
          eventId: api.eventId,
          customer: { name, idNumber: 'J-40123456-9' },
          tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
          ...(hours === undefined ? {} : { hours }),
        },
        ana,
      );
    };
    const short = await deposit(0, 'Apuro', 1);
    expect(short.status).toBe(409);
    expect(short.body.error).toMatchObject({
      code: 'DEPOSIT_TOO_SHORT',
      details: { hours: 1, minimumHours: 24, maximumHours: 72 },
    });
    expect((await api.call('cart.get', { eventId: api.eventId }, ana)).body.tickets).toHaveLength(1);
    await api.call('holds.clear', { eventId: api.eventId }, ana);
    const company = await deposit(0, 'Lácteos', undefined);
    expect(company.status).toBe(200);
    await deposit(1, 'Mañana', 24);

    // A kiosk's "Pagar en taquilla" slip on the same store: 30 minutes, by its own path.
    const kiosk = createTerminal({ dbFile: api.terminal.db.name, clock: api.clock, kiosk: true });
    try {
      const dispatch = createDispatcher(kiosk, createHandlers(), () => {});
      const started = await dispatch({ method: 'kiosk.start', input: {} });
      const token = (started as { result: { sessionToken: string } }).result.sessionToken;
      await dispatch({
        method: 'holds.seats',
        input: { eventId: api.eventId, seatIds: [api.seatIds[2]!] },
        sessionToken: token,
      });
      const slip = await dispatch({
        method: 'kiosk.payAtCounter',
        input: { eventId: api.eventId },
        sessionToken: token,
      });
      expect(slip).toMatchObject({ ok: true, result: { minutes: 30 } });
    } finally {
      kiosk.close();
    }
    const list = (await api.call('reservations.open', {}, ana)).body;
    expect(
      list.map((m: { customerName: string | null; slipCode: string | null }) => m.customerName ?? 'slip'),
    ).toEqual(['slip', 'Mañana', 'Lácteos']);
    expect(list[1]).toMatchObject({
      customerIdNumber: 'J-40123456-9',
      balanceCents: 1500,
      balanceVesCents: 54_750,
    });
    expect(list[0]).toMatchObject({ balanceCents: 2500, balanceVesCents: 91_250, paidCents: 0 });
    // Half an hour later the slip has lapsed; a day later only the 72-hour deposit is owed.
    api.clock.advance(HOUR_MS);
    expect((await api.call('reservations.open', {}, ana)).body).toHaveLength(2);
    api.clock.advance(24 * HOUR_MS);
    expect(
      (await api.call('reservations.open', {}, ana)).body.map(
        (m: { customerName: string }) => m.customerName,
      ),
    ).toEqual(['Lácteos']);
    const refusedRif = await api.call(
      'payments.deposit',
      {
        eventId: api.eventId,
        customer: { name: 'X', idNumber: 'J-40123456-7' },
        tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
      },
      ana,
    );
    expect(refusedRif.status).toBe(400);
    expect(JSON.stringify(refusedRif.body)).toContain("the RIF's check digit does not match its number");
  });
});
