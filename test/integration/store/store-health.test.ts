import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { automaticBackupFile, backupFolderOf } from '../../../electron/store/backup.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { StoreDamagedError } from '../../../electron/store/store-health.ts';
import { createTerminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

async function taquilla(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/taquilla.js'), ...args], {
      cwd: ROOT,
      timeout: 15_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

/** A store with enough rows to span many pages, so a damaged page lands inside a table. */
function seedStore(file: string): void {
  const db = openDatabase(file);
  const tenantId = createTenant(db, 'Prueba', T0);
  const venueId = createVenue(db, tenantId, 'Sala');
  createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Función',
      startsAt: T0 + 86_400_000,
      vesPerUsd: '36.5',
      zones: [
        {
          kind: 'numbered',
          code: 'PLA',
          name: 'Platea',
          priceCents: 1000,
          seats: Array.from({ length: 2000 }, (_, i) => ({ row: String(i % 40), number: i, x: i, y: 0 })),
        },
      ],
    },
    T0,
  );
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Scribbles over pages of the seats table, as a failing disk or a torn copy would. */
function damage(file: string): void {
  const db = new Database(file, { readonly: true });
  const pages = db
    .prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = 'seats' ORDER BY pageno LIMIT 3")
    .all();
  db.close();
  expect(pages.length).toBeGreaterThan(0);
  const bytes = readFileSync(file);
  for (const { pageno } of pages) bytes.fill(0x5a, (pageno - 1) * 4096, pageno * 4096);
  writeFileSync(file, bytes);
}

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('a store is checked when the terminal opens it', () => {
  it('a store with corrupt pages does not start: taquilla serve says so in Spanish and names the newest sound backup', async () => {
    const file = join(dir.dir, 'caja.db');
    seedStore(file);
    mkdirSync(backupFolderOf(file), { recursive: true });
    const older = automaticBackupFile(file, 'auto', T0);
    const newer = automaticBackupFile(file, 'auto', T0 + 3_600_000);
    const newest = automaticBackupFile(file, 'auto', T0 + 7_200_000);
    copyFileSync(file, older);
    copyFileSync(file, newer);
    // The newest backup is damaged too: the terminal must point at the newest *sound* one.
    copyFileSync(file, newest);
    damage(newest);
    damage(file);

    const served = await taquilla('serve', '--db', file, '--port', '0');
    expect(served.code).toBe(1);
    expect(served.out).not.toContain('Taquilla counter:');
    expect(served.err).toContain('La base de datos de esta taquilla está dañada');
    expect(served.err).toContain(`taquilla restore --db "${file}" --from "${newer}"`);
    expect(served.err).not.toMatch(/\n\s+at /);
  });

  it('the composition root refuses it too (what the Electron shell opens), and a sound store opens', () => {
    const file = join(dir.dir, 'sin-copias.db');
    seedStore(file);
    const clock = new ManualClock(T0);
    createTerminal({ dbFile: file, clock }).close();
    damage(file);
    let caught: unknown;
    try {
      createTerminal({ dbFile: file, clock });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreDamagedError);
    expect((caught as StoreDamagedError).newestGoodBackup).toBeNull();
    expect((caught as Error).message).toMatch(/No hay copias de seguridad sanas/);
  });
});
