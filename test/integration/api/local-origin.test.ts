import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApi } from './api-fixture.ts';

/**
 * Two terminals on one PC, and pages of other local web apps: every request is made the way a
 * browser makes it (the headers Chromium sends are checked in test/e2e/counter/local-instances).
 */
let a: ApiFixture;
let b: ApiFixture;

beforeAll(async () => {
  a = await startApi();
  b = await startApi();
});
afterAll(async () => {
  await a.close();
  await b.close();
});

async function cookieOf(api: ApiFixture): Promise<string> {
  const res = await fetch(api.server.url, { redirect: 'manual' });
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${api.server.cookieName}=`));
  if (!set) throw new Error('no instance cookie');
  return set.split(';')[0]!;
}

function post(
  url: string,
  headers: Record<string, string>,
  body: unknown = {},
): Promise<{ status: number; code: string | undefined; body: unknown }> {
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) }).then(async (res) => {
    const parsed = (await res.json().catch(() => null)) as { error?: { code: string } } | null;
    return { status: res.status, code: parsed?.error?.code, body: parsed };
  });
}

describe("each terminal's cookie is its own", () => {
  it('two instances get different cookie names and paths, so neither replaces the other', async () => {
    expect(a.server.cookieName).not.toBe(b.server.cookieName);
    expect(a.server.cookieName).toContain(String(a.server.port));
    expect(new URL(a.server.appUrl).pathname).not.toBe(new URL(b.server.appUrl).pathname);
    const cookieA = await cookieOf(a);
    const cookieB = await cookieOf(b);
    // A browser sends both to either port (cookies ignore ports); each terminal takes only its own.
    const both = `${cookieA}; ${cookieB}`;
    for (const api of [a, b]) {
      const res = await post(`${api.server.appUrl}api/session.users`, { cookie: both, origin: api.base });
      expect(res.status).toBe(200);
    }
    // The other instance's cookie alone opens nothing.
    expect(
      (await post(`${a.server.appUrl}api/session.users`, { cookie: cookieB, origin: a.base })).status,
    ).toBe(401);
  });

  it('trading the one-time URL also expires the cookie older versions shared between ports', async () => {
    const res = await fetch(a.server.url, { redirect: 'manual' });
    expect(res.headers.getSetCookie()).toContain(
      'taquilla_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0',
    );
  });
});

describe("only this terminal's own page may change anything with the cookie", () => {
  it('a page on another port is refused (403 FOREIGN_ORIGIN) and its sign-in guess is never checked', async () => {
    const cookie = await cookieOf(a);
    // Six wrong PINs: if any reached the PIN check, Ana would be locked out.
    for (let i = 0; i < 6; i++) {
      const res = await post(
        `${a.server.appUrl}api/session.signIn`,
        { cookie, origin: b.base, 'sec-fetch-site': 'same-site', 'content-type': 'text/plain' },
        { userId: a.users.cashier, pin: `000${i}` },
      );
      expect(res.status).toBe(403);
      expect(res.code).toBe('FOREIGN_ORIGIN');
    }
    await expect(a.signIn(a.users.cashier, '1234')).resolves.toMatch(/.+/);
  });

  it('refuses an opaque origin (null), a missing Origin with the cookie, and a same-site fetch', async () => {
    const cookie = await cookieOf(a);
    const url = `${a.server.appUrl}api/session.users`;
    expect((await post(url, { cookie, origin: 'null' })).code).toBe('FOREIGN_ORIGIN');
    expect((await post(url, { cookie })).code).toBe('FOREIGN_ORIGIN');
    expect((await post(url, { cookie, origin: a.base, 'sec-fetch-site': 'same-site' })).code).toBe(
      'FOREIGN_ORIGIN',
    );
    expect((await post(url, { cookie, origin: `http://127.0.0.1:${a.server.port + 1}` })).code).toBe(
      'FOREIGN_ORIGIN',
    );
    // Its own page, under either name of the loopback address.
    expect((await post(url, { cookie, origin: a.base, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Node's fetch will not set Host: a raw request, as a browser on http://localhost:PORT sends it.
    const viaLocalhost = await new Promise<number>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: a.server.port,
          method: 'POST',
          path: new URL(url).pathname,
          headers: {
            host: `localhost:${a.server.port}`,
            origin: `http://localhost:${a.server.port}`,
            cookie,
          },
        },
        (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        },
      );
      req.on('error', fail);
      req.end('{}');
    });
    expect(viaLocalhost).toBe(200);
  });

  it('the live feed refuses another page too', async () => {
    const cookie = await cookieOf(a);
    const session = await a.signIn(a.users.cashier, '1234');
    const live = `${a.server.appUrl}api/live?eventId=${a.eventId}&since=0&session=${session}`;
    const foreign = await fetch(live, { headers: { cookie, 'sec-fetch-site': 'same-site' } });
    expect(foreign.status).toBe(403);
    const cors = await fetch(live, { headers: { cookie, origin: b.base } });
    expect(cors.status).toBe(403);
    const own = new AbortController();
    const res = await fetch(live, {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
      signal: own.signal,
    });
    expect(res.status).toBe(200);
    own.abort();
  });

  it('a client with the token header (tests, scripts) needs no Origin, but a foreign one is still refused', async () => {
    const token = { 'x-taquilla-token': a.server.token };
    expect((await post(`${a.base}/api/session.users`, token)).status).toBe(200);
    expect((await post(`${a.server.appUrl}api/session.users`, token)).status).toBe(200);
    expect((await post(`${a.base}/api/session.users`, { ...token, origin: b.base })).code).toBe(
      'FOREIGN_ORIGIN',
    );
  });
});
