import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

interface Setup {
  /** One instance (SQLite) or two sharing a database (PostgreSQL). */
  servers: ServerProcess[];
  admin: { tenantId: number; secret: string };
  /** The server command's own store flags (--db FILE or --pg URL --pg-schema S). */
  storeArgs: string[];
  cleanup: () => Promise<void>;
}

/** A terminal's live socket: whether it was greeted, and the close code once closed. */
function liveSocket(server: ServerProcess, secret: string) {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live?eventId=7`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  const state = { hello: false, messages: 0, closed: null as number | null };
  socket.on('message', (data) => {
    state.messages += 1;
    if ((JSON.parse(String(data)) as { type: string }).type === 'hello') state.hello = true;
  });
  socket.on('error', () => undefined);
  socket.on('close', (code) => {
    state.closed = code;
  });
  return state;
}

function revocationSuite(name: string, setup: () => Promise<Setup>) {
  describe(name, () => {
    let s: Setup;
    let keys = 0;
    const key = () => `revoke-${process.pid}-${++keys}-${randomBytes(3).toString('hex')}`;
    const as = (secret: string) => ({
      headers: { authorization: `Bearer ${secret}` },
      validateStatus: () => true,
    });
    const op = (server: ServerProcess, secret: string, seatIds: number[]) =>
      axios.post(
        `${server.url}/v1/ops/holdSeats`,
        { eventId: 7, sessionId: `s-${seatIds.join('-')}`, actor: 'c', seatIds },
        {
          headers: { authorization: `Bearer ${secret}`, 'idempotency-key': key() },
          validateStatus: () => true,
        },
      );
    const enrol = async (terminalName: string) => {
      const code = (await axios.post(`${s.servers[0]!.url}/v1/admin/enrol-codes`, {}, as(s.admin.secret)))
        .data.result.code as string;
      return (await axios.post(`${s.servers[0]!.url}/v1/enrol`, { code, terminalName })).data.result as {
        credentialId: number;
        secret: string;
      };
    };
    /** Opens a socket on every instance and makes every instance trust (and cache) the credential. */
    const inUse = async (terminal: { secret: string }, seat: number) => {
      const sockets = s.servers.map((server) => liveSocket(server, terminal.secret));
      await expect.poll(() => sockets.every((x) => x.hello)).toBe(true);
      for (const [i, server] of s.servers.entries()) {
        expect((await axios.get(`${server.url}/v1/whoami`, as(terminal.secret))).status).toBe(200);
        expect((await op(server, terminal.secret, [seat + i])).status).toBe(200);
      }
      return sockets;
    };
    const refusedEverywhere = async (terminal: { secret: string }, seat: number) => {
      for (const [i, server] of s.servers.entries()) {
        expect((await op(server, terminal.secret, [seat + i])).status).toBe(401);
        expect((await axios.get(`${server.url}/v1/whoami`, as(terminal.secret))).status).toBe(401);
        expect((await axios.get(`${server.url}/v1/events/7/availability`, as(terminal.secret))).status).toBe(
          401,
        );
      }
    };

    beforeAll(async () => {
      s = await setup();
      await axios.put(`${s.servers[0]!.url}/v1/admin/events`, demoEvent(7), as(s.admin.secret));
    });
    afterAll(async () => s?.cleanup());

    it('revoked over HTTP: its live sockets close at once on every instance, and every instance refuses its next request', async () => {
      const terminal = await enrol('Caja revocada');
      const sockets = await inUse(terminal, 101);
      const revoked = await axios.post(
        `${s.servers[0]!.url}/v1/admin/revoke`,
        { credentialId: terminal.credentialId },
        as(s.admin.secret),
      );
      expect(revoked.status).toBe(200);
      await refusedEverywhere(terminal, 111);
      await expect
        .poll(() => sockets.map((x) => x.closed), { timeout: 1000 })
        .toEqual(s.servers.map(() => 4401));
    });

    it('revoked by the server command on its own database: the same, with no admin secret', async () => {
      const terminal = await enrol('Caja 2');
      const bystander = await enrol('Caja 3');
      const sockets = await inUse(terminal, 121);
      const others = await inUse(bystander, 131);
      const out = serverCli<{ revoked: number }>([
        'revoke',
        ...s.storeArgs,
        '--tenant',
        String(s.admin.tenantId),
        '--credential',
        String(terminal.credentialId),
      ]);
      expect(out.revoked).toBe(terminal.credentialId);
      await expect
        .poll(() => sockets.map((x) => x.closed), { timeout: 1000 })
        .toEqual(s.servers.map(() => 4401));
      await refusedEverywhere(terminal, 135);
      // Only that terminal: another one of the tenant keeps its sockets and its access.
      expect(others.map((x) => x.closed)).toEqual(s.servers.map(() => null));
      expect((await op(s.servers.at(-1)!, bystander.secret, [139])).status).toBe(200);
    });
  });
}

revocationSuite('revocation on a SQLite server', async () => {
  const tmp = tempDir('taquilla-revoke-');
  const db = join(tmp.dir, 'server.db');
  const admin = serverCli<{ tenantId: number; secret: string }>([
    'create-tenant',
    '--db',
    db,
    '--name',
    'Teatro',
  ]);
  const server = await startServer(['--db', db]);
  return {
    servers: [server],
    admin,
    storeArgs: ['--db', db],
    cleanup: async () => {
      await server.stop();
      tmp.remove();
    },
  };
});

const pgUrl = process.env.TAQUILLA_PG_URL;
if (pgUrl) {
  revocationSuite('revocation across two server instances on PostgreSQL', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const storeArgs = ['--pg', pgUrl, '--pg-schema', schema];
    const admin = serverCli<{ tenantId: number; secret: string }>([
      'create-tenant',
      ...storeArgs,
      '--name',
      'Teatro',
    ]);
    const servers = await Promise.all([startServer(storeArgs), startServer(storeArgs)]);
    return {
      servers,
      admin,
      storeArgs,
      cleanup: async () => {
        await Promise.all(servers.map((x) => x.stop()));
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  });
} else {
  describe.skip('revocation on PostgreSQL (set TAQUILLA_PG_URL to run)', () => {
    it('needs PostgreSQL', () => undefined);
  });
}
