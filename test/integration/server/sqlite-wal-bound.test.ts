import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent, T0 } from './hold-store.contract.ts';

describe('the server store on SQLite under sustained writes', () => {
  it('keeps its WAL bounded (it grew to 1.25 GB in 10 s before)', async () => {
    const { dir, remove } = tempDir('taquilla-server-wal-');
    const file = join(dir, 'server.db');
    const store = new SqliteHoldStore(file);
    await store.init();
    try {
      const tenant = await store.createTenant('Teatro', {}, T0);
      await store.putEvent(tenant, demoEvent(7), T0);
      let largest = 0;
      // Waves of concurrent clients holding and releasing, as 50 terminals would.
      for (let wave = 0; wave < 150; wave++) {
        await Promise.all(
          Array.from({ length: 40 }, async (_, i) => {
            const sessionId = `w${wave}-c${i}`;
            const seatIds = [101 + i];
            await store.execute(
              tenant,
              1,
              'holdSeats',
              { eventId: 7, sessionId, actor: 'caja', seatIds },
              T0,
              {
                key: `h-${sessionId}`,
                requestHash: `h-${sessionId}`,
              },
            );
            await store.execute(tenant, 1, 'releaseSession', { sessionId, actor: 'caja' }, T0, {
              key: `r-${sessionId}`,
              requestHash: `r-${sessionId}`,
            });
          }),
        );
        largest = Math.max(largest, statSync(`${file}-wal`).size);
      }
      // 16 MiB limit, checked after every group commit: it passes it by one group at most.
      expect(largest).toBeLessThan(24 * 1024 * 1024);
    } finally {
      await store.close();
      remove();
    }
  });
});
