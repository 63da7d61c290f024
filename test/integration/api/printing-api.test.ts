import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApi } from './api-fixture.ts';
import { PRINTER_STATES } from '../../../shared/schemas/printing.ts';

/** The printing methods through the same HTTP door as the counter: status, settings, reprint. */
let api: ApiFixture;
let cashier: string;
let supervisor: string;

beforeAll(async () => {
  api = await startApi();
  cashier = await api.signIn(api.users.cashier, '1234');
  supervisor = await api.signIn(api.users.supervisor, '9999');
});
afterAll(() => api.close());

describe('printing over the terminal API', () => {
  it('reports the print queue for the status bar', async () => {
    const { status, body } = await api.call('printer.status', {}, cashier);
    expect(status).toBe(200);
    expect(body).toMatchObject({ pending: 0 });
    expect(PRINTER_STATES).toContain(body.state);
  });

  it('lets only a supervisor change the printer settings', async () => {
    const current = await api.call('printer.settings.get', {}, cashier);
    expect(current.status).toBe(200);
    const refused = await api.call('printer.settings.set', { paperWidth: 58 }, cashier);
    expect(refused.status).toBe(403);
    const changed = await api.call('printer.settings.set', { paperWidth: 58 }, supervisor);
    expect(changed.status).toBe(200);
    expect(changed.body.paperWidth).toBe(58);
  });

  it('queues copies of a sale marked COPIA only with a supervisor, and refuses an unknown sale', async () => {
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]] }, cashier);
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      cashier,
    );
    expect(sale.status).toBe(200);
    const saleNumber = String(sale.body.transactionId).slice(0, 8).toUpperCase();
    const found = await api.call('sales.printed', { saleNumber }, cashier);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ transactionId: sale.body.transactionId, receipt: { copies: 0 } });
    const alone = await api.call('sales.reprint', { saleNumber, receipt: true }, cashier);
    expect(alone.status).toBe(403);
    expect(alone.body.error.code).toBe('SUPERVISOR_APPROVAL');
    const wrongPin = await api.call(
      'sales.reprint',
      { saleNumber, receipt: true, supervisorPin: '0000' },
      cashier,
    );
    expect(wrongPin.body.error.code).toBe('BAD_PIN');
    const approved = await api.call(
      'sales.reprint',
      { saleNumber, receipt: true, supervisorPin: '9999' },
      cashier,
    );
    expect(approved.status).toBe(200);
    expect(approved.body.jobs).toEqual([expect.objectContaining({ kind: 'receipt', copy: 1 })]);
    const copy = await api.call('sales.reprint', { transactionId: sale.body.transactionId }, supervisor);
    expect(copy.status).toBe(200);
    expect(copy.body.jobs.length).toBeGreaterThan(0);
    const unknown = await api.call('sales.reprint', { transactionId: 'no-such-sale' }, supervisor);
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.body.error.code).toBeDefined();
  });
});
