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
  await counter.call('holds.seats', { eventId: THEATRE, seatIds: [seatId] }, who);
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

  // The operator's backup, then sales and a lease the backup does not have.
  await serverCommand('backup', '--db', serverDb(), '--out', join(venue.dir, 'server-before.backup'));
  // The seat resold below goes first: the other counter's sale after the restore takes its number
  // from the rewound counter (docs: sell again only once every counter has reconnected).
  resold = await sell(a, ana, seats[1]!);
  kept = await sell(a, ana, seats[0]!);
  const grant = await a.call(
    'leases.acquire',
    { eventId: THEATRE, seatIds: [seats[2]!], ticketNumbers: 5 },
    await a.signIn('luis'),
  );
  aBlock = { ticketFrom: grant.ticketFrom, ticketTo: grant.ticketTo };

  // Counter A is cut off while the server is restored from the older backup and restarted.
  await a.link('refuse');
  await network(a, 'offline');
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
});
