import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock, MINUTE_MS } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

let dir: ReturnType<typeof tempDir>;
let file: string;
const clock = new ManualClock(T0);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dir = tempDir();
  file = join(dir.dir, 'demo.db');
  expect((await cli('seed-demo', '--db', file, '--json')).code).toBe(0);
});
afterAll(() => dir.remove());

describe('taquilla command line', () => {
  it('seeds a demo with a 2,400-seat theatre and a 50,000-seat stadium, and refuses to seed twice', async () => {
    const { out } = await cli('events', '--db', file, '--json');
    const { events } = JSON.parse(out) as { events: { id: number; seats: number }[] };
    expect(events.map((e) => e.seats)).toEqual([2400, 50_000]);
    const again = await cli('seed-demo', '--db', file);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already has 2 events/);
  });

  it('reports stats, cleans up expired holds and extends reservations', async () => {
    const db = openDatabase(file);
    const service = new ReservationService(db, clock);
    const seat = (label: string) =>
      db
        .prepare<[string], { id: number }>('SELECT id FROM seats WHERE event_id = 1 AND label = ?')
        .get(label)!.id;
    service.holdSeats({
      eventId: 1,
      sessionId: 'a',
      actor: 'ana',
      seatIds: [seat('PLA-F-1'), seat('PLA-F-2')],
    });
    const b = service.holdSeats({ eventId: 1, sessionId: 'b', actor: 'beto', seatIds: [seat('PLA-F-3')] });
    service.convertToPartial({ transactionId: b.transactionId, actor: 'beto' });
    try {
      service.holdSeats({ eventId: 1, sessionId: 'c', actor: 'caro', seatIds: [seat('PLA-F-1')] });
    } catch {
      // refused: counted as contention
    }
    db.close();

    const stats = JSON.parse((await cli('reservation-stats', '--db', file, '--event', '1', '--json')).out);
    expect(stats.events[0]).toMatchObject({
      eventId: 1,
      activeHolds: 2,
      reserved: 1,
      reservationsOpen: 1,
      sold: 0,
      expiringWithinHour: 2,
      conversionRate: null,
      contested: [{ label: 'PLA-F-1', refused: 1 }],
    });
    clock.advance(11 * MINUTE_MS);
    const cleaned = JSON.parse((await cli('cleanup-expired', '--db', file, '--json')).out);
    expect(cleaned).toMatchObject({ expiredTickets: 2, expiredTransactions: 1 });
    const text = (await cli('reservation-stats', '--db', file, '--event', '1')).out;
    expect(text).toContain('conversion hold→sale 0.0%');
    const extended = JSON.parse(
      (await cli('extend-reservations', '--db', file, '--hours', '24', '--json')).out,
    );
    expect(extended).toEqual({ extended: 1, capped: 0, expired: 0 });
  });

  it('blocks and unblocks house seats by label', async () => {
    const blocked = await cli(
      'block-seats',
      '--db',
      file,
      '--event',
      '1',
      '--seats',
      'VIP-A-1,VIP-A-2',
      '--reason',
      'prensa',
      '--json',
    );
    expect(blocked.code).toBe(0);
    expect(JSON.parse(blocked.out).blocked).toHaveLength(2);
    expect((await cli('unblock-seats', '--db', file, '--event', '1', '--seats', 'VIP-A-1')).out).toBe(
      'Unblocked 1 seats.',
    );
  });

  it.each([
    [['reservation-stats', '--db', 'missing.db'], /no database at missing.db/],
    [['extend-reservations', '--hours', '24'], /--db FILE is required/],
    [['extend-reservations', '--db', '@'], /--hours is required/],
    [['block-seats', '--event', '1', '--seats', 'NOPE-1'], /unknown seats in event 1: NOPE-1/],
    [['reservation-stats', '--event', 'uno'], /--event must be a positive whole number/],
    [['fly'], /unknown command 'fly'/],
    [['events', '--colour'], /Unknown option '--colour'/],
  ])('bad usage %j exits 2 with a one-line error', async (args, message) => {
    const withDb = args.map((a) => (a === '@' ? file : a));
    if (!withDb.includes('--db') && !args.includes('--hours') && args[0] !== 'fly') withDb.push('--db', file);
    const { code, err } = await cli(...withDb);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.split('\n')).toHaveLength(1);
  });

  it('runs as a real command with exit codes', async () => {
    const bin = join(import.meta.dirname, '../../../bin/taquilla.js');
    const ok = await promisify(execFile)(process.execPath, [bin, 'events', '--db', file]);
    expect(ok.stdout).toContain('Gala de Zarzuela');
    await expect(promisify(execFile)(process.execPath, [bin, 'events'])).rejects.toMatchObject({ code: 2 });
  });
});
