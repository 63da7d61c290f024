import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sample } from '../../support/prometheus.ts';
import { tempDir } from '../../support/temp-store.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

interface Reply {
  status: number;
  retryAfter: string | null;
  body: {
    result?: { secret: string };
    error?: { code: string; message: string; details?: { retryAfterMs: number } };
  };
}

/** Rate limits per client address, on a real server process (every request here comes from 127.0.0.1). */
describe('rate limits (real server process)', () => {
  const tmp = tempDir('taquilla-limits-');
  const db = join(tmp.dir, 'server.db');
  let tenantId: number;
  const servers: ServerProcess[] = [];

  beforeAll(() => {
    tenantId = serverCli<{ tenantId: number }>(['create-tenant', '--db', db, '--name', 'Teatro']).tenantId;
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    tmp.remove();
  });

  async function serve(...limits: string[]) {
    const server = await startServer(['--db', db, ...limits]);
    servers.push(server);
    const call = async (
      path: string,
      init: { method?: string; body?: unknown; secret?: string } = {},
    ): Promise<Reply> => {
      const res = await fetch(`${server.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.secret ? { authorization: `Bearer ${init.secret}` } : {}),
        },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as Reply['body'],
      };
    };
    const code = () =>
      serverCli<{ code: string }>(['enrol-code', '--db', db, '--tenant', String(tenantId)]).code;
    const enrol = (c: string) =>
      call('/v1/enrol', { method: 'POST', body: { code: c, terminalName: 'Caja' } });
    return { server, call, code, enrol };
  }

  it('enrolment: past the attempts allowed per minute, even a good code is told to wait (429 RATE_LIMITED)', async () => {
    const { server, call, code, enrol } = await serve(
      '--enrol-per-minute',
      '3',
      '--credential-failures-per-minute',
      '100',
    );
    const good = code();
    expect((await enrol('AAAA-BBBB-CCCC')).status).toBe(401);
    expect((await enrol('AAAA-BBBB-CCCD')).status).toBe(401);
    expect((await enrol('AAAA-BBBB-CCCE')).status).toBe(401);
    const limited = await enrol(good);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterMs: expect.any(Number) },
    });
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // the rest of the API is not held back by it
    expect((await call('/v1/time')).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(metrics, 'taquilla_rate_limited_total', { limit: 'enrol' })).toBe(1);
  });

  it('refused credentials: past the failures allowed per minute, unknown tokens get 429 without a lookup; a known terminal at the same address keeps working', async () => {
    const { server, call, code, enrol } = await serve('--credential-failures-per-minute', '5');
    const terminal = (await enrol(code())).body.result!.secret;
    expect((await call('/v1/whoami', { secret: terminal })).status).toBe(200);
    for (let i = 0; i < 5; i++)
      expect((await call('/v1/whoami', { secret: `tqs_junk-${i}` })).status).toBe(401);
    const blocked = await call('/v1/whoami', { secret: 'tqs_junk-next' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error?.code).toBe('RATE_LIMITED');
    expect((await call('/v1/whoami')).status).toBe(429); // no credential at all: the same
    // a refused live socket is refused before it is read, too
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live?eventId=7&token=tqs_junk-ws`);
    const refusal = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(refusal).toBe(429);
    // The venue's enrolled counter, at the same address, is not throttled for it.
    expect((await call('/v1/whoami', { secret: terminal })).status).toBe(200);
    // Monitoring is never limited, and counts what was refused.
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(sample(await metrics.text(), 'taquilla_rate_limited_total', { limit: 'credentials' })).toBe(3);
  });
});
