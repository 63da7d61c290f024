import { join } from 'node:path';
import { createEvent, createTenant, createVenue } from '../../electron/services/events/event-setup.ts';
import { PaymentService } from '../../electron/services/payments/payment-service.ts';
import { SyncEngine, serverEventFromStore } from '../../electron/services/sync/sync-engine.ts';
import { openDatabase } from '../../electron/store/database.ts';
import type { LiveMessage } from '../../shared/api/counter.ts';
import { systemClock } from '../../shared/clock.ts';
import { FaultProxy } from '../deployment/fault-proxy.ts';
import { type Counter, type SignedIn, startVenue, THEATRE, type Venue } from '../deployment/venue-fixture.ts';
import { serverCli, startServer } from '../integration/server/server-process.ts';
import { cashFor } from '../support/cash-payment.ts';
import { tempDir } from '../support/temp-store.ts';
import { type BenchSuite, type Figure, percentile } from './figures.ts';

/**
 * The venue as deployed (issue 12): a real server, `taquilla serve` counters enrolled through the CLI,
 * a fault proxy per link. Cross-counter map latency, how soon a stalled link is noticed, failover to
 * another URL, and how soon 1,000 offline sales are reported once the link returns.
 */
const MAP_SAMPLES = 80;
const LINK_SAMPLES = 5;
const QUEUED_SALES = 1000;

const since = (t0: number) => performance.now() - t0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number> {
  const t0 = performance.now();
  while (since(t0) < timeoutMs) {
    if (await check()) return since(t0);
    await sleep(everyMs);
  }
  return Number.POSITIVE_INFINITY;
}

/** Follows a counter's own live channel (what its screen sees): resolves when `seatId` shows `state`. */
function follow(counter: Counter, who: SignedIn, fromVersion: number) {
  const waiting = new Map<string, () => void>();
  const abort = new AbortController();
  const key = (seatId: number, state: string) => `${seatId}:${state}`;
  void (async () => {
    const params = new URLSearchParams({
      eventId: String(THEATRE),
      since: String(fromVersion),
      session: who.token,
    });
    const res = await fetch(`${counter.base}/api/live?${params}`, {
      headers: { 'x-taquilla-token': counter.token },
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!frame.startsWith('data: ')) continue;
        const message = JSON.parse(frame.slice(6)) as LiveMessage;
        if (message.type !== 'changes' || message.changes.reset) continue;
        for (const seat of message.changes.seats) waiting.get(key(seat.seatId, seat.state))?.();
      }
    }
  })().catch(() => undefined);
  return {
    seen: (seatId: number, state: string) =>
      new Promise<void>((resolve) => waiting.set(key(seatId, state), resolve)),
    close: () => abort.abort(),
  };
}

async function mapLatency(venue: Venue): Promise<Figure[]> {
  const [a, b] = venue.counters as [Counter, Counter];
  const [ana, beto] = await Promise.all([a.signIn('ana'), b.signIn('beto')]);
  const map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
  const seats = map.seats.id.filter((_, i) => map.seats.zoneId[i] === 6).slice(0, MAP_SAMPLES);
  const snapshot = await b.call('availability.snapshot', { eventId: THEATRE }, beto);
  const screen = follow(b, beto, snapshot.version);
  await sleep(300);
  const latencies: number[] = [];
  try {
    for (const seatId of seats) {
      const held = screen.seen(seatId, 'held');
      const t0 = performance.now();
      await a.call('holds.seats', { eventId: THEATRE, seatIds: [seatId] }, ana);
      await Promise.race([held, sleep(5000)]);
      latencies.push(since(t0));
      const freed = screen.seen(seatId, 'free');
      await a.call('holds.releaseSeats', { eventId: THEATRE, seatIds: [seatId] }, ana);
      await Promise.race([freed, sleep(5000)]);
    }
  } finally {
    screen.close();
  }
  latencies.sort((x, y) => x - y);
  const p95 = percentile(latencies, 95);
  return [
    {
      key: 'venue.map.p50',
      label: `cross-counter map: hold on counter A until counter B's screen shows it, p50 (${latencies.length})`,
      value: percentile(latencies, 50),
      unit: 'ms',
    },
    {
      key: 'venue.map.p95',
      label: 'cross-counter map: hold on counter A until counter B’s screen shows it, p95',
      value: p95,
      unit: 'ms',
      target: '< 250 ms',
      met: p95 < 250,
    },
  ];
}

async function linkFaults(venue: Venue): Promise<Figure[]> {
  const [a, b] = venue.counters as [Counter, Counter];
  const [ana, beto] = await Promise.all([a.signIn('luis'), b.signIn('luis')]);
  const network = async (c: Counter, who: SignedIn) => (await c.call('terminal.status', {}, who)).network;
  const stalls: number[] = [];
  const reconnects: number[] = [];
  for (let i = 0; i < LINK_SAMPLES; i++) {
    await b.link('stall');
    stalls.push(await waitFor(async () => (await network(b, beto)) === 'offline', 10_000));
    await sleep(1500 * Math.random()); // the link comes back at any point of the retry cycle
    await b.link('pass');
    reconnects.push(await waitFor(async () => (await network(b, beto)) === 'online', 10_000));
  }
  // Failover: A's first URL goes away (refused: the instance is gone) or goes silent (stalled).
  const map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
  const seats = map.seats.id.filter((_, i) => map.seats.zoneId[i] === 6).slice(200);
  let next = 0;
  const holdUntilItWorks = async (): Promise<number> => {
    const t0 = performance.now();
    // A cashier clicking every 100 ms: the first hold that succeeds is the counter selling again.
    return new Promise<number>((resolve) => {
      let done = false;
      const timer = setInterval(() => {
        if (done) return;
        const seatId = seats[next++]!;
        void a
          .attempt('holds.seats', { eventId: THEATRE, seatIds: [seatId] }, ana)
          .then((r) => {
            if (r.ok && !done) {
              done = true;
              clearInterval(timer);
              resolve(since(t0));
            }
          })
          .catch(() => undefined);
      }, 100);
      setTimeout(() => {
        if (!done) {
          done = true;
          clearInterval(timer);
          resolve(Number.POSITIVE_INFINITY);
        }
      }, 15_000);
    });
  };
  const refused: number[] = [];
  const silent: number[] = [];
  // The counter stays on the URL that last worked: each case takes away the one in use.
  for (let i = 0; i < LINK_SAMPLES; i++) {
    await a.links[0]!.set('refuse'); // in use: the first URL; the counter moves to the second
    refused.push(await holdUntilItWorks());
    await a.call('holds.clear', { eventId: THEATRE }, ana);
    await a.links[0]!.set('pass');
    await sleep(1000);
    await a.links[1]!.set('stall'); // in use now: the second URL; the counter moves back
    silent.push(await holdUntilItWorks());
    await a.links[1]!.set('pass');
    await waitFor(async () => (await a.attempt('holds.clear', { eventId: THEATRE }, ana)).ok, 10_000, 100);
    await sleep(1000);
  }
  const worst = (xs: number[]) => Math.max(...xs);
  return [
    {
      key: 'venue.stall.max',
      label: `stalled link noticed (status says offline), worst of ${LINK_SAMPLES}`,
      value: worst(stalls) / 1000,
      unit: 's',
      target: '< 2 s',
      met: worst(stalls) < 2000,
    },
    {
      key: 'venue.reconnect.max',
      label: `link back until the counter is online again, worst of ${LINK_SAMPLES}`,
      value: worst(reconnects) / 1000,
      unit: 's',
      target: '< 5 s',
      met: worst(reconnects) < 5000,
    },
    {
      key: 'venue.failover.refused.max',
      label: `failover: first URL refused (instance gone) until a hold succeeds, worst of ${LINK_SAMPLES}`,
      value: worst(refused) / 1000,
      unit: 's',
      target: '< 3 s',
      met: worst(refused) < 3000,
    },
    {
      key: 'venue.failover.silent.max',
      label: `failover: first URL silent (stalled) until a hold succeeds, worst of ${LINK_SAMPLES}`,
      value: worst(silent) / 1000,
      unit: 's',
      target: '< 3 s',
      met: worst(silent) < 3000,
    },
  ];
}

/** 1,000 sales made offline from a lease; the link returns; the heartbeat notices and replays them. */
async function reconnectToDrained(): Promise<Figure[]> {
  const tmp = tempDir('taquilla-bench-venue-');
  const serverDb = join(tmp.dir, 'server.db');
  const admin = serverCli<{ secret: string }>(['create-tenant', '--db', serverDb, '--name', 'Drain']);
  const server = await startServer(['--db', serverDb]);
  const proxy = new FaultProxy(() => server.port);
  await proxy.listen();
  const db = openDatabase(join(tmp.dir, 'terminal.db'));
  let sync: SyncEngine | null = null;
  try {
    const now = systemClock.now();
    const tenantId = createTenant(db, 'Drain', now);
    const venueId = createVenue(db, tenantId, 'Sala');
    const { eventId } = createEvent(
      db,
      {
        tenantId,
        venueId,
        name: 'Drain',
        startsAt: now + 86_400_000,
        vesPerUsd: '36.50',
        zones: [
          {
            kind: 'numbered',
            code: 'PLA',
            name: 'Platea',
            priceCents: 2500,
            seats: Array.from({ length: QUEUED_SALES }, (_, i) => ({
              row: String.fromCharCode(65 + Math.floor(i / 50)),
              number: (i % 50) + 1,
              x: i % 50,
              y: Math.floor(i / 50),
            })),
          },
        ],
      },
      now,
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
    // The terminal's own defaults: heartbeat, deadlines and retry as `taquilla serve` runs them.
    sync = new SyncEngine(db, systemClock);
    sync.usePayments(new PaymentService(db, sync.serverClock, sync.reservations));
    await sync.enrol(proxy.url, code, 'Drain');
    const seatIds = db
      .prepare<[number], { id: number }>('SELECT id FROM seats WHERE event_id = ? ORDER BY id')
      .all(eventId)
      .map((r) => r.id);
    await sync.acquireLease({ eventId, actor: 'bench', seatIds, ticketNumbers: QUEUED_SALES });
    sync.start();
    await proxy.set('refuse');
    await waitFor(async () => sync!.status().state === 'offline', 10_000);
    for (let i = 0; i < QUEUED_SALES; i++) {
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
    // Offline for a while: the retry interval is at its longest when the link returns.
    await sleep(3000);
    await proxy.set('pass');
    const t0 = performance.now();
    const online = await waitFor(async () => sync!.status().state === 'online', 60_000, 5);
    const drained = (await waitFor(async () => sync!.status().outbox === 0, 60_000, 5)) + online;
    const left = sync.status();
    void t0;
    return [
      {
        key: 'venue.drain_1000.online',
        label: 'link back until the terminal notices (online again)',
        value: online / 1000,
        unit: 's',
      },
      {
        key: 'venue.drain_1000',
        label: `link back until ${queued} offline sales are reported (${left.outbox} left, ${left.openConflicts} conflicts)`,
        value: drained / 1000,
        unit: 's',
        target: '< 2 s',
        met: drained < 2000 && left.outbox === 0,
      },
    ];
  } finally {
    sync?.stop();
    db.close();
    await proxy.close();
    await server.stop();
    tmp.remove();
  }
}

export const suite: BenchSuite = {
  name: 'venue',
  run: async () => {
    const venue = await startVenue({ counters: 2 });
    const figures: Figure[] = [];
    try {
      figures.push(...(await mapLatency(venue)));
      figures.push(...(await linkFaults(venue)));
    } finally {
      await venue.close();
    }
    figures.push(...(await reconnectToDrained()));
    return {
      figures,
      notes: { server: 'SQLite, one instance', counters: 2, links: 'TCP fault proxy per link' },
    };
  },
};
