import { join } from 'node:path';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { tempDir } from '../../support/temp-store.ts';
import { holdStoreContract } from './hold-store.contract.ts';

holdStoreContract('SQLite', async () => {
  const { dir, remove } = tempDir('taquilla-server-');
  const store = new SqliteHoldStore(join(dir, 'server.db'));
  await store.init();
  return {
    store,
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});
