import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/counter/counter-fixture.ts';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { startServer } from '../integration/server/server-process.ts';
import { CASH, type Counter, type SignedIn, THEATRE, type Venue, startVenue } from './venue-fixture.ts';

/**
 * A server that lost data is noticed (issue 14): the operator restores the server from a backup
 * older than some acknowledged sales. Each counter sees the server's generation change, re-sends
 * every sale the server no longer has, and reports the highest ticket number it used; the server
 * takes each sale back (same seats, same numbers), or refuses one whose seat was sold again meanwhile
 * onto the counter's conflict list, and never leases a ticket number twice.
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let ana: SignedIn;
let beto: SignedIn;
let map: SeatMap;
/** Seats of one numbered zone, sold in this file only. */
let seats: number[];
/** What counter A sold (and leased) after the backup, as it knows it. */
let kept: { transactionId: string; numbers: number[] };
let resold: { transactionId: string; numbers: number[] };
let aBlock: { ticketFrom: number; ticketTo: number };
/** Sold by counter A after the backup, on a seat the backup has held by counter B (a hold; a lease). */
let afterHold: { transactionId: string; numbers: number[] };
let afterLease: { transactionId: string; numbers: number[] };
/** Sold by counter A offline from its lease, which the backup has never heard of. */
let leaseSold: { transactionId: string; numbers: number[] };
let bLeaseId: string;

const serverDb = () => join(venue.dir, 'server.db');

/** `taquilla-server ARGS`, as the operator runs it; its JSON answer. */
async function serverCommand<T>(...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bin/taquilla-server.js'), ...args],
    { cwd: ROOT },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

async function network(counter: Counter, state: 'online' | 'offline'): Promise<void> {
  await venue.eventually(async () => {
    expect((await counter.call('terminal.status', {})).network).toBe(state);
  }, 60_000);
}

async function sell(counter: Counter, who: SignedIn, seatId: number) {
  const held = await counter.call('holds.seats', { eventId: THEATRE, seatIds: [seatId] }, who);
  expect(held.tickets.map((t) => t.seatId)).toEqual([seatId]);
  const sale = await counter.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, who);
  expect(sale.status).toBe('COMPLETED');
  const numbers = counter
    .rows<{ number: number }>(
      'SELECT number FROM venue_ticket_numbers WHERE transaction_id = ? ORDER BY number',
      sale.transactionId,
    )
    .map((r) => r.number);
  expect(numbers).toHaveLength(1);
  return { transactionId: sale.transactionId, numbers };
}

/** The server's live tickets on a seat: its transaction and status. */
async function atServer(seatId: number) {
  return venue.serverRows<{ transaction_id: string; status: string }>(
    "SELECT transaction_id, status FROM tickets WHERE event_id = ? AND seat_id = ? AND status IN ('ACTIVE', 'COMPLETED')",
    THEATRE,
    seatId,
  );
}

beforeAll(async () => {
  venue = await startVenue({ counters: 2 });
  [a, b] = venue.counters as [Counter, Counter];
  [ana, beto] = await Promise.all([a.signIn('ana'), b.signIn('beto')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
  const zoneId = map.seats.zoneId.at(-1)!;
  seats = map.seats.id.filter((_, i) => map.seats.zoneId[i] === zoneId).slice(-6);

  // What the backup will have although it ended before the seats were sold: counter B's hold (of
  // a customer who then let it go) and B's lease (given back).
  const [holder, bSupervisor] = [await b.signIn('beto'), await b.signIn('luis')];
  await b.call('holds.seats', { eventId: THEATRE, seatIds: [seats[4]!] }, holder);
  bLeaseId = (
    await b.call('leases.acquire', { eventId: THEATRE, seatIds: [seats[5]!], ticketNumbers: 2 }, bSupervisor)
  ).leaseId;

  // The operator's backup, then sales and a lease the backup does not have.
  await serverCommand('backup', '--db', serverDb(), '--out', join(venue.dir, 'server-before.backup'));
  await b.call('holds.releaseSeats', { eventId: THEATRE, seatIds: [seats[4]!] }, holder);
  await b.call('leases.return', { leaseId: bLeaseId }, bSupervisor);
  // The seat resold below goes first: the other counter's sale after the restore takes its number
  // from the rewound counter (docs: sell again only once every counter has reconnected).
  resold = await sell(a, ana, seats[1]!);
  kept = await sell(a, ana, seats[0]!);
  afterHold = await sell(a, ana, seats[4]!);
  afterLease = await sell(a, ana, seats[5]!);
  const grant = await a.call(
    'leases.acquire',
    { eventId: THEATRE, seatIds: [seats[2]!], ticketNumbers: 5 },
    await a.signIn('luis'),
  );
  aBlock = { ticketFrom: grant.ticketFrom, ticketTo: grant.ticketTo };

  // Counter A is cut off, sells its leased seat offline, and the server is restored from the
  // older backup and restarted meanwhile.
  await a.link('refuse');
  await network(a, 'offline');
  leaseSold = await sell(a, ana, seats[2]!);
  const port = venue.servers[0]!.port;
  await venue.servers[0]!.stop();
  await serverCommand('restore', '--db', serverDb(), '--from', join(venue.dir, 'server-before.backup'));
  venue.servers[0] = await startServer(['--db', serverDb()], port);
  // Meanwhile another counter sells a seat the server forgot.
  await network(b, 'online');
  const again = await b.call('holds.seats', { eventId: THEATRE, seatIds: [seats[1]!] }, beto);
  expect(again.tickets).toHaveLength(1);
  await b.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, beto);

  await a.link('pass');
  await network(a, 'online');
}, 300_000);

afterAll(async () => {
  await venue?.close();
}, 120_000);

describe('a server restored from an older backup', () => {
  it(
    'the counter notices and re-sends what the server lost: the sale is there again, with its ticket number',
    { timeout: 150_000 },
    async () => {
      await venue.eventually(async () => {
        expect(await atServer(seats[0]!)).toEqual([
          { transaction_id: kept.transactionId, status: 'COMPLETED' },
        ]);
      }, 60_000);
      const numbers = await venue.serverRows<{ number: number }>(
        'SELECT number FROM ticket_numbers WHERE transaction_id = ? ORDER BY number',
        kept.transactionId,
      );
      expect(numbers.map((n) => Number(n.number))).toEqual(kept.numbers);
      // Its money is the server's again (X/Z at the server count it).
      const paid = await venue.serverRows<{ n: number }>(
        'SELECT COUNT(*) AS n FROM payments WHERE transaction_id = ?',
        kept.transactionId,
      );
      expect(Number(paid[0]!.n)).toBe(1);
    },
  );

  it(
    "what the backup brought back and had ended before the sale (another counter's hold, a returned lease) steps aside: the sale is there again",
    { timeout: 150_000 },
    async () => {
      await venue.eventually(async () => {
        expect(await atServer(seats[4]!)).toEqual([
          { transaction_id: afterHold.transactionId, status: 'COMPLETED' },
        ]);
        expect(await atServer(seats[5]!)).toEqual([
          { transaction_id: afterLease.transactionId, status: 'COMPLETED' },
        ]);
      }, 60_000);
      for (const sold of [afterHold, afterLease]) {
        const numbers = await venue.serverRows<{ number: number }>(
          'SELECT number FROM ticket_numbers WHERE transaction_id = ? ORDER BY number',
          sold.transactionId,
        );
        expect(numbers.map((n) => Number(n.number))).toEqual(sold.numbers);
      }
      // B had given its lease back after the backup: B gives it back again to the restored server,
      // which had it open (its places would have waited for the lease's end).
      await venue.eventually(async () => {
        const [lease] = await venue.serverRows<{ status: string; transaction_id: string }>(
          'SELECT status, transaction_id FROM leases WHERE id = ?',
          bLeaseId,
        );
        expect(lease!.status).toBe('RETURNED');
        const held = await venue.serverRows<{ n: number }>(
          "SELECT COUNT(*) AS n FROM tickets WHERE transaction_id = ? AND status = 'ACTIVE'",
          lease!.transaction_id,
        );
        expect(Number(held[0]!.n)).toBe(0);
      }, 60_000);
    },
  );

  it(
    'an offline sale from a lease the restored server never granted is taken back, not listed as a conflict',
    { timeout: 150_000 },
    async () => {
      await venue.eventually(async () => {
        const live = await atServer(seats[2]!);
        expect(live).toHaveLength(1);
        expect(live[0]!.status).toBe('COMPLETED');
      }, 60_000);
      const [live] = await atServer(seats[2]!);
      const numbers = await venue.serverRows<{ number: number }>(
        'SELECT number FROM ticket_numbers WHERE transaction_id = ? ORDER BY number',
        live!.transaction_id,
      );
      expect(numbers.map((n) => Number(n.number))).toEqual(leaseSold.numbers);
      const paid = await venue.serverRows<{ n: number }>(
        'SELECT COUNT(*) AS n FROM payments WHERE transaction_id = ?',
        live!.transaction_id,
      );
      expect(Number(paid[0]!.n)).toBe(1);
      await venue.eventually(() => {
        expect(
          a.rows<{ n: number }>('SELECT COUNT(*) AS n FROM sync_outbox WHERE acked_at IS NULL')[0]!.n,
        ).toBe(0);
      }, 60_000);
      expect(a.rows('SELECT op, error_code FROM sync_conflicts WHERE op = ?', 'leaseSale')).toEqual([]);
    },
  );

  it(
    'a seat sold again meanwhile becomes a conflict at the counter, never a second sale',
    { timeout: 150_000 },
    async () => {
      await venue.eventually(() => {
        const conflicts = a.rows<{ op: string; error_code: string; body: string }>(
          'SELECT op, error_code, body FROM sync_conflicts WHERE resolved_at IS NULL',
        );
        expect(conflicts).toHaveLength(1);
        expect(conflicts[0]).toMatchObject({ op: 'recoverSale', error_code: 'SEAT_TAKEN' });
        expect(JSON.parse(conflicts[0]!.body)).toMatchObject({ transactionId: resold.transactionId });
      }, 60_000);
      const live = await atServer(seats[1]!);
      expect(live).toHaveLength(1);
      expect(live[0]!.transaction_id).not.toBe(resold.transactionId);
      // The conflict is listed where a supervisor looks for refused sales.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(ROOT, 'bin/taquilla.js'), 'sync-conflicts', '--db', a.dbFile],
        { cwd: ROOT },
      );
      expect(stdout).toContain('SEAT_TAKEN');
    },
  );

  it(
    'the next block of ticket numbers starts above every number a counter used or carries',
    { timeout: 150_000 },
    async () => {
      // Counter A's report of its highest number went first, before its re-sent sales.
      await venue.eventually(() => {
        expect(
          a.rows<{ n: number }>('SELECT COUNT(*) AS n FROM sync_outbox WHERE acked_at IS NULL')[0]!.n,
        ).toBe(0);
      }, 60_000);
      const grant = await b.call(
        'leases.acquire',
        { eventId: THEATRE, seatIds: [seats[3]!], ticketNumbers: 5 },
        await b.signIn('luis'),
      );
      const used = [...kept.numbers, ...resold.numbers, aBlock.ticketTo];
      expect(grant.ticketFrom).toBeGreaterThan(Math.max(...used));
    },
  );

  it(
    'restored from the same backup again: the sales come back again, and a sale on the conflict list is not listed twice',
    { timeout: 200_000 },
    async () => {
      const port = venue.servers[0]!.port;
      await venue.servers[0]!.stop();
      const { generation } = await serverCommand<{ generation: string }>(
        'restore',
        '--db',
        serverDb(),
        '--from',
        join(venue.dir, 'server-before.backup'),
      );
      venue.servers[0] = await startServer(['--db', serverDb()], port);
      await venue.eventually(() => {
        for (const counter of [a, b]) {
          expect(
            counter.rows<{ value: string }>("SELECT value FROM sync_state WHERE key = 'server_generation'"),
          ).toEqual([{ value: generation }]);
          expect(
            counter.rows<{ n: number }>('SELECT COUNT(*) AS n FROM sync_outbox WHERE acked_at IS NULL')[0]!.n,
          ).toBe(0);
        }
      }, 90_000);
      for (const [seat, sold] of [
        [seats[0]!, kept],
        [seats[4]!, afterHold],
        [seats[5]!, afterLease],
      ] as const) {
        expect(await atServer(seat)).toEqual([{ transaction_id: sold.transactionId, status: 'COMPLETED' }]);
      }
      expect(await atServer(seats[2]!)).toHaveLength(1);
      // B's sale of the seat is back (B re-sent it); A's refused sale stays one open conflict.
      const live = await atServer(seats[1]!);
      expect(live).toHaveLength(1);
      expect(live[0]!.transaction_id).not.toBe(resold.transactionId);
      const open = a.rows<{ op: string; error_code: string }>(
        'SELECT op, error_code FROM sync_conflicts WHERE resolved_at IS NULL',
      );
      expect(open).toEqual([{ op: 'recoverSale', error_code: 'SEAT_TAKEN' }]);
      expect(b.rows('SELECT op FROM sync_conflicts')).toEqual([]);
    },
  );

  it(
    'a supervisor moves the customer of a sale refused on re-sending: the new seat is sold at the server, the old sale voided here',
    { timeout: 150_000 },
    async () => {
      const luis = await a.signIn('luis');
      const [conflict] = await a.call('conflicts.list', { all: false }, luis);
      // Shown as the sale it is: its own id here, its seat and number.
      expect(conflict).toMatchObject({
        op: 'recoverSale',
        saleId: resold.transactionId,
        seatIds: [seats[1]!],
        ticketNumbers: resold.numbers,
      });
      const moved = await a.call('conflicts.resolve', { conflictId: conflict!.id, action: 'move' }, luis);
      expect(moved).toMatchObject({ resolution: 'moved', recordedAtServer: true, refundUsdCents: 0 });
      const [newSeat] = moved.seatIds!;
      expect(newSeat).not.toBe(seats[1]);
      expect(await atServer(newSeat!)).toEqual([
        { transaction_id: moved.transactionId, status: 'COMPLETED' },
      ]);
      expect(
        a.rows<{ status: string }>('SELECT status FROM transactions WHERE id = ?', resold.transactionId),
      ).toEqual([{ status: 'CANCELLED' }]);
      expect(a.rows('SELECT id FROM sync_conflicts WHERE resolved_at IS NULL')).toEqual([]);
    },
  );
});
