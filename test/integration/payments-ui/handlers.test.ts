import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

let api: ApiFixture;
const extra: Terminal[] = [];

beforeEach(async () => {
  api = await startApi();
});

afterEach(async () => {
  for (const t of extra.splice(0)) t.close();
  await api.close();
});

/** Holds `seats` for the session and pays them in full with US dollars in cash. */
async function sell(session: string, seats: number[]): Promise<void> {
  await api.call('holds.seats', { eventId: api.eventId, seatIds: seats }, session);
  const { status, body } = await api.call(
    'payments.checkout',
    { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 * seats.length }] },
    session,
  );
  expect(status, JSON.stringify(body)).toBe(200);
}

describe('the payment, dashboard and kiosk handlers', () => {
  it('kiosk.start is refused on a counter terminal', async () => {
    const { status, body } = await api.call('kiosk.start', {});
    expect(status).toBe(403);
    expect(body.error.code).toBe('ROLE_NOT_ALLOWED');
  });

  it('a kiosk session takes no deposits, reads no reports, and on a live store sells nothing by a typed card approval', async () => {
    const kiosk = createTerminal({ dbFile: api.terminal.db.name, clock: api.clock, kiosk: true });
    extra.push(kiosk);
    const dispatch = createDispatcher(kiosk, createHandlers(), () => {});
    const started = await dispatch({ method: 'kiosk.start', input: {} });
    expect(started.ok).toBe(true);
    const sessionToken = started.ok ? (started.result as { sessionToken: string }).sessionToken : '';
    const call = (method: string, input: unknown) => dispatch({ method, input, sessionToken });
    expect((await call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]!] })).ok).toBe(true);
    const deposit = await call('payments.deposit', {
      eventId: api.eventId,
      tenders: [{ method: 'CARD', amountCents: 50_000, reference: 'AP1234' }],
      customer: { name: 'Cliente', phone: '04141234567' },
    });
    expect(deposit).toMatchObject({ ok: false, error: { code: 'ROLE_NOT_ALLOWED' } });
    expect(await call('reports.x', {})).toMatchObject({ ok: false, error: { code: 'ROLE_NOT_ALLOWED' } });
    // USD 25 at 36.50 Bs./USD = Bs. 912,50 by card, with an approval number nobody confirmed (issue 11:
    // this used to sell; a kiosk now sells only what a payment provider confirmed).
    const sale = await call('payments.checkout', {
      eventId: api.eventId,
      tenders: [{ method: 'CARD', amountCents: 91_250, reference: 'AP1234' }],
    });
    expect(sale).toMatchObject({ ok: false, error: { code: 'PAYMENT_UNCONFIRMED' } });
    expect((await call('session.signOut', {})).ok).toBe(true);
    expect(await call('cart.get', { eventId: api.eventId })).toMatchObject({
      error: { code: 'NOT_SIGNED_IN' },
    });
  });

  it("a cashier's X report and CSV cover their own payments only; a supervisor's cover everyone", async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const beto = await api.signIn(api.users.other, '4321');
    const sara = await api.signIn(api.users.supervisor, '9999');
    await sell(ana, [api.seatIds[0]!]);
    await sell(beto, [api.seatIds[1]!, api.seatIds[2]!]);
    const anaX = await api.call('reports.x', {}, ana);
    expect(anaX.body).toMatchObject({ cashier: 'cashier:Ana', totals: { payments: 1, netUsdCents: 2500 } });
    // A cashier asking for someone else's report is refused, not answered with their own.
    const betoByAna = await api.call('reports.x', { staffId: api.users.other }, ana);
    expect(betoByAna.status).toBe(403);
    const all = await api.call('reports.x', {}, sara);
    expect(all.body.totals).toMatchObject({ payments: 2, netUsdCents: 7500 });
    const betoBySara = await api.call('reports.x', { staffId: api.users.other }, sara);
    expect(betoBySara.body).toMatchObject({ staffId: api.users.other, totals: { payments: 1 } });
    const csv = await api.call('reports.csv', {}, ana);
    expect(csv.body.csv).toContain('Ana,CASH_USD,USD,1,25.00');
    expect(csv.body.csv).not.toContain('Beto');

    const z = await api.call('reports.z', {}, beto);
    expect(z.body).toMatchObject({ kind: 'Z', number: 1, cashier: 'cashier:Beto', staffId: api.users.other });
    expect((await api.call('reports.z', { staffId: api.users.cashier }, beto)).status).toBe(403);
    const unknown = await api.call('reports.z', { staffId: 999 }, sara);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_STAFF', details: { reference: '999' } });
    // Ana may not export Beto's Z; the supervisor may; both list only what they may see.
    expect((await api.call('reports.csv', { number: 1 }, ana)).status).toBe(403);
    expect((await api.call('reports.csv', { number: 1 }, sara)).body.filename).toMatch(/^z-1-/);
    expect((await api.call('reports.closings', {}, ana)).body).toEqual([]);
    expect((await api.call('reports.closings', {}, sara)).body).toHaveLength(1);
  });

  it('dashboard.summary is the supervisor’s, with the reservation-stats service’s own figures', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const sara = await api.signIn(api.users.supervisor, '9999');
    await sell(ana, [api.seatIds[3]!]);
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[4]!] }, ana);
    expect((await api.call('dashboard.summary', {}, ana)).status).toBe(403);
    const { body } = await api.call('dashboard.summary', {}, sara);
    expect(body.reservations).toEqual(api.terminal.stats.stats({ contestedLimit: 50 }));
    expect(body.outstanding).toEqual(api.terminal.paymentStats.outstanding());
    expect(body.reservations.events[0]).toMatchObject({ sold: 1, activeHolds: 1 });
  });
});
