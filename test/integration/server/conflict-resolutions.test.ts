import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HoldStore } from '../../../server/storage/hold-store.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import type { ServerConflictResolution } from '../../../shared/schemas/conflicts.ts';
import { tempDir } from '../../support/temp-store.ts';

const url = process.env.TAQUILLA_PG_URL;
const T0 = Date.UTC(2026, 10, 29, 22, 0, 0);

/**
 * The server's record of how a refused offline sale was settled (issue 14, server migration 8), on
 * both databases: once per sale, a retry answered as the first, another settling refused.
 */
async function behaves(open: () => Promise<{ store: HoldStore; close: () => Promise<void> }>) {
  const { store, close } = await open();
  try {
    const tenant = await store.createTenant('Teatro', {}, T0);
    const caja1 = await store.addCredential({
      tenantId: tenant,
      role: 'terminal',
      name: 'Caja 1',
      secretHash: 'h1',
      now: T0,
    });
    const caja2 = await store.addCredential({
      tenantId: tenant,
      role: 'terminal',
      name: 'Caja 2',
      secretHash: 'h2',
      now: T0,
    });
    const override: ServerConflictResolution = {
      saleId: 'sale-1',
      eventId: 7,
      resolution: 'override',
      reason: 'autorizado por gerencia',
      actor: 'supervisor:Luis',
      approvedBy: 'supervisor:Luis',
      seatIds: [101],
      ticketNumbers: [12],
      movedTo: null,
      keptBy: 'server-tx-1',
      soldElsewhere: [],
      resolvedAt: T0 + 1000,
    };
    const first = await store.recordConflictResolution(tenant, caja1, override, T0 + 2000);
    expect(first).toMatchObject({ ...override, terminal: 'Caja 1', recordedAt: T0 + 2000 });
    // The same request again (a lost answer): the first record, nothing new.
    expect(await store.recordConflictResolution(tenant, caja1, override, T0 + 9000)).toEqual(first);
    // Another way out for the same sale, or the same sale from another counter: refused.
    await expect(
      store.recordConflictResolution(tenant, caja1, { ...override, resolution: 'refunded' }, T0 + 3000),
    ).rejects.toMatchObject({ code: 'CONFLICT_RESOLVED' });
    await expect(store.recordConflictResolution(tenant, caja2, override, T0 + 3000)).rejects.toMatchObject({
      code: 'CONFLICT_RESOLVED',
    });
    await store.recordConflictResolution(
      tenant,
      caja2,
      {
        ...override,
        saleId: 'sale-2',
        eventId: null,
        resolution: 'moved',
        movedTo: { transactionId: 't', seatIds: [102] },
        keptBy: null,
      },
      T0 + 4000,
    );
    const listed = await store.conflictResolutions(tenant);
    expect(listed.map((r) => [r.saleId, r.resolution, r.terminal])).toEqual([
      ['sale-2', 'moved', 'Caja 2'],
      ['sale-1', 'override', 'Caja 1'],
    ]);
    expect(await store.conflictResolutions(tenant + 1000)).toEqual([]);
  } finally {
    await close();
  }
}

describe('conflict resolutions at the server', () => {
  it('SQLite: recorded once per sale, listed newest first', async () => {
    await behaves(async () => {
      const { dir, remove } = tempDir('taquilla-server-');
      const store = new SqliteHoldStore(join(dir, 'server.db'));
      await store.init();
      return { store, close: async () => (await store.close(), remove()) };
    });
  });

  it.skipIf(!url)('PostgreSQL: recorded once per sale, listed newest first', async () => {
    await behaves(async () => {
      const store = new PgHoldStore(url!, { schema: `t_${randomBytes(6).toString('hex')}` });
      await store.init();
      return { store, close: async () => (await store.dropSchema(), await store.close()) };
    });
  });
});
