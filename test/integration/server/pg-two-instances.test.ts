import { randomBytes } from 'node:crypto';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

const url = process.env.TAQUILLA_PG_URL;

describe.skipIf(!url)('two server processes on one PostgreSQL (set TAQUILLA_PG_URL to run)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let servers: ServerProcess[] = [];
  let secret = '';

  beforeAll(async () => {
    const args = ['--pg', url!, '--pg-schema', schema];
    secret = serverCli<{ secret: string }>(['create-tenant', ...args, '--name', 'Teatro']).secret;
    servers = await Promise.all([startServer(args), startServer(args)]);
    await axios.put(`${servers[0]!.url}/v1/admin/events`, demoEvent(7), {
      headers: { authorization: `Bearer ${secret}` },
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('sessions racing through both instances for the same seats: one winner per seat, batches whole', async () => {
    const attempts = Array.from({ length: 60 }, (_, i) => ({
      server: servers[i % 2]!,
      seatIds: [101 + (i % 10), 101 + ((i + 3) % 10)],
      sessionId: `race-${i}`,
    }));
    const replies = await Promise.all(
      attempts.map((a, i) =>
        axios.post(
          `${a.server.url}/v1/ops/holdSeats`,
          { eventId: 7, sessionId: a.sessionId, actor: 'c', seatIds: a.seatIds },
          {
            headers: { authorization: `Bearer ${secret}`, 'idempotency-key': `race-key-${i}-${schema}` },
            validateStatus: () => true,
          },
        ),
      ),
    );
    const holders = new Map<number, number>();
    replies.forEach((r, i) => {
      if (r.status === 200)
        for (const seat of attempts[i]!.seatIds) holders.set(seat, (holders.get(seat) ?? 0) + 1);
      else expect(r.data.error.code).toBe('SEAT_TAKEN');
    });
    expect([...holders.values()].every((n) => n === 1)).toBe(true);
    // both instances see the same truth
    const views = await Promise.all(
      servers.map((s) =>
        axios.get(`${s.url}/v1/events/7/availability`, { headers: { authorization: `Bearer ${secret}` } }),
      ),
    );
    const held = (v: (typeof views)[number]) =>
      v.data.result.seats
        .filter((s: { state: string }) => s.state === 'held')
        .map((s: { seatId: number }) => s.seatId);
    expect(held(views[0]!)).toEqual(held(views[1]!));
    expect(held(views[0]!).sort()).toEqual([...holders.keys()].sort());
  });
});
