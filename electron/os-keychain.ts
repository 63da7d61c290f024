import type { KeyWrap } from './store/store-key.ts';

/** The part of Electron's `safeStorage` the wrap uses; main.ts passes the real one (only it imports 'electron'). */
export interface SafeStorage {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend(): string;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * The OS keychain as the store key's wrap (Electron's safeStorage: DPAPI on Windows, the Keychain on
 * macOS, libsecret/kwallet on Linux). Null when there is none worth the name — no encryption
 * available, or Linux's 'basic_text' fallback, which hides the key under a fixed password — and
 * the key then stays in its 0600 key file, as under `taquilla serve`. Call after app 'ready'.
 */
export function osKeychain(
  safeStorage: SafeStorage,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): KeyWrap | null {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text' || backend === 'unknown') {
    log(`taquilla: no OS keychain (${backend}); the store key stays in its 0600 key file`);
    return null;
  }
  return {
    name: 'os-keychain',
    wrap: (key) => safeStorage.encryptString(key.toString('base64')),
    unwrap: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'base64'),
  };
}
