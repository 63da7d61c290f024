import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../../shared/clock.ts';
import type { HoldStore, StoredReply } from '../storage/hold-store.ts';

/** What the metrics read from the rest of the server when scraped. */
export interface MetricSources {
  liveSubscribers: () => number;
  credentialCacheEntries: () => number;
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// An offline sale reaches the server seconds (a blip) to days (a counter offline all weekend) after it.
const SALE_AGE_SECONDS = [1, 5, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600];

/**
 * The server's Prometheus metrics (GET /metrics), one registry per server. Names and meanings are
 * listed in docs/operations.md ("Monitoring"); every name starts with `taquilla_` except Node's own
 * process metrics.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly operations: Histogram<'operation' | 'outcome'>;
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly saleAge: Histogram;
  private readonly terminalSaleAge: Gauge<'tenant' | 'terminal'>;
  private readonly limited: Counter<'limit'>;
  private sources: MetricSources = { liveSubscribers: () => 0, credentialCacheEntries: () => 0 };

  constructor(
    private readonly store: HoldStore,
    private readonly clock: Clock,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.operations = new Histogram({
      name: 'taquilla_operation_duration_seconds',
      help: 'Hold operations (holdSeats, complete, leaseSale, ...; batch items too) by outcome: ok, replayed (answered from the idempotency record), a refusal code (SEAT_TAKEN, ...) or error. _count is the rate.',
      labelNames: ['operation', 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.requests = new Histogram({
      name: 'taquilla_http_request_duration_seconds',
      help: 'HTTP requests by route (the route pattern; "unmatched" for unknown paths) and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS,
      registers,
    });
    this.saleAge = new Histogram({
      name: 'taquilla_offline_sale_age_seconds',
      help: 'How old an offline sale (leaseSale) is when it reaches the server: the outbox lag of the counters.',
      buckets: SALE_AGE_SECONDS,
      registers,
    });
    this.terminalSaleAge = new Gauge({
      name: 'taquilla_terminal_offline_sale_age_seconds',
      help: 'Age of the last offline sale each terminal reported when it arrived (its outbox lag then).',
      labelNames: ['tenant', 'terminal'],
      registers,
    });
    this.limited = new Counter({
      name: 'taquilla_rate_limited_total',
      help: 'Requests refused with 429 by limit: enrol (enrolment attempts), credentials (refused credentials from one address).',
      labelNames: ['limit'],
      registers,
    });
    const sources = () => this.sources;
    new Gauge({
      name: 'taquilla_live_subscribers',
      help: 'Open live-availability sockets on this instance.',
      registers,
      collect() {
        this.set(sources().liveSubscribers());
      },
    });
    new Gauge({
      name: 'taquilla_credential_cache_entries',
      help: 'Credentials held in memory (bounded; unknown tokens are never kept).',
      registers,
      collect() {
        this.set(sources().credentialCacheEntries());
      },
    });
    // Read from the database at scrape time, once per scrape for the gauges below.
    const once = <T>(load: () => Promise<T>) => {
      let pending: Promise<T | null> | null = null;
      return () => {
        pending ??= load()
          .catch(() => null)
          .finally(() => setImmediate(() => (pending = null)));
        return pending;
      };
    };
    const health = once(() => this.store.health());
    const read = once(() => this.store.gauges(this.clock.now()));
    new Gauge({
      name: 'taquilla_store_ready',
      help: '1 when the store passes the /ready checks (database answers; LISTEN up; disk has room), else 0.',
      registers,
      async collect() {
        this.set((await health())?.ok ? 1 : 0);
      },
    });
    if (store.kind === 'sqlite') {
      new Gauge({
        name: 'taquilla_store_disk_free_bytes',
        help: "Free space on the SQLite database's disk.",
        registers,
        async collect() {
          const free = (await health())?.diskFreeBytes;
          if (free !== undefined) this.set(free);
        },
      });
    }
    new Gauge({
      name: 'taquilla_live_holds',
      help: 'Tickets held and not expired (temporary holds, deposits, leased places), per tenant.',
      labelNames: ['tenant'],
      registers,
      async collect() {
        this.reset();
        for (const g of (await read())?.holds ?? []) this.set({ tenant: String(g.tenantId) }, g.count);
      },
    });
    new Gauge({
      name: 'taquilla_open_leases',
      help: 'Offline leases open and not expired, per tenant and terminal (credential id).',
      labelNames: ['tenant', 'terminal'],
      registers,
      async collect() {
        this.reset();
        for (const g of (await read())?.leases ?? []) {
          this.set({ tenant: String(g.tenantId), terminal: String(g.credentialId) }, g.count);
        }
      },
    });
  }

  /** The live hub and the credential cache exist after the metrics; they say how to count them. */
  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  rateLimited(limit: 'enrol' | 'credentials'): void {
    this.limited.inc({ limit });
  }

  /**
   * The store every route uses, with each operation timed and counted by outcome, and the age of each
   * offline sale noted as it arrives. Every other method is the store's own.
   */
  instrument(store: HoldStore): HoldStore {
    const execute: HoldStore['execute'] = async (tenantId, credentialId, op, input, now, idempotency) => {
      const started = performance.now();
      let outcome = 'error';
      try {
        const reply: StoredReply = await store.execute(tenantId, credentialId, op, input, now, idempotency);
        outcome = reply.replayed ? 'replayed' : (reply.body.error?.code ?? 'ok');
        if (op === 'leaseSale' && outcome === 'ok') this.offlineSale(tenantId, credentialId, input, now);
        return reply;
      } finally {
        this.operations.observe({ operation: op, outcome }, (performance.now() - started) / 1000);
      }
    };
    return new Proxy(store, {
      get(target, property) {
        if (property === 'execute') return execute;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private offlineSale(tenantId: number, credentialId: number, input: unknown, now: number): void {
    const soldAt = (input as { soldAt?: unknown } | null)?.soldAt;
    if (typeof soldAt !== 'number') return;
    const age = Math.max(0, (now - soldAt) / 1000);
    this.saleAge.observe(age);
    this.terminalSaleAge.set({ tenant: String(tenantId), terminal: String(credentialId) }, age);
  }

  /**
   * GET /metrics (Prometheus text format), and the HTTP request histogram. With a token, a scrape
   * must send `Authorization: Bearer <token>`.
   */
  register(app: FastifyInstance, token?: string): void {
    app.addHook('onResponse', async (request, reply) => {
      this.requests.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    const expected = token ? Buffer.from(`Bearer ${token}`) : null;
    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics (docs/operations.md, "Monitoring")', security: [] } },
      async (request, reply) => {
        if (expected) {
          const given = Buffer.from(request.headers.authorization ?? '');
          if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
            return reply.status(401).send({
              serverTime: this.clock.now(),
              error: { code: 'UNAUTHORIZED', message: 'Metrics token needed' },
            });
          }
        }
        return reply.type(this.registry.contentType).send(await this.registry.metrics());
      },
    );
  }
}
