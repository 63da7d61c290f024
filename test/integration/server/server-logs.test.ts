import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  status?: number;
  err?: { message: string; stack: string };
  [key: string]: unknown;
}

describe('server logs (real process, JSON lines on stdout)', () => {
  const tmp = tempDir('taquilla-logs-');
  const db = join(tmp.dir, 'server.db');
  let server: ServerProcess;
  let admin: { tenantId: number; secret: string };
  const secrets: string[] = [];

  const lines = (): LogLine[] =>
    server
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const call = (path: string, init: RequestInit & { secret?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(init.secret ? { authorization: `Bearer ${init.secret}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  beforeAll(async () => {
    admin = serverCli(['create-tenant', '--db', db, '--name', 'Teatro']);
    secrets.push(admin.secret);
    // debug: one line per request, so every request's line can be searched for secrets
    server = await startServer(['--db', db, '--log-level', 'debug']);
    await call('/v1/admin/events', {
      method: 'PUT',
      secret: admin.secret,
      body: JSON.stringify(demoEvent(7)),
    });
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('every request is one JSON line with its request id, which the reply names (a proxy may give its own)', async () => {
    const res = await call('/v1/time');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const given = await call('/v1/time', { headers: { 'x-request-id': 'nginx-abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('nginx-abc-123');
    await expect
      .poll(() => lines().map((l) => l.reqId))
      .toEqual(expect.arrayContaining([id, 'nginx-abc-123']));
    const line = lines().find((l) => l.reqId === id)!;
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/v1/time', status: 200 });
    expect(line.level).toBe(20); // debug: an ordinary request
  });

  it('a server error is logged at error level with its stack, under the request id the reply carries', async () => {
    // Break the database under the running server: a table it reads on every heartbeat is gone.
    const raw = new Database(db);
    raw.exec('DROP TABLE catalog_revisions');
    raw.close();
    const res = await call('/v1/whoami', { secret: admin.secret });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
    const id = res.headers.get('x-request-id')!;
    await expect.poll(() => lines().filter((l) => l.reqId === id && l.level === 50).length).toBe(2);
    const [failed, request] = lines().filter((l) => l.reqId === id && l.level === 50);
    expect(failed!.msg).toBe('request failed');
    expect(failed!.err!.message).toMatch(/catalog_revisions/);
    expect(failed!.err!.stack).toMatch(/at /);
    expect(request).toMatchObject({ msg: 'request', status: 500, route: '/v1/whoami', credential: 1 });
  });

  it('refused credentials are logged at warn, and no secret ever reaches the log', async () => {
    const { code } = serverCli<{ code: string }>([
      'enrol-code',
      '--db',
      db,
      '--tenant',
      String(admin.tenantId),
    ]);
    secrets.push(code, code.replace(/-/g, ''));
    const enrolled = (await (
      await call('/v1/enrol', { method: 'POST', body: JSON.stringify({ code, terminalName: 'Caja 1' }) })
    ).json()) as { result: { secret: string } };
    const terminal = enrolled.result.secret;
    secrets.push(terminal);
    // a bad code, a junk token, the terminal's own requests, its live socket with the token in the URL
    const badCode = 'ZZZZ-ZZZZ-ZZZ9';
    secrets.push(badCode);
    await call('/v1/enrol', { method: 'POST', body: JSON.stringify({ code: badCode, terminalName: 'X' }) });
    const junk = 'tqs_not-a-real-secret-but-looks-like-one';
    secrets.push(junk);
    const refused = await call('/v1/events/7/availability', { secret: junk });
    expect(refused.status).toBe(401);
    await call('/v1/ops/holdSeats', {
      method: 'POST',
      secret: terminal,
      headers: { 'idempotency-key': 'log-test-0001' },
      body: JSON.stringify({ eventId: 7, sessionId: 's', actor: 'c', seatIds: [101] }),
    });
    for (const token of [terminal, junk]) {
      const ws = new WebSocket(
        `${server.url.replace('http', 'ws')}/v1/live?eventId=7&since=0&token=${encodeURIComponent(token)}`,
      );
      await new Promise((resolve) => {
        ws.once('message', resolve);
        ws.once('close', resolve);
        ws.once('error', resolve);
      });
      ws.terminate();
    }
    const id = refused.headers.get('x-request-id');
    await expect.poll(() => lines().find((l) => l.reqId === id)?.level).toBe(40);
    await expect
      .poll(() => server.output().stdout)
      .toMatch(/\/v1\/live\?eventId=7&since=0&token=\[redacted\]/);
    const everything = `${server.output().stdout}\n${server.output().stderr}`;
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/tqs_/);
  });
});
