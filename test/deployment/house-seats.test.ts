import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { seatState } from './browser.ts';
import { type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * House seats at the server (issue 13): `taquilla block-seats` on an enrolled counter takes seats
 * off sale for the whole venue, not for that counter alone; without the server it is refused.
 */
const ROOT = join(import.meta.dirname, '../..');
let venue: Venue;
let a: Counter;
let b: Counter;
let beto: SignedIn;
let map: SeatMap;

function seat(label: string): number {
  const i = map.seats.label.indexOf(label);
  if (i < 0) throw new Error(`no seat ${label}`);
  return map.seats.id[i]!;
}

/** `taquilla ARGS --db <counter's store>`, as the box-office supervisor runs it beside the counter. */
async function taquilla(
  counter: Counter,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/taquilla.js'), ...args, '--json', '--actor', 'sup', '--db', counter.dbFile],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  venue = await startVenue({ counters: 2 });
  [a, b] = venue.counters as [Counter, Counter];
  beto = await b.signIn('beto');
  map = await b.call('events.seatMap', { eventId: THEATRE }, beto);
});
afterAll(async () => {
  await venue?.close();
});

describe('house seats blocked on a counter are blocked at the server', () => {
  it('a seat blocked on counter A is refused to counter B (SEAT_BLOCKED) and shows blocked on B’s map', async () => {
    const x = seat('VIP-E-1');
    const blocked = await taquilla(a, [
      'block-seats',
      '--event',
      String(THEATRE),
      '--seats',
      'VIP-E-1',
      '--reason',
      'Prensa',
    ]);
    expect(blocked.stderr).toBe('');
    expect(JSON.parse(blocked.stdout)).toEqual({ blocked: [x], alreadyBlocked: [] });
    // The server's decision is copied on A, like any of its decisions.
    expect(a.rows<{ blocked: number }>('SELECT blocked FROM seats WHERE id = ?', x)).toEqual([
      { blocked: 1 },
    ]);

    const refused = await b.attempt('holds.seats', { eventId: THEATRE, seatIds: [x] }, beto);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('SEAT_BLOCKED');
      expect(refused.error.details).toEqual({ seats: [{ seatId: x, label: 'VIP-E-1', reason: 'Prensa' }] });
    }
    await venue.eventually(async () => expect(await seatState(b, beto, x)).toBe('blocked'), 2000);
    // B's own store has it blocked too (from the server's feed): B refuses it itself, even cut off.
    await venue.eventually(() =>
      expect(b.rows<{ blocked: number }>('SELECT blocked FROM seats WHERE id = ?', x)).toEqual([
        { blocked: 1 },
      ]),
    );
    await b.link('refuse');
    try {
      await venue.eventually(async () => {
        expect((await b.call('terminal.status', {})).network).toBe('offline');
      }, 20_000);
      const offline = await b.attempt('holds.seats', { eventId: THEATRE, seatIds: [x] }, beto);
      expect(!offline.ok && offline.error.code).toBe('SEAT_BLOCKED');
    } finally {
      await b.link('pass');
    }
  });

  it('blocking a seat already blocked (or unblocking one on sale) reports it as such, not as changed', async () => {
    const x = seat('VIP-E-1');
    const y = seat('VIP-E-3');
    const again = await taquilla(a, [
      'block-seats',
      '--event',
      String(THEATRE),
      '--seats',
      'VIP-E-1,VIP-E-3',
    ]);
    expect(JSON.parse(again.stdout)).toEqual({ blocked: [y], alreadyBlocked: [x] });
    const text = await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'bin/taquilla.js'),
        'unblock-seats',
        '--event',
        String(THEATRE),
        '--seats',
        'VIP-E-3,VIP-E-4',
        '--actor',
        'sup',
        '--db',
        a.dbFile,
      ],
      { cwd: ROOT },
    );
    expect(text.stdout).toContain('Unblocked 1 seats (already on sale: VIP-E-4)');
  });

  it('unblocked on counter A, counter B can hold it again', async () => {
    const x = seat('VIP-E-1');
    const unblocked = await taquilla(a, ['unblock-seats', '--event', String(THEATRE), '--seats', 'VIP-E-1']);
    expect(JSON.parse(unblocked.stdout)).toEqual({ unblocked: [x], alreadyOnSale: [] });
    await venue.eventually(async () => expect(await seatState(b, beto, x)).toBe('free'), 2000);
    await venue.eventually(() =>
      expect(b.rows<{ blocked: number }>('SELECT blocked FROM seats WHERE id = ?', x)).toEqual([
        { blocked: 0 },
      ]),
    );
    const held = await b.call('holds.seats', { eventId: THEATRE, seatIds: [x] }, beto);
    expect(held.tickets.map((t) => t.seatId)).toEqual([x]);
  });

  it('offline, an enrolled counter refuses to block (OFFLINE) and blocks nothing locally', async () => {
    const x = seat('VIP-E-2');
    await a.link('refuse');
    try {
      const refused = await taquilla(a, ['block-seats', '--event', String(THEATRE), '--seats', 'VIP-E-2']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/OFFLINE: House seats are blocked at the server/);
      expect(a.rows<{ blocked: number }>('SELECT blocked FROM seats WHERE id = ?', x)).toEqual([
        { blocked: 0 },
      ]);
    } finally {
      await a.link('pass');
    }
    expect(await seatState(b, beto, x)).toBe('free');
  });
});
