import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { AutomaticBackups } from '../../../electron/store/automatic-backups.ts';
import { backupFolderOf, listBackups } from '../../../electron/store/backup.ts';
import { loadMigrations, newestSchemaVersion, openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TAQUILLA = join(ROOT, 'bin/taquilla.js');
const run = promisify(execFile);

/** The real command line, as an operator types it. */
async function taquilla(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TAQUILLA, ...args], { cwd: ROOT });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

function seedStore(file: string, seats = 3000): number {
  const db = openDatabase(file);
  const tenantId = createTenant(db, 'Prueba', T0);
  const venueId = createVenue(db, tenantId, 'Sala');
  const eventId = createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Función',
      startsAt: Date.now() + 86_400_000,
      vesPerUsd: '36.5',
      zones: [
        {
          kind: 'numbered',
          code: 'PLA',
          name: 'Platea',
          priceCents: 1000,
          seats: Array.from({ length: seats }, (_, i) => ({
            row: String(Math.floor(i / 50)),
            number: i % 50,
            x: i,
            y: 0,
          })),
        },
      ],
    },
    T0,
  ).eventId;
  db.close();
  return eventId;
}

/** A terminal process selling as fast as it can; every printed line is an acknowledged sale. */
function startSelling(file: string, eventId: number): { child: ChildProcess; acknowledged: string[] } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/support/sale-worker.ts'), file, String(eventId), 'drill'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const acknowledged: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (/^(SOLD|RESERVED) /.test(line)) acknowledged.push(line);
  });
  return { child, acknowledged };
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('backup and restore drill', () => {
  it('a backup taken while a terminal sells, restored, holds every sale acknowledged before it and passes integrity_check', async () => {
    const file = join(dir.dir, 'selling.db');
    const eventId = seedStore(file);
    const seller = startSelling(file, eventId);
    try {
      await until(() => seller.acknowledged.length >= 50);
      const before = [...seller.acknowledged];
      const backupFile = join(dir.dir, 'drill.backup');
      const backup = await taquilla('backup', '--db', file, '--out', backupFile, '--json');
      expect(backup.code, backup.err).toBe(0);
      expect(JSON.parse(backup.out)).toMatchObject({
        file: backupFile,
        schemaVersion: newestSchemaVersion(),
      });
      // The terminal kept selling during and after the copy.
      const atBackup = seller.acknowledged.length;
      await until(() => seller.acknowledged.length >= atBackup + 30);

      // A running terminal is never replaced underneath itself.
      const refused = await taquilla('restore', '--db', file, '--from', backupFile);
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/open in a running terminal; stop it/);
      await stopped(seller.child);

      const restored = await taquilla('restore', '--db', file, '--from', backupFile, '--json');
      expect(restored.code, restored.err).toBe(0);
      const { replaced } = JSON.parse(restored.out) as { replaced: string };
      expect(existsSync(replaced)).toBe(true);

      const db = new Database(file, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const status = db.prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?');
      const seatsOf = db.prepare<[string], { seat_id: number }>(
        "SELECT seat_id FROM reserved_tickets WHERE transaction_id = ? AND status IN ('ACTIVE', 'COMPLETED') ORDER BY seat_id",
      );
      for (const line of before) {
        const [kind, transactionId, seats] = line.split(' ') as [string, string, string];
        expect(status.get(transactionId)?.status, line).toBe(kind === 'SOLD' ? 'COMPLETED' : 'RESERVED');
        expect(
          seatsOf.all(transactionId).map((r) => r.seat_id),
          line,
        ).toEqual(
          seats
            .split(',')
            .map(Number)
            .sort((a, b) => a - b),
        );
      }
      db.close();
      // The restored store opens and sells again through the normal path.
      const again = await taquilla('events', '--db', file, '--json');
      expect(again.code, again.err).toBe(0);
    } finally {
      await stopped(seller.child);
    }
  });

  it('refuses to restore what is not a sound store, and leaves the store untouched', async () => {
    const file = join(dir.dir, 'keep.db');
    seedStore(file, 10);
    const junk = join(dir.dir, 'junk.backup');
    writeFileSync(junk, 'not a database at all');
    const refused = await taquilla('restore', '--db', file, '--from', junk);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/taquilla: .*junk\.backup/);
    expect(refused.err).not.toMatch(/\n\s+at /); // one line, no stack trace

    // A corrupt page: copy a good store and scribble over a page in the middle.
    const corrupt = join(dir.dir, 'corrupt.backup');
    copyFileSync(file, corrupt);
    const bytes = readFileSync(corrupt);
    bytes.fill(0xa5, 4096 * 2, 4096 * 2 + 2048);
    writeFileSync(corrupt, bytes);
    const damaged = await taquilla('restore', '--db', file, '--from', corrupt);
    expect(damaged.code).toBe(2);
    expect(damaged.err).toMatch(/integrity_check|not a sound|malformed/);

    const out = join(dir.dir, 'exists.backup');
    writeFileSync(out, '');
    const clash = await taquilla('backup', '--db', file, '--out', out);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/already exists/);

    const events = await taquilla('events', '--db', file, '--json');
    expect(JSON.parse(events.out).events).toHaveLength(1);
  });

  it('a backup leaves only the backup behind: no .partial, -wal or -shm files', async () => {
    const folder = join(dir.dir, 'tidy');
    mkdirSync(folder);
    const file = join(folder, 'terminal.db');
    seedStore(file, 10);
    const out = join(folder, 'copies', 'terminal.backup');
    const backup = await taquilla('backup', '--db', file, '--out', out);
    expect(backup.code, backup.err).toBe(0);
    expect(readdirSync(join(folder, 'copies'))).toEqual(['terminal.backup']);
    const db = openDatabase(file);
    const backups = new AutomaticBackups(db, file, new ManualClock(T0), { keep: 2 });
    await backups.runOnce();
    await backups.stop();
    db.close();
    expect(readdirSync(backupFolderOf(file)).filter((n) => !n.endsWith('.backup'))).toEqual([]);
  });

  it('refuses to write a backup into a folder others can write (they could swap it)', async () => {
    const file = join(dir.dir, 'shared-backup.db');
    seedStore(file, 10);
    const open = join(dir.dir, 'open-folder');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const backup = await taquilla('backup', '--db', file, '--out', join(open, 'x.backup'));
    expect(backup.code).toBe(1);
    expect(backup.err).toMatch(/other users can write that folder/);
    expect(readdirSync(open)).toEqual([]);
  });

  it('an upgrade first copies the store as it was (backups/<name>.before-vN-…)', () => {
    const file = join(dir.dir, 'old.db');
    const migrations = join(ROOT, 'electron/store/migrations');
    const oldDir = join(dir.dir, 'old-migrations');
    mkdirSync(oldDir);
    const all = loadMigrations(migrations);
    const previous = all.at(-2)!;
    for (const m of all.slice(0, -1)) cpSync(join(migrations, m.name), join(oldDir, m.name));
    openDatabase(file, { migrationsDir: oldDir }).close();

    openDatabase(file).close();
    const copies = readdirSync(backupFolderOf(file)).filter((n) => n.startsWith('old.db.before-v'));
    expect(copies).toHaveLength(1);
    expect(copies[0]).toContain(`before-v${all.at(-1)!.version}-`);
    const copy = new Database(join(backupFolderOf(file), copies[0]!), { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(previous.version);
    copy.close();
    // Opening an up-to-date store copies nothing more.
    openDatabase(file).close();
    expect(readdirSync(backupFolderOf(file)).filter((n) => n.startsWith('old.db.'))).toHaveLength(1);
  });

  it('automatic backups rotate (keep N) and a failing one is reported without stopping the terminal', async () => {
    const file = join(dir.dir, 'auto', 'terminal.db');
    mkdirSync(join(dir.dir, 'auto'));
    seedStore(file, 10);
    const db = openDatabase(file);
    const clock = new ManualClock(T0);
    const lines: string[] = [];
    const backups = new AutomaticBackups(db, file, clock, { keep: 2, log: (l) => lines.push(l) });
    for (let i = 0; i < 4; i++) {
      await backups.runOnce();
      clock.advance(3_600_000);
    }
    expect(listBackups(file).map((b) => b.file.replace(/.*\//, ''))).toEqual([
      'terminal.db.auto-20261124-170000.backup',
      'terminal.db.auto-20261124-160000.backup',
    ]);
    expect(backups.status()).toMatchObject({ error: null, last: { schemaVersion: newestSchemaVersion() } });

    // The backups folder replaced by a file: the copy fails, the store goes on.
    const folder = backupFolderOf(file);
    rmSync(folder, { recursive: true });
    writeFileSync(folder, 'in the way');
    await backups.runOnce();
    expect(backups.status().error).toMatch(/EEXIST|ENOTDIR|not a directory|exists/);
    expect(lines.at(-1)).toMatch(/^taquilla backup: /);
    expect(db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    await backups.stop();
    db.close();
  });
});
