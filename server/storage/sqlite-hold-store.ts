import Database from 'better-sqlite3';
import type { ChangeNotice } from './hold-store.ts';
import { serverSchema } from './server-schema.ts';
import { type FailureKind, SqlHoldStore, type SqlTx } from './sql-hold-store.ts';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * The embedded default: one SQLite file, one server process. better-sqlite3 is synchronous, so the
 * store runs one write at a time (an in-process queue) and each inside BEGIN IMMEDIATE, which also
 * keeps a second process on the same file from interleaving.
 */
export class SqliteHoldStore extends SqlHoldStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    super();
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
  }

  async init(): Promise<void> {
    this.db.exec(serverSchema('sqlite'));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
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

  protected transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
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
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        this.db.exec('COMMIT');
        for (const f of after) f();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    };
    // One transaction at a time on this connection: awaits inside `fn` must not let another begin.
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
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
}
