import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { TaquillaError } from '../../shared/errors.ts';

function readOnlyFolder(file: string): boolean {
  try {
    accessSync(dirname(file), constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/** SQLite's own result codes, as better-sqlite3 reports them on `error.code` (SQLITE_IOERR_WRITE, …). */
function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/**
 * The store itself failed (not a rule refusing): the disk is full, the store is read-only, or the
 * file cannot be read or written. Returned as a typed error the cashier can be told about in words
 * (and the transports map to a status); null for anything else. SQLite rolled the write back, so
 * nothing was half done.
 */
export function storeFailure(error: unknown, storeFile?: string): TaquillaError | null {
  const code = sqliteCode(error);
  if (code === null) return null;
  // SQLite says only "unable to open" when a WAL store sits on a read-only disk; the folder tells.
  if (
    code === 'SQLITE_CANTOPEN' &&
    storeFile !== undefined &&
    existsSync(storeFile) &&
    readOnlyFolder(storeFile)
  ) {
    return new TaquillaError(
      'STORE_READ_ONLY',
      'The store of this terminal is read-only; nothing was written',
      {},
    );
  }
  if (code === 'SQLITE_FULL') {
    return new TaquillaError('STORE_FULL', 'The disk of this terminal is full; nothing was written', {});
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new TaquillaError(
      'STORE_READ_ONLY',
      'The store of this terminal is read-only; nothing was written',
      {},
    );
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CORRUPT')) {
    return new TaquillaError('STORE_UNAVAILABLE', 'The store of this terminal cannot be read or written', {
      sqliteCode: code,
    });
  }
  return null;
}
