import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { CASH, type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * Selling on enrolled counters: every hold and sale goes to the central server first and the counter
 * answers with its API's own shapes. Each case checks the server's rows, not just the reply.
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let c: Counter;
let kiosk: Counter;
let ana: SignedIn;
let beto: SignedIn;
let luis: SignedIn;
let map: SeatMap;
const GENERAL = 7; // 'General de pie', 300 standing places
const PLATEA = 2;

/** `count` seats of a zone, from its `from`-th seat: each case sells its own seats. */
function seats(zoneId: number, from: number, count: number): number[] {
  const ids = map.seats.id.filter((_, i) => map.seats.zoneId[i] === zoneId);
  return ids.slice(from, from + count);
}

async function serverTickets(seatIds: number[]) {
  return venue.serverRows<{ seat_id: number; status: string; session_id: string; transaction_id: string }>(
    `SELECT seat_id, status, session_id, transaction_id FROM tickets
     WHERE seat_id IN (${seatIds.map(() => '?').join(', ')}) AND status IN ('ACTIVE', 'COMPLETED')
     ORDER BY seat_id`,
    ...seatIds,
  );
}

beforeAll(async () => {
  venue = await startVenue({ counters: 3, kiosks: 1 });
  [a, b, c, kiosk] = venue.counters as [Counter, Counter, Counter, Counter];
  [ana, beto, luis] = await Promise.all([a.signIn('ana'), b.signIn('beto'), c.signIn('luis')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
});
afterAll(async () => {
  await venue?.close();
});

describe('holds on an enrolled counter are taken at the server and answered in the API’s shape', () => {
  it('a seat click holds at the server and answers with the cart’s ticket (finding 1)', async () => {
    const [seat] = seats(1, 0, 1);
    const held = await a.call('holds.seats', { eventId: THEATRE, seatIds: [seat!] }, ana);
    expect(held.tickets).toEqual([
      expect.objectContaining({ ticketId: expect.any(Number), seatId: seat, zoneId: 1, quantity: 1 }),
    ]);
    expect(await serverTickets([seat!])).toEqual([
      expect.objectContaining({ status: 'ACTIVE', session_id: ana.sessionId }),
    ]);
    const cart = await a.call('cart.get', { eventId: THEATRE }, ana);
    // The counter's own map shows the hold as its own, from the version the reply named.
    const snapshot = await a.call('availability.snapshot', { eventId: THEATRE }, ana);
    expect(snapshot.taken).toContainEqual(
      expect.objectContaining({ seatId: seat, sessionId: ana.sessionId }),
    );
    const changes = await a.call(
      'availability.changes',
      { eventId: THEATRE, sinceVersion: held.version - 1 },
      ana,
    );
    expect(changes.reset === false && changes.seats.map((s) => s.seatId)).toContain(seat);
    expect(cart.tickets.map((t) => t.ticketId)).toEqual(held.tickets.map((t) => t.ticketId));
    // Another counter is refused the seat with the facts the cashier needs.
    const refused = await b.attempt('holds.seats', { eventId: THEATRE, seatIds: [seat!] }, beto);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.status).toBe(409);
      expect(refused.error.code).toBe('SEAT_TAKEN');
    }
  });

  it('standing places are held at the server and answered in the API’s shape', async () => {
    const held = await b.call('holds.general', { eventId: THEATRE, zoneId: GENERAL, quantity: 3 }, beto);
    expect(held.tickets).toEqual([
      expect.objectContaining({ ticketId: expect.any(Number), seatId: null, zoneId: GENERAL, quantity: 3 }),
    ]);
    const [zone] = await venue.serverRows<{ used: number }>(
      'SELECT used FROM zones WHERE event_id = ? AND id = ?',
      THEATRE,
      GENERAL,
    );
    expect(Number(zone!.used)).toBe(3);
    const released = await b.call('holds.releaseGeneral', { eventId: THEATRE, zoneId: GENERAL }, beto);
    expect(released.released).toBe(3);
    const [after] = await venue.serverRows<{ used: number }>(
      'SELECT used FROM zones WHERE event_id = ? AND id = ?',
      THEATRE,
      GENERAL,
    );
    expect(Number(after!.used)).toBe(0);
  });

  it('"best N together" holds at the server, so no other counter can sell those seats (finding 2)', async () => {
    const best = await c.call('holds.bestAvailable', { eventId: THEATRE, zoneId: 5, quantity: 4 }, luis);
    const ids = best.tickets.map((t) => t.seatId!);
    expect(ids).toHaveLength(4);
    const atServer = await serverTickets(ids);
    expect(atServer.map((t) => t.session_id)).toEqual(ids.map(() => luis.sessionId));
    const refused = await a.attempt('holds.seats', { eventId: THEATRE, seatIds: [ids[0]!] }, ana);
    expect(!refused.ok && refused.error.code).toBe('SEAT_TAKEN');
    const sale = await c.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, luis);
    expect(sale).toMatchObject({ status: 'COMPLETED' });
    expect((await serverTickets(ids)).map((t) => t.status)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
  });

  it('deselecting, extending and clearing act on the server’s cart', async () => {
    const ids = seats(PLATEA, 0, 3);
    await b.call('holds.seats', { eventId: THEATRE, seatIds: ids }, beto);
    const released = await b.call('holds.releaseSeats', { eventId: THEATRE, seatIds: [ids[0]!] }, beto);
    expect(released).toEqual({ released: [ids[0]], notHeld: [] });
    expect((await serverTickets(ids)).map((t) => t.seat_id)).toEqual(ids.slice(1));
    const [before] = await venue.serverRows<{ until: number }>(
      "SELECT MAX(reserved_until) AS until FROM tickets WHERE session_id = ? AND status = 'ACTIVE'",
      beto.sessionId,
    );
    await new Promise((r) => setTimeout(r, 20));
    const extended = await b.call('holds.extend', { eventId: THEATRE }, beto);
    expect(extended.tickets.map((t) => t.seatId).sort()).toEqual(ids.slice(1).sort());
    const [after] = await venue.serverRows<{ until: number }>(
      "SELECT MAX(reserved_until) AS until FROM tickets WHERE session_id = ? AND status = 'ACTIVE'",
      beto.sessionId,
    );
    expect(Number(after!.until)).toBeGreaterThan(Number(before!.until));
    expect(extended.tickets[0]!.reservedUntil).toBe(Number(after!.until));
    const cleared = await b.call('holds.clear', { eventId: THEATRE }, beto);
    expect(cleared.released).toBe(2);
    expect(await serverTickets(ids)).toEqual([]);
    expect((await b.call('cart.get', { eventId: THEATRE }, beto)).tickets).toEqual([]);
  });

  it('signing out releases the session’s holds at the server', async () => {
    const bea = await b.signIn('ana');
    const ids = seats(PLATEA, 10, 2);
    await b.call('holds.seats', { eventId: THEATRE, seatIds: ids }, bea);
    expect(await b.call('session.me', {}, bea)).toMatchObject({ sessionId: bea.sessionId });
    expect(await b.call('session.signOut', {}, bea)).toEqual({ released: 2 });
    expect(await serverTickets(ids)).toEqual([]);
  });
});

describe('money on an enrolled counter', () => {
  it('a checkout with mixed tenders sells at the server and records the money here', async () => {
    const ids = seats(PLATEA, 20, 2);
    await a.call('holds.clear', { eventId: THEATRE }, ana);
    await a.call('holds.seats', { eventId: THEATRE, seatIds: ids }, ana);
    const quote = await a.call('payments.quote', { eventId: THEATRE }, ana);
    expect(quote.balanceCents).toBe(9000);
    const paid = await a.call(
      'payments.checkout',
      {
        eventId: THEATRE,
        tenders: [
          { method: 'CASH_USD', amountCents: 5000 },
          { method: 'ZELLE', amountCents: 4000, reference: 'ZX9K22' },
        ],
      },
      ana,
    );
    expect(paid).toMatchObject({ status: 'COMPLETED', totalCents: 9000, paidCents: 9000, balanceCents: 0 });
    expect((await serverTickets(ids)).map((t) => t.status)).toEqual(['COMPLETED', 'COMPLETED']);
    const x = await a.call('reports.x', {}, ana);
    expect(x.totals.lines.map((l) => l.method)).toContain('ZELLE');
  });

  it('a deposit reserves at the server, and the balance paid later completes the sale there', async () => {
    const ids = seats(PLATEA, 30, 2);
    await b.call('holds.seats', { eventId: THEATRE, seatIds: ids }, beto);
    const deposit = await b.call(
      'payments.deposit',
      {
        eventId: THEATRE,
        customer: { name: 'María Pérez', idNumber: 'V-12.345.678', phone: '0414-1234567' },
        tenders: [{ method: 'CASH_USD', amountCents: 3000 }],
      },
      beto,
    );
    expect(deposit).toMatchObject({ status: 'RESERVED', paidCents: 3000, balanceCents: 6000 });
    const [reserved] = await venue.serverRows<{ status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
      deposit.transactionId,
    );
    expect(reserved!.status).toBe('RESERVED');
    const found = await b.call('reservations.search', { query: 'maria perez' }, beto);
    expect(found.map((r) => r.transactionId)).toContain(deposit.transactionId);
    const paid = await b.call(
      'payments.pay',
      { transactionId: deposit.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 6000 }] },
      beto,
    );
    expect(paid).toMatchObject({ status: 'COMPLETED', balanceCents: 0 });
    expect((await serverTickets(ids)).map((t) => t.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });
});

describe('the kiosk and the supervisor’s tasks on enrolled terminals', () => {
  it('a kiosk customer reserves at the server with a slip; the kiosk records only confirmed money', async () => {
    const started = await kiosk.call('kiosk.start', {});
    const customer: SignedIn = { token: started.sessionToken, sessionId: started.sessionId, actor: 'kiosk' };
    const events = await kiosk.call('events.list', {}, customer);
    expect(events.map((e) => e.id)).toContain(THEATRE);
    const ids = seats(PLATEA, 40, 2);
    await kiosk.call('holds.seats', { eventId: THEATRE, seatIds: ids }, customer);
    expect((await serverTickets(ids)).map((t) => t.session_id)).toEqual([
      started.sessionId,
      started.sessionId,
    ]);
    // No payment provider on this kiosk: it offers "Pagar en taquilla" only, and a card is refused.
    expect(await kiosk.call('kiosk.paymentOptions', { eventId: THEATRE }, customer)).toMatchObject({
      provider: null,
      payAtCounterMinutes: 30,
    });
    const card = await kiosk.attempt(
      'kiosk.pay',
      { eventId: THEATRE, method: 'CARD', requestId: 'kiosk-attempt-0001' },
      customer,
    );
    expect(!card.ok && card.error.code).toBe('PAYMENT_UNCONFIRMED');
    const slip = await kiosk.call('kiosk.payAtCounter', { eventId: THEATRE }, customer);
    const [reserved] = await venue.serverRows<{ status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
      slip.transactionId,
    );
    expect(reserved!.status).toBe('RESERVED');
    // The slip's seats are the server's reservation: no other counter can sell them meanwhile.
    expect((await serverTickets(ids)).map((t) => t.session_id)).toEqual([
      started.sessionId,
      started.sessionId,
    ]);
  });

  it('a supervisor’s override, event settings, dashboard, balances due and reprints on an enrolled counter', async () => {
    expect(await c.call('session.supervisorOverride', { pin: '9999' }, luis)).toMatchObject({
      supervisor: { role: 'supervisor' },
    });
    const settings = await c.call('payments.settings', { eventId: THEATRE, depositMinimumPercent: 40 }, luis);
    expect(settings.depositMinimumBasisPoints).toBe(4000);
    // The sale c made through the server is in its dashboard, as the server recorded it.
    const summary = await c.call('dashboard.summary', { eventId: THEATRE }, luis);
    expect(summary.reservations.events[0]!.sold).toBeGreaterThanOrEqual(4);
    // A deposit under the new minimum is what the venue is owed.
    const [seat] = seats(PLATEA, 50, 1);
    await c.call('holds.seats', { eventId: THEATRE, seatIds: [seat!] }, luis);
    await c.call(
      'payments.deposit',
      {
        eventId: THEATRE,
        customer: { name: 'José Rivas', phone: '0412-7654321' },
        tenders: [{ method: 'CASH_USD', amountCents: 1800 }],
      },
      luis,
    );
    const open = await c.call('reservations.open', { eventId: THEATRE }, luis);
    expect(open.map((r) => r.customerName)).toContain('José Rivas');
    const outstanding = await c.call('payments.outstanding', { eventId: THEATRE }, luis);
    expect(outstanding.totals).toMatchObject({ reservations: 1, balanceCents: 2700, paidCents: 1800 });
    const [sale] = c.rows<{ id: string }>("SELECT id FROM transactions WHERE status = 'COMPLETED' LIMIT 1");
    const reprint = await c.call('sales.reprint', { transactionId: sale!.id, reason: 'atasco' }, luis);
    expect(reprint.jobs.length).toBeGreaterThan(0);
  });

  it('notices, day closing and its export on an enrolled counter', async () => {
    const notices = await a.call('notifications.list', { includeAcknowledged: true }, ana);
    if (notices.length > 0) {
      const acked = await a.call('notifications.ack', { ids: notices.map((n) => n.id) }, ana);
      expect(acked.acknowledged).toBeLessThanOrEqual(notices.length);
    }
    const z = await a.call('reports.z', {}, ana);
    expect(z).toMatchObject({ kind: 'Z', number: 1 });
    expect(z.totals.sales).toBeGreaterThanOrEqual(1);
    const closings = await a.call('reports.closings', {}, ana);
    expect(closings.map((r) => r.number)).toContain(1);
    const csv = await a.call('reports.csv', { number: 1 }, ana);
    expect(csv.csv).toMatch(/ZELLE/);
  });
});
