import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { SqlTx } from './sql-tx.ts';

/**
 * The server's generation (issue 14, "a server that lost data is noticed"): a random id created with
 * its database (server migration 16) and minted again whenever the database is put back from a backup
 * (`taquilla-server restore`, or `taquilla-server new-generation` after a PostgreSQL restore). Every
 * heartbeat (`/v1/whoami`) and `/health` names it; a counter that sees it change re-sends every sale
 * the server had acknowledged (recoverSale) and its highest ticket number (raiseTicketFloor);
 * sql-recovery.ts takes them.
 */

/** Server migration 16: the one-row table, with a random id of its own. */
export function generationMigrationSql(dialect: 'sqlite' | 'postgres'): string {
  const random =
    dialect === 'sqlite'
      ? 'lower(hex(randomblob(16)))'
      : 'md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text)';
  const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return `
CREATE TABLE IF NOT EXISTS server_generation (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  TEXT NOT NULL,
  minted_at   ${big} NOT NULL
);
INSERT INTO server_generation (id, generation, minted_at) VALUES (1, ${random}, 0);
`;
}

/** A fresh generation id: 32 hex characters. */
export function newGeneration(): string {
  return randomBytes(16).toString('hex');
}

export async function readGeneration(tx: SqlTx): Promise<string> {
  const [row] = await tx.all<{ generation: string }>('SELECT generation FROM server_generation WHERE id = 1');
  if (!row) throw new Error('the server database has no generation (server migration 16 did not run)');
  return String(row.generation);
}

/** Mints a new generation in a database just put back from a backup (inside the caller's write). */
export async function mintGeneration(tx: SqlTx, now: number): Promise<string> {
  const generation = newGeneration();
  await tx.run('UPDATE server_generation SET generation = ?, minted_at = ? WHERE id = 1', [generation, now]);
  return generation;
}

/**
 * The same for a restored SQLite file, before any server opens it. A backup older than migration 16
 * has no table yet: the migration gives it a random generation of its own at the first start.
 */
export function mintSqliteGeneration(file: string, now: number): string | null {
  const db = new Database(file, { fileMustExist: true });
  try {
    const table = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'server_generation'")
      .get();
    if (!table) return null;
    const generation = newGeneration();
    db.prepare('UPDATE server_generation SET generation = ?, minted_at = ? WHERE id = 1').run(
      generation,
      now,
    );
    return generation;
  } finally {
    db.close();
  }
}
