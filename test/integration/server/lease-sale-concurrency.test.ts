import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldStore, StoredReply } from '../../../server/storage/hold-store.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import type { ServerOperation } from '../../../shared/schemas/sync.ts';
import { cash } from '../../support/cash-payment.ts';
import { tempDir } from '../../support/temp-store.ts';
import { T0, demoEvent } from './hold-store.contract.ts';

/**
 * A counter back online reports its offline sales in concurrent batches (docs/soak.md finding 11):
 * several sales of standing places from one lease arrive at once. Each takes its places out of the
 * lease's one standing ticket; the zone's counter must still equal its live places, and the lease
 * must never give out more places than it carried.
 */
interface Fixture {
  store: HoldStore;
  /** Reads the store's own database. */
  rows: <T>(sql: string, params: unknown[]) => Promise<T[]>;
  cleanup: () => Promise<void>;
}

function concurrentLeaseSales(name: string, open: () => Promise<Fixture>) {
  describe(`${name}: offline sales of one lease's standing places, reported at once`, () => {
    let store: HoldStore;
    let rows: Fixture['rows'];
    let cleanup: () => Promise<void>;
    let tenant: number;
    let keys = 0;
    const run = (op: ServerOperation, input: unknown): Promise<StoredReply> =>
      store.execute(tenant, 1, op, input, T0, { key: `conc-${++keys}`, requestHash: `${op}:${keys}` });

    beforeAll(async () => {
      ({ store, rows, cleanup } = await open());
      tenant = await store.createTenant('Teatro', {}, T0);
      await store.putEvent(
        tenant,
        {
          ...demoEvent(7),
          zones: [{ kind: 'general', zoneId: 12, name: 'General', priceCents: 1000, capacity: 40 }],
        },
        T0,
      );
    });
    afterAll(async () => cleanup());

    it('the zone counts exactly its live places, and the lease gives out no more than it carried', async () => {
      const granted = await run('lease', {
        eventId: 7,
        actor: 'sup',
        general: { zoneId: 12, quantity: 8 },
        ticketNumbers: 12,
      });
      expect(granted.body.error).toBeUndefined();
      const lease = granted.body.result as { leaseId: string; ticketFrom: number };
      // 8 sales of 1 place from a lease of 8, all at once.
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          run('leaseSale', {
            leaseId: lease.leaseId,
            saleId: `offline-${i}`,
            actor: 'cashier:Ana',
            general: { zoneId: 12, quantity: 1 },
            ticketNumbers: [lease.ticketFrom + i],
            soldAt: T0 - 1000,
            payments: [cash(1000)],
          }),
        ),
      );
      const sold = replies.filter((r) => !r.body.error).length;
      expect(sold).toBe(8);
      const [zone] = await rows<{ used: number; live: number }>(
        `SELECT z.used, (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t WHERE t.tenant_id = z.tenant_id
           AND t.event_id = z.event_id AND t.zone_id = z.id AND t.status IN ('ACTIVE', 'COMPLETED')) AS live
         FROM zones z WHERE z.tenant_id = ? AND z.event_id = 7 AND z.id = 12`,
        [tenant],
      );
      const [held] = await rows<{ places: number }>(
        `SELECT COALESCE(SUM(t.quantity), 0) AS places FROM tickets t JOIN leases l
           ON l.tenant_id = t.tenant_id AND l.transaction_id = t.transaction_id
         WHERE l.tenant_id = ? AND l.id = ? AND t.status = 'ACTIVE'`,
        [tenant, lease.leaseId],
      );
      // Every place sold or still held by the lease is counted once: 8 sold, the lease empty.
      expect(Number(zone!.used)).toBe(Number(zone!.live));
      expect(Number(held!.places)).toBe(0);
      expect(Number(zone!.live)).toBe(8);
    });
  });
}

concurrentLeaseSales('SQLite', async () => {
  const { dir, remove } = tempDir('taquilla-lease-conc-');
  const file = join(dir, 'server.db');
  const store = new SqliteHoldStore(file);
  await store.init();
  return {
    store,
    rows: async <T>(sql: string, params: unknown[]) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});

const url = process.env.TAQUILLA_PG_URL;
if (url) {
  concurrentLeaseSales('PostgreSQL', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = new PgHoldStore(url, { schema });
    await store.init();
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 1 });
    return {
      store,
      rows: async <T>(sql: string, params: unknown[]) => {
        let n = 0;
        return (
          await pool.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as T[];
      },
      cleanup: async () => {
        await pool.end();
        await store.close();
        await store.dropSchema();
      },
    };
  });
}
