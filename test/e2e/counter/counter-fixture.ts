import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { tempDir } from '../../support/temp-store.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHROMIUM = process.env.TAQUILLA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** E2E suites skip without Chromium, unless CI demands them (TAQUILLA_REQUIRE_E2E=1: then they fail). */
export const chromiumMissing = !existsSync(CHROMIUM);
export const e2eRequired = process.env.TAQUILLA_REQUIRE_E2E === '1';
export const skipE2e = chromiumMissing && !e2eRequired;

export function assertChromium(): void {
  if (chromiumMissing) throw new Error(`TAQUILLA_REQUIRE_E2E=1 but there is no Chromium at ${CHROMIUM}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when dist/renderer is missing or older than its sources (about a second). */
export function ensureRendererBuilt(): void {
  const index = join(ROOT, 'dist/renderer/index.html');
  const sources = Math.max(newestMtime(join(ROOT, 'renderer')), newestMtime(join(ROOT, 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

export interface ServedTerminal {
  url: string;
  base: string;
  token: string;
  dbFile: string;
  process: ChildProcess;
  /** POST /api/<method> as a test-side session (for reading the seat map, checking state). */
  api: <T = unknown>(method: string, input: unknown, session?: string) => Promise<T>;
  advanceClock: (ms: number) => Promise<void>;
  stop: () => Promise<void>;
}

export interface ServeOptions {
  /** Serve this existing store (another `serve` shares it) instead of seeding a new one. */
  dbFile?: string;
  /** Seed a training store (`seed-demo --training`). */
  training?: boolean;
  /** `serve --kiosk`: the customer-facing kiosk. */
  kiosk?: boolean;
  /** `taquilla <args> --db FILE` run before serving (printer settings, payment provider, ...). */
  setup?: string[][];
}

/** `taquilla seed-demo` then `taquilla serve --test-clock`, as real child processes on a free port. */
export async function serveDemo(options: ServeOptions = {}): Promise<ServedTerminal> {
  const { dir, remove } = tempDir('taquilla-e2e-');
  const dbFile = options.dbFile ?? join(dir, 'demo.db');
  const bin = join(ROOT, 'bin/taquilla.js');
  if (!options.dbFile) {
    const seed = ['seed-demo', '--db', dbFile, ...(options.training ? ['--training'] : [])];
    execFileSync(process.execPath, [bin, ...seed], { cwd: ROOT, stdio: 'pipe' });
  }
  for (const args of options.setup ?? []) {
    execFileSync(process.execPath, [bin, ...args, '--db', dbFile], { cwd: ROOT, stdio: 'pipe' });
  }
  const serve = [
    'serve',
    '--db',
    dbFile,
    '--port',
    '0',
    '--test-clock',
    ...(options.kiosk ? ['--kiosk'] : []),
  ];
  const child = spawn(process.execPath, [bin, ...serve], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve did not start: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (match) {
        clearTimeout(timer);
        done(match[0]);
      }
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token')!;
  const base = parsed.origin;
  const api: ServedTerminal['api'] = async (method, input, session) => {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { 'x-taquilla-token': token, ...(session ? { 'x-taquilla-session': session } : {}) },
      body: JSON.stringify(input),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${method}: ${JSON.stringify(body)}`);
    return body;
  };
  return {
    url,
    base,
    token,
    dbFile,
    process: child,
    api,
    advanceClock: async (ms) => {
      const res = await fetch(`${base}/api/test/advance-clock`, {
        method: 'POST',
        headers: { 'x-taquilla-token': token },
        body: JSON.stringify({ ms }),
      });
      if (!res.ok) throw new Error(`advance-clock: ${res.status}`);
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      remove();
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A fresh browser context (its own cookies and session), signed in and looking at `eventName`. */
export async function openCounter(
  browser: Browser,
  served: ServedTerminal,
  user: { name: RegExp; pin: string },
  eventName: RegExp,
  viewport = { width: 1440, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'es-VE' });
  const page = await context.newPage();
  await page.goto(served.url);
  await page.getByRole('button', { name: user.name }).click();
  await page.locator('#pin').fill(user.pin);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('button', { name: eventName }).click();
  await page.waitForSelector('canvas[data-version]:not([data-version="-1"])');
  return { context, page };
}

/** Waits until the map is not gliding to a zone or a pick (its view is where it will stay). */
export async function mapSettled(page: Page): Promise<void> {
  await page.waitForSelector('canvas.seat-map-canvas[data-gliding="0"]');
}

/** Where a seat is on the page, from the canvas's view transform (mirrored in data- attributes). */
export async function seatPoint(page: Page, map: SeatMap, label: string): Promise<{ x: number; y: number }> {
  const i = map.seats.label.indexOf(label);
  if (i < 0) throw new Error(`no seat ${label}`);
  await mapSettled(page);
  const canvas = page.locator('canvas.seat-map-canvas');
  const box = (await canvas.boundingBox())!;
  const v = await canvas.evaluate((el) => ({
    scale: Number(el.dataset.scale),
    tx: Number(el.dataset.tx),
    ty: Number(el.dataset.ty),
  }));
  return { x: box.x + map.seats.x[i]! * v.scale + v.tx, y: box.y + map.seats.y[i]! * v.scale + v.ty };
}

export async function hoverSeat(page: Page, map: SeatMap, label: string): Promise<void> {
  const p = await seatPoint(page, map, label);
  await page.mouse.move(p.x, p.y);
}

export async function clickSeat(page: Page, map: SeatMap, label: string): Promise<void> {
  const p = await seatPoint(page, map, label);
  await page.mouse.click(p.x, p.y);
}
