import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { installedElectron } from '../../../scripts/start.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/taquilla.js');
const run = promisify(execFile);

let dir: ReturnType<typeof tempDir>;
let demo: string;
const children: ChildProcess[] = [];

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock: new ManualClock(T0) };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `taquilla <args>` as its own process in `cwd`, until it prints a line matching `ready`. */
async function startTaquilla(
  args: string[],
  ready: RegExp,
  cwd: string,
): Promise<{ child: ChildProcess; output: () => string; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const match = await new Promise<RegExpExecArray>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`not ready: ${output}`)), 20_000);
    const check = () => {
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        done(m);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`exited ${code}: ${output}`));
    });
  });
  return { child, output: () => output, match };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function exitOf(args: string[], cwd = ROOT): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const error = e as { code: number; stdout: string; stderr: string };
    return { code: error.code, out: error.stdout + error.stderr };
  }
}

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  const ok = await new Promise<boolean>((done) => {
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => done(true));
  });
  if (ok) await new Promise((done) => server.close(done));
  return ok;
}

beforeAll(async () => {
  dir = tempDir('taquilla-first-run-');
  demo = join(dir.dir, 'demo.db');
});
afterEach(async () => {
  await Promise.all(children.splice(0).map(stop));
});
afterAll(() => dir.remove());

describe('first run of a fresh clone', () => {
  it('seed-demo says who the demo staff are, their PINs, the printer, and what to run next', async () => {
    const seeded = await cli('seed-demo', '--db', demo);
    expect(seeded.code).toBe(0);
    for (const line of [
      /Ana Cajera\s+cashier\s+PIN 1234/,
      /Beto Cajero\s+cashier\s+PIN 5678/,
      /Luis Supervisor\s+supervisor\s+PIN 9999/,
      /virtual printer at tcp:\/\/127\.0\.0\.1:9100/,
      new RegExp(`npx taquilla serve --db ${demo} --virtual-printer .*port 4780`),
      new RegExp(`npx taquilla serve --db ${demo} --kiosk .*port 4781`),
    ]) {
      expect(seeded.out).toMatch(line);
    }
    // The demo's printer is its stated setting, not a default that may change.
    const db = openDatabase(demo);
    const row = db
      .prepare<[], { settings: string }>('SELECT settings FROM printer_settings WHERE id = 1')
      .get();
    db.close();
    expect(JSON.parse(row!.settings).connection).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9100 });

    const file = join(dir.dir, 'other.db');
    const json = JSON.parse((await cli('seed-demo', '--db', file, '--json', '--training')).out);
    expect(json.staff).toEqual([
      { name: 'Ana Cajera', role: 'cashier', pin: '1234' },
      { name: 'Beto Cajero', role: 'cashier', pin: '5678' },
      { name: 'Luis Supervisor', role: 'supervisor', pin: '9999' },
    ]);
    expect(json.printer).toBe('tcp://127.0.0.1:9100');
    // A training store's kiosk takes (simulated) payments from the start: nothing more to run.
    expect(json.next.join('\n')).not.toContain('payment-provider');
    const provider = JSON.parse((await cli('payment-provider', '--db', file, '--json')).out);
    expect(provider).toMatchObject({ provider: 'training', mode: 'training' });
  });

  it('serve --virtual-printer starts the printer the store prints to, and what is printed is written out', async () => {
    const store = join(dir.dir, 'printing.db');
    expect((await cli('seed-demo', '--db', store)).code).toBe(0);
    const port = await freePort();
    expect((await cli('printer-settings', '--db', store, '--printer', `tcp://127.0.0.1:${port}`)).code).toBe(
      0,
    );
    const served = await startTaquilla(
      ['serve', '--db', store, '--port', '0', '--virtual-printer'],
      /Taquilla counter: (http:\S+)/,
      dir.dir,
    );
    expect(served.output()).toContain(`Virtual printer (not a real one): tcp://127.0.0.1:${port}`);
    const printed = await exitOf([BIN, 'print-test-page', '--db', store]);
    expect(printed).toMatchObject({ code: 0 });
    const page = join(dir.dir, 'virtual-printer-out', '00001.txt');
    await expect.poll(() => existsSync(page), { timeout: 5000 }).toBe(true);
    expect(readFileSync(page, 'utf8')).toContain('Página de prueba');
    await expect.poll(() => served.output(), { timeout: 5000 }).toContain('document 1 ->');
  });

  it('serve --virtual-printer never stands in for a real printer', async () => {
    const store = join(dir.dir, 'real-printer.db');
    expect((await cli('seed-demo', '--db', store)).code).toBe(0);
    expect((await cli('printer-settings', '--db', store, '--printer', 'tcp://192.0.2.10:9100')).code).toBe(0);
    const refused = await exitOf([BIN, 'serve', '--db', store, '--port', '0', '--virtual-printer']);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/prints to tcp:\/\/192\.0\.2\.10:9100, not to a port on this PC/);
  });

  it('a counter and a kiosk started without --port take ports of their own', async (ctx) => {
    if (!(await portFree(4780)) || !(await portFree(4781))) {
      ctx.skip('ports 4780/4781 are in use on this machine');
    }
    const counter = await startTaquilla(['serve', '--db', demo], /Taquilla counter: (http:\S+)/, dir.dir);
    const kiosk = await startTaquilla(
      ['serve', '--db', demo, '--kiosk'],
      /Taquilla kiosk: (http:\S+)/,
      dir.dir,
    );
    expect(new URL(counter.match[1]!).port).toBe('4780');
    expect(new URL(kiosk.match[1]!).port).toBe('4781');
    for (const url of [counter.match[1]!, kiosk.match[1]!]) {
      const res = await fetch(new URL('/api/terminal.status', url), {
        method: 'POST',
        headers: { 'x-taquilla-token': new URL(url).searchParams.get('token')! },
        body: '{}',
      });
      expect(res.status).toBe(200);
    }
    // A second kiosk on the same PC is told to choose a port, not left with a raw EADDRINUSE.
    const second = await exitOf([BIN, 'serve', '--db', demo, '--kiosk']);
    expect(second.code).toBe(2);
    expect(second.out).toMatch(/port 4781 is already in use .*--port N/);
  });

  it('`npm start` without the Electron binary points to `taquilla serve`', async (ctx) => {
    if (installedElectron() !== null)
      ctx.skip("Electron's binary is installed here: npm start opens the app");
    const started = await exitOf(['--import', 'tsx', join(ROOT, 'scripts/start.ts')]);
    expect(started.code).toBe(1);
    expect(started.out).toMatch(/Electron's binary is not installed/);
    expect(started.out).toContain('npm run build:renderer');
    expect(started.out).toContain('npx taquilla serve --db demo.db --virtual-printer');
  });
});
