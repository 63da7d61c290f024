import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApi } from './api-fixture.ts';

/** The counter's fast path (Ctrl+Enter) is a real payment: the day's reports count its money. */
let api: ApiFixture;
let cashier: string;

beforeAll(async () => {
  api = await startApi();
  cashier = await api.signIn(api.users.cashier, '1234');
});
afterAll(() => api.close());

describe('checkout.payInFull', () => {
  it('records the exact total as US dollars cash, so the X report includes the sale', async () => {
    await api.call(
      'holds.seats',
      { eventId: api.eventId, seatIds: [api.seatIds[0], api.seatIds[1]] },
      cashier,
    );
    const sale = await api.call('checkout.payInFull', { eventId: api.eventId }, cashier);
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ status: 'COMPLETED', tickets: 2, totalCents: 5000 });
    const x = await api.call('reports.x', {}, cashier);
    expect(x.status).toBe(200);
    expect(x.body.totals.sales).toBe(1);
    expect(x.body.totals.netUsdCents).toBe(5000);
    expect(x.body.totals.lines).toEqual([
      expect.objectContaining({ method: 'CASH_USD', currency: 'USD', count: 1, netCents: 5000 }),
    ]);
  });

  it('refuses an empty cart with a clear error and records nothing', async () => {
    const empty = await api.call('checkout.payInFull', { eventId: api.eventId }, cashier);
    expect(empty.status).toBe(409);
    expect(empty.body.error.code).toBe('NOTHING_HELD');
    const x = await api.call('reports.x', {}, cashier);
    expect(x.body.totals.payments).toBe(1);
  });
});
