import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApi } from './api-fixture.ts';

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
    expect(['ready', 'printing', 'paused-paper-out', 'offline', 'unknown']).toContain(body.state);
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

  it('queues copies of a sale marked COPIA, and refuses an unknown sale', async () => {
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]] }, cashier);
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      cashier,
    );
    expect(sale.status).toBe(200);
    const copy = await api.call('sales.reprint', { transactionId: sale.body.transactionId }, cashier);
    expect(copy.status).toBe(200);
    expect(copy.body.jobs.length).toBeGreaterThan(0);
    const unknown = await api.call('sales.reprint', { transactionId: 'no-such-sale' }, cashier);
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.body.error.code).toBeDefined();
  });
});
