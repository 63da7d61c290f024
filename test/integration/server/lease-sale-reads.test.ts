import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredReply } from '../../../server/storage/hold-store.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent, T0 } from './hold-store.contract.ts';

/**
 * Issue 17: a replay of 10,000 offline sales grew faster than the sales, because each sale's checks
 * read every unsold ticket of its lease (2,000 rows to report one seat). Every statement an offline
 * sale runs on the tickets must reach them by what the sale names (its seats, its zone's places),
 * never by its lease alone: the plans are read from SQLite itself, on the statements the store ran.
 */
describe("an offline sale reads only the seats it names from its lease, not the lease's every ticket", () => {
  const { dir, remove } = tempDir('taquilla-lease-reads-');
  const file = join(dir, 'server.db');
  let tenant: number;
  let grant: { leaseId: string; ticketFrom: number };
  let n = 0;
  const ok = (reply: StoredReply) => {
    expect(reply.body.error, JSON.stringify(reply.body.error)).toBeUndefined();
    return reply.body.result as Record<string, unknown>;
  };
  const run = (store: SqliteHoldStore, op: 'lease' | 'leaseSale', input: unknown) =>
    store.execute(tenant, 1, op, input, T0, { key: `k${++n}`, requestHash: `h${n}` });

  beforeAll(async () => {
    const store = new SqliteHoldStore(file);
    await store.init();
    tenant = await store.createTenant('Teatro', {}, T0);
    await store.putEvent(tenant, demoEvent(7), T0);
    const seatIds = Array.from({ length: 40 }, (_, i) => 101 + i);
    grant = ok(
      await run(store, 'lease', {
        eventId: 7,
        actor: 't1',
        seatIds,
        general: { zoneId: 12, quantity: 5 },
        ticketNumbers: 50,
      }),
    ) as typeof grant;
    await store.close();
  });
  afterAll(() => remove());

  it('every statement of a sale on tickets searches by the sale’s seats or places', async () => {
    // A new store prepares each statement when first used: what it prepares during the sale is the sale's.
    const store = new SqliteHoldStore(file);
    await store.init();
    const prepared: string[] = [];
    const original = Database.prototype.prepare;
    Database.prototype.prepare = function (this: Database.Database, sql: string) {
      prepared.push(sql);
      return original.call(this, sql);
    } as typeof original;
    try {
      ok(
        await run(store, 'leaseSale', {
          leaseId: grant.leaseId,
          saleId: 's1',
          actor: 't1',
          seatIds: [101, 102],
          general: { zoneId: 12, quantity: 2 },
          ticketNumbers: [0, 1, 2, 3].map((i) => grant.ticketFrom + i),
          soldAt: T0,
        }),
      );
    } finally {
      Database.prototype.prepare = original;
      await store.close();
    }
    const onTickets = prepared.filter((sql) => /(FROM|UPDATE)\s+tickets\b/.test(sql));
    expect(onTickets.length).toBeGreaterThan(0);
    const db = new Database(file, { readonly: true });
    try {
      for (const sql of onTickets) {
        const plan = db
          .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql.replace(/\?/g, '1')}`)
          .all()
          .map((r) => r.detail)
          .filter((d) => /^(SCAN|SEARCH) (tickets|t)\b/.test(d));
        for (const step of plan) {
          expect(step, sql).not.toMatch(/^SCAN/);
          // A search by the lease's transaction alone visits every ticket of the lease.
          expect(step, sql).not.toMatch(/\(tenant_id=\? AND transaction_id=\?\)$/);
        }
      }
    } finally {
      db.close();
    }
  });
});
