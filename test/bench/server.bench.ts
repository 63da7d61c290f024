import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createEvent, createTenant, createVenue } from '../../electron/services/events/event-setup.ts';
import { cashFor } from '../support/cash-payment.ts';
import { SyncEngine, serverEventFromStore } from '../../electron/services/sync/sync-engine.ts';
import { LiveAvailability } from '../../electron/services/sync/live-availability.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { ManualClock } from '../../shared/clock.ts';
import type { ServerEventDefinition } from '../../shared/schemas/sync.ts';
import { type ServerProcess, serverCli, startServer } from '../integration/server/server-process.ts';
import { T0, tempDir } from '../support/temp-store.ts';
import { type BenchSuite, type Figure, percentile } from './figures.ts';

const CLIENTS = 50;
const SEATS = 1000;
const DURATION_MS = 4000;
const REPLAY_OPS = 1000;

function seatEvent(eventId: number): ServerEventDefinition {
  return {
    eventId,
    name: 'Bench',
    leaseMinutes: 240,
    zones: [
      {
        kind: 'numbered',
        zoneId: 1,
        name: 'Platea',
        priceCents: 2500,
        seats: Array.from({ length: SEATS }, (_, i) => ({ seatId: i + 1, label: `S-${i + 1}` })),
      },
    ],
  };
}

/**
 * 50 clients on keep-alive connections race for the same 1,000 seats: each picks a random seat,
 * holds it (most attempts find it taken: that is the contention) and releases what it won. Every
 * hold request counts, won or refused, because each is a full decision under the seat lock.
 */
async function contention(
  storeArgs: string[],
  label: string,
): Promise<{ figures: Figure[]; notes: Record<string, unknown> }> {
  const admin = serverCli<{ secret: string }>(['create-tenant', ...storeArgs, '--name', 'Bench']);
  const server: ServerProcess = await startServer(storeArgs);
  try {
    const auth = { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' };
    await fetch(`${server.url}/v1/admin/events`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify(seatEvent(1)),
    });
    const post = (op: string, body: unknown) =>
      fetch(`${server.url}/v1/ops/${op}`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': `b-${randomBytes(9).toString('base64url')}` },
        body: JSON.stringify(body),
      });
    const latencies: number[] = [];
    const cpuBefore = processCpuMs(server.child.pid!);
    let won = 0;
    let refused = 0;
    let errors = 0;
    let requests = 0;
    const end = performance.now() + DURATION_MS;
    const warmEnd = performance.now() + 500;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const sessionId = `client-${c}`;
        while (performance.now() < end) {
          const seatId = 1 + Math.floor(Math.random() * SEATS);
          const started = performance.now();
          const res = await post('holdSeats', { eventId: 1, sessionId, actor: 'bench', seatIds: [seatId] });
          const body = (await res.json()) as { error?: { code: string } };
          const took = performance.now() - started;
          requests += 1; // all of them, warm-up included: the CPU reading covers them all
          if (started < warmEnd) {
            if (res.status === 200) {
              requests += 1;
              await (
                await post('releaseSeats', { eventId: 1, sessionId, actor: 'bench', seatIds: [seatId] })
              ).arrayBuffer();
            }
            continue; // JIT and connection warm-up
          }
          latencies.push(took);
          if (res.status === 200) {
            won += 1;
            requests += 1;
            await (
              await post('releaseSeats', { eventId: 1, sessionId, actor: 'bench', seatIds: [seatId] })
            ).arrayBuffer();
          } else if (body.error?.code === 'SEAT_TAKEN') refused += 1;
          else errors += 1;
        }
      }),
    );
    const cpuMs = processCpuMs(server.child.pid!) - cpuBefore;
    const seconds = (DURATION_MS - 500) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    const holdsPerSecond = latencies.length / seconds;
    const p95 = percentile(sorted, 95);
    return {
      figures: [
        {
          key: `server.${label}.holds_per_s`,
          label: `${label}: hold requests/s, ${CLIENTS} clients on ${SEATS} seats (holds+releases interleaved)`,
          value: holdsPerSecond,
          unit: 'holds/s',
          target: '>= 5000',
          met: holdsPerSecond >= 5000,
        },
        {
          key: `server.${label}.hold_p95`,
          label: `${label}: hold latency p95 (HTTP round trip)`,
          value: p95,
          unit: 'ms',
          target: '< 20 ms',
          met: p95 < 20,
        },
        {
          key: `server.${label}.cpu_per_request`,
          label: `${label}: server CPU per request (holds and releases; independent of other load on the box)`,
          value: cpuMs / Math.max(1, requests),
          unit: 'ms',
        },
        {
          key: `server.${label}.hold_p50`,
          label: `${label}: hold latency p50`,
          value: percentile(sorted, 50),
          unit: 'ms',
        },
      ],
      notes: { [`${label}.won`]: won, [`${label}.refused`]: refused, [`${label}.errors`]: errors },
    };
  } finally {
    await server.stop();
  }
}

/** A hold through one client until another client's live socket shows it (loopback). */
async function pushLatency(storeArgs: string[], label: string): Promise<Figure[]> {
  const admin = serverCli<{ secret: string }>(['create-tenant', ...storeArgs, '--name', 'Push']);
  const servers = [await startServer(storeArgs)];
  // On PostgreSQL the change crosses instances: written through one, pushed by the other.
  if (label === 'postgres') servers.push(await startServer(storeArgs));
  const writer = servers[0]!;
  const reader = servers[servers.length - 1]!;
  try {
    const auth = { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' };
    await fetch(`${writer.url}/v1/admin/events`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify(seatEvent(2)),
    });
    const seen = new Map<number, number>();
    const live = new LiveAvailability({
      endpoint: () => ({ serverUrl: reader.url, secret: admin.secret }),
      eventId: 2,
      onDelta: (d) => {
        for (const seat of d.seats) if (!seen.has(seat.seatId)) seen.set(seat.seatId, performance.now());
      },
    });
    await live.ready();
    const samples: number[] = [];
    for (let i = 1; i <= 100; i++) {
      const started = performance.now();
      await (
        await fetch(`${writer.url}/v1/ops/holdSeats`, {
          method: 'POST',
          headers: { ...auth, 'idempotency-key': `push-${i}-${randomBytes(6).toString('hex')}` },
          body: JSON.stringify({ eventId: 2, sessionId: `p${i}`, actor: 'bench', seatIds: [i] }),
        })
      ).arrayBuffer();
      while (!seen.has(i) && performance.now() - started < 2000) await new Promise((r) => setTimeout(r, 1));
      samples.push((seen.get(i) ?? Number.POSITIVE_INFINITY) - started);
    }
    live.close();
    const p95 = percentile(
      samples.sort((a, b) => a - b),
      95,
    );
    return [
      {
        key: `server.${label}.push_p95`,
        label: `${label}: a hold visible on another client's live socket, p95${label === 'postgres' ? ' (across two instances)' : ''}`,
        value: p95,
        unit: 'ms',
        target: '< 250 ms',
        met: p95 < 250,
      },
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** CPU time (user + system) a process has used, from /proc; NaN where /proc is missing. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** A terminal cut off for a while sold 1,000 single-seat tickets from its lease; how long to report them. */
async function replay(dir: string): Promise<Figure[]> {
  const serverDb = join(dir, 'replay-server.db');
  const admin = serverCli<{ secret: string }>(['create-tenant', '--db', serverDb, '--name', 'Replay']);
  let server = await startServer(['--db', serverDb]);
  const db = openDatabase(join(dir, 'replay-terminal.db'));
  try {
    const clock = new ManualClock(T0);
    const tenantId = createTenant(db, 'Replay', T0);
    const venueId = createVenue(db, tenantId, 'Sala');
    const { eventId } = createEvent(
      db,
      {
        tenantId,
        venueId,
        name: 'Replay',
        startsAt: T0 + 86_400_000,
        vesPerUsd: '36.50',
        zones: [
          {
            kind: 'numbered',
            code: 'PLA',
            name: 'Platea',
            priceCents: 2500,
            seats: Array.from({ length: REPLAY_OPS }, (_, i) => ({
              row: String.fromCharCode(65 + Math.floor(i / 50)),
              number: (i % 50) + 1,
              x: i % 50,
              y: Math.floor(i / 50),
            })),
          },
        ],
      },
      T0,
    );
    const auth = { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' };
    await fetch(`${server.url}/v1/admin/events`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify(serverEventFromStore(db, eventId)),
    });
    const code = (
      (await (
        await fetch(`${server.url}/v1/admin/enrol-codes`, { method: 'POST', headers: auth, body: '{}' })
      ).json()) as { result: { code: string } }
    ).result.code;
    const sync = new SyncEngine(db, clock, { heartbeatMs: 50, maxBackoffMs: 100 });
    await sync.enrol(server.url, code, 'Replay');
    const seatIds = db
      .prepare<[number], { id: number }>('SELECT id FROM seats WHERE event_id = ? ORDER BY id')
      .all(eventId)
      .map((r) => r.id);
    await sync.acquireLease({ eventId, actor: 'bench', seatIds, ticketNumbers: REPLAY_OPS });
    const port = server.port;
    await server.stop();
    await sync.checkConnection();
    for (let i = 0; i < REPLAY_OPS; i++) {
      const held = await sync.holdSeats({
        eventId,
        sessionId: `s${i}`,
        actor: 'bench',
        seatIds: [seatIds[i]!],
      });
      await sync.complete({
        transactionId: held.transactionId,
        actor: 'bench',
        payment: cashFor(db, held.transactionId),
      });
    }
    const queued = sync.status().outbox;
    server = await startServer(['--db', serverDb], port);
    const started = performance.now();
    await sync.checkConnection();
    await sync.idle();
    const seconds = (performance.now() - started) / 1000;
    const left = sync.status();
    return [
      {
        key: 'server.replay_1000',
        label: `replay ${queued} queued offline sales after reconnect (${left.outbox} left, ${left.openConflicts} conflicts)`,
        value: seconds,
        unit: 's',
        target: '< 2 s',
        met: seconds < 2 && left.outbox === 0,
      },
    ];
  } finally {
    db.close();
    await server.stop();
  }
}

export const suite: BenchSuite = {
  name: 'server',
  run: async () => {
    const { dir, remove } = tempDir('taquilla-bench-server-');
    try {
      const figures: Figure[] = [];
      const notes: Record<string, unknown> = { clients: CLIENTS, seats: SEATS, durationMs: DURATION_MS };
      const sqlite = await contention(['--db', join(dir, 'server.db')], 'sqlite');
      figures.push(...sqlite.figures);
      Object.assign(notes, sqlite.notes);
      figures.push(...(await pushLatency(['--db', join(dir, 'push.db')], 'sqlite')));
      const url = process.env.TAQUILLA_PG_URL;
      if (url) {
        const schema = `b_${randomBytes(6).toString('hex')}`;
        try {
          const postgres = await contention(['--pg', url, '--pg-schema', schema], 'postgres');
          figures.push(...postgres.figures);
          Object.assign(notes, postgres.notes);
          figures.push(...(await pushLatency(['--pg', url, '--pg-schema', `${schema}_p`], 'postgres')));
        } finally {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.query(`DROP SCHEMA IF EXISTS ${schema}_p CASCADE`);
          await client.end();
        }
      } else {
        notes.postgres = 'skipped (set TAQUILLA_PG_URL)';
      }
      figures.push(...(await replay(dir)));
      return { figures, notes };
    } finally {
      remove();
    }
  },
};
