import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';

/** A store on a disk mounted read-only (a tmpfs remounted ro for the test; needs root, as CI has). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/taquilla.js');
const run = promisify(execFile);

async function taquilla(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 20_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = tempDir('taquilla-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe.dir], { stdio: 'ignore' });
    execFileSync('umount', [probe.dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    probe.remove();
  }
}

describe.skipIf(!canMount())('a store on a read-only disk (tmpfs remounted ro; needs root)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: string;

  beforeAll(() => {
    dir = tempDir('taquilla-ro-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir.dir]);
    store = join(dir.dir, 'caja.db');
    execFileSync(process.execPath, [BIN, 'seed-demo', '--db', store], { cwd: ROOT, stdio: 'pipe' });
    execFileSync('mount', ['-o', 'remount,ro', dir.dir]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', ['-l', dir.dir]);
    } catch {
      // already gone
    }
    dir?.remove();
  });

  it('read commands still answer', async () => {
    const events = await taquilla('events', '--db', store, '--json');
    expect(events.code, events.err).toBe(0);
    expect(JSON.parse(events.out).events).toHaveLength(2);
    const stats = await taquilla('reservation-stats', '--db', store, '--json');
    expect(stats.code, stats.err).toBe(0);
    const x = await taquilla('x-report', '--db', store, '--json');
    expect(x.code, x.err).toBe(0);
    const backup = await taquilla('backup', '--db', store, '--out', join(tempDir().dir, 'copy.backup'));
    expect(backup.code, backup.err).toBe(0);
  });

  it('what must write says in one line that the store is read-only, and serve does not start', async () => {
    const block = await taquilla('block-seats', '--db', store, '--event', '1', '--seats', 'PLA-F-1');
    expect(block.code).toBe(1);
    expect(block.err).toMatch(/^taquilla: STORE_READ_ONLY: /);
    expect(block.err.trim().split('\n')).toHaveLength(1);
    const serve = await taquilla('serve', '--db', store, '--port', '0');
    expect(serve.code).toBe(1);
    expect(serve.err).toMatch(/STORE_READ_ONLY/);
    expect(serve.out).not.toContain('Taquilla counter:');
  });
});
