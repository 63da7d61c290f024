import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

describe('hold server over HTTP (real process on loopback)', () => {
  const tmp = tempDir('taquilla-http-');
  const db = join(tmp.dir, 'server.db');
  let server: ServerProcess;
  let admin: { tenantId: number; secret: string };
  let otherAdmin: { tenantId: number; secret: string };
  let http: AxiosInstance;
  const as = (secret: string) => ({
    headers: { authorization: `Bearer ${secret}` },
  });
  const op = (secret: string, key: string) => ({
    headers: { authorization: `Bearer ${secret}`, 'idempotency-key': key },
  });

  async function enrol(adminSecret: string, name: string) {
    const code = (await http.post('/v1/admin/enrol-codes', { minutes: 10 }, as(adminSecret))).data.result
      .code;
    const res = await http.post('/v1/enrol', { code, terminalName: name });
    return res.data.result as {
      tenantId: number;
      credentialId: number;
      secret: string;
    };
  }

  beforeAll(async () => {
    admin = serverCli(['create-tenant', '--db', db, '--name', 'Teatro']);
    otherAdmin = serverCli(['create-tenant', '--db', db, '--name', 'Otro']);
    server = await startServer(['--db', db]);
    http = axios.create({ baseURL: server.url, validateStatus: () => true });
    await http.put('/v1/admin/events', demoEvent(7), as(admin.secret));
    await http.put('/v1/admin/events', demoEvent(7), as(otherAdmin.secret));
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('publishes its OpenAPI document at /docs/json', async () => {
    const doc = (await http.get('/docs/json')).data;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/ops/holdSeats');
  });

  it('a terminal enrols with a one-time code, and the code does not work twice', async () => {
    const code = (await http.post('/v1/admin/enrol-codes', {}, as(admin.secret))).data.result.code as string;
    const first = await http.post('/v1/enrol', {
      code,
      terminalName: 'Taquilla 1',
    });
    expect(first.status).toBe(200);
    expect(first.data.result.secret).toMatch(/^tqs_/);
    expect(first.data.serverTime).toEqual(expect.any(Number));
    const second = await http.post('/v1/enrol', {
      code,
      terminalName: 'Taquilla 2',
    });
    expect(second.status).toBe(401);
  });

  it('refuses requests without a credential, with a bad one, and from a terminal on admin routes', async () => {
    const terminal = await enrol(admin.secret, 'T');
    const body = { eventId: 7, sessionId: 's', actor: 'c', seatIds: [101] };
    expect(
      (
        await http.post('/v1/ops/holdSeats', body, {
          headers: { 'idempotency-key': 'key-00001' },
        })
      ).status,
    ).toBe(401);
    expect((await http.post('/v1/ops/holdSeats', body, op('tqs_nope', 'key-00002'))).status).toBe(401);
    expect((await http.post('/v1/admin/enrol-codes', {}, as(terminal.secret))).status).toBe(403);
    expect((await http.post('/v1/ops/holdSeats', body, as(terminal.secret))).status).toBe(400); // no key
  });

  it('a revoked terminal gets 401 at once', async () => {
    const terminal = await enrol(admin.secret, 'Revocable');
    const body = { eventId: 7, sessionId: 'rev', actor: 'c', seatIds: [130] };
    expect((await http.post('/v1/ops/holdSeats', body, op(terminal.secret, 'rev-key-1'))).status).toBe(200);
    const revoked = await http.post(
      '/v1/admin/revoke',
      { credentialId: terminal.credentialId },
      as(admin.secret),
    );
    expect(revoked.status).toBe(200);
    const after = await http.post('/v1/ops/releaseSeats', body, op(terminal.secret, 'rev-key-2'));
    expect(after.status).toBe(401);
    // another tenant's admin cannot revoke this tenant's terminals
    const mine = await enrol(admin.secret, 'Mine');
    expect(
      (await http.post('/v1/admin/revoke', { credentialId: mine.credentialId }, as(otherAdmin.secret)))
        .status,
    ).toBe(403);
  });

  it('idempotent over HTTP: a repeated request is answered from the store, a changed body is a 409', async () => {
    const terminal = await enrol(admin.secret, 'Idem');
    const body = {
      eventId: 7,
      sessionId: 'idem-http',
      actor: 'c',
      seatIds: [120, 121],
    };
    const a = await http.post('/v1/ops/holdSeats', body, op(terminal.secret, 'idem-http-1'));
    const b = await http.post('/v1/ops/holdSeats', body, op(terminal.secret, 'idem-http-1'));
    expect(a.status).toBe(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.data.result).toEqual(a.data.result);
    expect(b.data.serverTime).toBeGreaterThanOrEqual(a.data.serverTime);
    const c = await http.post(
      '/v1/ops/holdSeats',
      { ...body, seatIds: [122] },
      op(terminal.secret, 'idem-http-1'),
    );
    expect(c.status).toBe(409);
    expect(c.data.error.code).toBe('IDEMPOTENCY_MISMATCH');
  });

  it("a terminal sees only its tenant's data", async () => {
    const mine = await enrol(admin.secret, 'A');
    const theirs = await enrol(otherAdmin.secret, 'B');
    const held = await http.post(
      '/v1/ops/holdSeats',
      { eventId: 7, sessionId: 'iso', actor: 'c', seatIds: [125] },
      op(mine.secret, 'iso-key-1'),
    );
    const txId = held.data.result.transactionId;
    const steal = await http.post(
      '/v1/ops/complete',
      { transactionId: txId, actor: 'x' },
      op(theirs.secret, 'iso-key-2'),
    );
    expect(steal.status).toBe(404);
    const view = (await http.get('/v1/events/7/availability', as(theirs.secret))).data.result;
    expect(view.seats.find((s: { seatId: number }) => s.seatId === 125).state).toBe('free');
    // and the same idempotency key in another tenant is another request
    const same = await http.post(
      '/v1/ops/holdSeats',
      { eventId: 7, sessionId: 'iso', actor: 'c', seatIds: [125] },
      op(theirs.secret, 'iso-key-1'),
    );
    expect(same.status).toBe(200);
    expect(same.headers['idempotent-replayed']).toBeUndefined();
  });

  it('validation errors name the field', async () => {
    const terminal = await enrol(admin.secret, 'V');
    const bad = await http.post(
      '/v1/ops/holdSeats',
      { eventId: 7, sessionId: 's', actor: 'c', seatIds: [] },
      op(terminal.secret, 'bad-key-1'),
    );
    expect(bad.status).toBe(400);
    expect(bad.data.error.code).toBe('VALIDATION');
  });
});

describe('batch of independent operations', () => {
  const tmp = tempDir('taquilla-batch-');
  const db = join(tmp.dir, 'server.db');
  let server: ServerProcess;
  let http: AxiosInstance;
  let secret: string;

  beforeAll(async () => {
    secret = serverCli<{ secret: string }>(['create-tenant', '--db', db, '--name', 'Teatro']).secret;
    server = await startServer(['--db', db]);
    http = axios.create({
      baseURL: server.url,
      validateStatus: () => true,
      headers: { authorization: `Bearer ${secret}` },
    });
    await http.put('/v1/admin/events', demoEvent(7));
  });
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  it('answers each item as if sent alone; a duplicate delivery of the batch changes nothing', async () => {
    const items = [101, 102, 103].map((seat) => ({
      op: 'holdSeats',
      key: `batch-key-${seat}`,
      body: { eventId: 7, sessionId: `b-${seat}`, actor: 'c', seatIds: [seat] },
    }));
    items.push({
      op: 'holdSeats',
      key: 'batch-key-dup',
      body: { eventId: 7, sessionId: 'x', actor: 'c', seatIds: [101] },
    });
    const first = await http.post('/v1/batch', { items });
    expect(first.status).toBe(200);
    const codes = first.data.result.replies.map((r: { status: number }) => r.status).sort();
    expect(codes).toEqual([200, 200, 200, 409]);
    const again = await http.post('/v1/batch', { items });
    expect(again.data.result.replies.map((r: { replayed: boolean }) => r.replayed)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      again.data.result.replies.map((r: { result?: unknown; error?: unknown }) => r.result ?? r.error),
    ).toEqual(
      first.data.result.replies.map((r: { result?: unknown; error?: unknown }) => r.result ?? r.error),
    );
    // the same key sent alone is the same request
    const single = await http.post('/v1/ops/holdSeats', items[0]!.body, {
      headers: { 'idempotency-key': items[0]!.key },
    });
    expect(single.headers['idempotent-replayed']).toBe('true');
  });
});
