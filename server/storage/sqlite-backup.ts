import { chmodSync, existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { mintSqliteGeneration } from './generation.ts';
import {
  inspectSoundFile,
  replaceSqliteFile,
  type SqliteFileProblem,
  sqliteFileInUse,
  writeBackupFile,
} from '../../sqlite/file-backup.ts';
import { SERVER_SCHEMA_VERSION } from './server-migrations.ts';

/**
 * Backup and restore of the server's SQLite database: the server-side counterpart of the terminal's
 * electron/store/backup.ts; the file work both share is sqlite/file-backup.ts.
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
  const source = new Database(dbFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    const { schemaVersion } = await writeBackupFile(
      outFile,
      // The first step only measures; the second copies every page at once.
      (partial) => source.backup(partial, { progress: () => 0x7fffffff }),
      checkServerDbFile,
    );
    return { file: outFile, bytes: statSync(outFile).size, schemaVersion };
  } finally {
    source.close();
  }
}

/** Opens a file read-only and checks it is a sound server database; returns its schema version. */
export function checkServerDbFile(file: string): { schemaVersion: number } {
  const fail = (problem: SqliteFileProblem, message: string) =>
    new ServerBackupError(problem === 'unopenable' ? 'not-a-server-db' : 'corrupt', message);
  return inspectSoundFile(file, fail, (db) => {
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
  });
}

/**
 * True when some connection (a running server, a command) has the database open.
 */
export function serverDbInUse(file: string): boolean {
  return sqliteFileInUse(file);
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
  /** The restored database's new generation; null for a backup older than server migration 16. */
  generation: string | null;
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
  const replaced = replaceSqliteFile(from, to, input.now);
  chmodSync(to, 0o600);
  // The database went back in time: a new generation, so every counter re-sends what it lost.
  const generation = mintSqliteGeneration(to, input.now);
  return { restored: to, replaced, schemaVersion, generation };
}
