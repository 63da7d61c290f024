import { randomBytes } from 'node:crypto';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

const url = process.env.TAQUILLA_PG_URL;

/** What one live socket has heard: every seat's last state, and how it closed. */
function follow(server: ServerProcess, secret: string) {
  const states = new Map<number, string>();
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live?eventId=7`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  const heard = { hello: false, closed: null as number | null };
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; seats?: { seatId: number; state: string }[] };
    if (message.type === 'hello') heard.hello = true;
    for (const seat of message.seats ?? []) states.set(seat.seatId, seat.state);
  });
  socket.on('error', () => undefined);
  socket.on('close', (code) => {
    heard.closed = code;
  });
  return { states, heard, close: () => socket.close() };
}

describe.skipIf(!url)('PostgreSQL drops connections under two server processes (set TAQUILLA_PG_URL)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let servers: ServerProcess[] = [];
  let secret = '';
  let keys = 0;
  const hold = (server: ServerProcess, seatIds: number[], sessionId: string) =>
    axios.post(
      `${server.url}/v1/ops/holdSeats`,
      { eventId: 7, sessionId, actor: 'c', seatIds },
      {
        headers: { authorization: `Bearer ${secret}`, 'idempotency-key': `drop-${schema}-${++keys}` },
        validateStatus: () => true,
      },
    );
  /** pg_terminate_backend of this test's own server connections (application_name names them). */
  const terminate = async (pattern: string): Promise<number> => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE application_name LIKE $1 AND pid <> pg_backend_pid()`,
        [pattern],
      );
      return rows.filter((r: { ok: boolean }) => r.ok).length;
    } finally {
      await admin.end();
    }
  };
  const alive = (s: ServerProcess) => s.child.exitCode === null && s.child.signalCode === null;

  beforeAll(async () => {
    const args = ['--pg', url!, '--pg-schema', schema];
    secret = serverCli<{ secret: string }>(['create-tenant', ...args, '--name', 'Teatro']).secret;
    servers = await Promise.all([startServer(args), startServer(args)]);
    await axios.put(`${servers[0]!.url}/v1/admin/events`, demoEvent(7), {
      headers: { authorization: `Bearer ${secret}` },
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('both instances survive pg_terminate_backend of every connection and serve the next request', async () => {
    // Warm both pools so there are idle connections to lose.
    for (const [i, server] of servers.entries()) {
      const replies = await Promise.all(
        [0, 1, 2].map((j) => hold(server, [101 + i * 3 + j], `warm-${i}-${j}`)),
      );
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    }
    const killed = await terminate(`taquilla-server/${schema}%`);
    expect(killed).toBeGreaterThanOrEqual(4); // at least a pool connection and a listener each
    // An idle connection's error arrives a moment later: give it time to take the process down.
    await new Promise((r) => setTimeout(r, 300));
    expect(servers.map(alive)).toEqual([true, true]);
    expect((await hold(servers[0]!, [110], 'after-0')).status).toBe(200);
    expect((await hold(servers[1]!, [111], 'after-1')).status).toBe(200);
    expect(servers.map(alive)).toEqual([true, true]);
  });

  it('a dropped LISTEN connection is re-established and what changed meanwhile is caught up', async () => {
    const live = follow(servers[1]!, secret);
    await expect.poll(() => live.heard.hello).toBe(true);
    // Only instance B's listener: its pool stays, so B keeps serving but hears nothing until it LISTENs again.
    expect(await terminate(`taquilla-server/${schema}/listen/${servers[1]!.child.pid}`)).toBe(1);
    expect((await hold(servers[0]!, [120], 'while-deaf')).status).toBe(200);
    await expect.poll(() => live.states.get(120), { timeout: 10_000 }).toBe('held');
    // ...and for good, not once.
    expect((await hold(servers[0]!, [121], 'after-deaf')).status).toBe(200);
    await expect.poll(() => live.states.get(121), { timeout: 5_000 }).toBe('held');
    expect(live.heard.closed).toBeNull();
    live.close();
  });
});
