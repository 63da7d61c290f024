import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteHoldStore } from '../../server/storage/sqlite-hold-store.ts';
import { tempDir } from '../support/temp-store.ts';
import { holdRulesContract } from './hold-rules.contract.ts';
import { openServerStore } from './server-adapter.ts';
import { SERVER_PINS } from './server-pins.ts';

holdRulesContract(
  'central server on SQLite',
  async () => {
    const { dir, remove } = tempDir('taquilla-contract-');
    const file = join(dir, 'server.db');
    const store = new SqliteHoldStore(file);
    await store.init();
    const reader = new Database(file, { readonly: true, fileMustExist: true });
    const status = reader.prepare<[string], { status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
    );
    return openServerStore({
      store,
      status: async (id) => status.get(id)?.status ?? null,
      close: async () => {
        reader.close();
        await store.close();
        remove();
      },
    });
  },
  SERVER_PINS,
);
