import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, Menu, safeStorage, session, type WebFrameMain } from 'electron';
import { systemClock } from '../shared/clock.ts';
import { createDispatcher } from './api/dispatcher.ts';
import { createHandlers } from './api/handlers.ts';
import { CONTENT_SECURITY_POLICY } from './api/http-server.ts';
import { LiveFeed } from './api/live-feed.ts';
import { runCli } from './cli/taquilla.ts';
import { registerIpc } from './ipc.ts';
import { osKeychain } from './os-keychain.ts';
import { preparePrivateFolder } from './store/database.ts';
import { storeStartupProblem } from './store/store-health.ts';
import { createTerminal } from './terminal.ts';

/**
 * The Electron shell: wires the terminal (the same composition root the CLI and tests use), opens
 * one locked-down window on the built renderer, and speaks IPC through the shared dispatcher.
 * Settings come from the environment: TAQUILLA_DB (the store file), TAQUILLA_KIOSK=1 (kiosk mode).
 */
const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
const kiosk = process.env.TAQUILLA_KIOSK === '1';

/**
 * `taquilla --cli <command> …` (the installed app's own command line): the same commands as
 * `npx taquilla`, but with the OS keychain, so they open a desktop terminal's keychain-wrapped store
 * key (enrol, sync-conflicts, reprint…). No window; --db defaults to the app's own store. It may run
 * while the app is open (SQLite lets both use the store).
 */
const cliAt = process.argv.indexOf('--cli');
if (cliAt >= 0) {
  runAppCli(process.argv.slice(cliAt + 1)).catch((error: unknown) => {
    process.stderr.write(`taquilla: ${error instanceof Error ? error.message : String(error)}\n`);
    app.exit(1);
  });
} else {
  if (!app.requestSingleInstanceLock()) app.quit();
  // Every renderer sandboxed, whatever a window forgets to ask for.
  app.enableSandbox();
}

async function runAppCli(args: string[]): Promise<void> {
  await app.whenReady();
  const withDb =
    args.includes('--db') || args.includes('--help') || args.length === 0
      ? args
      : [...args, '--db', process.env.TAQUILLA_DB ?? join(app.getPath('userData'), 'taquilla.db')];
  const code = await runCli(withDb, undefined, undefined, { keyWrap: osKeychain(safeStorage, () => {}) });
  app.exit(code);
}

function isOurRenderer(url: string): boolean {
  return url.split('#')[0]!.split('?')[0] === rendererUrl;
}

function isTrustedFrame(frame: WebFrameMain | null): boolean {
  return frame !== null && frame.parent === null && isOurRenderer(frame.url);
}

// Electron security checklist: no navigation away, no new windows, no webviews, no permissions.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isOurRenderer(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

let quitting = false;

async function start(): Promise<void> {
  await app.whenReady();
  // The app's own folder is its owner's alone; a TAQUILLA_DB elsewhere keeps its folder's mode.
  if (!process.env.TAQUILLA_DB) preparePrivateFolder(app.getPath('userData'));
  const dbFile = process.env.TAQUILLA_DB ?? join(app.getPath('userData'), 'taquilla.db');
  // Packaged: migrations beside the bundle; `npm start` from a checkout: the source folder.
  const migrationsDir = [join(here, 'migrations'), join(here, '../../electron/store/migrations')].find(
    (dir) => existsSync(dir),
  );
  let terminal;
  try {
    terminal = createTerminal({
      dbFile,
      clock: systemClock,
      kiosk,
      ...(migrationsDir ? { migrationsDir } : {}),
      // The store key is wrapped by the OS keychain: a copy of the user-data folder opens nothing.
      keyWrap: osKeychain(safeStorage),
    });
  } catch (error) {
    // A damaged or read-only store: say so in words (and which backup to restore), never sell on it.
    const problem = storeStartupProblem(error);
    if (problem) {
      dialog.showErrorBox('Taquilla', problem);
      app.exit(1);
      return;
    }
    throw error;
  }
  terminal.startMaintenance();
  const live = new LiveFeed(terminal);

  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  if (kiosk) Menu.setApplicationMenu(null);

  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#f1f5f9',
    title: 'Taquilla',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !kiosk,
    },
  });
  window.once('ready-to-show', () => window.show());

  if (kiosk) {
    // No way out without a supervisor PIN: closing, reloading and leaving full screen are swallowed.
    window.on('close', (event) => {
      if (!quitting) event.preventDefault();
    });
    window.webContents.on('before-input-event', (event, input) => {
      const key = input.key.toLowerCase();
      const blocked =
        (input.alt && key === 'f4') ||
        ((input.control || input.meta) && ['w', 'q', 'r', 'n', 't'].includes(key)) ||
        key === 'f5' ||
        key === 'f11' ||
        key === 'f12';
      if (blocked) event.preventDefault();
    });
  }

  const unregister = registerIpc({
    dispatch: createDispatcher(terminal, createHandlers()),
    live,
    isTrustedFrame,
    onKioskExit: () => {
      quitting = true;
      app.quit();
    },
  });

  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', () => {
    unregister();
    live.close();
    terminal.close();
  });
  app.on('window-all-closed', () => app.quit());

  await window.loadFile(rendererIndex);
}

if (cliAt < 0) {
  start().catch((error: unknown) => {
    // Whatever else stops the start: say so, never run half-open.
    dialog.showErrorBox('Taquilla', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}
