import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cashFor } from '../../support/cash-payment.ts';
import { serverCli } from '../server/server-process.ts';
import { type SyncWorld, syncWorld } from './sync-fixture.ts';

let world: SyncWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a server restored from an older backup (issue 14)', () => {
  it(
    'the terminal re-sends the online and offline sales the server lost; a seat sold again meanwhile is a conflict; numbers never rewind',
    { timeout: 180_000 },
    async () => {
      world = await syncWorld();
      const [a, b] = world.terminals as [SyncWorld['terminals'][0], SyncWorld['terminals'][0]];
      const ev = a!.venue.eventId;
      const [x, y, z] = a!.venue.seatIds as [number, number, number];
      const backup = join(world.serverDb, '..', 'before.backup');
      serverCli(['backup', '--db', world.serverDb, '--out', backup]);
      const sell = async (seat: number, session: string) => {
        const held = await a!.sync.holdSeats({
          eventId: ev,
          sessionId: session,
          actor: 'ana',
          seatIds: [seat],
        });
        await a!.sync.complete({
          transactionId: held.transactionId,
          actor: 'ana',
          payment: cashFor(a!.venue.db, held.transactionId),
        });
        return held.transactionId;
      };
      const kept = await sell(x, 's1');
      const resold = await sell(y, 's2');
      // An offline sale from a lease, reported before the restore.
      const lease = await a!.sync.acquireLease({ eventId: ev, actor: 'ana', seatIds: [z], ticketNumbers: 4 });
      a!.proxy.set('down');
      await a!.sync.checkConnection();
      const held = await a!.sync.holdSeats({ eventId: ev, sessionId: 's3', actor: 'ana', seatIds: [z] });
      await a!.sync.complete({
        transactionId: held.transactionId,
        actor: 'ana',
        payment: cashFor(a!.venue.db, held.transactionId),
      });
      a!.proxy.set('up');
      await a!.sync.checkConnection();
      await expect.poll(() => a!.sync.status().outbox, { timeout: 10_000 }).toBe(0);

      a!.proxy.set('down');
      await a!.sync.checkConnection();
      await world.server.stop();
      serverCli(['restore', '--db', world.serverDb, '--from', backup]);
      await world.restart();
      await b!.sync.checkConnection();
      const again = await b!.sync.holdSeats({ eventId: ev, sessionId: 'b1', actor: 'bea', seatIds: [y] });
      await b!.sync.complete({
        transactionId: again.transactionId,
        actor: 'bea',
        payment: cashFor(b!.venue.db, again.transactionId),
      });

      a!.proxy.set('up');
      await a!.sync.checkConnection();
      await expect.poll(() => a!.sync.status().outbox, { timeout: 10_000 }).toBe(0);
      const live = (seat: number) =>
        world!.serverRows<{ transaction_id: string }>(
          "SELECT transaction_id FROM tickets WHERE seat_id = ? AND status IN ('ACTIVE', 'COMPLETED')",
          seat,
        );
      expect(live(x)).toEqual([{ transaction_id: kept }]);
      expect(live(z)).toHaveLength(1);
      expect(live(y)).toEqual([{ transaction_id: again.transactionId }]);
      expect(a!.sync.conflicts()).toMatchObject([
        { op: 'recoverSale', errorCode: 'SEAT_TAKEN', body: { transactionId: resold } },
      ]);
      const next = await b!.sync.acquireLease({
        eventId: ev,
        actor: 'bea',
        seatIds: [a!.venue.seatIds[5]!],
        ticketNumbers: 2,
      });
      expect(next.ticketFrom).toBeGreaterThan(lease.ticketTo);
    },
  );

  it(
    'a sale acknowledged before the counter heard its first heartbeat is re-sent too (found by the soak, seed 11)',
    { timeout: 120_000 },
    async () => {
      world = await syncWorld({ terminals: 1 });
      const [a] = world.terminals as [SyncWorld['terminals'][0]];
      const backup = join(world.serverDb, '..', 'before.backup');
      serverCli(['backup', '--db', world.serverDb, '--out', backup]);
      // Enrolled, and selling at once: no heartbeat has named the server's generation yet.
      const held = await a!.sync.holdSeats({
        eventId: a!.venue.eventId,
        sessionId: 's1',
        actor: 'ana',
        seatIds: [a!.venue.seatIds[0]!],
      });
      await a!.sync.complete({
        transactionId: held.transactionId,
        actor: 'ana',
        payment: cashFor(a!.venue.db, held.transactionId),
      });
      await world.server.stop();
      serverCli(['restore', '--db', world.serverDb, '--from', backup]);
      await world.restart();
      await a!.sync.checkConnection();
      await expect.poll(() => a!.sync.status().outbox, { timeout: 10_000 }).toBe(0);
      expect(
        world.serverRows<{ transaction_id: string; status: string }>(
          "SELECT transaction_id, status FROM tickets WHERE seat_id = ? AND status IN ('ACTIVE', 'COMPLETED')",
          a!.venue.seatIds[0]!,
        ),
      ).toEqual([{ transaction_id: held.transactionId, status: 'COMPLETED' }]);
    },
  );
});
