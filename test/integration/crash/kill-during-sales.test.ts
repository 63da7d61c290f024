import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/**
 * SIGKILL a selling terminal at random moments, restart it on the same file, again and again.
 * Every sale it acknowledged must still be there, whole, and the database must pass integrity_check.
 */
const ROUNDS = 6;
const SEED = Number(process.env.TAQUILLA_CRASH_SEED ?? 20261124);

let dir: ReturnType<typeof tempDir>;
let file: string;
let eventId: number;

beforeAll(() => {
  dir = tempDir();
  file = join(dir.dir, 'terminal.db');
  const db = openDatabase(file);
  const tenantId = createTenant(db, 'Prueba', T0);
  const venueId = createVenue(db, tenantId, 'Sala');
  eventId = createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Función',
      startsAt: Date.now() + 86_400_000,
      vesPerUsd: '36.5',
      zones: [
        {
          kind: 'numbered',
          code: 'PLA',
          name: 'Platea',
          priceCents: 1000,
          seats: Array.from({ length: 3000 }, (_, i) => ({
            row: String(Math.floor(i / 50)),
            number: i % 50,
            x: i,
            y: 0,
          })),
        },
      ],
    },
    T0,
  ).eventId;
  db.close();
});
afterAll(() => dir.remove());

/** A small deterministic generator, so a failing seed can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

async function sellUntilKilled(round: number, killAfterMs: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '../../support/sale-worker.ts'),
      file,
      String(eventId),
      String(round),
    ],
    { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n') && !child.killed) {
      setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
      out = out.slice('ready\n'.length);
    }
  });
  await new Promise((resolve) => child.on('exit', resolve));
  // Only complete lines are acknowledged; a half-written last line is not.
  return out.split('\n').filter((line) => /^(SOLD|RESERVED) \S+ [\d,]+$/.test(line));
}

describe('a terminal killed mid-sale', () => {
  it(`loses no acknowledged sale and keeps a sound database (seed ${SEED})`, async () => {
    const next = random(SEED);
    const acknowledged: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      acknowledged.push(...(await sellUntilKilled(round, 150 + Math.floor(next() * 600))));
    }
    expect(acknowledged.length).toBeGreaterThan(ROUNDS); // the terminal really sold between kills
    const db = openDatabase(file);
    try {
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      const tx = db.prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?');
      const tickets = db.prepare<[string], { seat_id: number; status: string }>(
        'SELECT seat_id, status FROM reserved_tickets WHERE transaction_id = ? ORDER BY seat_id',
      );
      for (const line of acknowledged) {
        const [kind, id, seats] = line.split(' ');
        const expected = kind === 'SOLD' ? 'COMPLETED' : 'RESERVED';
        expect(tx.get(id!)?.status, line).toBe(expected);
        const rows = tickets.all(id!);
        expect(rows.map((r) => r.seat_id)).toEqual(
          seats!
            .split(',')
            .map(Number)
            .sort((a, b) => a - b),
        );
        expect(rows.every((r) => r.status === (kind === 'SOLD' ? 'COMPLETED' : 'ACTIVE'))).toBe(true);
      }
      // Nothing half-done: every COMPLETED transaction has only COMPLETED tickets, and vice versa.
      const torn = db
        .prepare<[], { n: number }>(
          `SELECT COUNT(*) AS n FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
           WHERE (t.status = 'COMPLETED') <> (x.status = 'COMPLETED')`,
        )
        .get()!;
      expect(torn.n).toBe(0);
    } finally {
      db.close();
    }
  }, 120_000);
});
