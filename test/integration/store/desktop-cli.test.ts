import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/** The electron module is the true edge: a fake app and a fake keychain with a secret of its own. */
const fake = vi.hoisted(() => {
  const state = { exitCodes: [] as number[], windows: 0, locked: false };
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));
  return {
    state,
    module: {
      app: {
        requestSingleInstanceLock: () => {
          state.locked = true;
          return true;
        },
        enableSandbox: () => {},
        on: () => {},
        whenReady: async () => {},
        getPath: () => '/nonexistent',
        quit: () => {},
        exit: (code: number) => state.exitCodes.push(code),
      },
      dialog: { showErrorBox: () => {} },
      BrowserWindow: class {
        constructor() {
          state.windows++;
        }
      },
      Menu: { setApplicationMenu: () => {} },
      session: { defaultSession: {} },
      ipcMain: { handle() {}, on() {}, removeHandler() {}, removeAllListeners() {} },
      safeStorage: {
        isEncryptionAvailable: () => true,
        getSelectedStorageBackend: () => 'gnome_libsecret',
        encryptString: (text: string) => Buffer.concat([Buffer.from('v11'), xor(Buffer.from(text))]),
        decryptString: (wrapped: Buffer) => xor(wrapped.subarray(3)).toString(),
      },
    },
  };
});
vi.mock('electron', () => fake.module);

const dir = tempDir('taquilla-desktop-cli-');
afterAll(() => dir.remove());
const clock = new ManualClock(T0);

async function plainCli(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const io: CliIo = { out: () => {}, err: (l) => err.push(l), clock };
  return { code: await runCli(args, io), err: err.join('\n') };
}

describe("the desktop app's own command line (taquilla --cli …)", () => {
  it('opens a keychain-wrapped store that npx taquilla cannot, with no window, and --db defaulting to the app store', async () => {
    const { osKeychain } = await import('../../../electron/os-keychain.ts');
    const file = join(dir.dir, 'taquilla.db');
    const terminal = createTerminal({ dbFile: file, clock, keyWrap: osKeychain(fake.module.safeStorage) });
    await terminal.sessions.createUser('Sara', 'supervisor', '9999');
    terminal.close();
    // The plain command line has no keychain: a command that needs the store's secrets refuses.
    const refused = await plainCli('sync-status', '--db', file);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/OS keychain/);

    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    process.env.TAQUILLA_DB = file;
    process.argv = [process.argv[0]!, 'taquilla', '--cli', 'sync-status', '--json'];
    try {
      await import('../../../electron/main.ts');
      await vi.waitFor(() => expect(fake.state.exitCodes).toEqual([0]));
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(written.join('').trim())).toMatchObject({ state: 'unenrolled' });
    expect(fake.state.windows).toBe(0);
    // It never takes the app's single-instance lock: it runs beside an open app.
    expect(fake.state.locked).toBe(false);
  });
});
