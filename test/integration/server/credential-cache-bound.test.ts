import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, createTenantWithAdmin } from '../../../server/app.ts';
import { hashSecret } from '../../../server/credentials.ts';
import type { HoldStore } from '../../../server/storage/hold-store.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { systemClock } from '../../../shared/clock.ts';
import { sample } from '../../support/prometheus.ts';
import { tempDir } from '../../support/temp-store.ts';

const JUNK = 3000;
const CAPACITY = 50;

/**
 * The credential cache under a flood of junk tokens, over real HTTP: its size is read from the
 * server's own metric (taquilla_credential_cache_entries), never inferred from time or memory.
 */
function cacheBound(name: string, open: () => Promise<{ store: HoldStore; cleanup: () => Promise<void> }>) {
  describe(`credential cache bound (${name}, buildServer on a real store, real HTTP)`, () => {
    let app: FastifyInstance;
    let base = '';
    let cleanup: () => Promise<void>;
    let store: HoldStore;
    let tenantId = 0;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      tenantId = (await createTenantWithAdmin(store, 'Teatro', {}, systemClock.now())).tenantId;
      app = await buildServer({
        store,
        clock: systemClock,
        sweep: false,
        // a flood from one address: the failure limit is set out of the way to measure the cache alone
        limits: { credentialFailuresPerMinute: 1_000_000, credentialCacheEntries: CAPACITY },
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    const cacheEntries = async () =>
      sample(await (await fetch(`${base}/metrics`)).text(), 'taquilla_credential_cache_entries');
    /** `count` requests, 25 at a time, each with the token `tokenOf(i)`; returns their statuses. */
    async function flood(count: number, tokenOf: (i: number) => string): Promise<Map<number, number>> {
      const statuses = new Map<number, number>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          while (next < count) {
            const i = next++;
            const res = await fetch(`${base}/v1/whoami`, {
              headers: { authorization: `Bearer ${tokenOf(i)}` },
            });
            await res.arrayBuffer();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }
        }),
      );
      return statuses;
    }

    it(`${JUNK} junk tokens leave nothing in the cache`, async () => {
      const statuses = await flood(JUNK, () => `tqs_${randomBytes(24).toString('base64url')}`);
      expect(statuses).toEqual(new Map([[401, JUNK]]));
      expect(await cacheEntries()).toBe(0);
    });

    it(`${CAPACITY * 3} real terminals fill it to its capacity, not beyond`, async () => {
      const secrets = Array.from(
        { length: CAPACITY * 3 },
        () => `tqs_${randomBytes(24).toString('base64url')}`,
      );
      for (const [i, secret] of secrets.entries()) {
        await store.addCredential({
          tenantId,
          role: 'terminal',
          name: `Caja ${i}`,
          secretHash: hashSecret(secret),
          now: systemClock.now(),
        });
      }
      const statuses = await flood(secrets.length, (i) => secrets[i]!);
      expect(statuses).toEqual(new Map([[200, secrets.length]]));
      expect(await cacheEntries()).toBe(CAPACITY);
      // and junk mixed in with them still adds nothing
      await flood(500, (i) => (i % 5 === 0 ? secrets[i % secrets.length]! : `tqs_junk_${i}`));
      expect(await cacheEntries()).toBe(CAPACITY);
    });
  });
}

cacheBound('SQLite', async () => {
  const tmp = tempDir('taquilla-cache-');
  const store = new SqliteHoldStore(join(tmp.dir, 'server.db'));
  await store.init();
  return {
    store,
    cleanup: async () => {
      await store.close();
      tmp.remove();
    },
  };
});

const url = process.env.TAQUILLA_PG_URL;
if (url) {
  // On PostgreSQL the cache is also what authorization trusts (while LISTEN stays up).
  cacheBound('PostgreSQL', async () => {
    const store = new PgHoldStore(url, { schema: `t_${randomBytes(6).toString('hex')}` });
    await store.init();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await store.dropSchema();
      },
    };
  });
}
