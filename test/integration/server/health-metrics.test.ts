import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sample } from '../../support/prometheus.ts';
import { tempDir } from '../../support/temp-store.ts';
import { Partition } from '../sync/sync-fixture.ts';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

describe('health, readiness and metrics (real SQLite server process)', () => {
  const tmp = tempDir('taquilla-metrics-');
  const db = join(tmp.dir, 'server.db');
  const token = `metrics-${randomBytes(8).toString('hex')}`;
  let server: ServerProcess;
  let admin: { tenantId: number; secret: string };
  let terminal: { credentialId: number; secret: string };
  let keys = 0;

  const op = async (
    secret: string,
    name: string,
    body: unknown,
    key = `m-${++keys}-${randomBytes(4).toString('hex')}`,
  ) => {
    const res = await fetch(`${server.url}/v1/ops/${name}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'idempotency-key': key,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { serverTime: number; result: unknown; error?: { code: string } },
    };
  };
  const metrics = async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  beforeAll(async () => {
    admin = serverCli(['create-tenant', '--db', db, '--name', 'Teatro']);
    server = await startServer(['--db', db], 0, true, { TAQUILLA_METRICS_TOKEN: token });
    await fetch(`${server.url}/v1/admin/events`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(demoEvent(7)),
    });
    const { code } = serverCli<{ code: string }>([
      'enrol-code',
      '--db',
      db,
      '--tenant',
      String(admin.tenantId),
    ]);
    const enrolled = await fetch(`${server.url}/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, terminalName: 'Caja 1' }),
    });
    terminal = ((await enrolled.json()) as { result: typeof terminal }).result;
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('/health says the process answers; /ready names each check', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      store: 'sqlite',
      checks: { database: 'ok', disk: 'ok' },
    });
  });

  it('/metrics needs the metrics token when one is set', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect(sample(await metrics(), 'taquilla_store_ready')).toBe(1);
  });

  it('counts hold operations by outcome (ok, a refusal, replayed), with their latency', async () => {
    const key = `m-first-${randomBytes(4).toString('hex')}`;
    const hold = { eventId: 7, sessionId: 'a', actor: 'c', seatIds: [101] };
    expect((await op(terminal.secret, 'holdSeats', hold, key)).status).toBe(200);
    expect((await op(terminal.secret, 'holdSeats', hold, key)).status).toBe(200); // a retry
    const taken = await op(terminal.secret, 'holdSeats', { ...hold, sessionId: 'b' });
    expect(taken.body.error?.code).toBe('SEAT_TAKEN');
    const text = await metrics();
    const count = (outcome: string) =>
      sample(text, 'taquilla_operation_duration_seconds_count', { operation: 'holdSeats', outcome });
    expect(count('ok')).toBe(1);
    expect(count('replayed')).toBe(1);
    expect(count('SEAT_TAKEN')).toBe(1);
    expect(
      sample(text, 'taquilla_operation_duration_seconds_sum', { operation: 'holdSeats', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'taquilla_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/ops/holdSeats',
        status: '200',
      }),
    ).toBe(2);
    expect(
      sample(text, 'taquilla_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/ops/holdSeats',
        status: '409',
      }),
    ).toBe(1);
    expect(sample(text, 'taquilla_live_holds', { tenant: String(admin.tenantId) })).toBe(1);
    expect(sample(text, 'taquilla_store_disk_free_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it("knows each terminal's leases and how late its offline sales arrive (its outbox lag)", async () => {
    const lease = await op(terminal.secret, 'lease', {
      eventId: 7,
      actor: 'c',
      seatIds: [110, 111],
      ticketNumbers: 10,
    });
    expect(lease.status, JSON.stringify(lease.body)).toBe(200);
    const grant = lease.body.result as { leaseId: string; ticketFrom: number };
    const labels = { tenant: String(admin.tenantId), terminal: String(terminal.credentialId) };
    expect(sample(await metrics(), 'taquilla_open_leases', labels)).toBe(1);
    // A sale dated 45 s before it reached the server (soldAt is on the server's clock). A sale is
    // inside its lease, so this ages it without waiting: the server allows a counter's clock to place
    // a sale up to a minute before the grant (the offset it measures is a round trip's worth off).
    const sale = await op(terminal.secret, 'leaseSale', {
      leaseId: grant.leaseId,
      saleId: 'offline-sale-1',
      actor: 'c',
      seatIds: [110],
      ticketNumbers: [grant.ticketFrom],
      soldAt: lease.body.serverTime - 45_000,
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(200);
    const text = await metrics();
    expect(sample(text, 'taquilla_offline_sale_age_seconds_count')).toBe(1);
    expect(sample(text, 'taquilla_offline_sale_age_seconds_bucket', { le: '30' })).toBe(0);
    expect(sample(text, 'taquilla_offline_sale_age_seconds_bucket', { le: '300' })).toBe(1);
    const age = sample(text, 'taquilla_terminal_offline_sale_age_seconds', labels)!;
    expect(age).toBeGreaterThanOrEqual(45);
    expect(age).toBeLessThan(105);
  });

  it('counts live subscribers as they come and go', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live?eventId=7&since=0`, {
      headers: { authorization: `Bearer ${terminal.secret}` },
    });
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    expect(sample(await metrics(), 'taquilla_live_subscribers')).toBe(1);
    ws.close();
    await expect.poll(async () => sample(await metrics(), 'taquilla_live_subscribers')).toBe(0);
  });
});

const url = process.env.TAQUILLA_PG_URL;
describe.skipIf(!url)(
  'readiness on PostgreSQL follows the database and the LISTEN link (real process)',
  () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let server: ServerProcess;
    let cable: Partition;

    beforeAll(async () => {
      const pgPort = Number(new URL(url!).port || 5432);
      cable = new Partition(() => pgPort);
      await cable.listen();
      const viaCable = new URL(url!);
      viaCable.port = String(cable.port);
      // (the command runs straight to PostgreSQL: spawnSync would stall the cable, which runs here)
      serverCli(['create-tenant', '--pg', url!, '--pg-schema', schema, '--name', 'Teatro']);
      server = await startServer(['--pg', viaCable.toString(), '--pg-schema', schema]);
    });
    afterAll(async () => {
      await server?.kill();
      await cable?.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    const ready = async () => {
      const res = await fetch(`${server.url}/ready`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
    };

    it('ready while PostgreSQL and LISTEN are up; 503 naming both when the database is cut off; ready again after', async () => {
      expect(await ready()).toMatchObject({
        status: 200,
        body: { checks: { database: 'ok', listen: 'ok' } },
      });
      cable.set('down');
      await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(503);
      const down = await ready();
      expect(down.body.checks.database).toMatch(/^unreachable/);
      expect(down.body.checks.listen).toBe('down (reconnecting)');
      expect((await fetch(`${server.url}/health`)).status).toBe(200); // alive all the same
      cable.set('up');
      await expect.poll(async () => (await ready()).status, { timeout: 20_000, interval: 250 }).toBe(200);
    });
  },
);
