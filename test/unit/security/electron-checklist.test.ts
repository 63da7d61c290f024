import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';

/**
 * The Electron security checklist, read off what electron/main.ts actually asks Electron for. The
 * electron module is the true edge: a fake records every window, handler and session setting.
 */
type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    sandboxEnabled: false,
    windows: [] as { options: Record<string, unknown>; loaded: string[] }[],
    appListeners: new Map<string, Listener>(),
    permissionHandler: null as Listener | null,
    headersHandler: null as Listener | null,
    userData: '',
  };
  class FakeWebContents {
    listeners = new Map<string, Listener>();
    windowOpenHandler: Listener | null = null;
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
      return this;
    }
    setWindowOpenHandler(handler: Listener) {
      this.windowOpenHandler = handler;
    }
  }
  class FakeBrowserWindow {
    webContents = new FakeWebContents();
    private record: { options: Record<string, unknown>; loaded: string[] };
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: [] };
      state.windows.push(this.record);
    }
    once() {}
    on() {}
    show() {}
    async loadFile(file: string) {
      this.record.loaded.push(file);
    }
  }
  const ipcMain = { handle() {}, on() {}, removeHandler() {}, removeAllListeners() {} };
  // The OS keychain: a reversible transform the test can recognise (never the key in the clear).
  const safeStorage = {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (text: string) => Buffer.from(`keychain:${Buffer.from(text).toString('hex')}`),
    decryptString: (wrapped: Buffer) =>
      Buffer.from(wrapped.toString().slice('keychain:'.length), 'hex').toString(),
  };
  const module = {
    app: {
      requestSingleInstanceLock: () => true,
      enableSandbox: () => {
        state.sandboxEnabled = true;
      },
      on: (event: string, listener: Listener) => state.appListeners.set(event, listener),
      whenReady: async () => {},
      getPath: () => state.userData,
      quit: () => {},
    },
    BrowserWindow: FakeBrowserWindow,
    Menu: { setApplicationMenu: () => {} },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => {
          state.permissionHandler = handler;
        },
        webRequest: {
          onHeadersReceived: (handler: Listener) => {
            state.headersHandler = handler;
          },
        },
      },
    },
    ipcMain,
    safeStorage,
    dialog: { showErrorBox: () => {} },
  };
  return { state, module, FakeWebContents };
});

vi.mock('electron', () => fake.module);

const dir = tempDir('taquilla-electron-');
// The default store in the app's user-data folder (no TAQUILLA_DB), a folder Electron made 0755.
const userData = join(dir.dir, 'userData');
mkdirSync(userData, { mode: 0o755 });
chmodSync(userData, 0o755);
delete process.env.TAQUILLA_DB;
fake.state.userData = userData;
await import('../../../electron/main.ts');
await vi.waitFor(() => expect(fake.state.windows).toHaveLength(1));

afterAll(() => {
  fake.state.appListeners.get('will-quit')?.();
  dir.remove();
});

describe('the Electron shell follows the security checklist', () => {
  const window = () => fake.state.windows[0]!;

  it('isolates and sandboxes the renderer with no Node in it', () => {
    expect(fake.state.sandboxEnabled).toBe(true);
    expect(window().options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window().loaded[0]).toMatch(/renderer[/\\]index\.html$/);
  });

  it('blocks navigation away, redirects, webviews and new windows', () => {
    const contents = new fake.FakeWebContents();
    fake.state.appListeners.get('web-contents-created')!({}, contents);
    const prevented = (event: string, ...args: unknown[]) => {
      let stopped = false;
      contents.listeners.get(event)!({ preventDefault: () => (stopped = true) }, ...args);
      return stopped;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-redirect', 'https://evil.example/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('refuses every permission request and sends a strict Content-Security-Policy', () => {
    let granted: boolean | undefined;
    fake.state.permissionHandler!({}, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    let headers: Record<string, string[]> = {};
    fake.state.headersHandler!(
      { responseHeaders: {} },
      (reply: { responseHeaders: Record<string, string[]> }) => {
        headers = reply.responseHeaders;
      },
    );
    const csp = headers['Content-Security-Policy']![0]!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toMatch(/object-src 'none'/);
  });

  it('keeps the store owner-only and its key wrapped by the OS keychain', () => {
    const mode = (path: string) => statSync(path).mode & 0o777;
    const store = join(userData, 'taquilla.db');
    expect(mode(userData)).toBe(0o700);
    expect(mode(store)).toBe(0o600);
    expect(mode(`${store}.key`)).toBe(0o600);
    const keyFile = JSON.parse(readFileSync(`${store}.key`, 'utf8')) as { wrap: string; key: string };
    expect(keyFile.wrap).toBe('os-keychain');
    expect(Buffer.from(keyFile.key, 'base64').toString()).toMatch(/^keychain:/);
  });
});
