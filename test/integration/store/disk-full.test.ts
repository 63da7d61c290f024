import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';

/**
 * A terminal whose disk fills up while it sells, on a real small file system (a tmpfs mounted for the
 * test; needs root, as CI has; skipped where mounting is not allowed).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/taquilla.js');

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

const mountable = canMount();

describe.skipIf(!mountable)('a full disk under a selling terminal (tmpfs; needs root)', () => {
  let dir: ReturnType<typeof tempDir>;
  let disk: string;
  let child: ChildProcess;
  let stderr = '';
  let base = '';
  let token = '';

  beforeAll(async () => {
    dir = tempDir('taquilla-disk-');
    disk = join(dir.dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', disk]);
    const store = join(disk, 'caja.db');
    execFileSync(process.execPath, [BIN, 'seed-demo', '--db', store], { cwd: ROOT, stdio: 'pipe' });
    child = spawn(process.execPath, [BIN, 'serve', '--db', store, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((done, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`serve did not start: ${stderr}`)), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /Taquilla counter: (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          done(match[1]!);
        }
      });
    });
    const parsed = new URL(url);
    base = parsed.origin;
    token = parsed.searchParams.get('token')!;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    }
    try {
      execFileSync('umount', ['-l', disk]);
    } catch {
      // already gone
    }
    dir?.remove();
  });

  async function call(method: string, input: unknown, session?: string) {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { 'x-taquilla-token': token, ...(session ? { 'x-taquilla-session': session } : {}) },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it('refuses in words when the disk fills (never "internal error"), loses nothing, and sells again once space is freed', async () => {
    const users = (await call('session.users', {})).body as unknown as { id: number; name: string }[];
    const ana = users.find((u) => u.name.startsWith('Ana'))!;
    const session = (await call('session.signIn', { userId: ana.id, pin: '1234' })).body
      .sessionToken as string;
    const seats = ((await call('events.seatMap', { eventId: 1 }, session)).body.seats.id as number[]).map(
      (id) => ({ id }),
    );

    const status = await call('terminal.status', {}, session);
    // A 16 MB disk is far below the warning threshold: the status bar says so before it is full.
    expect(status.body).toMatchObject({ disk: 'low' });

    // Leave a little room, then sell one seat at a time until the disk refuses.
    const free = statfsSync(disk).bavail * statfsSync(disk).bsize;
    writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, free - 600 * 1024)));
    const sold: string[] = [];
    let refusal: { status: number; body: Record<string, any> } | null = null; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0; i < 2000 && !refusal; i++) {
      const held = await call('holds.seats', { eventId: 1, seatIds: [seats[i]!.id] }, session);
      if (held.status !== 200) {
        refusal = held;
        break;
      }
      const paid = await call(
        'payments.checkout',
        { eventId: 1, tenders: [{ method: 'CASH_USD', amountCents: 1_000_000 }] },
        session,
      );
      if (paid.status !== 200) refusal = paid;
      else sold.push(paid.body.transactionId as string);
    }
    expect(refusal, 'the disk never filled').not.toBeNull();
    expect(refusal!.status).toBe(507);
    expect(refusal!.body.error.code).toBe('STORE_FULL');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).toMatch(/STORE_FULL/);
    expect(sold.length).toBeGreaterThan(0);

    // Space comes back: the same running terminal sells again, many times (the WAL stays bounded).
    rmSync(join(disk, 'filler'));
    await call('holds.clear', { eventId: 1 }, session);
    let after = 0;
    for (let i = 0; i < 60; i++) {
      const seat = seats[1000 + i]!.id;
      const held = await call('holds.seats', { eventId: 1, seatIds: [seat] }, session);
      expect(held.status, JSON.stringify(held.body)).toBe(200);
      const paid = await call(
        'payments.checkout',
        { eventId: 1, tenders: [{ method: 'CASH_USD', amountCents: 1_000_000 }] },
        session,
      );
      expect(paid.status, JSON.stringify(paid.body)).toBe(200);
      sold.push(paid.body.transactionId as string);
      after++;
    }
    expect(after).toBe(60);

    // Every sale the cashier was told about is in the store, paid.
    const db = new Database(join(disk, 'caja.db'), { readonly: true });
    const completed = db.prepare<[string], { status: string; paid: number }>(
      `SELECT x.status, (SELECT COUNT(*) FROM payments p WHERE p.transaction_id = x.id) AS paid
       FROM transactions x WHERE x.id = ?`,
    );
    for (const id of sold) expect(completed.get(id)).toEqual({ status: 'COMPLETED', paid: 1 });
    db.close();
  });
});
