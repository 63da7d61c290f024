import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { type ApiFixture, startApi } from './api-fixture.ts';

/**
 * No sale without the money stated: the counter's Ctrl+Enter opens the payment dialog to confirm
 * (test/e2e/counter/cashier-flow), and the API has no call that sells a cart blind.
 */
let api: ApiFixture;
let cashier: string;

beforeAll(async () => {
  api = await startApi();
  cashier = await api.signIn(api.users.cashier, '1234');
});
afterAll(() => api.close());

describe('selling a cart through the API', () => {
  it('has no one-call sale any more: checkout.payInFull is unknown and the cart stays held', async () => {
    await api.call(
      'holds.seats',
      { eventId: api.eventId, seatIds: [api.seatIds[0], api.seatIds[1]] },
      cashier,
    );
    const blind = await api.call('checkout.payInFull', { eventId: api.eventId }, cashier);
    expect(blind.status).toBe(404);
    expect(blind.body.error.code).toBe('UNKNOWN_METHOD');
    expect((await api.call('cart.get', { eventId: api.eventId }, cashier)).body.tickets).toHaveLength(2);
    expect((await api.call('reports.x', {}, cashier)).body.totals.sales).toBe(0);
  });

  it('needs the money it takes: no tenders, or too little, sells nothing', async () => {
    for (const tenders of [[], [{ method: 'CASH_USD', amountCents: 4999 }]]) {
      const refused = await api.call('payments.checkout', { eventId: api.eventId, tenders }, cashier);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('UNDERPAID');
    }
    expect((await api.call('reports.x', {}, cashier)).body.totals.sales).toBe(0);
  });

  it('the confirmed amount as US dollars cash sells, and the X report counts it', async () => {
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 5000 }] },
      cashier,
    );
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ status: 'COMPLETED', totalCents: 5000 });
    const x = await api.call('reports.x', {}, cashier);
    expect(x.body.totals.sales).toBe(1);
    expect(x.body.totals.lines).toEqual([
      expect.objectContaining({ method: 'CASH_USD', currency: 'USD', count: 1, netCents: 5000 }),
    ]);
  });

  it('charges what the cart shows: holds that ran out earlier in the same cart are neither quoted nor sold', async () => {
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[5]] }, cashier);
    api.clock.advance(10 * MINUTE_MS + 1000);
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[6]] }, cashier);
    const cart = await api.call('cart.get', { eventId: api.eventId }, cashier);
    expect(cart.body.tickets.map((t: { seatId: number }) => t.seatId)).toEqual([api.seatIds[6]]);
    const quote = await api.call('payments.quote', { eventId: api.eventId }, cashier);
    expect(quote.body.balanceCents).toBe(2500);
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      cashier,
    );
    expect(sale.status).toBe(200);
    const snap = await api.call('availability.snapshot', { eventId: api.eventId }, cashier);
    expect(snap.body.states.slice(5, 7)).toBe('.s');
  });
});
