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

/**
 * Server migration 17: the highest ticket id when the generation was minted. Tickets up to it came
 * back with the backup (ids only rise after it), so a hold or lease among them that stands in a
 * re-sent sale's way had ended before that sale (shared/hold-rules/recovery.ts). A live database
 * gets 0 (nothing gave way until a restore mints again). A backup older than 17 that was just put
 * back (`restore` minted it after its last ticket changed, before any server opened it) gets its
 * highest id, as a restore of a newer one would.
 */
export function ticketMarkMigrationSql(dialect: 'sqlite' | 'postgres'): string {
  const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return `
ALTER TABLE server_generation ADD COLUMN ticket_mark ${big} NOT NULL DEFAULT 0;
UPDATE server_generation SET ticket_mark = (SELECT COALESCE(MAX(id), 0) FROM tickets)
WHERE minted_at > 0 AND minted_at >= (SELECT COALESCE(MAX(updated_at), 0) FROM tickets);
`;
}

const MARK_NOW = '(SELECT COALESCE(MAX(id), 0) FROM tickets)';
const MINT_MARKED = `UPDATE server_generation SET generation = ?, minted_at = ?, ticket_mark = ${MARK_NOW} WHERE id = 1`;
const MINT_UNMARKED = 'UPDATE server_generation SET generation = ?, minted_at = ? WHERE id = 1';

/** A fresh generation id: 32 hex characters. */
export function newGeneration(): string {
  return randomBytes(16).toString('hex');
}

export async function readGeneration(tx: SqlTx): Promise<string> {
  return (await readGenerationRow(tx)).generation;
}

/** The generation and its ticket mark (the highest ticket id the backup brought back). */
export async function readGenerationRow(tx: SqlTx): Promise<{ generation: string; ticketMark: number }> {
  const [row] = await tx.all<{ generation: string; ticket_mark: number }>(
    'SELECT generation, ticket_mark FROM server_generation WHERE id = 1',
  );
  if (!row) throw new Error('the server database has no generation (server migration 16 did not run)');
  return { generation: String(row.generation), ticketMark: Number(row.ticket_mark) };
}

/** Mints a new generation in a database just put back from a backup (inside the caller's write). */
export async function mintGeneration(tx: SqlTx, now: number): Promise<string> {
  const generation = newGeneration();
  await tx.run(MINT_MARKED, [generation, now]);
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
    // A backup older than migration 17 gets its mark when that migration runs at the first start.
    const marked = db
      .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
      .all('server_generation')
      .some((c) => c.name === 'ticket_mark');
    db.prepare(marked ? MINT_MARKED : MINT_UNMARKED).run(generation, now);
    return generation;
  } finally {
    db.close();
  }
}
