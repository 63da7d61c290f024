import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerOperation } from '../../../shared/schemas/sync.ts';
import { PgHoldStore } from '../../../server/storage/pg-hold-store.ts';
import { demoEvent, T0 } from './hold-store.contract.ts';

const url = process.env.TAQUILLA_PG_URL;

/**
 * Issue 17: a hold or a release of seats on PostgreSQL is one read and one guarded write, each one
 * round trip (every `query` a pooled connection sends is one). Counted at the driver, so a
 * statement added to the path shows here, not only in the bench.
 */
if (!url) {
  describe.skip('PostgreSQL round trips (set TAQUILLA_PG_URL to run)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('PostgreSQL round trips per operation', () => {
    let store: PgHoldStore;
    let tenant: number;
    let sent: string[] = [];
    const original = pg.Client.prototype.query;
    let n = 0;
    const run = async (op: ServerOperation, input: Record<string, unknown>) => {
      sent = [];
      const reply = await store.execute(tenant, 1, op, input, T0, { key: `k${++n}`, requestHash: `h${n}` });
      return { reply, trips: sent.length };
    };

    beforeAll(async () => {
      store = new PgHoldStore(url, { schema: `t_${randomBytes(6).toString('hex')}` });
      await store.init();
      tenant = await store.createTenant('Teatro', {}, T0);
      await store.putEvent(tenant, demoEvent(7), T0);
      await store.tenantSettings(tenant); // cached while the LISTEN connection is up
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const q = args[0] as string | { text: string };
        sent.push(typeof q === 'string' ? q : q.text);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
    });
    afterAll(async () => {
      pg.Client.prototype.query = original;
      await store?.close();
      await store?.dropSchema();
    });

    it('a hold is two round trips (facts, then one guarded write), opening its cart or adding to it', async () => {
      const first = await run('holdSeats', { eventId: 7, sessionId: 's1', actor: 'c', seatIds: [101, 102] });
      expect(first.reply.status).toBe(200);
      expect(first.trips).toBe(2);
      const more = await run('holdSeats', { eventId: 7, sessionId: 's1', actor: 'c', seatIds: [103] });
      expect(more.reply.status).toBe(200);
      expect(more.trips).toBe(2);
    });

    it('a refused hold is two: the facts, then its answer stored under the key', async () => {
      const taken = await run('holdSeats', { eventId: 7, sessionId: 's2', actor: 'c', seatIds: [101] });
      expect(taken.reply.body.error?.code).toBe('SEAT_TAKEN');
      expect(taken.trips).toBe(2);
    });

    it('a release is two, closing the cart it empties', async () => {
      const some = await run('releaseSeats', { eventId: 7, sessionId: 's1', actor: 'c', seatIds: [103] });
      expect(some.reply.body.result).toEqual({ released: [103], notHeld: [] });
      expect(some.trips).toBe(2);
      const rest = await run('releaseSeats', {
        eventId: 7,
        sessionId: 's1',
        actor: 'c',
        seatIds: [101, 102],
      });
      expect(rest.reply.body.result).toEqual({ released: [101, 102], notHeld: [] });
      expect(rest.trips).toBe(2);
      const trail = await store.auditTrail(tenant, { eventId: 7, limit: 50 });
      expect(trail.map((a) => `${a.entity} ${a.from ?? '-'}>${a.to}`)).toEqual([
        'transaction ->PENDING',
        'ticket ->ACTIVE',
        'ticket ->ACTIVE',
        'ticket ->ACTIVE',
        'ticket ACTIVE>CANCELLED',
        'ticket ACTIVE>CANCELLED',
        'ticket ACTIVE>CANCELLED',
        'transaction PENDING>CANCELLED',
      ]);
    });

    it('a standing-places hold is two, and over capacity the same refusal as the locked path; an extension two', async () => {
      const held = await run('holdGeneral', {
        eventId: 7,
        sessionId: 'g1',
        actor: 'c',
        zoneId: 12,
        quantity: 4,
      });
      expect(held.reply.status).toBe(200);
      expect(held.trips).toBe(2);
      const full = await run('holdGeneral', {
        eventId: 7,
        sessionId: 'g2',
        actor: 'c',
        zoneId: 12,
        quantity: 2,
      });
      expect(full.reply.body.error?.details).toMatchObject({ zoneId: 12, requested: 2, available: 1 });
      expect(full.trips).toBe(2);
      const extended = await run('extendHolds', { eventId: 7, sessionId: 'g1', actor: 'c', minutes: 20 });
      expect(extended.reply.body.result).toMatchObject({ tickets: [{ zoneId: 12, quantity: 4 }] });
      expect(extended.trips).toBe(2);
    });
  });
}
