import { closeSync, constants, lstatSync, openSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * A store is its own user's alone, from the moment it is created: Taquilla never adopts a store
 * file, -wal, -shm or key file that another user made, and never creates a store in a folder where
 * others could swap its files. Without this, anyone who can write the store's folder before the store
 * exists (a shared or world-writable folder) plants an empty store and a key file of their choosing,
 * and later reads every sale and signs tickets the store accepts as its own.
 *
 * The rule, on POSIX (Windows keeps the per-user folders' ACLs and is not checked here):
 * - the store file and its -wal, -shm and -journal, when they exist, belong to the current user;
 * - the key file (`<store>.key`), when it exists, is a plain file, not a symbolic link, and belongs to
 *   the current user;
 * - a new store is created only in a folder that belongs to the current user or to root and that
 *   nobody else can write, unless the folder has the sticky bit (/tmp: others may add their own files
 *   but cannot replace ours, and anything they planted is refused by the rules above).
 */
export class ForeignStoreFileError extends Error {
  override readonly name = 'ForeignStoreFileError';
}

const POSIX = process.platform !== 'win32';
const STICKY = 0o1000;
/** The files SQLite keeps beside a store (database.ts STORE_COMPANIONS; repeated to avoid a cycle). */
const COMPANIONS = ['-wal', '-shm', '-journal'] as const;

function currentUid(): number | null {
  return POSIX && typeof process.getuid === 'function' ? process.getuid() : null;
}

function statOrNull(path: string, follow: boolean): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function foreignOwner(path: string, what: string, uid: number, owner: number): ForeignStoreFileError {
  return new ForeignStoreFileError(
    `Refusing ${what} ${path}: it belongs to another user (uid ${owner}), not to this one (uid ${uid}); ` +
      `someone else may have planted it. Move it aside and start again with a store only this user made.`,
  );
}

/** Where a store's key lives: beside it, `<store>.key` (electron/store/store-key.ts). */
export function keyFileOf(storeFile: string): string {
  return `${storeFile}.key`;
}

/** Refuses the key file when it is a link or not this user's (it may not exist yet). */
export function assertOwnKeyFile(keyFile: string): void {
  const uid = currentUid();
  if (uid === null) return;
  const stats = statOrNull(keyFile, false);
  if (stats === null) return;
  if (stats.isSymbolicLink()) {
    throw new ForeignStoreFileError(
      `Refusing the key file ${keyFile}: it is a symbolic link; a store's key file is a plain file beside it.`,
    );
  }
  if (stats.uid !== uid) throw foreignOwner(keyFile, 'the key file', uid, stats.uid);
}

/**
 * Before a store is opened or created: throws ForeignStoreFileError (one line: which file, whose, what
 * to do) when a file of the store is not this user's, its key file is a link, or (for a store that
 * does not exist yet) its folder lets others replace files in it.
 */
export function assertOwnStoreFiles(storeFile: string): void {
  const uid = currentUid();
  if (uid === null || storeFile === '' || storeFile === ':memory:' || storeFile.startsWith('file:')) return;
  const store = statOrNull(storeFile, true);
  if (store !== null && store.uid !== uid) throw foreignOwner(storeFile, 'the store', uid, store.uid);
  for (const suffix of COMPANIONS) {
    const companion = statOrNull(storeFile + suffix, false);
    if (companion !== null && companion.uid !== uid) {
      throw foreignOwner(storeFile + suffix, "the store's", uid, companion.uid);
    }
  }
  assertOwnKeyFile(keyFileOf(storeFile));
  if (store === null) assertSafeFolder(dirname(resolve(storeFile)), uid);
}

/**
 * A folder Taquilla writes a store or a backup into: this user's or root's, and nobody else may
 * replace files in it. Throws ForeignStoreFileError; a folder that does not exist yet passes.
 */
export function assertSafeFolder(folder: string, uid = currentUid()): void {
  if (uid === null) return;
  const stats = statOrNull(folder, true);
  // A folder that does not exist yet is created 0700 (database.ts preparePrivateStore).
  if (stats === null) return;
  if (stats.uid !== uid && stats.uid !== 0) {
    throw new ForeignStoreFileError(
      `Refusing to write a store in ${folder}: the folder belongs to another user (uid ${stats.uid}), who ` +
        `could replace its files. Use a folder of your own.`,
    );
  }
  if ((stats.mode & 0o022) !== 0 && (stats.mode & STICKY) === 0) {
    throw new ForeignStoreFileError(
      `Refusing to write a store in ${folder}: other users can write that folder (mode ` +
        `${(stats.mode & 0o7777).toString(8)}) and could replace the store's files. Use a folder only you ` +
        `can write.`,
    );
  }
}

/**
 * Creates `path` empty and 0600 if it is missing, so SQLite opens a file this user made instead of one
 * someone placed there in between; an existing one must be this user's. Other failures (a read-only
 * disk) are left for SQLite to report as it does.
 */
export function claimCompanion(path: string): void {
  const uid = currentUid();
  if (uid === null) return;
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    const stats = statOrNull(path, false);
    if (stats !== null && stats.uid !== uid) throw foreignOwner(path, "the store's", uid, stats.uid);
  }
}
