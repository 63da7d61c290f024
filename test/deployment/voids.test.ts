import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { CASH, type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * Voids on enrolled counters (issue 16). The void is decided at the central server: the seat frees
 * there, venue-wide (every counter's map shows it free and may sell it), in the server's write; the
 * counter records its void, refund and drawer only once the server said yes, under the same key, so
 * a retried void frees and refunds once. Cut off from the server, a void is refused and nothing
 * changes, here or there.
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let ana: SignedIn;
let beto: SignedIn;
let luis: SignedIn;
let map: SeatMap;

beforeAll(async () => {
  venue = await startVenue({ counters: 2 });
  [a, b] = venue.counters as [Counter, Counter];
  [ana, beto, luis] = await Promise.all([a.signIn('ana'), b.signIn('beto'), a.signIn('luis')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
});
afterAll(async () => {
  await venue?.close();
});

/** Sells `seatIds` at counter A (cash); returns the sale and its printed ticket numbers by seat. */
async function sell(seatIds: number[]) {
  await a.call('holds.seats', { eventId: THEATRE, seatIds }, ana);
  const sale = await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana);
  expect(sale.status).toBe('COMPLETED');
  return sale;
}

/** The printed ticket number of a sold seat at counter A. */
function ticketOf(transactionId: string, seatId: number): string {
  const [row] = a.rows<{ ticket_number: string }>(
    `SELECT i.ticket_number FROM issued_tickets i JOIN reserved_tickets t ON t.id = i.reserved_ticket_id
     WHERE i.transaction_id = ? AND t.seat_id = ?`,
    transactionId,
    seatId,
  );
  return row!.ticket_number;
}

async function serverSeat(seatId: number): Promise<string[]> {
  const rows = await venue.serverRows<{ status: string }>(
    'SELECT status FROM tickets WHERE seat_id = ? ORDER BY id',
    seatId,
  );
  return rows.map((r) => r.status);
}

async function serverVoids(transactionId: string): Promise<number> {
  const [row] = await venue.serverRows<{ n: number }>(
    'SELECT COUNT(*) AS n FROM voids WHERE transaction_id = ?',
    transactionId,
  );
  return Number(row!.n);
}

function stateAt(states: string, seatId: number): string {
  return states[map.seats.id.indexOf(seatId)]!;
}

async function network(counter: Counter, state: 'online' | 'offline'): Promise<void> {
  await venue.eventually(async () => {
    expect((await counter.call('terminal.status', {})).network).toBe(state);
  }, 20_000);
}

async function drained(counter: Counter): Promise<void> {
  await venue.eventually(async () => {
    expect(await counter.call('terminal.status', {})).toMatchObject({ network: 'online', syncQueue: 0 });
  }, 20_000);
}

describe('a void on an enrolled counter', () => {
  it("is decided at the server with a supervisor's PIN: the seat frees venue-wide, B sells it, the refund is in A's X", async () => {
    const [kept, voided] = [map.seats.id[0]!, map.seats.id[1]!];
    const sale = await sell([kept, voided]);
    const before = await a.call('reports.x', {}, ana);
    const preview = await a.call('sales.voidPreview', { transactionId: sale.transactionId }, ana);
    expect(preview).toMatchObject({ status: 'COMPLETED', voidable: true, paidCents: sale.totalCents });

    const result = await a.call(
      'sales.void',
      {
        transactionId: sale.transactionId,
        ticketNumbers: [ticketOf(sale.transactionId, voided)],
        reason: 'cliente desiste',
        supervisorPin: '9999',
      },
      ana,
    );
    expect(result).toMatchObject({
      kind: 'TICKETS',
      status: 'COMPLETED',
      places: 1,
      approvedBy: 'supervisor:Luis Supervisor',
    });
    const price = sale.totalCents / 2;
    expect(result.refundUsdCents).toBe(price);

    const after = await a.call('sales.voidPreview', { transactionId: sale.transactionId }, ana);
    expect(after.tickets.map((t) => t.voided).sort()).toEqual([false, true]);
    expect(after.refundedCents).toBe(price);
    // The authority: the voided seat's ticket is CANCELLED at the server, the other still sold.
    expect(await serverSeat(voided)).toEqual(['CANCELLED']);
    expect(await serverSeat(kept)).toEqual(['COMPLETED']);
    const [serverVoid] = await venue.serverRows<{ id: string; refund_usd_cents: number }>(
      'SELECT id, refund_usd_cents FROM voids WHERE transaction_id = ?',
      sale.transactionId,
    );
    expect(serverVoid).toMatchObject({ id: result.voidId });
    expect(Number(serverVoid!.refund_usd_cents)).toBe(price);

    // Counter B's live map frees it, and B sells it.
    await venue.eventually(async () => {
      const snapshot = await b.call('availability.snapshot', { eventId: THEATRE }, beto);
      expect(stateAt(snapshot.states, voided)).toBe('.');
      expect(stateAt(snapshot.states, kept)).toBe('s');
    }, 10_000);
    await b.call('holds.seats', { eventId: THEATRE, seatIds: [voided] }, beto);
    const resold = await b.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, beto);
    expect(resold.status).toBe('COMPLETED');
    expect(await serverSeat(voided)).toEqual(['CANCELLED', 'COMPLETED']);

    // A's X gives the refund back.
    const x = await a.call('reports.x', {}, ana);
    expect(x.totals.refunds).toBe(before.totals.refunds + 1);
    expect(x.totals.refundedUsdCents).toBe(before.totals.refundedUsdCents + price);
    expect(x.totals.netUsdCents).toBe(before.totals.netUsdCents - price);
  });

  it('a retried void (same request id) voids and refunds once, here and at the server', async () => {
    const seat = map.seats.id[2]!;
    const sale = await sell([seat]);
    const before = await a.call('reports.x', {}, ana);
    const request = {
      transactionId: sale.transactionId,
      reason: 'doble cobro',
      supervisorPin: '9999',
      requestId: `void-retry-${sale.transactionId}`,
    };
    const first = await a.call('sales.void', request, ana);
    const again = await a.call('sales.void', request, ana);
    expect(again).toEqual(first);
    expect(first).toMatchObject({ kind: 'SALE', status: 'CANCELLED', refundUsdCents: sale.totalCents });
    expect(await serverVoids(sale.transactionId)).toBe(1);
    expect(a.rows('SELECT id FROM voids WHERE transaction_id = ?', sale.transactionId)).toHaveLength(1);
    const x = await a.call('reports.x', {}, ana);
    expect(x.totals.refunds).toBe(before.totals.refunds + 1);
    expect(x.totals.refundedUsdCents).toBe(before.totals.refundedUsdCents + sale.totalCents);

    // Another request for the voided sale is refused at the counter before it reaches the server.
    const twice = await a.attempt(
      'sales.void',
      { transactionId: sale.transactionId, reason: 'otra vez', supervisorPin: '9999' },
      ana,
    );
    expect(!twice.ok && twice.error.code).toBe('ALREADY_VOIDED');
    expect(await serverVoids(sale.transactionId)).toBe(1);
  });

  it('a void whose answer was lost is settled by the same request: the server voided it once, the counter records it once', async () => {
    const seat = map.seats.id[3]!;
    const sale = await sell([seat]);
    const before = await a.call('reports.x', {}, ana);
    const request = {
      transactionId: sale.transactionId,
      reason: 'respuesta perdida',
      supervisorPin: '9999',
      requestId: `void-lost-${sale.transactionId}`,
    };
    await a.link('lose-replies');
    const lost = await a.attempt('sales.void', request, ana);
    // The server applied it but its answer (and the answer to "what became of it?") never came back.
    expect(!lost.ok && lost.error.code).toBe('OUTCOME_UNKNOWN');
    expect(await serverVoids(sale.transactionId)).toBe(1);
    // Nothing recorded here: the cashier was not told it was done.
    expect(a.rows('SELECT id FROM voids WHERE transaction_id = ?', sale.transactionId)).toEqual([]);
    await a.link('pass');
    await network(a, 'online');

    const settled = await a.call('sales.void', request, ana);
    expect(settled).toMatchObject({ kind: 'SALE', status: 'CANCELLED', refundUsdCents: sale.totalCents });
    expect(await serverVoids(sale.transactionId)).toBe(1);
    expect(await serverSeat(seat)).toEqual(['CANCELLED']);
    expect(a.rows('SELECT id FROM voids WHERE transaction_id = ?', sale.transactionId)).toHaveLength(1);
    const x = await a.call('reports.x', {}, ana);
    expect(x.totals.refundedUsdCents).toBe(before.totals.refundedUsdCents + sale.totalCents);
  });

  it("is refused with OFFLINE while A's link is cut, and changes nothing here or at the server", async () => {
    const seat = map.seats.id[4]!;
    const sale = await sell([seat]);
    const before = await a.call('reports.x', {}, ana);
    await a.link('refuse');
    await network(a, 'offline');
    const refused = await a.attempt(
      'sales.void',
      { transactionId: sale.transactionId, reason: 'sin enlace', supervisorPin: '9999' },
      ana,
    );
    expect(!refused.ok && refused.error.code).toBe('OFFLINE');
    expect(a.rows('SELECT id FROM voids WHERE transaction_id = ?', sale.transactionId)).toEqual([]);
    expect(
      a.rows<{ status: string }>('SELECT status FROM transactions WHERE id = ?', sale.transactionId),
    ).toEqual([{ status: 'COMPLETED' }]);
    expect((await a.call('reports.x', {}, ana)).totals).toEqual(before.totals);
    const snapshot = await a.call('availability.snapshot', { eventId: THEATRE }, ana);
    expect(stateAt(snapshot.states, seat)).toBe('s');
    await a.link('pass');
    await network(a, 'online');
    expect(await serverSeat(seat)).toEqual(['COMPLETED']);
    expect(await serverVoids(sale.transactionId)).toBe(0);
  });

  it('a sale made offline from a lease, once reported, is voided at the server by the id the counter knows it by', async () => {
    const zoneId = map.seats.zoneId[map.seats.id.length - 1]!;
    const grant = await a.call('leases.acquire', { eventId: THEATRE, zoneId, count: 1 }, luis);
    const [seat] = grant.seatIds as [number];
    await a.link('refuse');
    await network(a, 'offline');
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [seat] }, ana);
    const sale = await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana);
    expect(sale.status).toBe('COMPLETED');
    await a.link('pass');
    await drained(a);
    expect(await serverSeat(seat)).toContain('COMPLETED');

    const result = await a.call(
      'sales.void',
      { transactionId: sale.transactionId, reason: 'vendida sin enlace', supervisorPin: '9999' },
      ana,
    );
    expect(result).toMatchObject({ kind: 'SALE', status: 'CANCELLED', refundUsdCents: sale.totalCents });
    const live = await venue.serverRows<{ status: string }>(
      `SELECT status FROM tickets WHERE seat_id = ? AND status IN ('ACTIVE', 'COMPLETED')`,
      seat,
    );
    expect(live).toEqual([]);
    await venue.eventually(async () => {
      const snapshot = await b.call('availability.snapshot', { eventId: THEATRE }, beto);
      expect(stateAt(snapshot.states, seat)).toBe('.');
    }, 10_000);
  });
});
