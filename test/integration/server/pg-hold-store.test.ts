import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { holdStoreContract } from './hold-store.contract.ts';

const url = process.env.TAQUILLA_PG_URL;

if (!url) {
  describe.skip('PostgreSQL hold store (set TAQUILLA_PG_URL to run)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  // Two instances on one schema: the races in the contract are run across both.
  holdStoreContract('PostgreSQL (two instances)', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = new PgHoldStore(url, { schema });
    await store.init();
    const twin = new PgHoldStore(url, { schema });
    await twin.init();
    return {
      store,
      twin,
      cleanup: async () => {
        await twin.close();
        await store.close();
        await store.dropSchema();
      },
    };
  });
}
