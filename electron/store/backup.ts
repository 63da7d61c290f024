import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  inspectSoundFile,
  replaceSqliteFile,
  type SqliteFileProblem,
  sqliteFileInUse,
  stamp,
  writeBackupFile,
} from '../../sqlite/file-backup.ts';
import type { Db } from './database.ts';
import { assertSafeFolder } from './store-ownership.ts';

/** What a finished backup is: the file, its size in bytes, its schema version, and when (epoch ms). */
export interface BackupInfo {
  file: string;
  bytes: number;
  schemaVersion: number;
  at: number;
}

/** Why a file cannot be restored, or a store cannot be replaced now. */
export class BackupError extends Error {
  constructor(
    readonly reason: 'not-a-store' | 'corrupt' | 'newer-schema' | 'in-use' | 'exists',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Copies the open store `db` into `outFile` with SQLite's online backup API: the copy is one
 * consistent moment even while cashiers keep selling (the backup restarts if another connection
 * writes mid-copy). The file is written beside `outFile` and renamed into place only once it passed
 * `integrity_check`, so a half-written backup never looks like a good one.
 */
export async function backupStore(db: Db, outFile: string, now: number): Promise<BackupInfo> {
  if (existsSync(outFile)) throw new BackupError('exists', `${outFile} already exists; choose a new file`);
  mkdirSync(dirname(outFile), { recursive: true, mode: 0o700 });
  // A backup holds the same sales and customers: never into a folder others could swap files in.
  assertSafeFolder(dirname(outFile));
  const checked = await writeBackupFile(outFile, (partial) => db.backup(partial), checkStoreFile);
  return { file: outFile, bytes: statSync(outFile).size, schemaVersion: checked.schemaVersion, at: now };
}

/**
 * Opens a store file read-only and checks it is sound: a Taquilla store (it has the sales tables), no
 * corrupt page (`integrity_check`). Returns its schema version.
 */
export function checkStoreFile(file: string): { schemaVersion: number } {
  const fail = (problem: SqliteFileProblem, message: string) =>
    new BackupError(problem === 'unopenable' ? 'not-a-store' : 'corrupt', message);
  return inspectSoundFile(file, fail, (db) => {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('transactions', 'reserved_tickets')",
      )
      .all();
    if (tables.length !== 2) throw new BackupError('not-a-store', `${file} is not a Taquilla store`);
    return { schemaVersion: db.pragma('user_version', { simple: true }) as number };
  });
}

/**
 * True when some connection (this process or another) has the store open: a running terminal is
 * never replaced underneath itself.
 */
export function storeInUse(file: string): boolean {
  return sqliteFileInUse(file);
}

/**
 * Puts the backup `from` in place of the store `to`. Refuses a file that is not a sound store, one
 * whose schema is newer than `newestSchema` (this app could not open it), or a store a running
 * terminal has open. The replaced store (with its -wal/-shm) is kept beside it as
 * `<name>.replaced-<stamp>`, never deleted: a restore loses nothing it was not asked to.
 */
export function restoreStore(input: { from: string; to: string; newestSchema: number; now: number }): {
  replaced: string | null;
  schemaVersion: number;
} {
  const { from, to } = input;
  const { schemaVersion } = checkStoreFile(from);
  if (schemaVersion > input.newestSchema) {
    throw new BackupError(
      'newer-schema',
      `${from} has schema ${schemaVersion}, newer than this Taquilla (${input.newestSchema}); update the app first`,
    );
  }
  if (storeInUse(to)) {
    throw new BackupError('in-use', `${to} is open in a running terminal; stop it, then restore`);
  }
  return { replaced: replaceSqliteFile(from, to, input.now), schemaVersion };
}

export { stamp };

/** Where a store's automatic backups go: a `backups` folder beside it. */
export function backupFolderOf(storeFile: string): string {
  return join(dirname(storeFile), 'backups');
}

/** The automatic backups of `storeFile`, newest first. */
export function listBackups(storeFile: string): { file: string; bytes: number; modifiedAt: number }[] {
  const folder = backupFolderOf(storeFile);
  if (!existsSync(folder)) return [];
  const prefix = `${basename(storeFile)}.`;
  return readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.backup'))
    .map((name) => {
      const file = join(folder, name);
      const s = statSync(file);
      return { file, bytes: s.size, modifiedAt: s.mtimeMs };
    })
    .sort((a, b) => b.file.localeCompare(a.file));
}

/** Keeps the newest `keep` rotating backups (`*.auto-*.backup`) and deletes the rest. */
export function pruneBackups(storeFile: string, keep: number): string[] {
  const rotating = listBackups(storeFile).filter((b) => b.file.includes('.auto-'));
  const removed = rotating.slice(keep).map((b) => b.file);
  for (const file of removed) rmSync(file, { force: true });
  return removed;
}

/** The file name of an automatic backup taken at `now` (`kind`: 'auto' hourly, or 'before-vN'). */
export function automaticBackupFile(storeFile: string, kind: string, now: number): string {
  return join(backupFolderOf(storeFile), `${basename(storeFile)}.${kind}-${stamp(now)}.backup`);
}
