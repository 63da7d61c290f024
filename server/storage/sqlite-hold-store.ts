import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { startCheckpointWorker } from '../../sqlite/checkpoints.ts';
import type { ChangeNotice, StoreHealth, StoreNotice } from './hold-store.ts';
import { migrateServerSchema } from './server-migrations.ts';
import { serverSchema } from './server-schema.ts';
import { type FailureKind, SqlHoldStore, type SqlTx } from './sql-hold-store.ts';

type Statement = Database.Statement<unknown[], unknown>;

/** Past this size the writer empties the WAL (see boundWal). */
const WAL_LIMIT_BYTES = 16 * 1024 * 1024;
/** Less free space than one full WAL: writes are about to fail, so the server is not ready. */
const DISK_RESERVE_BYTES = WAL_LIMIT_BYTES;

interface Job {
  fn: (tx: SqlTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The embedded default: one SQLite file, one server process. better-sqlite3 is synchronous, so the
 * store runs its writes one after another on one connection, inside BEGIN IMMEDIATE, which also keeps
 * a second process on the same file from interleaving.
 */
export class SqliteHoldStore extends SqlHoldStore {
  readonly kind = 'sqlite' as const;
  protected override readonly settingsInWrite = true;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private readonly control: Record<
    'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo',
    () => void
  >;
  private checkpoints: Worker | null = null;
  /** Readers (availability, credentials) use their own connection: WAL lets them run beside writes. */
  private reader: Database.Database | null = null;
  private readonly readStatements = new Map<string, Statement>();
  private readonly waiting: Job[] = [];
  private draining = false;
  private revocationPoll: NodeJS.Timeout | undefined;

  constructor(private readonly file: string) {
    super();
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // After a checkpoint has reset the WAL, its file is cut back to this size (else it keeps its peak).
    this.db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    // Every operation runs inside two savepoints (the group commit's and its own). SQLite keeps the
    // pages a savepoint may undo in a sub-journal, which spills to a temporary file past 64 KiB, and
    // a hold with its audit rows passes that: a temp file created, written and dropped per write
    // doubled the store's CPU per request. In memory, as on the terminal (electron/store/database.ts).
    this.db.pragma('temp_store = MEMORY');
    const control = (sql: string) => {
      const statement = this.db.prepare(sql);
      return () => void statement.run();
    };
    this.control = {
      begin: control('BEGIN IMMEDIATE'),
      commit: control('COMMIT'),
      rollback: control('ROLLBACK'),
      savepoint: control('SAVEPOINT job'),
      release: control('RELEASE job'),
      undo: control('ROLLBACK TO job'),
    };
  }

  /**
   * Creates the schema and moves WAL checkpoints to a worker thread (wal_autocheckpoint = 0 here):
   * the writer never waits for a checkpoint's fsync.
   */
  async init(): Promise<void> {
    this.db.exec(serverSchema('sqlite'));
    await this.migrate();
    this.db.pragma('wal_autocheckpoint = 0');
    this.checkpoints = startCheckpointWorker({
      file: this.file,
      intervalMs: 500,
      walLimitBytes: WAL_LIMIT_BYTES,
      sellerTruncates: true,
    });
    this.checkpoints.unref();
    this.reader = new Database(this.file, { readonly: true });
    this.reader.pragma('busy_timeout = 5000');
    // A revocation made by another process on this file (taquilla-server revoke --db) has no NOTIFY:
    // look for new ones often, so that terminal's live sockets close within a fraction of a second.
    await this.announceRevocations();
    this.revocationPoll = setInterval(() => void this.announceRevocations().catch(() => undefined), 250);
    this.revocationPoll.unref();
  }

  /** Pending schema migrations, in one BEGIN IMMEDIATE (a second process waits, then finds none). */
  private async migrate(): Promise<void> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      await migrateServerSchema(
        'sqlite',
        async (sql) => void this.db.exec(sql),
        async () =>
          (
            this.db.prepare('SELECT version FROM server_schema WHERE id = 1').get() as
              { version: number } | undefined
          )?.version ?? null,
      );
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * better-sqlite3 runs each read to completion synchronously, so a read on the reader connection
   * never interleaves with itself, and never sees the writer's uncommitted work.
   */
  protected override read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const reader = this.reader;
    if (!reader) return this.transaction(fn);
    const tx: SqlTx = {
      all: async <R>(sql: string, params: unknown[] = []) => {
        let s = this.readStatements.get(sql);
        if (!s) {
          s = reader.prepare(sql);
          this.readStatements.set(sql, s);
        }
        return s.all(...params) as R[];
      },
      run: async () => {
        throw new Error('read-only');
      },
      afterCommit: (f) => f(),
    };
    return fn(tx);
  }

  async health(): Promise<StoreHealth> {
    const checks: Record<string, string> = {};
    try {
      await this.read((tx) => tx.all('SELECT 1'));
      checks.database = 'ok';
    } catch (error) {
      checks.database = error instanceof Error ? error.message : String(error);
    }
    let diskFreeBytes: number | undefined;
    try {
      const fs = statfsSync(dirname(this.file));
      diskFreeBytes = fs.bavail * fs.bsize;
      checks.disk =
        diskFreeBytes < DISK_RESERVE_BYTES ? `${Math.floor(diskFreeBytes / 1048576)} MiB free` : 'ok';
    } catch {
      checks.disk = 'ok'; // a file system that does not say: nothing to report
    }
    return { ok: Object.values(checks).every((c) => c === 'ok'), checks, diskFreeBytes };
  }

  async close(): Promise<void> {
    clearInterval(this.revocationPoll);
    while (this.draining) await new Promise((r) => setTimeout(r, 5));
    const worker = this.checkpoints;
    if (worker) {
      await new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('error', () => resolve());
        worker.postMessage('stop');
      });
    }
    this.reader?.close();
    this.db.close();
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Group commit: writes that arrive while one is running are run together in the next BEGIN
   * IMMEDIATE ... COMMIT, each inside its own SAVEPOINT, so one refusal rolls back only itself and the
   * commit's cost is shared. Nobody hears an answer before the COMMIT that makes it true.
   */
  // `relaxed` changes nothing here: synchronous = NORMAL already commits without an fsync in WAL mode.
  protected transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        fn: fn as (tx: SqlTx) => Promise<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const jobs = this.waiting.splice(0, 128);
        const done: { job: Job; ok: boolean; value: unknown; after: (() => void)[] }[] = [];
        try {
          this.control.begin();
        } catch (error) {
          for (const job of jobs) job.reject(error);
          continue;
        }
        // Set when SQLite rolled the whole transaction back itself (it may on SQLITE_FULL or an I/O
        // error): nothing of this group stands, so every job in it is refused and may be retried.
        let lost: unknown = null;
        for (const job of jobs) {
          const after: (() => void)[] = [];
          const tx: SqlTx = {
            all: async <R>(sql: string, params: unknown[] = []) => {
              const s = this.statement(sql);
              if (s.reader) return s.all(...params) as R[];
              s.run(...params);
              return [] as R[];
            },
            run: async (sql, params = []) => this.statement(sql).run(...params).changes,
            afterCommit: (f) => after.push(f),
          };
          this.control.savepoint();
          try {
            const value = await job.fn(tx);
            this.control.release();
            done.push({ job, ok: true, value, after });
          } catch (error) {
            if (!this.db.inTransaction) {
              lost = error;
              break;
            }
            this.control.undo();
            this.control.release();
            done.push({ job, ok: false, value: error, after: [] });
          }
        }
        if (lost !== null) {
          for (const job of jobs) job.reject(lost);
          continue;
        }
        try {
          this.control.commit();
        } catch (error) {
          if (this.db.inTransaction) this.control.rollback();
          for (const job of jobs) job.reject(error);
          continue;
        }
        this.boundWal();
        for (const d of done) {
          if (d.ok) {
            for (const f of d.after) f();
            d.job.resolve(d.value);
          } else d.job.reject(d.value);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Under sustained writes the WAL is never restarted by the worker's PASSIVE checkpoints, and grew to
   * 1.25 GB in 10 s. Past the limit the writer empties it itself, between two group commits, where
   * nothing can starve it (the worker has already copied most frames, so this is short).
   */
  private boundWal(): void {
    const bytes = statSync(`${this.file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    if (bytes <= WAL_LIMIT_BYTES || this.db.inTransaction) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader from another process: the next commit tries again.
    }
  }

  protected classify(error: unknown): FailureKind {
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : '';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('tickets.seat_id')) return 'seat-taken';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('transactions.session_id')) return 'retry';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('idempotency.')) return 'retry';
    if (code === 'SQLITE_CONSTRAINT_CHECK' && message.includes('used')) return 'zone-full';
    if (code === 'SQLITE_BUSY') return 'retry';
    return null;
  }

  protected async publish(tx: SqlTx, notice: ChangeNotice): Promise<void> {
    tx.afterCommit(() => this.emit(notice));
  }

  protected async publishNotice(tx: SqlTx, notice: StoreNotice): Promise<void> {
    tx.afterCommit(() => this.emitNotice(notice));
  }
}
