import pg from 'pg';
import type { ServerOperation } from '../../shared/schemas/sync.ts';
import type { ChangeNotice, Idempotency, StoreHealth, StoreNotice, StoredReply } from './hold-store.ts';
import {
  executeInOneStatement,
  FAST_OPERATIONS,
  type FastOperation,
  type PgStatements,
} from './pg-hold-ops.ts';
import { migrateServerSchema } from './server-migrations.ts';
import { serverSchema } from './server-schema.ts';
import { AUDIT_INSERT, AUDIT_ROW, auditParams } from './sql-audit.ts';
import { type FailureKind, SqlHoldStore, type SqlTx } from './sql-hold-store.ts';
import type { AuditEntry } from './sql-tx.ts';

// BIGINT columns come back as numbers: every value we keep (epoch ms, ids, counts) is a safe integer.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

const CHANNEL = 'taquilla_changes';

export interface PgHoldStoreOptions {
  /** A schema of its own (tests use a fresh one per run); created if missing. */
  schema?: string;
  poolSize?: number;
}

/** SQLSTATEs and driver messages that mean the connection is gone (not that the statement failed). */
const CONNECTION_LOST_CODES = new Set([
  ...['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006'],
  ...['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'],
]);
const CONNECTION_LOST_MESSAGE = /Connection terminated|not queryable|socket hang up/i;

function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return (
    (typeof e?.code === 'string' && CONNECTION_LOST_CODES.has(e.code)) ||
    CONNECTION_LOST_MESSAGE.test(e?.message ?? '')
  );
}

/** The connection dropped before COMMIT was sent: PostgreSQL rolled the work back, so retrying is safe. */
class DroppedBeforeCommit extends Error {
  constructor(cause: unknown) {
    super(`database connection lost: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A PostgreSQL transaction: it can also keep statements to send with its COMMIT. */
interface PgTx extends SqlTx {
  /** Runs `sql` just before COMMIT, in the same message (no result is read). */
  withCommit(sql: string, params: unknown[]): void;
}

/**
 * `sql` with its `?` replaced by literals: a statement sent with COMMIT goes by the simple query
 * protocol, which takes no parameters. Numbers must be safe integers; strings are escaped by the driver.
 */
function inlined(client: pg.PoolClient, sql: string, params: unknown[]): string {
  let i = 0;
  return sql.replace(/\?/g, () => {
    const value = params[i++];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string') return client.escapeLiteral(value);
    if (value === null) return 'NULL';
    throw new Error(`cannot inline ${typeof value}`);
  });
}

const LISTEN_RETRY_MS = 200;
const IDLE_CONNECTION_MS = 5 * 60_000;
const LISTEN_RETRY_MAX_MS = 5000;

/**
 * Several stateless server instances on one PostgreSQL. Writes run in READ COMMITTED transactions:
 * the unique partial index makes a second concurrent insert for the same seat wait for the first and
 * then fail (23505 -> SEAT_TAKEN); capacity is taken with one conditional UPDATE under the zone's row
 * lock. Changes reach every instance through NOTIFY, delivered at commit.
 */
export class PgHoldStore extends SqlHoldStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly sqlCache = new Map<string, { text: string; name: string }>();
  private listener: pg.Client | null = null;
  /** Bumped whenever the LISTEN connection is lost: caches kept under the old value are not trusted. */
  private listenEpoch = 0;
  private listenRetry: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly schema: string | undefined;

  constructor(
    private readonly url: string,
    options: PgHoldStoreOptions = {},
  ) {
    super();
    this.schema = options.schema;
    if (this.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) {
      throw new Error(`Bad schema name ${this.schema}`);
    }
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 16,
      // Connections are kept through a lull (the driver's default closes them after 10 s idle): a new
      // backend costs its start and a parse and plan of every statement again, several ms of
      // database CPU each, which under bursty load came to most of the database's time per request.
      idleTimeoutMillis: IDLE_CONNECTION_MS,
      application_name: `taquilla-server/${this.schema ?? 'public'}`,
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    });
    // Temporary holds commit without waiting for their WAL flush (see write's `relaxed`): set once per
    // connection, and every other write asks for the flush in its BEGIN, at no extra round trip.
    this.pool.on('connect', (client) => {
      client.query('SET synchronous_commit = off').catch(() => undefined);
    });
    // An idle connection that PostgreSQL dropped (restart, pg_terminate_backend, network): the pool has
    // already discarded it and opens a new one on the next checkout. Without a listener, the process dies.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Two instances starting together must not both create the schema.
      await client.query('SELECT pg_advisory_lock(7428001)');
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(serverSchema('postgres'));
      await client.query('BEGIN');
      try {
        await migrateServerSchema(
          'postgres',
          async (sql) => void (await client.query(sql)),
          async () =>
            (await client.query<{ version: number }>('SELECT version FROM server_schema WHERE id = 1'))
              .rows[0]?.version ?? null,
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(7428001)').catch(() => undefined);
      client.release();
    }
    await this.listen();
    await this.announceRevocations();
  }

  /** The database answers within 2 s, and this instance's LISTEN connection is up. */
  async health(): Promise<StoreHealth> {
    const checks: Record<string, string> = {};
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.pool.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2000);
        }),
      ]);
      checks.database = 'ok';
    } catch (error) {
      checks.database = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(timer);
    }
    checks.listen = this.listener !== null ? 'ok' : 'down (reconnecting)';
    return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
  }

  /** Trusted only while the LISTEN connection that would hear a change has stayed up. */
  override cacheEpoch(): number | null {
    return this.listener === null ? null : this.listenEpoch;
  }

  /**
   * Opens the LISTEN connection. Cross-instance push depends on it, so when it drops it is opened
   * again (with backoff) and everything that may have been missed meanwhile is announced as `resync`.
   */
  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `taquilla-server/${this.schema ?? 'public'}/listen/${process.pid}`,
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    });
    const lost = () => this.listenerLost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== this.channel() || !message.payload) return;
      const payload = JSON.parse(message.payload) as ChangeNotice | StoreNotice;
      if ('kind' in payload) this.emitNotice(payload);
      else this.emit(payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel()}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
  }

  private listenerLost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    this.listenEpoch += 1;
    void client.end().catch(() => undefined);
    if (!this.closing) this.relisten(LISTEN_RETRY_MS);
  }

  private relisten(delayMs: number): void {
    this.listenRetry = setTimeout(() => {
      void this.listen().then(
        async () => {
          // Changes and notices committed while deaf: subscribers catch up from the change feed,
          // caches start over, revocations are re-read.
          this.emitNotice({ kind: 'resync' });
          await this.announceRevocations().catch(() => undefined);
        },
        () => {
          if (!this.closing) this.relisten(Math.min(LISTEN_RETRY_MAX_MS, delayMs * 2));
        },
      );
    }, delayMs);
    this.listenRetry.unref();
  }

  /** One channel per schema, so test runs sharing a database do not hear each other. */
  private channel(): string {
    return this.schema ? `${CHANNEL}_${this.schema}` : CHANNEL;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.listenRetry);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** Drops the store's own schema (tests). */
  async dropSchema(): Promise<void> {
    if (!this.schema) return;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await client.end();
  }

  /**
   * `?` -> `$n` (unless `numbered`: the text has its `$n` already), and a statement name: each
   * connection parses and plans a statement once.
   */
  private query(sql: string, values: unknown[], numbered = false): pg.QueryConfig {
    const key = numbered ? `$${sql}` : sql;
    let cached = this.sqlCache.get(key);
    if (cached === undefined) {
      let n = 0;
      const text = numbered ? sql : sql.replace(/\?/g, () => `$${++n}`);
      cached = { text, name: `tq${this.sqlCache.size}` };
      this.sqlCache.set(key, cached);
    }
    return { text: cached.text, name: cached.name, values };
  }

  /**
   * Holds and releases of seats: one read and one guarded write, each its own round trip and, for
   * the write, its own commit (pg-hold-ops.ts). Every other operation: one transaction.
   */
  override async execute(
    tenantId: number,
    credentialId: number,
    op: ServerOperation,
    raw: unknown,
    now: number,
    idempotency: Idempotency | null,
  ): Promise<StoredReply> {
    const locked = () => super.execute(tenantId, credentialId, op, raw, now, idempotency);
    if (!FAST_OPERATIONS.has(op)) return locked();
    const db: PgStatements = {
      statement: (sql, params) => this.statement(sql, params),
      connectionLost: (error) => error instanceof DroppedBeforeCommit || isConnectionLost(error),
      classify: (error) => this.classify(error),
      tenantSettings: (id) => this.tenantSettings(id),
      channel: this.channel(),
      locked,
    };
    return executeInOneStatement(db, tenantId, credentialId, op as FastOperation, raw, now, idempotency);
  }

  /**
   * One statement on its own (autocommit, with the connection's synchronous_commit), one round trip.
   * A connection lost before the statement was sent is DroppedBeforeCommit; one lost while it ran
   * goes up as it is (it may have committed). A statement's own error leaves the connection usable.
   */
  private async statement<R>(sql: string, params: unknown[]): Promise<R[]> {
    const { client, lost, release } = await this.checkout();
    try {
      return (await client.query(this.query(sql, params, true))).rows as R[];
    } catch (error) {
      if (lost.error === null && isConnectionLost(error)) lost.error = error;
      throw error;
    } finally {
      release();
    }
  }

  /**
   * A pooled connection for one statement or transaction. A connection that cannot be had is
   * DroppedBeforeCommit (nothing was sent). `lost.error` is set when the connection breaks (its
   * 'error' event: between statements a checked-out client has no listener of its own, and an
   * unheard one would end the process); `release` then destroys it instead of pooling it.
   */
  private async checkout(): Promise<{
    client: pg.PoolClient;
    lost: { error: unknown };
    release: () => void;
  }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw isConnectionLost(error) ? new DroppedBeforeCommit(error) : error;
    }
    const lost: { error: unknown } = { error: null };
    const onError = (error: unknown) => {
      lost.error = error;
    };
    client.on('error', onError);
    const release = () => {
      client.off('error', onError);
      client.release(lost.error === null ? undefined : (lost.error as Error));
    };
    return { client, lost, release };
  }

  /**
   * One transaction on one pooled connection. A connection that drops before COMMIT is sent is
   * reported as DroppedBeforeCommit (the write retries on a fresh connection: PostgreSQL rolled it
   * back). One that drops during COMMIT leaves the outcome unknown: that error goes up, and the
   * caller's idempotency key makes its retry safe.
   */
  protected async transaction<T>(fn: (tx: SqlTx) => Promise<T>, relaxed = false): Promise<T> {
    const { client, lost, release } = await this.checkout();
    const after: (() => void)[] = [];
    const last: string[] = [];
    const tx: PgTx = {
      all: async <R>(sql: string, params: unknown[] = []) =>
        (await client.query(this.query(sql, params))).rows as R[],
      run: async (sql, params = []) => (await client.query(this.query(sql, params))).rowCount ?? 0,
      afterCommit: (f) => after.push(f),
      withCommit: (sql, params) => last.push(inlined(client, sql, params)),
    };
    let committing = false;
    try {
      // One message either way: the durable BEGIN carries its own setting.
      await client.query(relaxed ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit = on');
      const result = await fn(tx);
      committing = true;
      // The statements kept for the end travel with COMMIT, in one round trip: a row lock they take
      // is held for the database's own time only, never across the network.
      await client.query([...last, 'COMMIT'].join(';\n'));
      for (const f of after) f();
      return result;
    } catch (error) {
      if (lost.error === null && isConnectionLost(error)) lost.error = error;
      if (lost.error === null) await client.query('ROLLBACK').catch(() => undefined);
      if (lost.error !== null && !committing) throw new DroppedBeforeCommit(error);
      throw error;
    } finally {
      release();
    }
  }

  protected classify(error: unknown): FailureKind {
    if (error instanceof DroppedBeforeCommit) return 'retry';
    const e = error as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'one_live_ticket_per_seat') return 'seat-taken';
    if (e.code === '23505') return 'retry'; // a twin cart or a twin idempotency key: read it next time
    if (e.code === '23514' && e.constraint === 'zones_check') return 'zone-full';
    if (e.code === '40001' || e.code === '40P01') return 'retry';
    return null;
  }

  /**
   * Bump, record and NOTIFY in one statement sent with COMMIT: the event's row lock is held from the
   * bump to COMMIT, so it must not wait for a round trip in between (every writer of the event would
   * wait for it).
   */
  protected override async recordChanges(
    tx: SqlTx,
    tenantId: number,
    eventId: number,
    rows: { seat_id: number | null; zone_id: number }[],
  ): Promise<void> {
    (tx as PgTx).withCommit(
      `WITH v AS (UPDATE events SET version = version + 1 WHERE tenant_id = ? AND id = ? RETURNING version),
       ins AS (INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
               SELECT ?, ?, v.version, c.seat_id, c.zone_id
               FROM v, jsonb_to_recordset(?::jsonb) AS c(seat_id bigint, zone_id bigint))
       SELECT pg_notify(?, json_build_object('tenantId', ?::bigint, 'eventId', ?::bigint, 'version', v.version)::text)
       FROM v`,
      [tenantId, eventId, tenantId, eventId, JSON.stringify(rows), this.channel(), tenantId, eventId],
    );
  }

  /** An init plan: the subquery runs once, not once per row of the outer scan. */
  protected override inSet(expr: string, subquery: string): string {
    return `${expr} = ANY (ARRAY(${subquery}))`;
  }

  /** READ COMMITTED: a read that decides a write locks its row until COMMIT. */
  protected override get forUpdate(): string {
    return ' FOR UPDATE';
  }

  /** Sent with COMMIT, like the change feed: the audit trail costs no round trip of its own. */
  protected override async recordAudit(
    tx: SqlTx,
    tenantId: number,
    credentialId: number,
    at: number,
    entries: AuditEntry[],
  ): Promise<void> {
    (tx as PgTx).withCommit(
      AUDIT_INSERT + entries.map(() => AUDIT_ROW).join(', '),
      auditParams(tenantId, credentialId, at, entries),
    );
  }

  protected async publish(tx: SqlTx, notice: ChangeNotice): Promise<void> {
    await tx.all('SELECT pg_notify(?, ?)', [this.channel(), JSON.stringify(notice)]);
  }

  /** Delivered at COMMIT to every instance's listener, this one's included. */
  protected async publishNotice(tx: SqlTx, notice: StoreNotice): Promise<void> {
    await tx.all('SELECT pg_notify(?, ?)', [this.channel(), JSON.stringify(notice)]);
  }
}
