import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldStore, StoredReply } from '../../../server/storage/hold-store.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { restoreServerDb } from '../../../server/storage/sqlite-backup.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import type { ServerOperation } from '../../../shared/schemas/sync.ts';
import { cash } from '../../support/cash-payment.ts';
import { tempDir } from '../../support/temp-store.ts';
import { T0, demoEvent } from './hold-store.contract.ts';

/**
 * The server's generation and what a counter re-sends to a server restored from an older backup
 * (issue 14), on each database: recoverSale takes a sale back with its seats and numbers, answers
 * `present` for one it has, refuses one whose seat was sold again; the ticket counter never rewinds.
 */
function generationContract(
  name: string,
  open: () => Promise<{ store: HoldStore; cleanup: () => Promise<void> }>,
) {
  describe(`${name}: the server generation`, () => {
    let store: HoldStore;
    let cleanup: () => Promise<void>;
    let tenant: number;
    let keys = 0;
    const run = (op: ServerOperation, input: unknown): Promise<StoredReply> =>
      store.execute(tenant, 1, op, input, T0, { key: `gen-key-${++keys}`, requestHash: `${op}:${keys}` });
    const sale = (transactionId: string, seatId: number, number: number) => ({
      transactionId,
      eventId: 7,
      actor: 'cashier:Ana',
      soldAt: T0 - 1000,
      places: [{ zoneId: 11, seatId, quantity: 1, ticketNumbers: [number] }],
      payments: [cash(2500)],
    });

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      tenant = await store.createTenant('Teatro', {}, T0);
      await store.putEvent(tenant, demoEvent(7), T0);
    });
    afterAll(async () => cleanup());

    it('has a generation: 32 hex characters, the same on every read', async () => {
      const generation = await store.generation();
      expect(generation).toMatch(/^[0-9a-f]{32}$/);
      expect(await store.generation()).toBe(generation);
    });

    it('takes back a sale it lost, with its seat, ticket number and money; a second time it is present', async () => {
      const first = await run('recoverSale', sale('tx-lost-1', 101, 40));
      expect(first.body.result).toEqual({
        transactionId: 'tx-lost-1',
        outcome: 'recovered',
        numbersInUse: [],
      });
      const again = await run('recoverSale', sale('tx-lost-1', 101, 40));
      expect(again.body.result).toMatchObject({ outcome: 'present' });
      // The counter went above 40: the next number handed out is 41 or more.
      const lease = await run('lease', { eventId: 7, actor: 'sup', seatIds: [140], ticketNumbers: 3 });
      expect((lease.body.result as { ticketFrom: number }).ticketFrom).toBeGreaterThan(40);
    });

    it('refuses a lost sale whose seat was sold again meanwhile (SEAT_TAKEN), writing nothing', async () => {
      await run('recoverSale', sale('tx-other', 102, 60));
      const refused = await run('recoverSale', sale('tx-lost-2', 102, 61));
      expect(refused.body.error?.code).toBe('SEAT_TAKEN');
    });

    it('holds and leases the backup brought back step aside for a re-sent sale; a deposit, and a hold made after the restore, do not', async () => {
      const result = (reply: StoredReply) => {
        expect(reply.body.error).toBeUndefined();
        return reply.body.result as { transactionId: string };
      };
      // In the backup: a customer's hold, a counter's leased seat, standing places filling the
      // zone, a deposit (part paid at the server).
      result(await run('holdSeats', { eventId: 7, sessionId: 'kiosk-1', actor: 'c', seatIds: [103] }));
      result(await run('lease', { eventId: 7, actor: 'sup', seatIds: [104], ticketNumbers: 2 }));
      for (const [sessionId, quantity] of [
        ['ga-back-1', 2],
        ['ga-back-2', 3],
      ] as const) {
        result(await run('holdGeneral', { eventId: 7, sessionId, actor: 'c', zoneId: 12, quantity }));
      }
      const deposit = result(
        await run('holdSeats', { eventId: 7, sessionId: 'deposit', actor: 'c', seatIds: [106] }),
      );
      result(
        await run('convertToPartial', {
          transactionId: deposit.transactionId,
          actor: 'c',
          hours: 24,
          payment: cash(2500, 1000),
        }),
      );
      // The restore: everything above came back with the backup. Then a hold made afterwards.
      await store.mintGeneration(T0);
      result(await run('holdSeats', { eventId: 7, sessionId: 'after', actor: 'c', seatIds: [105] }));

      for (const [transactionId, seatId, number] of [
        ['tx-back-hold', 103, 70],
        ['tx-back-lease', 104, 71],
      ] as const) {
        expect(result(await run('recoverSale', sale(transactionId, seatId, number)))).toMatchObject({
          transactionId,
          outcome: 'recovered',
        });
      }
      const standing = {
        ...sale('tx-back-standing', 0, 72),
        places: [{ zoneId: 12, seatId: null, quantity: 2, ticketNumbers: [72, 73] }],
      };
      expect(result(await run('recoverSale', standing))).toMatchObject({ outcome: 'recovered' });
      expect((await run('recoverSale', sale('tx-after-hold', 105, 74))).body.error?.code).toBe('SEAT_TAKEN');
      expect((await run('recoverSale', sale('tx-deposit', 106, 75))).body.error?.code).toBe('SEAT_TAKEN');
      // Only as many brought-back places as the sale needed stepped aside (the oldest hold, 2): the
      // zone (5) is full again with the sale's 2 and the other hold's 3.
      const late = await run('holdGeneral', {
        eventId: 7,
        sessionId: 'late',
        actor: 'c',
        zoneId: 12,
        quantity: 1,
      });
      expect(late.body.error?.code).toBe('ZONE_FULL');
    });

    it('a new generation after a restore (taquilla-server new-generation) is what every read answers', async () => {
      const before = await store.generation();
      const minted = await store.mintGeneration(T0);
      expect(minted).not.toBe(before);
      expect(await store.generation()).toBe(minted);
    });

    it('never rewinds the ticket counter', async () => {
      const raised = await run('raiseTicketFloor', { atLeast: 500 });
      expect(raised.body.result).toEqual({ nextTicket: 501 });
      const lower = await run('raiseTicketFloor', { atLeast: 10 });
      expect(lower.body.result).toEqual({ nextTicket: 501 });
    });
  });
}

generationContract('SQLite', async () => {
  const { dir, remove } = tempDir('taquilla-generation-');
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

const url = process.env.TAQUILLA_PG_URL;
if (url) {
  generationContract('PostgreSQL', async () => {
    const store = new PgHoldStore(url, { schema: `t_${randomBytes(6).toString('hex')}` });
    await store.init();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await (store as PgHoldStore).dropSchema();
      },
    };
  });
}

describe('taquilla-server restore mints a new generation', () => {
  it('a database put back from a backup announces another generation than the backup had', async () => {
    const { dir, remove } = tempDir('taquilla-generation-');
    try {
      const db = join(dir, 'server.db');
      const store = new SqliteHoldStore(db);
      await store.init();
      const before = await store.generation();
      await store.close();
      copyFileSync(db, join(dir, 'copy.backup'));
      const restored = restoreServerDb({ from: join(dir, 'copy.backup'), to: db, now: T0 });
      expect(restored.generation).toMatch(/^[0-9a-f]{32}$/);
      expect(restored.generation).not.toBe(before);
      const reopened = new SqliteHoldStore(db);
      await reopened.init();
      expect(await reopened.generation()).toBe(restored.generation);
      await reopened.close();
    } finally {
      remove();
    }
  });
});
