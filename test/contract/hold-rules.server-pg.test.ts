import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { PgHoldStore } from '../../server/storage/pg-hold-store.ts';
import { holdRulesContract } from './hold-rules.contract.ts';
import { openServerStore } from './server-adapter.ts';
import { SERVER_PINS } from './server-pins.ts';

const url = process.env.TAQUILLA_PG_URL;

if (!url) {
  describe.skip('hold rules contract: central server on PostgreSQL (set TAQUILLA_PG_URL to run)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  holdRulesContract(
    'central server on PostgreSQL',
    async () => {
      const schema = `c_${randomBytes(6).toString('hex')}`;
      const store = new PgHoldStore(url, { schema });
      await store.init();
      const reader = new pg.Client({ connectionString: url });
      await reader.connect();
      return openServerStore({
        store,
        status: async (id) => {
          const { rows } = await reader.query<{ status: string }>(
            `SELECT status FROM ${schema}.transactions WHERE id = $1`,
            [id],
          );
          return rows[0]?.status ?? null;
        },
        close: async () => {
          await reader.end();
          await store.close();
          await store.dropSchema();
        },
      });
    },
    SERVER_PINS,
  );
}
