import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { keyFileOf } from '../../../electron/store/store-key.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/** The electron module is the true edge: safeStorage is a fake keychain with a secret of its own. */
const keychain = vi.hoisted(() => {
  const state = { available: true, backend: 'gnome_libsecret', calls: 0 };
  const secret = 0x5a;
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ secret));
  return {
    state,
    module: {
      safeStorage: {
        isEncryptionAvailable: () => state.available,
        getSelectedStorageBackend: () => state.backend,
        encryptString: (text: string) => {
          state.calls += 1;
          return Buffer.concat([Buffer.from('v11'), xor(Buffer.from(text))]);
        },
        decryptString: (wrapped: Buffer) => {
          if (wrapped.subarray(0, 3).toString() !== 'v11') throw new Error('not ours');
          return xor(wrapped.subarray(3)).toString();
        },
      },
    },
  };
});
const { osKeychain } = await import('../../../electron/os-keychain.ts');

const clock = new ManualClock(T0);
let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('taquilla-keychain-');
  keychain.state.available = true;
  keychain.state.backend = 'gnome_libsecret';
});
afterEach(() => dir.remove());

async function cli(...args: string[]): Promise<{ code: number; err: string; out: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('under Electron the OS keychain wraps the store key', () => {
  it('wraps a new store’s key, and the key file alone opens nothing', async () => {
    const file = join(dir.dir, 'terminal.db');
    const terminal = createTerminal({
      dbFile: file,
      clock,
      keyWrap: osKeychain(keychain.module.safeStorage),
    });
    const userId = await terminal.sessions.createUser('Ana', 'cashier', '1234');
    terminal.close();
    const keyFile = JSON.parse(readFileSync(keyFileOf(file), 'utf8')) as { wrap: string; key: string };
    expect(keyFile.wrap).toBe('os-keychain');
    expect(Buffer.from(keyFile.key, 'base64').subarray(0, 3).toString()).toBe('v11');
    expect(statSync(keyFileOf(file)).mode & 0o777).toBe(0o600);
    // The app opens it again through the keychain: the PIN pepper is the same key.
    const again = createTerminal({ dbFile: file, clock, keyWrap: osKeychain(keychain.module.safeStorage) });
    await expect(again.sessions.signIn(userId, '1234')).resolves.toMatchObject({ user: { name: 'Ana' } });
    again.close();
    // Without the keychain (the CLI), a command that needs the store's secrets refuses, clearly…
    const refused = await cli('seed-demo-users', '--db', file);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/wrapped by the OS keychain of the Taquilla desktop app/);
    expect(() => createTerminal({ dbFile: file, clock })).toThrow(/OS keychain/);
    // …and the ones that need none still work.
    expect((await cli('pin-locks', '--db', file)).code).toBe(0);
  });

  it('wraps the plain key file of a store first made by the CLI', async () => {
    const file = join(dir.dir, 'demo.db');
    expect((await cli('seed-demo', '--db', file)).code).toBe(0);
    expect(JSON.parse(readFileSync(keyFileOf(file), 'utf8')).wrap).toBe('none');
    const terminal = createTerminal({
      dbFile: file,
      clock,
      keyWrap: osKeychain(keychain.module.safeStorage),
    });
    try {
      expect(JSON.parse(readFileSync(keyFileOf(file), 'utf8')).wrap).toBe('os-keychain');
      const ana = terminal.sessions.users().find((u) => u.name === 'Ana Cajera')!;
      await expect(terminal.sessions.signIn(ana.id, '1234')).resolves.toBeTruthy();
    } finally {
      terminal.close();
    }
  });

  it('keeps the 0600 key file when the OS has no keychain worth the name', () => {
    const lines: string[] = [];
    keychain.state.backend = 'basic_text';
    expect(osKeychain(keychain.module.safeStorage, (l) => lines.push(l))).toBeNull();
    keychain.state.backend = 'gnome_libsecret';
    keychain.state.available = false;
    expect(osKeychain(keychain.module.safeStorage, (l) => lines.push(l))).toBeNull();
    expect(lines.join('\n')).toMatch(/0600 key file/);
  });
});
