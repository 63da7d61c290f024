import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startCheckpointWorker } from '../../sqlite/checkpoints.ts';
import { automaticBackupFile } from './backup.ts';
import { assertOwnStoreFiles, claimCompanion } from './store-ownership.ts';

export type Db = Database.Database;

export interface OpenOptions {
  /** Where the numbered SQL migrations live; defaults to ./migrations beside this module. */
  migrationsDir?: string;
  readonly?: boolean;
  /**
   * false: this connection never checkpoints the WAL itself; pair it with startBackgroundCheckpoints
   * so a hold never waits for a checkpoint's fsync. Short-lived tools keep the default (true).
   */
  autoCheckpoint?: boolean;
}

const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * The SQLite settings every connection uses. WAL lets screens read while a cashier writes;
 * synchronous=NORMAL keeps a hold under a millisecond and survives a crashed or killed process.
 * Sales, reservations and cancellations switch to FULL for their commit (see withDurableCommit), so
 * money survives a power cut too.
 */
export const PRAGMAS = {
  journal_mode: 'WAL',
  synchronous: 'NORMAL',
  foreign_keys: 'ON',
  busy_timeout: 5000,
  temp_store: 'MEMORY',
  cache_size: -65536,
  /**
   * Bytes a WAL file keeps when a checkpoint lets it restart: without it the file stays as large as
   * the largest write it ever held (the seller's TRUNCATE, startBackgroundCheckpoints, empties it too).
   */
  journal_size_limit: 16 * 1024 * 1024,
} as const;

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly) preparePrivateStore(file);
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${PRAGMAS.busy_timeout}`);
  if (!options.readonly) {
    db.pragma(`journal_mode = ${PRAGMAS.journal_mode}`);
    db.pragma(`journal_size_limit = ${PRAGMAS.journal_size_limit}`);
  }
  db.pragma(`synchronous = ${PRAGMAS.synchronous}`);
  db.pragma(`foreign_keys = ${PRAGMAS.foreign_keys}`);
  db.pragma(`temp_store = ${PRAGMAS.temp_store}`);
  db.pragma(`cache_size = ${PRAGMAS.cache_size}`);
  if (!options.readonly) migrate(db, options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  if (options.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
  return db;
}

/** Owner-only modes: the store holds sales, customers and (sealed) secrets. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;
/** The files SQLite keeps beside a store in WAL mode. */
export const STORE_COMPANIONS = ['-wal', '-shm', '-journal'] as const;
const POSIX = process.platform !== 'win32';

/**
 * Makes `file` a store only its owner can read, before SQLite touches it: a file of the store that
 * another user made is refused (store-ownership.ts), a missing folder is
 * created 0700, a new store file 0600 (SQLite would create it 0644 under the usual umask), and an
 * existing store, -wal or -shm that others can read is tightened to 0600. SQLite creates the -wal
 * and -shm files with the store file's own mode, so they follow. An existing folder keeps its mode.
 */
export function preparePrivateStore(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  // Never a file another user planted, never a new store where others could swap its files.
  assertOwnStoreFiles(file);
  const folder = dirname(file);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (!POSIX) return;
  // SQLite creates the -wal and -shm without O_EXCL: made here first, they are ours (in a sticky
  // folder another user could otherwise place them in between).
  for (const suffix of ['-wal', '-shm']) claimCompanion(file + suffix);
  for (const path of [file, ...STORE_COMPANIONS.map((suffix) => file + suffix)]) {
    if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE);
  }
}

/** Creates `folder` 0700, or tightens it to 0700: for a folder that belongs to Taquilla alone. */
export function preparePrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (POSIX && (statSync(folder).mode & 0o077) !== 0) chmodSync(folder, PRIVATE_FOLDER_MODE);
}

export interface BackgroundCheckpoints {
  /**
   * Empties the WAL now if it is past its limit (the seller only, between its writes). Called after
   * each API call as well as on the timer: a fast burst of sales can write megabytes between ticks.
   */
  bound: () => void;
  stop: () => Promise<void>;
}

/** Where a store's WAL is, and how big it is now (0 when there is none). */
export function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/**
 * Checkpoints the WAL of `file` every `intervalMs` from a worker thread with its own connection, so
 * the connection that sells never waits for a checkpoint's fsync.
 *
 * A PASSIVE checkpoint never blocks anyone, but under steady selling the WAL is never restarted (there
 * are always newer frames), so the file grows without end (1.5 GB after 10,000 holds). So once the
 * WAL passes `walLimitBytes` (default 16 MiB), `seller` (the selling connection, between two of its
 * own writes, on this thread) truncates it: the worker has already copied the frames, so this is
 * cheap, and it cannot be starved by the seller's own stream of writes the way another connection is.
 */
/**
 * The WAL size past which it is emptied: `configured` bytes, but never more than a quarter of the
 * disk's free space (at least 1 MiB), so on a nearly full disk steady selling cannot fill what is
 * left with WAL frames already copied into the database.
 */
export function walLimitOnThisDisk(file: string, configured: number): number {
  try {
    const disk = statfsSync(dirname(file));
    return Math.min(configured, Math.max(1024 * 1024, (disk.bavail * disk.bsize) / 4));
  } catch {
    return configured;
  }
}

export function startBackgroundCheckpoints(
  file: string,
  intervalMs = 500,
  walLimitBytes = 16 * 1024 * 1024,
  seller?: Db,
): BackgroundCheckpoints {
  const worker = startCheckpointWorker({
    file,
    intervalMs,
    walLimitBytes,
    sellerTruncates: seller !== undefined,
  });
  worker.unref();
  let limit = walLimitBytes;
  const bound = () => {
    // statfs and stat are a few microseconds: cheap enough after every call.
    const now = walLimitOnThisDisk(file, walLimitBytes);
    if (now !== limit) worker.postMessage({ walLimitBytes: (limit = now) });
    if (seller?.open && !seller.inTransaction && walBytes(file) > limit) {
      try {
        seller.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // Another process is writing: the next call tries again.
      }
    }
  };
  const timer = seller ? setInterval(bound, intervalMs) : null;
  timer?.unref();
  return {
    bound,
    stop: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('error', () => resolve());
        worker.postMessage('stop');
      }),
  };
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((name) => /^\d{3}_[\w-]+\.sql$/.test(name))
    .map((name) => ({
      version: Number.parseInt(name.slice(0, 3), 10),
      name,
      sql: readFileSync(`${dir}/${name}`, 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (previous && previous.version === m.version) {
      throw new Error(`Migrations ${previous.name} and ${m.name} share a number`);
    }
  });
  return migrations;
}

/** The schema version this build of the terminal migrates stores to. */
export function newestSchemaVersion(dir = DEFAULT_MIGRATIONS_DIR): number {
  return loadMigrations(dir).at(-1)?.version ?? 0;
}

/**
 * Applies each pending migration in its own transaction; the schema version is PRAGMA user_version.
 * A store that already holds data is first copied to `backups/<name>.before-vN-<stamp>.backup`, so an
 * upgrade that goes wrong can always be undone with `taquilla restore`.
 */
export function migrate(db: Db, dir: string): number {
  const migrations = loadMigrations(dir);
  const newest = migrations.at(-1)?.version ?? 0;
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > newest) {
    throw new Error(`Database schema ${found} is newer than this Taquilla (${newest}); update the app`);
  }
  if (found > 0 && found < newest && db.name !== ':memory:') {
    // The wall clock only names the file; no business decision reads it.
    const file = automaticBackupFile(db.name, `before-v${newest}`, Date.now());
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // VACUUM INTO is synchronous and reads one consistent snapshot: nothing else runs during an upgrade.
    db.prepare('VACUUM INTO ?').run(file);
    chmodSync(file, PRIVATE_FILE_MODE);
  }
  for (const migration of migrations) {
    // IMMEDIATE, then re-read the version: two processes opening a new file never migrate twice.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Runs a write with synchronous=FULL: for commits that record money or a sale. */
export function withDurableCommit<T>(db: Db, write: () => T): T {
  // Inside an outer transaction (a payment completing a sale) the outer commit decides durability.
  if (db.inTransaction) return write();
  db.pragma('synchronous = FULL');
  try {
    return write();
  } finally {
    db.pragma(`synchronous = ${PRAGMAS.synchronous}`);
  }
}
