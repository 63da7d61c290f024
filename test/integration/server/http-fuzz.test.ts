import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

/**
 * Random and malformed requests to every route the central server publishes in its OpenAPI
 * document: never a 500, always a JSON error, and the server keeps serving.
 */
const tmp = tempDir('taquilla-server-fuzz-');
const db = join(tmp.dir, 'server.db');
let server: ServerProcess;
let http: AxiosInstance;
let admin: { secret: string };
let routes: { method: string; path: string }[] = [];

beforeAll(async () => {
  admin = serverCli(['create-tenant', '--db', db, '--name', 'Teatro']);
  server = await startServer(['--db', db]);
  http = axios.create({ baseURL: server.url, validateStatus: () => true, timeout: 5000 });
  await http.put('/v1/admin/events', demoEvent(7), { headers: { authorization: `Bearer ${admin.secret}` } });
  const doc = (await http.get('/docs/json')).data as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'delete'].includes(m))
      .map((method) => ({ method, path: path.replace(/\{[^}]+\}/g, 'x') })),
  );
});
afterAll(async () => {
  await server.stop();
  tmp.remove();
});

describe('the central server under malformed requests', () => {
  it('publishes its routes', () => {
    expect(routes.length).toBeGreaterThan(5);
  });

  it('answers every route with a clear error and never a 500, with or without credentials', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.anything(),
        fc.boolean(),
        fc.option(fc.string({ maxLength: 40 })),
        async (pick, body, authorised, key) => {
          const route = routes[pick % routes.length]!;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (authorised) headers.authorization = `Bearer ${admin.secret}`;
          if (key) headers['idempotency-key'] = key;
          const res = await http.request({
            method: route.method,
            url: route.path,
            headers,
            data: route.method === 'get' ? undefined : JSON.stringify(body ?? null),
          });
          expect(res.status, `${route.method} ${route.path}`).toBeLessThan(500);
          if (res.status >= 400) expect(res.data).toBeTypeOf('object');
        },
      ),
      { numRuns: 250 },
    );
    expect((await http.get('/v1/time')).status).toBe(200);
  });
});
