import pg from 'pg';
import type { ChangeNotice } from './hold-store.ts';
import { serverSchema } from './server-schema.ts';
import { type FailureKind, SqlHoldStore, type SqlTx } from './sql-hold-store.ts';

// BIGINT columns come back as numbers: every value we keep (epoch ms, ids, counts) is a safe integer.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

const CHANNEL = 'taquilla_changes';

export interface PgHoldStoreOptions {
  /** A schema of its own (tests use a fresh one per run); created if missing. */
  schema?: string;
  poolSize?: number;
}

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
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    });
  }

  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Two instances starting together must not both create the schema.
      await client.query('SELECT pg_advisory_lock(7428001)');
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(serverSchema('postgres'));
      await client.query('SELECT pg_advisory_unlock(7428001)');
    } finally {
      client.release();
    }
    this.listener = new pg.Client({
      connectionString: this.url,
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    });
    await this.listener.connect();
    this.listener.on('notification', (message) => {
      if (message.channel !== this.channel() || !message.payload) return;
      this.emit(JSON.parse(message.payload) as ChangeNotice);
    });
    this.listener.on('error', () => undefined);
    await this.listener.query(`LISTEN ${this.channel()}`);
  }

  /** One channel per schema, so test runs sharing a database do not hear each other. */
  private channel(): string {
    return this.schema ? `${CHANNEL}_${this.schema}` : CHANNEL;
  }

  async close(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
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

  /** `?` -> `$n`, and a statement name: each connection parses and plans a statement once. */
  private query(sql: string, values: unknown[]): pg.QueryConfig {
    let cached = this.sqlCache.get(sql);
    if (cached === undefined) {
      let n = 0;
      cached = { text: sql.replace(/\?/g, () => `$${++n}`), name: `tq${this.sqlCache.size}` };
      this.sqlCache.set(sql, cached);
    }
    return { text: cached.text, name: cached.name, values };
  }

  protected async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const after: (() => void)[] = [];
    const tx: SqlTx = {
      all: async <R>(sql: string, params: unknown[] = []) =>
        (await client.query(this.query(sql, params))).rows as R[],
      run: async (sql, params = []) => (await client.query(this.query(sql, params))).rowCount ?? 0,
      afterCommit: (f) => after.push(f),
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      for (const f of after) f();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  protected classify(error: unknown): FailureKind {
    const e = error as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'one_live_ticket_per_seat') return 'seat-taken';
    if (e.code === '23505') return 'retry'; // a twin cart or a twin idempotency key: read it next time
    if (e.code === '23514' && e.constraint === 'zones_check') return 'zone-full';
    if (e.code === '40001' || e.code === '40P01') return 'retry';
    return null;
  }

  protected override async relaxDurability(tx: SqlTx): Promise<void> {
    // Without this, every hold waits for its own WAL flush while holding the event's row lock.
    await tx.run('SET LOCAL synchronous_commit = off');
  }

  /**
   * One round trip for bump, record and NOTIFY: the event's row lock is held from here to COMMIT,
   * so every round trip inside that window is paid by every writer of the event.
   */
  protected override async recordChanges(
    tx: SqlTx,
    tenantId: number,
    eventId: number,
    rows: { seat_id: number | null; zone_id: number }[],
  ): Promise<void> {
    await tx.all(
      `WITH v AS (UPDATE events SET version = version + 1 WHERE tenant_id = ? AND id = ? RETURNING version),
       ins AS (INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id)
               SELECT ?, ?, v.version, c.seat_id, c.zone_id
               FROM v, jsonb_to_recordset(?::jsonb) AS c(seat_id bigint, zone_id bigint))
       SELECT pg_notify(?, json_build_object('tenantId', ?::bigint, 'eventId', ?::bigint, 'version', v.version)::text)
       FROM v`,
      [tenantId, eventId, tenantId, eventId, JSON.stringify(rows), this.channel(), tenantId, eventId],
    );
  }

  protected async publish(tx: SqlTx, notice: ChangeNotice): Promise<void> {
    await tx.all('SELECT pg_notify(?, ?)', [this.channel(), JSON.stringify(notice)]);
  }
}
