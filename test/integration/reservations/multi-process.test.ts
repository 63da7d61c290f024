import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { type Db, openDatabase } from '../../../electron/store/database.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

const WORKERS = 4;
/** Enough pairs that the workers' write loops overlap for a good while. */
const SEATS = 2000;

let dir: ReturnType<typeof tempDir>;
let db: Db;
let file: string;
let eventId: number;
let seatIds: number[];

beforeAll(() => {
  dir = tempDir();
  file = join(dir.dir, 'shared.db');
  db = openDatabase(file);
  // Each attempt is its own session, so the per-session limit never decides who wins.
  const tenantId = createTenant(db, 'Prueba', T0);
  const venueId = createVenue(db, tenantId, 'Sala');
  const created = createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Preventa',
      startsAt: Date.now() + 86_400_000,
      vesPerUsd: '36.5',
      zones: [
        {
          kind: 'numbered',
          code: 'PLA',
          name: 'Platea',
          priceCents: 1000,
          seats: Array.from({ length: SEATS }, (_, i) => ({
            row: String(Math.floor(i / 20)),
            number: i % 20,
            x: i,
            y: 0,
          })),
        },
      ],
    },
    T0,
  );
  eventId = created.eventId;
  seatIds = created.zones[0]!.seatIds;
});

afterAll(() => {
  db.close();
  dir.remove();
});

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('several OS processes on one database file', () => {
  it('hold overlapping seats at once and exactly one process wins each seat', async () => {
    const worker = join(import.meta.dirname, '../../support/hold-worker.ts');
    const children = Array.from({ length: WORKERS }, (_, w) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', worker, file, String(eventId), `w${w}`, shuffled(seatIds, w + 1).join(',')],
        {
          cwd: join(import.meta.dirname, '../../..'),
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      ),
    );
    const outputs = children.map((child) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      return {
        ready: new Promise<void>((resolve) => {
          const check = () => (text.startsWith('ready\n') ? resolve() : child.stdout.once('data', check));
          child.stdout.once('data', check);
        }),
        done: new Promise<string>((resolve, reject) =>
          child.on('exit', (code) =>
            code === 0 ? resolve(text.slice('ready\n'.length)) : reject(new Error(`worker exit ${code}`)),
          ),
        ),
      };
    });
    // Start every worker at the same moment, once all have opened the database.
    await Promise.all(outputs.map((o) => o.ready));
    for (const child of children) child.stdin.end('go\n');
    const results = (await Promise.all(outputs.map((o) => o.done))).map(
      (out) =>
        JSON.parse(out.trim()) as { worker: string; won: number[]; refused: number; unexpected: string[] },
    );
    for (const r of results) expect(r.unexpected).toEqual([]);
    const winners = new Map<number, string[]>();
    for (const r of results)
      for (const seat of r.won) winners.set(seat, [...(winners.get(seat) ?? []), r.worker]);
    // Every seat won exactly once; no seat lost to an error.
    expect([...winners.values()].every((w) => w.length === 1)).toBe(true);
    const live = db
      .prepare<[number], { seat_id: number; actor: string }>(
        `SELECT t.seat_id, x.actor FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
         WHERE t.event_id = ? AND t.status = 'ACTIVE'`,
      )
      .all(eventId);
    expect(live).toHaveLength(winners.size);
    for (const row of live) expect(winners.get(row.seat_id)).toEqual([row.actor.replace('worker-', '')]);
    // The race was real: more than one process won something, and refusals happened.
    expect(results.filter((r) => r.won.length > 0).length).toBeGreaterThan(1);
    console.info(results.map((r) => `${r.worker}: won ${r.won.length}, refused ${r.refused}`).join('; '));
    expect(results.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
    // Nobody's refused attempt left half a write behind.
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  }, 60_000);
});
