import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Db, openDatabase } from './database.ts';
import { keyFileOf } from './store-key.ts';

/** SQLite cannot open a WAL store on a read-only disk (it needs its -shm file): these are its words. */
export function cannotOpenForWriting(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CANTOPEN' || (typeof code === 'string' && code.startsWith('SQLITE_READONLY'));
}

/**
 * Opens a read-only copy of `file` (and its WAL) in a temp folder: on a read-only disk nobody can be
 * writing the store, so the copy is exactly what is there. Writes through it fail SQLITE_READONLY.
 * `close()` closes it and removes the copy.
 */
export function openReadOnlySnapshot(file: string): { db: Db; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'taquilla-readonly-'));
  const copy = join(dir, basename(file));
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  // The key file beside the store (store-key.ts) goes with it, still readable by its owner only.
  if (existsSync(keyFileOf(file))) {
    copyFileSync(keyFileOf(file), keyFileOf(copy));
    chmodSync(keyFileOf(copy), 0o600);
  }
  try {
    const db = openDatabase(copy, { readonly: true });
    return {
      db,
      close: () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
