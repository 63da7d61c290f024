import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadMigrations,
  openDatabase,
  PRAGMAS,
  startBackgroundCheckpoints,
} from '../../../electron/store/database.ts';
import { tempDir } from '../../support/temp-store.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('the store', () => {
  it('opens in WAL mode with foreign keys on and every migration applied once', () => {
    const file = join(dir.dir, 'a.db');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const version = db.pragma('user_version', { simple: true });
    expect(version).toBeGreaterThanOrEqual(1);
    db.close();
    const again = openDatabase(file); // re-opening applies nothing twice
    expect(again.pragma('user_version', { simple: true })).toBe(version);
    expect(() => again.prepare('INSERT INTO venues (tenant_id, name) VALUES (999, ?)').run('x')).toThrow(
      /FOREIGN KEY/,
    );
    again.close();
  });

  it('refuses a database written by a newer Taquilla instead of corrupting it', () => {
    const file = join(dir.dir, 'b.db');
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Taquilla/);
  });

  it('applies numbered migrations in order and rolls a failing one back whole', () => {
    const migrations = join(dir.dir, 'migrations');
    mkdirSync(migrations);
    writeFileSync(join(migrations, '001_first.sql'), 'CREATE TABLE one (id INTEGER PRIMARY KEY);');
    writeFileSync(
      join(migrations, '003_third.sql'),
      'CREATE TABLE three (id INTEGER PRIMARY KEY); INSERT INTO nope VALUES (1);',
    );
    expect(loadMigrations(migrations).map((m) => m.version)).toEqual([1, 3]);
    const file = join(dir.dir, 'c.db');
    expect(() => openDatabase(file, { migrationsDir: migrations })).toThrow(/no such table: nope/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'three'").get()).toBeUndefined();
    raw.close();
    writeFileSync(join(migrations, '003_third.sql'), 'CREATE TABLE three (id INTEGER PRIMARY KEY);');
    const db = openDatabase(file, { migrationsDir: migrations });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    db.close();
  });

  it('checkpoints the WAL from a background worker when the selling connection does not', async () => {
    const file = join(dir.dir, 'd.db');
    const db = openDatabase(file, { autoCheckpoint: false });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(file).size;
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)');
    const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run('x'.repeat(200));
    })();
    expect(statSync(file).size).toBe(before); // everything still sits in the WAL
    const checkpoints = startBackgroundCheckpoints(file, 50);
    const deadline = Date.now() + 5000;
    while (statSync(file).size === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await checkpoints.stop();
    expect(statSync(file).size).toBeGreaterThan(before + 1_000_000);
    db.close();
  });

  it('keeps the WAL bounded while a terminal sells without pause and a screen keeps reading', async () => {
    const file = join(dir.dir, 'steady.db');
    const db = openDatabase(file, { autoCheckpoint: false });
    db.exec('CREATE TABLE sales (id INTEGER PRIMARY KEY, seat INTEGER, text TEXT)');
    db.exec('CREATE INDEX sales_seat ON sales(seat)');
    const reader = openDatabase(file, { readonly: true });
    const count = reader.prepare('SELECT COUNT(*) AS n FROM sales');
    const insert = db.prepare('INSERT INTO sales (seat, text) VALUES (?, ?)');
    const limit = 1024 * 1024;
    const checkpoints = startBackgroundCheckpoints(file, 20, limit, db);
    let largest = 0;
    // Small commits one after another, each its own request as at a busy counter (the event loop
    // turns between them): ~50 MB of WAL if it were never reset.
    for (let i = 0; i < 8000; i++) {
      db.transaction(() => insert.run(i % 500, 'x'.repeat(1500)))();
      if (i % 10 === 0) count.get();
      largest = Math.max(largest, statSync(`${file}-wal`).size);
      await new Promise((r) => setImmediate(r));
    }
    // Between two ticks the WAL passes the limit by what was written meanwhile (more on a loaded
    // machine, whose timers run late), never by anything like the whole stream.
    expect(largest).toBeLessThan(24 * limit);
    // Once the counter pauses, the next tick empties it.
    await new Promise((r) => setTimeout(r, 300));
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(limit);
    await checkpoints.stop();
    reader.close();
    db.close();
  });

  it('shrinks a WAL that one large write grew once a checkpoint lets it restart (journal_size_limit)', () => {
    // A short-lived tool's connection checkpoints itself (wal_autocheckpoint): without a size limit
    // the WAL file keeps the size of the largest write it ever held, for as long as the store lives.
    const file = join(dir.dir, 'restart.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)');
    const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 12_000; i++) insert.run('x'.repeat(2000));
    })();
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(20 * 1024 * 1024);
    db.pragma('wal_checkpoint(PASSIVE)');
    insert.run('the next write restarts the WAL');
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(PRAGMAS.journal_size_limit);
    db.close();
  });
});
