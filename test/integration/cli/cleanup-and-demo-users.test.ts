import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { HOUR_MS, ManualClock } from '../../../shared/clock.ts';
import { tempDir } from '../../support/temp-store.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

const BIN = join(ROOT, 'bin/taquilla.js');
const execFileAsync = promisify(execFile);

/** `taquilla <args>` as its own process (the real clock), exit code and output. */
async function taquilla(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], { cwd: ROOT });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

let dir: ReturnType<typeof tempDir>;
let file: string;

beforeAll(async () => {
  dir = tempDir();
  file = join(dir.dir, 'demo.db');
  expect((await taquilla('seed-demo', '--db', file)).code).toBe(0);
  // Two carts held an hour ago (their 10 minutes ran out) and a deposit of today, written as the
  // counter would with a clock an hour behind the real one the CLI uses.
  const db = openDatabase(file);
  const clock = new ManualClock(Date.now() - HOUR_MS);
  const reservations = new ReservationService(db, clock);
  const seat = (label: string) =>
    db.prepare<[string], { id: number }>('SELECT id FROM seats WHERE event_id = 1 AND label = ?').get(label)!
      .id;
  reservations.holdSeats({
    eventId: 1,
    sessionId: 'a',
    actor: 'cashier:Ana Cajera',
    seatIds: [seat('PLA-F-1'), seat('PLA-F-2')],
  });
  reservations.holdSeats({
    eventId: 1,
    sessionId: 'b',
    actor: 'cashier:Ana Cajera',
    seatIds: [seat('PLA-F-3')],
  });
  reservations.holdSeats({
    eventId: 1,
    sessionId: 'c',
    actor: 'cashier:Ana Cajera',
    seatIds: [seat('PLA-F-4')],
  });
  new PaymentService(db, clock, reservations).deposit({
    eventId: 1,
    sessionId: 'c',
    actor: 'cashier:Ana Cajera',
    customer: { name: 'Carmen Díaz', phone: '04161234567' },
    tenders: [{ method: 'CASH_USD', amountCents: 1500 }],
  });
  db.close();
}, 60_000);
afterAll(() => dir.remove());

function activeTickets(): number {
  const db = openDatabase(file);
  try {
    return db
      .prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM reserved_tickets WHERE status = 'ACTIVE'")
      .get()!.n;
  } finally {
    db.close();
  }
}

describe('taquilla cleanup-expired --dry-run and seed-demo-users on a demo store', () => {
  it('--dry-run lists what would expire and writes nothing; the real run then expires exactly that', async () => {
    const before = activeTickets();
    const dry = await taquilla('cleanup-expired', '--dry-run', '--db', file);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/PLA-F-1\thold\tuntil /);
    expect(dry.out).toMatch(/PLA-F-3\thold/);
    expect(dry.out).not.toMatch(/PLA-F-4/); // the deposit keeps its seat for hours
    expect(dry.out).toMatch(/would expire 3 tickets \(3 places\) and close 2 transactions; nothing written/);
    expect(activeTickets()).toBe(before);
    const json = JSON.parse((await taquilla('cleanup-expired', '--dry-run', '--json', '--db', file)).out) as {
      dryRun: boolean;
      tickets: unknown[];
      transactions: number;
    };
    expect(json).toMatchObject({ dryRun: true, transactions: 2 });
    expect(json.tickets).toHaveLength(3);
    const real = await taquilla('cleanup-expired', '--db', file);
    expect(real.out).toMatch(/Expired 3 holds and 2 transactions/);
    expect(activeTickets()).toBe(before - 3);
  });

  it('seed-demo-users on a demo store says who is already there instead of a raw UNIQUE error', async () => {
    const again = await taquilla('seed-demo-users', '--db', file);
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toMatch(/UNIQUE/);
    expect(again.out).toMatch(
      /Already there, left as they are \(PIN and role unchanged\): Ana Cajera, Beto Cajero, Luis Supervisor\./,
    );
  });

  it('prints money as the product does (USD 15,00), not $15.00', async () => {
    const out = await taquilla('outstanding-payments', '--db', file);
    expect(out.code, out.err).toBe(0);
    expect(out.out).toMatch(/USD \d+,\d\d/);
    expect(out.out).not.toMatch(/\$\d/);
    const found = await taquilla('find-reservation', '--query', 'Carmen', '--db', file);
    expect(found.out).toContain('paid USD 15,00');
    expect(found.out).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});
