import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyTicketAtStore } from '../../../electron/services/printing/ticket-signing.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { VoidService } from '../../../electron/services/voids/void-service.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Voids and refunds (issue 16) over the terminal's local HTTP API, with signed-in sessions, on a real
 * SQLite store: the rules, the money, the seats, the revocation list, the drawer and the X/Z.
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
afterEach(async () => {
  await api.close();
  watcher = undefined as unknown as string;
});

async function sell(
  session: string,
  hold: { seats?: number[]; ga?: number },
  tenders: object[],
  extra: object = {},
): Promise<{ transactionId: string; number: string; tickets: string[] }> {
  if (hold.seats) {
    const seatIds = hold.seats.map((i) => api.seatIds[i]!);
    expect((await api.call('holds.seats', { eventId: api.eventId, seatIds }, session)).status).toBe(200);
  }
  if (hold.ga) {
    const held = await api.call(
      'holds.general',
      { eventId: api.eventId, zoneId: api.gaZoneId, quantity: hold.ga },
      session,
    );
    expect(held.status, JSON.stringify(held.body)).toBe(200);
  }
  const { status, body } = await api.call(
    'payments.checkout',
    { eventId: api.eventId, tenders, ...extra },
    session,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  const tickets = api.terminal.db
    .prepare<[string], { ticket_number: string }>(
      'SELECT ticket_number FROM issued_tickets WHERE transaction_id = ? ORDER BY reserved_ticket_id, place',
    )
    .all(body.transactionId)
    .map((t) => t.ticket_number);
  return {
    transactionId: body.transactionId,
    number: body.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase(),
    tickets,
  };
}

function count(table: string): number {
  return api.terminal.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;
}

function codeOf(ticketNumber: string): string {
  return api.terminal.db
    .prepare<[string], { code: string }>('SELECT code FROM issued_tickets WHERE ticket_number = ?')
    .get(ticketNumber)!.code;
}

/** The live map as another counter sees it (Beto's session). */
let watcher: string;
async function snapshot() {
  watcher ??= await api.signIn(api.users.other, '4321');
  return (await api.call('availability.snapshot', { eventId: api.eventId }, watcher)).body as {
    states: string;
    zones: { zoneId: number; free: number }[];
  };
}

describe('voiding a sale over the local API', () => {
  it("a cashier voids a sale with a supervisor's PIN: cash goes back out of her drawer, the seat is on sale again, the ticket is refused at the door and for a copy, and a retry refunds nothing twice", async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    await api.call('drawer.open', { floatUsdCents: 5000, floatVesCents: 0 }, ana);
    // USD 25 paid with USD 30: USD 5 of change.
    const sale = await sell(ana, { seats: [0] }, [{ method: 'CASH_USD', amountCents: 3000 }]);
    expect((await snapshot()).states[0]).toBe('s');

    const preview = await api.call('sales.voidPreview', { saleNumber: sale.number }, ana);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      transactionId: sale.transactionId,
      status: 'COMPLETED',
      voidable: true,
      paidCents: 2500,
      refundedCents: 0,
      paidWith: [{ method: 'CASH_USD', currency: 'USD', usdCents: 2500 }],
      tickets: [{ ticketNumber: sale.tickets[0], label: 'PLA-A-1', priceCents: 2500, voided: false }],
    });

    const request = {
      transactionId: sale.transactionId,
      reason: 'cliente se equivocó de fecha',
      requestId: 'void-0001',
    };
    const unapproved = await api.call('sales.void', request, ana);
    expect(unapproved.status).toBe(409);
    expect(unapproved.body.error).toMatchObject({ code: 'APPROVAL_REQUIRED', details: { kind: 'VOID' } });
    const wrongPin = await api.call('sales.void', { ...request, supervisorPin: '0000' }, ana);
    expect(wrongPin.body.error.code).toBe('BAD_PIN');
    const noReason = await api.call('sales.void', { ...request, reason: ' ', supervisorPin: '9999' }, ana);
    expect(noReason.status).toBe(400);
    expect(count('voids')).toBe(0);

    const voided = await api.call('sales.void', { ...request, supervisorPin: '9999' }, ana);
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body).toMatchObject({
      kind: 'SALE',
      status: 'CANCELLED',
      ticketNumbers: sale.tickets,
      places: 1,
      // What was applied to the sale, not the USD 30 handed over: the change is not refunded twice.
      refundUsdCents: 2500,
      refunds: [{ method: 'CASH_USD', currency: 'USD', amountCents: 2500, usdCents: 2500, asPaid: true }],
      actor: 'cashier:Ana',
      approvedBy: 'supervisor:Sara',
      reason: 'cliente se equivocó de fecha',
    });
    const again = await api.call('sales.void', { ...request, supervisorPin: '9999' }, ana);
    expect(again.body.voidId).toBe(voided.body.voidId);
    expect(count('voids')).toBe(1);
    expect(count('refund_tenders')).toBe(1);
    const twice = await api.call(
      'sales.void',
      { ...request, requestId: 'void-0002', supervisorPin: '9999' },
      ana,
    );
    expect(twice.body.error.code).toBe('ALREADY_VOIDED');

    // The seat is free again, on the live map and for the next customer.
    expect((await snapshot()).states[0]).toBe('.');
    await sell(ana, { seats: [0] }, [{ method: 'CASH_USD', amountCents: 2500 }]);

    // The voided ticket is on the revocation list: refused at the door, never printed again.
    const check = verifyTicketAtStore(api.terminal.db, codeOf(sale.tickets[0]!));
    expect(check.verification).toMatchObject({ valid: false, reason: 'voided' });
    const sara = await api.signIn(api.users.supervisor, '9999');
    const copy = await api.call(
      'sales.reprint',
      { transactionId: sale.transactionId, ticketNumbers: sale.tickets },
      sara,
    );
    expect(copy.body.error).toMatchObject({
      code: 'TICKET_VOIDED',
      details: { ticketNumbers: sale.tickets },
    });

    // The drawer: 50 float + 30 + 25 cash − 5 change − 25 refunded = 75.
    const drawer = (await api.call('drawer.state', {}, ana)).body.shift.drawer[0];
    expect(drawer).toMatchObject({
      cashInCents: 5500,
      changeCents: 500,
      refundCents: 2500,
      expectedCents: 7500,
    });

    // The X shows the refund by method and net takings; the Z takes it once.
    const x = (await api.call('reports.x', {}, ana)).body;
    expect(x.totals).toMatchObject({ payments: 2, refunds: 1, refundedUsdCents: 2500, netUsdCents: 2500 });
    expect(x.totals.lines).toEqual([
      expect.objectContaining({
        method: 'CASH_USD',
        receivedCents: 5500,
        changeCents: 500,
        refundCents: 2500,
        netCents: 2500,
      }),
    ]);
    // On paper: the refund by method, in the drawer, and the voids under the day's total.
    await api.terminal.printing.queue.drain();
    const before = printer.documents.length;
    expect((await api.call('reports.print', {}, ana)).status).toBe(200);
    expect(await api.terminal.printing.queue.drain()).toBe('idle');
    const [paper] = printer.documents.slice(before).map((d) => d.text);
    expect(paper).toContain('REPORTE X');
    expect(paper).toMatch(/ {2}devoluciones\s+-USD 25,00/);
    expect(paper).toMatch(/ {2}Devoluciones\s+-USD 25,00/);
    expect(paper).toMatch(/Anulaciones \(1\)\s+-USD 25,00/);
    expect(paper).toMatch(/TOTAL\s+USD 25,00/);
    await api.call('drawer.close', { countedUsdCents: 7500, countedVesCents: 0 }, ana);
    const z = (await api.call('reports.z', {}, ana)).body;
    expect(z.totals).toMatchObject({ refunds: 1, refundedUsdCents: 2500, netUsdCents: 2500 });
    expect(z.totals.drawer[0]).toMatchObject({ refundCents: 2500, expectedCents: 7500, overShortCents: 0 });
    expect(api.terminal.db.prepare('SELECT closing_id FROM voids').get()).toEqual({ closing_id: 1 });
    expect((await api.call('reports.x', {}, ana)).body.totals).toMatchObject({ refunds: 0, netUsdCents: 0 });

    // Everything is in the append-only audit: who, approver, reason.
    const audit = api.terminal.db
      .prepare<
        [string],
        { entity: string; from_state: string; to_state: string; reason: string; actor: string }
      >(
        "SELECT entity, from_state, to_state, reason, actor FROM audit_log WHERE entity_id = ? AND to_state = 'CANCELLED'",
      )
      .all(sale.transactionId);
    expect(audit).toEqual([
      expect.objectContaining({
        entity: 'transaction',
        from_state: 'COMPLETED',
        actor: 'cashier:Ana',
        reason: expect.stringMatching(/cliente se equivocó de fecha, approved by supervisor:Sara$/),
      }),
    ]);
    expect(() => api.terminal.db.prepare('DELETE FROM voids').run()).toThrow(/append-only/);
  });

  it('some tickets of a sale paid two ways: each refunded at its price, shared between the methods used; the rest later, in a method chosen', async () => {
    const sara = await api.signIn(api.users.supervisor, '9999');
    // Two seats (2 × 25) and three standing places (3 × 10) = USD 80: USD 60 cash and USD 20 in bolívares.
    const sale = await sell(sara, { seats: [1, 2], ga: 3 }, [
      { method: 'CASH_USD', amountCents: 6000 },
      { method: 'CASH_VES', amountCents: 73_000 },
    ]);
    expect(sale.tickets).toHaveLength(5);
    const [seatTicket, , gaFirst] = sale.tickets;
    const gaFree = async () => (await snapshot()).zones.find((z) => z.zoneId === api.gaZoneId)!.free;
    expect(await gaFree()).toBe(2);

    // A supervisor approves her own void: no PIN.
    const part = await api.call(
      'sales.void',
      {
        transactionId: sale.transactionId,
        ticketNumbers: [seatTicket, gaFirst],
        reason: 'no pueden venir dos',
      },
      sara,
    );
    expect(part.status, JSON.stringify(part.body)).toBe(200);
    expect(part.body).toMatchObject({
      kind: 'TICKETS',
      status: 'COMPLETED',
      places: 2,
      refundUsdCents: 3500,
      approvedBy: 'supervisor:Sara',
    });
    // 60/80 of USD 35 in dollars, 20/80 in bolívares at the sale's rate (Bs. 36,50).
    expect(part.body.refunds).toEqual([
      expect.objectContaining({ method: 'CASH_USD', currency: 'USD', usdCents: 2625, amountCents: 2625 }),
      expect.objectContaining({ method: 'CASH_VES', currency: 'VES', usdCents: 875, amountCents: 31_938 }),
    ]);
    const states = (await snapshot()).states;
    expect([states[1], states[2]]).toEqual(['.', 's']);
    expect(await gaFree()).toBe(3);

    const preview = (await api.call('sales.voidPreview', { transactionId: sale.transactionId }, sara)).body;
    expect(preview.tickets.map((t: { voided: boolean }) => t.voided)).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(preview.refundedCents).toBe(3500);
    const repeat = await api.call(
      'sales.void',
      { transactionId: sale.transactionId, ticketNumbers: [gaFirst], reason: 'otra vez' },
      sara,
    );
    expect(repeat.body.error).toMatchObject({
      code: 'ALREADY_VOIDED',
      details: { ticketNumbers: [gaFirst] },
    });

    // The rest, refunded by Zelle (the sale used none: recorded as not as paid).
    const rest = await api.call(
      'sales.void',
      {
        transactionId: sale.transactionId,
        reason: 'evento cambiado de fecha',
        refundMethod: 'ZELLE',
        refundReference: 'ZL-778812',
      },
      sara,
    );
    expect(rest.body).toMatchObject({
      kind: 'SALE',
      status: 'CANCELLED',
      places: 3,
      refundUsdCents: 4500,
      refunds: [
        { method: 'ZELLE', currency: 'USD', amountCents: 4500, reference: 'ZL-778812', asPaid: false },
      ],
    });
    expect(await gaFree()).toBe(5);
    const x = (await api.call('reports.x', {}, sara)).body.totals;
    expect(x).toMatchObject({ refunds: 2, refundedUsdCents: 8000, netUsdCents: 0 });
    // The supervisor's dashboard shows the same refunds, by method.
    const dashboard = (await api.call('dashboard.summary', {}, sara)).body;
    expect(dashboard.refunds).toEqual({
      count: 2,
      usdCents: 8000,
      lines: [
        { method: 'CASH_USD', currency: 'USD', cents: 2625 },
        { method: 'CASH_VES', currency: 'VES', cents: 31_938 },
        { method: 'ZELLE', currency: 'USD', cents: 4500 },
      ],
    });
    expect(x.lines.map((l: { method: string; refundCents: number }) => [l.method, l.refundCents])).toEqual([
      ['CASH_USD', 2625],
      ['CASH_VES', 31_938],
      ['ZELLE', 4500],
    ]);
  });

  it('a deposit is cancelled with what was paid given back; its seats go back on sale', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[5]!, api.seatIds[6]!] }, ana);
    const deposit = await api.call(
      'payments.deposit',
      {
        eventId: api.eventId,
        tenders: [{ method: 'CASH_USD', amountCents: 2000 }],
        customer: { name: 'María Pérez', idNumber: 'V-12345678', phone: '04141234567' },
      },
      ana,
    );
    expect(deposit.status, JSON.stringify(deposit.body)).toBe(200);
    const id = deposit.body.transactionId as string;
    const preview = (await api.call('sales.voidPreview', { transactionId: id }, ana)).body;
    expect(preview).toMatchObject({ status: 'RESERVED', paidCents: 2000, customerName: 'María Pérez' });
    expect(preview.tickets).toHaveLength(2);
    const named = await api.call(
      'sales.void',
      { transactionId: id, ticketNumbers: ['X'], reason: 'desiste', supervisorPin: '9999' },
      ana,
    );
    expect(named.status).toBe(400);
    const cancelled = await api.call(
      'sales.void',
      { transactionId: id, reason: 'desiste', supervisorPin: '9999' },
      ana,
    );
    expect(cancelled.body).toMatchObject({
      kind: 'DEPOSIT',
      status: 'CANCELLED',
      places: 2,
      refundUsdCents: 2000,
      refunds: [{ method: 'CASH_USD', amountCents: 2000 }],
    });
    const states = (await snapshot()).states;
    expect([states[5], states[6]]).toEqual(['.', '.']);
    const again = await api.call(
      'sales.void',
      { transactionId: id, reason: 'desiste', supervisorPin: '9999' },
      ana,
    );
    expect(again.body.error).toMatchObject({ code: 'ALREADY_VOIDED', details: { ticketNumbers: [] } });
  });

  it('refused: after the event starts, a cart, a ticket of another sale, more cash than the drawer holds; nothing is written', async () => {
    const sara = await api.signIn(api.users.supervisor, '9999');
    await api.call('drawer.open', { floatUsdCents: 0, floatVesCents: 0 }, sara);
    const sale = await sell(sara, { seats: [3] }, [
      { method: 'CARD', amountCents: 91_250, reference: 'AP0001' },
    ]);
    const other = await sell(sara, { seats: [4] }, [{ method: 'CASH_USD', amountCents: 2500 }]);

    const foreign = await api.call(
      'sales.void',
      { transactionId: sale.transactionId, ticketNumbers: other.tickets, reason: 'equivocado' },
      sara,
    );
    expect(foreign.body.error.code).toBe('VALIDATION');
    // The card sale refunded in cash would take USD 25 from a drawer that holds USD 25 + 0 float: fine;
    // in bolívares cash it would take Bs. 912,50 from a drawer with none.
    const noCash = await api.call(
      'sales.void',
      { transactionId: sale.transactionId, reason: 'equivocado', refundMethod: 'CASH_VES' },
      sara,
    );
    expect(noCash.body.error).toMatchObject({
      code: 'INSUFFICIENT_CASH',
      details: { currency: 'VES', requestedCents: 91_250, availableCents: 0 },
    });
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[9]!] }, sara);
    const cart = api.terminal.carts.transactionId(
      api.eventId,
      (await api.call('session.me', {}, sara)).body.sessionId,
    );
    const pending = await api.call('sales.void', { transactionId: cart, reason: 'no es venta' }, sara);
    expect(pending.body.error).toMatchObject({ code: 'NOT_VOIDABLE', details: { status: 'PENDING' } });

    api.clock.advance(24 * HOUR_MS);
    const late = await api.call('sales.void', { transactionId: sale.transactionId, reason: 'tarde' }, sara);
    expect(late.body.error).toMatchObject({
      code: 'EVENT_STARTED',
      details: { transactionId: sale.transactionId },
    });
    expect(
      (await api.call('sales.voidPreview', { transactionId: sale.transactionId }, sara)).body.voidable,
    ).toBe(false);
    expect(count('voids')).toBe(0);
    expect(count('voided_tickets')).toBe(0);
  });

  it('an enrolled store with no link to the central server (the command line) refuses a void rather than free the seat only here', async () => {
    const sara = await api.signIn(api.users.supervisor, '9999');
    const sale = await sell(sara, { seats: [7] }, [{ method: 'CASH_USD', amountCents: 2500 }]);
    // The terminal's own wiring asks the sync engine; here the same service, enrolled with no server.
    const enrolled = new VoidService(api.terminal.db, api.clock, api.terminal.reservations, {
      enrolled: () => true,
    });
    await expect(
      enrolled.void({
        transactionId: sale.transactionId,
        reason: 'prueba',
        actor: 'supervisor:Sara',
        approvedBy: 'supervisor:Sara',
      }),
    ).rejects.toMatchObject({ code: 'VOID_NEEDS_SERVER' });
    expect(count('voids')).toBe(0);
    expect((await snapshot()).states[7]).toBe('s');
  });
});
