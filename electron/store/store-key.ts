import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../shared/clock.ts';
import { type Db, PRIVATE_FILE_MODE } from './database.ts';
import { assertOwnKeyFile, ForeignStoreFileError, keyFileOf } from './store-ownership.ts';

/**
 * How a key file's key is protected beyond the file's own 0600 mode. The Electron shell passes the
 * OS keychain (safeStorage, electron/os-keychain.ts); `taquilla serve` and the CLI pass nothing.
 */
export interface KeyWrap {
  readonly name: 'os-keychain';
  wrap: (key: Buffer) => Buffer;
  unwrap: (wrapped: Buffer) => Buffer;
}

/** The store cannot be opened with its secrets: the message says what to do. */
export class StoreKeyError extends Error {
  override readonly name = 'StoreKeyError';
}

interface KeyFile {
  taquilla: 'store-key';
  version: 1;
  wrap: 'none' | KeyWrap['name'];
  /** base64: the key itself, or what the wrap made of it. */
  key: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED_PREFIX = 'tqs1.';
const POSIX = process.platform !== 'win32';
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export { keyFileOf };

function derive(root: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `taquilla store key: ${purpose}`, KEY_BYTES));
}

/**
 * The key that keeps a store's secrets: ticket signing keys and the server credential are sealed
 * with it (AES-256-GCM, bound to what they are), and PIN hashes are peppered with a key derived
 * from it. It is kept outside the database, in a 0600 key file beside the store, wrapped by the OS
 * keychain under Electron. A copy of the database alone reveals no secret and no PIN.
 *
 * The store records a check value of its key (table store_key): a store that has one refuses to
 * open without the matching key file.
 */
export class StoreKey {
  /** HMAC key for PINs (electron/services/session/pin-hash.ts). */
  readonly pepper: Buffer;
  private readonly sealing: Buffer;
  private readonly check: string;

  private constructor(
    root: Buffer,
    /** The key file's path. */
    readonly file: string,
    /** How the key file protects the key. */
    readonly wrap: KeyFile['wrap'],
  ) {
    this.pepper = derive(root, 'pin pepper v1');
    this.sealing = derive(root, 'seal v1');
    this.check = derive(root, 'check v1').toString('base64url');
  }

  /**
   * The key of the store `db` is open on: read from its key file, or created with it when neither
   * the file nor the store's check value exists yet. With `wrap`, the key file is (re)written
   * wrapped. Throws StoreKeyError when the key file is missing for a store that has secrets, can be
   * read by others, is wrapped by a keychain this process cannot use, or belongs to another store.
   */
  static open(db: Db, clock: Clock, wrap: KeyWrap | null = null): StoreKey {
    const storeFile = db.name;
    if (storeFile === '' || storeFile === ':memory:')
      throw new StoreKeyError('An in-memory store has no key file');
    const file = keyFileOf(storeFile);
    const recorded = () =>
      db.prepare<[], { key_check: string }>('SELECT key_check FROM store_key WHERE id = 1').get()?.key_check;
    let created: StoreKey | null = null;
    // Never a key file another user planted, nor one reached through a link (store-ownership.ts).
    assertOwnKeyFile(file);
    if (!existsSync(file)) {
      if (recorded() !== undefined) {
        throw new StoreKeyError(
          `The store ${storeFile} has sealed secrets, but its key file ${file} is missing. Put the key ` +
            `file from the store's backup back beside it: without it, this store's PINs, ticket ` +
            `signing key and server credential cannot be used.`,
        );
      }
      const root = randomBytes(KEY_BYTES);
      // Another process opening the same new store may have been first: then use its key.
      if (writeExclusive(file, encode(root, wrap)))
        created = new StoreKey(root, file, wrap ? wrap.name : 'none');
    }
    const key = created ?? StoreKey.read(file, storeFile, wrap);
    db.transaction(() => {
      const check = recorded();
      if (check === undefined) {
        db.prepare('INSERT INTO store_key (id, key_check, created_at) VALUES (1, ?, ?)').run(
          key.check,
          clock.now(),
        );
      } else if (check !== key.check) {
        throw new StoreKeyError(
          `The key file ${file} does not belong to the store ${storeFile}: put back the key file that ` +
            `was made with this store.`,
        );
      }
    }).immediate();
    return key;
  }

  private static read(file: string, storeFile: string, wrap: KeyWrap | null): StoreKey {
    const text = readOwnKeyFile(file);
    let parsed: KeyFile;
    try {
      parsed = JSON.parse(text) as KeyFile;
      if (parsed.taquilla !== 'store-key' || parsed.version !== 1 || typeof parsed.key !== 'string')
        throw new Error('not a key file');
    } catch {
      throw new StoreKeyError(`${file} is not a Taquilla key file`);
    }
    let root: Buffer;
    if (parsed.wrap === 'none') {
      root = Buffer.from(parsed.key, 'base64');
      // Under Electron a plain key file is wrapped by the keychain from now on.
      if (wrap && root.length === KEY_BYTES) rewrite(file, encode(root, wrap));
    } else if (parsed.wrap === 'os-keychain') {
      if (!wrap) {
        throw new StoreKeyError(
          `The key of ${storeFile} is wrapped by the OS keychain of the Taquilla desktop app ` +
            `(${file}); only the app can open this store's secrets.`,
        );
      }
      try {
        root = wrap.unwrap(Buffer.from(parsed.key, 'base64'));
      } catch (error) {
        throw new StoreKeyError(
          `The OS keychain could not unwrap the key in ${file} (${(error as Error).message}): is this the ` +
            `user account that created the store?`,
        );
      }
    } else {
      throw new StoreKeyError(`${file} is wrapped in an unknown way ('${String(parsed.wrap)}')`);
    }
    if (root.length !== KEY_BYTES) throw new StoreKeyError(`${file} does not hold a ${KEY_BYTES}-byte key`);
    return new StoreKey(root, file, wrap ? wrap.name : 'none');
  }

  /** `plaintext` sealed for `purpose` (e.g. 'ticket_signing_keys:<keyId>'): only unseal(purpose) opens it. */
  seal(purpose: string, plaintext: string | Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealing, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  unseal(purpose: string, sealed: string): Buffer {
    const raw = sealed.startsWith(SEALED_PREFIX)
      ? Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url')
      : Buffer.alloc(0);
    if (raw.length < IV_BYTES + TAG_BYTES) throw new StoreKeyError(`${purpose} is not a sealed value`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealing, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new StoreKeyError(`The sealed ${purpose} does not open with this store's key`);
    }
  }
}

/**
 * The key file's text, checked on the open descriptor (no link followed, so what is checked is what
 * is read): a plain file of this user's that nobody else can read.
 */
function readOwnKeyFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new ForeignStoreFileError(
        `Refusing the key file ${file}: it is a symbolic link; a store's key file is a plain file beside it.`,
      );
    }
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new StoreKeyError(`The key file ${file} is not a file`);
    const uid = POSIX && typeof process.getuid === 'function' ? process.getuid() : null;
    if (uid !== null && stat.uid !== uid) {
      throw new ForeignStoreFileError(
        `Refusing the key file ${file}: it belongs to another user (uid ${stat.uid}), not to this one ` +
          `(uid ${uid}); someone else may have planted it. Move it aside and start again with a store only ` +
          `this user made.`,
      );
    }
    if (POSIX && (stat.mode & 0o077) !== 0) {
      throw new StoreKeyError(
        `The key file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}). ` +
          `Only its owner may read it: run \`chmod 600 ${file}\`, and check who else had access.`,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function encode(root: Buffer, wrap: KeyWrap | null): string {
  const file: KeyFile = {
    taquilla: 'store-key',
    version: 1,
    wrap: wrap ? wrap.name : 'none',
    key: (wrap ? wrap.wrap(root) : root).toString('base64'),
  };
  return `${JSON.stringify(file)}\n`;
}

/** Writes a 0600 temp file beside `file`, flushed, and returns its path. */
function writeTemp(file: string, content: string): string {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

function syncFolder(file: string): void {
  if (!POSIX) return;
  try {
    const fd = openSync(dirname(file), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: the key file itself is already flushed.
  }
}

/** Creates `file` whole or not at all; false if it already exists (link never replaces). */
function writeExclusive(file: string, content: string): boolean {
  const temp = writeTemp(file, content);
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  syncFolder(file);
  return true;
}

function rewrite(file: string, content: string): void {
  renameSync(writeTemp(file, content), file);
  syncFolder(file);
}
