import { request } from 'node:http';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApi } from './api-fixture.ts';
import { tempDir } from '../../support/temp-store.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/** A raw request, so odd paths and bodies reach the server exactly as sent. */
function raw(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', fail);
    if (options.body) req.end(options.body);
    else req.end();
  });
}

describe('the local HTTP server at its edges', () => {
  let api: ApiFixture;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('a broken %-encoding is a 400, never an internal error', async () => {
    const auth = { 'x-taquilla-token': api.server.token };
    expect((await raw(api.server.port, '/%', { headers: auth })).status).toBe(400);
    expect((await raw(api.server.port, '/assets/%E0%A4%A.js', { headers: auth })).status).toBe(400);
    const method = await raw(api.server.port, '/api/%', {
      method: 'POST',
      headers: auth,
      body: Buffer.from('{}'),
    });
    expect(method.status).toBe(400);
  });

  it('a body over 1 MB is answered 413 with a reason, not a reset connection', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const declared = await raw(api.server.port, '/api/session.users', {
      method: 'POST',
      headers: { 'x-taquilla-token': api.server.token, 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.message).toMatch(/over 1048576 bytes/);
    // Chunked, with no declared length: found while reading.
    const chunked = await new Promise<number>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: api.server.port,
          path: '/api/session.users',
          method: 'POST',
          headers: { 'x-taquilla-token': api.server.token, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        },
      );
      req.on('error', fail);
      for (let i = 0; i < 32; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    // The server is still fine afterwards.
    expect((await api.call('session.users', {})).status).toBe(200);
  });
});

describe('taquilla serve on a port that is taken', () => {
  it('says so in one line and exits instead of running on without its screen', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const store = join(dir.dir, 'caja.db');
      await run(process.execPath, [join(ROOT, 'bin/taquilla.js'), 'seed-demo', '--db', store], { cwd: ROOT });
      const served = await run(
        process.execPath,
        [join(ROOT, 'bin/taquilla.js'), 'serve', '--db', store, '--port', String(port)],
        { cwd: ROOT, timeout: 20_000 },
      ).then(
        () => ({ code: 0, err: '' }),
        (e: { code: number; stderr: string; killed?: boolean }) => ({
          code: e.killed ? -1 : e.code,
          err: e.stderr,
        }),
      );
      expect(served.code).toBe(2);
      expect(served.err.trim()).toBe(
        `taquilla: port ${port} is already in use (another taquilla serve?); choose --port N (see taquilla --help)`,
      );
    } finally {
      blocker.close();
      dir.remove();
    }
  });
});
