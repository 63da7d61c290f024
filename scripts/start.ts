/**
 * `npm start`: builds the app and opens it in Electron. Where Electron's binary is not installed
 * (`ELECTRON_SKIP_BINARY_DOWNLOAD=1`, or its download failed), it says so before spending a build,
 * and how to run the same terminal in a browser with `taquilla serve` instead; exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export const ELECTRON_MISSING = [
  "taquilla: the desktop app cannot open here: Electron's binary is not installed",
  '  (npm install ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or the download failed).',
  'Run the same terminal in your browser instead:',
  '  npm run build:renderer',
  '  npx taquilla seed-demo --db demo.db                  # once: a demo store; it prints staff, PINs and ports',
  '  npx taquilla serve --db demo.db --virtual-printer    # then open the http://127.0.0.1:4780/?token=… it prints',
  "To install Electron's binary instead (needs internet): node node_modules/electron/install.js",
];

export interface StartDeps {
  /** The Electron executable, or null when its binary is not installed. */
  electron: () => string | null;
  /** Runs a program to its end in this terminal; its exit code. */
  run: (program: string, args: string[]) => number;
  say: (line: string) => void;
}

/** The Electron executable the `electron` package points to, if it is really there. */
export function installedElectron(require = createRequire(import.meta.url)): string | null {
  try {
    // The package exports its binary's path, and throws when the binary was never downloaded.
    const path: unknown = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Checks for Electron, builds, then runs the app with `args`; returns the exit code. */
export function startApp(deps: StartDeps, args: readonly string[] = []): number {
  const electron = deps.electron();
  if (electron === null) {
    for (const line of ELECTRON_MISSING) deps.say(line);
    return 1;
  }
  const npm = process.env.npm_execpath;
  const built = npm
    ? deps.run(process.execPath, [npm, 'run', 'build'])
    : deps.run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']);
  if (built !== 0) return built;
  return deps.run(electron, ['.', ...args]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = startApp(
    {
      electron: () => installedElectron(),
      run: (program, args) =>
        spawnSync(program, args, { stdio: 'inherit', shell: program.endsWith('.cmd') }).status ?? 1,
      say: (line) => console.error(line),
    },
    process.argv.slice(2),
  );
}
