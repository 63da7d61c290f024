import { afterEach, describe, expect, it } from 'vitest';
import { type SyncWorld, syncWorld } from '../integration/sync/sync-fixture.ts';

/**
 * Findings of the soak in the sync engine (not the soak's code to fix), pinned as failing tests: each
 * `it.fails` starts passing as a plain `it` once the terminal's store follows the server again.
 * Soak runs report them as "divergences" (npm run soak -- --strict turns them into failures).
 */
describe('known divergences between a terminal and the server (soak findings)', () => {
  let world: SyncWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.fails(
    'a session released while offline, then selling online, sells only what it holds and records the sale locally',
    async () => {
      world = await syncWorld({ terminals: 1 });
      const t = world.terminals[0]!;
      const ev = t.venue.eventId;
      const [first, second] = t.venue.seatIds as [number, number];
      await t.sync.holdSeats({ eventId: ev, sessionId: 's', actor: 'ana', seatIds: [first] });
      t.proxy.set('down');
      await t.sync.checkConnection();
      await t.sync.releaseSession({ sessionId: 's', actor: 'ana' }); // local only: the server still holds it
      t.proxy.set('up');
      await t.sync.checkConnection();
      await t.sync.idle();
      const held = await t.sync.holdSeats({ eventId: ev, sessionId: 's', actor: 'ana', seatIds: [second] });
      const sale = await t.sync.complete({ transactionId: held.transactionId, actor: 'ana' });
      const local = t.venue.db
        .prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?')
        .get(held.transactionId);
      // Today: the server sells both seats (the released one too) and the local store keeps the cart
      // CANCELLED (its mirror of the hold failed on the cart id), so nothing can be printed or paid.
      expect({ tickets: sale.tickets, local: local?.status }).toEqual({ tickets: 1, local: 'COMPLETED' });
    },
  );
});
