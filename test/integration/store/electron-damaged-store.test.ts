import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/** The Electron module is the true edge: a fake records the error box and the exit. */
const fake = vi.hoisted(() => {
  const state = {
    errorBoxes: [] as { title: string; text: string }[],
    exitCodes: [] as number[],
    windows: 0,
  };
  const module = {
    app: {
      requestSingleInstanceLock: () => true,
      enableSandbox: () => {},
      on: () => {},
      whenReady: async () => {},
      getPath: () => '',
      quit: () => {},
      exit: (code: number) => state.exitCodes.push(code),
    },
    dialog: {
      showErrorBox: (title: string, text: string) => state.errorBoxes.push({ title, text }),
    },
    BrowserWindow: class {
      constructor() {
        state.windows++;
      }
    },
    Menu: { setApplicationMenu: () => {} },
    session: { defaultSession: {} },
    ipcMain: { handle() {}, on() {}, removeHandler() {}, removeAllListeners() {} },
    safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
  };
  return { state, module };
});
vi.mock('electron', () => fake.module);

const dir = tempDir('taquilla-electron-damaged-');
afterAll(() => dir.remove());

describe('the desktop app on a damaged store', () => {
  it('shows what is wrong in Spanish and quits, without opening a selling window', async () => {
    const file = join(dir.dir, 'terminal.db');
    const db = openDatabase(file);
    const tenantId = createTenant(db, 'Prueba', T0);
    createEvent(
      db,
      {
        tenantId,
        venueId: createVenue(db, tenantId, 'Sala'),
        name: 'Función',
        startsAt: T0,
        vesPerUsd: '36.5',
        zones: [
          {
            kind: 'numbered',
            code: 'PLA',
            name: 'Platea',
            priceCents: 1000,
            seats: Array.from({ length: 1500 }, (_, i) => ({ row: String(i % 30), number: i, x: i, y: 0 })),
          },
        ],
      },
      T0,
    );
    db.close();
    const reader = new Database(file, { readonly: true });
    const { pageno } = reader
      .prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = 'seats' LIMIT 1")
      .get()!;
    reader.close();
    const bytes = readFileSync(file);
    bytes.fill(0x5a, (pageno - 1) * 4096, pageno * 4096);
    writeFileSync(file, bytes);

    process.env.TAQUILLA_DB = file;
    await import('../../../electron/main.ts');
    await vi.waitFor(() => expect(fake.state.exitCodes).toEqual([1]));
    expect(fake.state.errorBoxes).toHaveLength(1);
    expect(fake.state.errorBoxes[0]!.text).toContain('La base de datos de esta taquilla está dañada');
    expect(fake.state.windows).toBe(0);
  });
});
