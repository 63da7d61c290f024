import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SERVER_SCHEMA_VERSION } from './server-migrations.ts';

/**
 * Backup and restore of the server's SQLite database: the server-side counterpart of the terminal's
 * electron/store/backup.ts (the server does not import from electron/).
 */
export class ServerBackupError extends Error {
  constructor(
    readonly reason: 'exists' | 'missing' | 'not-a-server-db' | 'corrupt' | 'newer-schema' | 'in-use',
    message: string,
  ) {
    super(message);
  }
}

const SERVER_TABLES = ['tenants', 'credentials', 'idempotency', 'tickets', 'transactions'];

/**
 * Copies the database `dbFile` into `outFile` with SQLite's online backup API while the server keeps
 * serving: the copy is taken in one step (one read transaction, which WAL lets run beside the
 * server's writes), so it is one consistent moment and cannot be restarted forever by a busy writer.
 * It is written beside `outFile`, checked (`integrity_check`, a server database) and only then renamed
 * into place, owner-only: a file named like the backup is always a whole, sound one.
 */
export async function backupServerDb(
  dbFile: string,
  outFile: string,
): Promise<{ file: string; bytes: number; schemaVersion: number }> {
  if (!existsSync(dbFile)) throw new ServerBackupError('missing', `no database at ${dbFile}`);
  if (existsSync(outFile))
    throw new ServerBackupError('exists', `${outFile} already exists; choose a new file`);
  mkdirSync(dirname(outFile), { recursive: true, mode: 0o700 });
  const partial = `${outFile}.partial`;
  rmSync(partial, { force: true });
  const source = new Database(dbFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // The first step only measures; the second copies every page at once.
    await source.backup(partial, { progress: () => 0x7fffffff });
    chmodSync(partial, 0o600);
    const { schemaVersion } = checkServerDbFile(partial);
    renameSync(partial, outFile);
    return { file: outFile, bytes: statSync(outFile).size, schemaVersion };
  } finally {
    source.close();
    rmSync(partial, { force: true });
  }
}

/** Opens a file read-only and checks it is a sound server database; returns its schema version. */
export function checkServerDbFile(file: string): { schemaVersion: number } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ServerBackupError('not-a-server-db', `${file} cannot be opened: ${(error as Error).message}`);
  }
  try {
    let lines: string[];
    try {
      lines = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    } catch (error) {
      throw new ServerBackupError(
        'corrupt',
        `${file} is not a sound SQLite file: ${(error as Error).message}`,
      );
    }
    if (lines.length !== 1 || lines[0] !== 'ok') {
      throw new ServerBackupError(
        'corrupt',
        `${file} failed integrity_check: ${lines.slice(0, 3).join('; ')}`,
      );
    }
    const tables = new Set(
      db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((t) => t.name),
    );
    if (!SERVER_TABLES.every((t) => tables.has(t))) {
      throw new ServerBackupError('not-a-server-db', `${file} is not a Taquilla server database`);
    }
    const schemaVersion = tables.has('server_schema')
      ? ((
          db.prepare('SELECT version FROM server_schema WHERE id = 1').get() as
            { version: number } | undefined
        )?.version ?? 0)
      : 0;
    return { schemaVersion };
  } finally {
    db.close();
  }
}

/**
 * True when some connection (a running server, a command) has the database open: an exclusive lock
 * is refused while any other connection is open on a WAL database.
 */
export function serverDbInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { timeout: 0, fileMustExist: true });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}

/**
 * Puts the backup `from` in place of the database `to`. Refuses a file that is not a sound server
 * database, one written by a newer server, or a database a running server has open. The database it
 * replaces (with its -wal/-shm) is kept beside it as `<name>.replaced-<stamp>`, never deleted.
 */
export function restoreServerDb(input: { from: string; to: string; now: number }): {
  restored: string;
  replaced: string | null;
  schemaVersion: number;
} {
  const { from, to } = input;
  if (!existsSync(from)) throw new ServerBackupError('missing', `no backup at ${from}`);
  const { schemaVersion } = checkServerDbFile(from);
  if (schemaVersion > SERVER_SCHEMA_VERSION) {
    throw new ServerBackupError(
      'newer-schema',
      `${from} has schema ${schemaVersion}, newer than this taquilla-server (${SERVER_SCHEMA_VERSION}); update the server first`,
    );
  }
  if (serverDbInUse(to)) {
    throw new ServerBackupError('in-use', `${to} is open by a running server; stop it, then restore`);
  }
  let replaced: string | null = null;
  if (existsSync(to)) {
    replaced = `${to}.replaced-${stamp(input.now)}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(to + suffix)) renameSync(to + suffix, replaced + suffix);
    }
  }
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  copyFileSync(from, to);
  chmodSync(to, 0o600);
  return { restored: to, replaced, schemaVersion };
}

/** 20261129-231502 (UTC): sorts by time, safe in any file system. */
function stamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
