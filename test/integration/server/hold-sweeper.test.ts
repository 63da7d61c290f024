import { join } from 'node:path';
import axios from 'axios';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildServer, createTenantWithAdmin } from '../../../server/app.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { ManualClock, MINUTE_MS } from '../../../shared/clock.ts';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent, T0 } from './hold-store.contract.ts';

/**
 * The server's cleanup runs on each tenant's CLEANUP_INTERVAL_MINUTES (server time, a manual clock
 * here) and frees expired holds on every live map: nothing else would tell a map that a seat nobody
 * touched is free again.
 */
describe("the server's cleanup of expired holds", () => {
  const tmp = tempDir('taquilla-sweep-');
  const clock = new ManualClock(T0);
  let store: SqliteHoldStore;
  let app: FastifyInstance;
  let url = '';
  let secret = '';

  beforeAll(async () => {
    store = new SqliteHoldStore(join(tmp.dir, 'server.db'));
    await store.init();
    const admin = await createTenantWithAdmin(
      store,
      'Teatro',
      { TEMPORARY_HOLD_MINUTES: 3, CLEANUP_INTERVAL_MINUTES: 2 },
      T0,
    );
    secret = admin.secret;
    await store.putEvent(admin.tenantId, demoEvent(7), T0);
    app = await buildServer({ store, clock, sweep: { checkEveryMs: 10 } });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    tmp.remove();
  });

  it("frees a hold on every live map at the first cleanup after it ran out, on the tenant's interval", async () => {
    const states = new Map<number, string>();
    const zones = new Map<number, number>();
    const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/live?eventId=7`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as {
        seats?: { seatId: number; state: string }[];
        zones?: { zoneId: number; available: number }[];
      };
      for (const s of m.seats ?? []) states.set(s.seatId, s.state);
      for (const z of m.zones ?? []) zones.set(z.zoneId, z.available);
    });
    const op = (path: string, body: unknown, key: string) =>
      axios.post(`${url}/v1/ops/${path}`, body, {
        headers: { authorization: `Bearer ${secret}`, 'idempotency-key': key },
      });
    await op('holdSeats', { eventId: 7, sessionId: 's', actor: 'c', seatIds: [101] }, 'sweep-hold-1');
    await op(
      'holdGeneral',
      { eventId: 7, sessionId: 's', actor: 'c', zoneId: 12, quantity: 2 },
      'sweep-hold-2',
    );
    await expect.poll(() => [states.get(101), zones.get(12)]).toEqual(['held', 3]);
    // Two minutes on: a cleanup runs, but the hold (3 minutes) has not run out.
    clock.advance(2 * MINUTE_MS);
    await new Promise((r) => setTimeout(r, 100));
    expect(states.get(101)).toBe('held');
    // Three and a half: ran out, yet the next cleanup is due only at four.
    clock.advance(1.5 * MINUTE_MS);
    await new Promise((r) => setTimeout(r, 100));
    expect(states.get(101)).toBe('held');
    clock.advance(0.5 * MINUTE_MS);
    await expect.poll(() => [states.get(101), zones.get(12)]).toEqual(['free', 5]);
    socket.close();
  });
});
