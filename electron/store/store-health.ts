import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { checkStoreFile, listBackups } from './backup.ts';
import { isTaquillaError } from '../../shared/errors.ts';
import { storeFailure } from './store-errors.ts';
import { StoreKeyError } from './store-key.ts';
import { assertOwnStoreFiles, ForeignStoreFileError } from './store-ownership.ts';

/**
 * A store that failed its check when the terminal opened it. The message is for the person at the
 * machine (Spanish first, then English): what is wrong, and the newest sound backup to restore.
 */
export class StoreDamagedError extends Error {
  override readonly name = 'StoreDamagedError';
  constructor(
    readonly storeFile: string,
    readonly problem: string,
    readonly newestGoodBackup: string | null,
  ) {
    super(storeDamagedMessage(storeFile, problem, newestGoodBackup));
  }
}

function storeDamagedMessage(storeFile: string, problem: string, backup: string | null): string {
  const restore = backup ? `taquilla restore --db "${storeFile}" --from "${backup}"` : null;
  return [
    `La base de datos de esta taquilla está dañada y no se puede vender con ella (${problem}).`,
    restore
      ? `Cierre Taquilla y restaure la copia buena más reciente: ${restore}`
      : 'No hay copias de seguridad sanas junto a ella: llame a soporte técnico y no borre el archivo.',
    `This terminal's store is damaged and cannot sell (${problem}). ${
      restore
        ? `Stop Taquilla and restore the newest sound backup: ${restore}`
        : 'No sound backup found beside it.'
    }`,
  ].join('\n');
}

/**
 * `PRAGMA quick_check` of the store before the terminal opens it (a few ms per MB): a store with a
 * corrupt page must never start selling. Throws StoreDamagedError naming the newest backup in
 * `backups/` that passes integrity_check. A store that does not exist yet is fine (it is created).
 */
export function assertStoreHealthy(storeFile: string): void {
  // Before SQLite opens anything: a store file another user planted is refused, not checked.
  assertOwnStoreFiles(storeFile);
  if (!existsSync(storeFile)) return;
  const problem = quickCheck(storeFile);
  if (problem === null) return;
  throw new StoreDamagedError(storeFile, problem, newestSoundBackup(storeFile));
}

function quickCheck(storeFile: string): string | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(storeFile, { fileMustExist: true });
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const lines = rows.map((r) => r.quick_check);
    return lines.length === 1 && lines[0] === 'ok' ? null : `quick_check: ${lines.slice(0, 2).join('; ')}`;
  } catch (error) {
    // Not damage: a store on a read-only disk is told as what it is.
    const failure = storeFailure(error, storeFile);
    if (failure?.code === 'STORE_READ_ONLY') throw failure;
    return (error as Error).message;
  } finally {
    db?.close();
  }
}

function newestSoundBackup(storeFile: string): string | null {
  for (const backup of listBackups(storeFile)) {
    try {
      checkStoreFile(backup.file);
      return backup.file;
    } catch {
      // damaged too: try the next older one
    }
  }
  return null;
}

/**
 * What the person at the machine is told when the terminal cannot start on its store (before any
 * screen exists, so the words are here): Spanish first, then English, or the key file's own message.
 * Null when `error` is not about the store.
 */
export function storeStartupProblem(error: unknown): string | null {
  if (
    error instanceof StoreDamagedError ||
    error instanceof StoreKeyError ||
    error instanceof ForeignStoreFileError
  )
    return error.message;
  if (!isTaquillaError(error)) return null;
  switch (error.code) {
    case 'STORE_READ_ONLY':
      return "La base de datos de esta taquilla está en un disco de solo lectura: no se puede vender. Avise a soporte técnico.\nThis terminal's store is on a read-only disk: it cannot sell.";
    case 'STORE_FULL':
      return "El disco de esta taquilla está lleno: libere espacio y vuelva a abrir Taquilla.\nThis terminal's disk is full: free some space and start Taquilla again.";
    case 'STORE_UNAVAILABLE':
      return "No se puede abrir la base de datos de esta taquilla. Avise a soporte técnico.\nThis terminal's store cannot be opened.";
    default:
      return null;
  }
}
