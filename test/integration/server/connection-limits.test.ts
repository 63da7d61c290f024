import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildServer, createTenantWithAdmin } from '../../../server/app.ts';
import type { ServerLimits } from '../../../server/ops/limits.ts';
import { SqliteHoldStore } from '../../../server/storage/sqlite-hold-store.ts';
import { systemClock } from '../../../shared/clock.ts';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';

/**
 * The server's own limits on what a client may hold open, through real sockets on loopback: a body
 * sent a byte at a time, more connections than the cap, a connection that says nothing.
 */
describe('connection limits (buildServer on a real SQLite store, raw sockets)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function serve(limits: Partial<ServerLimits>) {
    const tmp = tempDir('taquilla-limits-');
    const store = new SqliteHoldStore(join(tmp.dir, 'server.db'));
    await store.init();
    const admin = await createTenantWithAdmin(store, 'Teatro', {}, systemClock.now());
    const app: FastifyInstance = await buildServer({ store, clock: systemClock, sweep: false, limits });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
      await store.close();
      tmp.remove();
    });
    const { port } = app.server.address() as { port: number };
    return { port, admin, url: `http://127.0.0.1:${port}` };
  }

  /** A socket that reports when the server closed it (or the test gave up). */
  function open(port: number) {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.resume(); // read what the server says (a 408), so its closing is seen
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
    cleanups.push(() => void socket.destroy());
    return { socket, closed, connected: new Promise<void>((r) => socket.once('connect', () => r())) };
  }

  it('a body sent one byte at a time is cut off at the request timeout, however long the sender keeps going', async () => {
    const { port, admin } = await serve({ requestTimeoutMs: 2000, headersTimeoutMs: 1000 });
    const senders = Array.from({ length: 20 }, () => open(port));
    await Promise.all(senders.map((s) => s.connected));
    const body = JSON.stringify(demoEvent(7));
    for (const { socket } of senders) {
      socket.write(
        `PUT /v1/admin/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.secret}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
    }
    // Keep trickling for up to 20 s (ten times the timeout): a server without a request timeout keeps
    // every one of these open all that time.
    let sent = 0;
    const stillOpen = () => senders.filter((s) => !s.socket.destroyed && !s.socket.closed);
    const trickle = setInterval(() => {
      for (const s of stillOpen()) s.socket.write(body[sent % body.length]!);
      sent += 1;
    }, 250);
    const allClosed = Promise.all(senders.map((s) => s.closed));
    const gaveUp = new Promise<'gave up'>((r) => setTimeout(() => r('gave up'), 20_000));
    const outcome = await Promise.race([allClosed.then(() => 'closed' as const), gaveUp]);
    clearInterval(trickle);
    expect(outcome).toBe('closed');
    expect(sent).toBeLessThan(body.length); // none of them got its whole body through
  });

  it('a connection that sends nothing is closed at the idle timeout, one that trickles its headers at the headers timeout', async () => {
    const { port } = await serve({ requestTimeoutMs: 2000, headersTimeoutMs: 1000, idleTimeoutMs: 1500 });
    const silent = open(port);
    const slowHeaders = open(port);
    await Promise.all([silent.connected, slowHeaders.connected]);
    const header = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ' + 'a'.repeat(200);
    let i = 0;
    const trickle = setInterval(() => {
      if (!slowHeaders.socket.closed) slowHeaders.socket.write(header[i++ % header.length]!);
    }, 250);
    const within = (closed: Promise<number>) =>
      Promise.race([
        closed.then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still open'), 15_000)),
      ]);
    const outcomes = await Promise.all([within(silent.closed), within(slowHeaders.closed)]);
    clearInterval(trickle);
    expect(outcomes).toEqual(['closed', 'closed']);
  });

  it('connections beyond the cap are closed at once; those within it are served', async () => {
    const { port, url } = await serve({ maxConnections: 10 });
    const sockets = Array.from({ length: 15 }, () => open(port));
    // Wait until each connection was either accepted (still open) or refused (closed by the server).
    await new Promise((r) => setTimeout(r, 1000));
    const refused = sockets.filter((s) => s.socket.closed || s.socket.destroyed);
    expect(refused).toHaveLength(5);
    // One of the accepted ones still gets an answer.
    const kept = sockets.find((s) => !s.socket.closed && !s.socket.destroyed)!;
    const answer = new Promise<string>((resolve) => {
      let text = '';
      kept.socket.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\r\n\r\n')) resolve(text);
      });
    });
    kept.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 200/);
    // Closing some frees room for new ones.
    for (const s of sockets) s.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('a live socket stays open while quiet for longer than the idle timeout', async () => {
    const { url, admin } = await serve({ idleTimeoutMs: 1000 });
    await fetch(`${url}/v1/admin/events`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(demoEvent(7)),
    });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/live?eventId=7&since=0`, {
      headers: { authorization: `Bearer ${admin.secret}` },
    });
    cleanups.push(() => ws.terminate());
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise((r) => ws.once('close', () => r('closed')));
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), 3500))])).toBe('open');
  });
});
