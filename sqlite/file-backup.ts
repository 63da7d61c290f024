import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The file work of a SQLite backup and restore, shared by the terminal's store and the hold server's
 * database. Each side keeps its own checks (which tables make it a store), its errors and its words.
 */

/** Why a file failed the generic checks: it cannot be opened, or it is not sound SQLite. */
export type SqliteFileProblem = 'unopenable' | 'corrupt';

/**
 * Writes a copy into `outFile` through `copy(partial)` (SQLite's online backup API): the copy goes to
 * a `.partial` file created here owner-only, is checked by `check(partial)` and only then renamed into
 * place, so a file named like the backup is always a whole, sound one. Returns what `check` returned.
 */
export async function writeBackupFile<T>(
  outFile: string,
  copy: (partial: string) => Promise<unknown>,
  check: (partial: string) => T,
): Promise<T> {
  mkdirSync(dirname(outFile), { recursive: true, mode: 0o700 });
  const partial = `${outFile}.partial`;
  // The WAL SQLite keeps beside the partial copy while checking it (the copy is a WAL file too).
  const leftovers = [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`];
  for (const file of leftovers) rmSync(file, { force: true });
  try {
    // Made here, owner-only, so SQLite writes into a file of ours, not one placed there meanwhile.
    closeSync(openSync(partial, 'wx', 0o600));
    await copy(partial);
    chmodSync(partial, 0o600);
    const checked = check(partial);
    renameSync(partial, outFile);
    return checked;
  } finally {
    for (const file of leftovers) rmSync(file, { force: true });
  }
}

/**
 * Opens `file` read-only, runs `integrity_check` and hands the open database to `inspect` (closed
 * after). A file that cannot be opened or is not sound is reported through `fail`, which throws the
 * caller's own error.
 */
export function inspectSoundFile<T>(
  file: string,
  fail: (problem: SqliteFileProblem, message: string) => Error,
  inspect: (db: Database.Database) => T,
): T {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw fail('unopenable', `${file} cannot be opened: ${(error as Error).message}`);
  }
  try {
    let lines: string[];
    try {
      lines = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    } catch (error) {
      throw fail('corrupt', `${file} is not a sound SQLite file: ${(error as Error).message}`);
    }
    if (lines.length !== 1 || lines[0] !== 'ok') {
      throw fail('corrupt', `${file} failed integrity_check: ${lines.slice(0, 3).join('; ')}`);
    }
    return inspect(db);
  } finally {
    db.close();
  }
}

/**
 * True when some connection (this process or another) has the file open: an exclusive lock is refused
 * while any other connection is open on a WAL database, so a running program is never replaced
 * underneath itself.
 */
export function sqliteFileInUse(file: string): boolean {
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
 * Copies `from` in place of `to` (the caller has checked both). The file it replaces (with its
 * -wal/-shm) is kept beside it as `<name>.replaced-<stamp>`, never deleted; returns that name.
 */
export function replaceSqliteFile(from: string, to: string, now: number): string | null {
  let replaced: string | null = null;
  if (existsSync(to)) {
    replaced = `${to}.replaced-${stamp(now)}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(to + suffix)) renameSync(to + suffix, replaced + suffix);
    }
  }
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  copyFileSync(from, to);
  return replaced;
}

/** 20261129-231502 (UTC): sorts by time, safe in any file system. */
export function stamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
