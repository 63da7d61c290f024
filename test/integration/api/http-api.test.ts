import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveMessage } from '../../../shared/api/counter.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { T0 } from '../../support/temp-store.ts';
import { type ApiFixture, startApi } from './api-fixture.ts';

let api: ApiFixture;
beforeEach(async () => {
  api = await startApi();
});
afterEach(async () => {
  await api.close();
});

describe('the local HTTP door', () => {
  it('refuses every API call and the app itself without the per-run token (401)', async () => {
    const bare = await fetch(`${api.base}/api/session.users`, {
      method: 'POST',
      body: '{}',
    });
    expect(bare.status).toBe(401);
    expect((await bare.json()).error.code).toBe('NOT_SIGNED_IN');
    const wrong = await fetch(`${api.base}/api/session.users`, {
      method: 'POST',
      headers: { 'x-taquilla-token': 'not-the-token' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${api.base}/`)).status).toBe(401);
    expect((await fetch(`${api.base}/?token=guess`, { redirect: 'manual' })).status).toBe(401);
  });

  it("trades the one-time URL for this instance's HttpOnly cookie, which opens the API from its own page", async () => {
    const first = await fetch(api.server.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(new URL(api.server.appUrl).pathname);
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith(`${api.server.cookieName}=`))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toContain(`Path=${new URL(api.server.appUrl).pathname.replace(/\/$/, '')}`);
    const res = await fetch(`${api.server.appUrl}api/session.users`, {
      method: 'POST',
      headers: { cookie: cookie.split(';')[0]!, origin: api.base },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect((await res.json()).map((u: { name: string }) => u.name).sort()).toEqual(['Ana', 'Beto', 'Sara']);
  });

  it('listens on the loopback interface only', async () => {
    const address = api.server.server.address();
    expect(address).toMatchObject({ address: '127.0.0.1' });
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return; // a machine with no other interface has nothing else to try
    const reached = await new Promise<boolean>((done) => {
      const req = request(
        {
          host: external.address,
          port: api.server.port,
          path: '/',
          timeout: 1000,
        },
        () => done(true),
      );
      req.on('error', () => done(false));
      req.on('timeout', () => {
        req.destroy();
        done(false);
      });
      req.end();
    });
    expect(reached).toBe(false);
  });

  it('refuses a request whose Host is not the loopback address (DNS rebinding)', async () => {
    const status = await new Promise<number>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: api.server.port,
          path: '/api/session.users',
          method: 'POST',
          headers: {
            host: 'evil.example',
            'x-taquilla-token': api.server.token,
          },
        },
        (res) => done(res.statusCode ?? 0),
      );
      req.on('error', fail);
      req.end('{}');
    });
    expect(status).toBe(421);
  });
});

describe('the API through the dispatcher', () => {
  it('refuses a bad payload with 400 VALIDATION naming the field', async () => {
    const session = await api.signIn(api.users.cashier, '1234');
    const { status, body } = await api.call('holds.seats', { eventId: api.eventId, seatIds: 'A1' }, session);
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details.issues[0].path).toBe('seatIds');
  });

  it('never lets the payload say who is calling: a sessionId or actor in the input is refused', async () => {
    const session = await api.signIn(api.users.cashier, '1234');
    const { status, body } = await api.call(
      'holds.seats',
      {
        eventId: api.eventId,
        seatIds: [api.seatIds[0]],
        sessionId: 'someone-else',
        actor: 'boss',
      },
      session,
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION');
  });

  it('needs a signed-in session for anything but the public methods (401 NOT_SIGNED_IN)', async () => {
    const { status, body } = await api.call('holds.seats', {
      eventId: api.eventId,
      seatIds: [api.seatIds[0]],
    });
    expect(status).toBe(401);
    expect(body.error.code).toBe('NOT_SIGNED_IN');
    expect((await api.call('events.list', {}, 'forged-session')).status).toBe(401);
  });

  it('a seat another cashier holds is refused with 409 SEAT_TAKEN saying who and until when', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const beto = await api.signIn(api.users.other, '4321');
    const seat = api.seatIds[3]!;
    const first = await api.call('holds.seats', { eventId: api.eventId, seatIds: [seat] }, ana);
    expect(first.status).toBe(200);
    const second = await api.call(
      'holds.seats',
      { eventId: api.eventId, seatIds: [seat, api.seatIds[4]] },
      beto,
    );
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('SEAT_TAKEN');
    expect(second.body.error.details.seats).toEqual([
      expect.objectContaining({
        seatId: seat,
        label: 'PLA-A-4',
        state: 'held',
        heldUntil: T0 + 10 * MINUTE_MS,
        heldByActor: 'cashier:Ana',
      }),
    ]);
    // All or nothing: the free seat of the refused request was not held either.
    const snap = await api.call('availability.snapshot', { eventId: api.eventId }, beto);
    expect(snap.body.states[4]).toBe('.');
  });

  it('full payment turns the cart into a sale the map shows as sold', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    await api.call('holds.seats', { eventId: api.eventId, seatIds: api.seatIds.slice(0, 2) }, ana);
    await api.call('holds.general', { eventId: api.eventId, zoneId: api.gaZoneId, quantity: 2 }, ana);
    const cart = await api.call('cart.get', { eventId: api.eventId }, ana);
    expect(cart.body.tickets).toHaveLength(3);
    expect(cart.body.vesPerUsd).toBe('36.50');
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2 * 2500 + 2 * 1000 }] },
      ana,
    );
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ status: 'COMPLETED', totalCents: 2 * 2500 + 2 * 1000 });
    const snap = await api.call('availability.snapshot', { eventId: api.eventId }, ana);
    expect(snap.body.states.slice(0, 3)).toBe('ss.');
    const empty = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      ana,
    );
    expect(empty.status).toBe(409);
    expect(empty.body.error.code).toBe('NOTHING_HELD');
  });

  it('checkout after the hold ran out is refused with HOLD_EXPIRED, and the seats are free again', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]] }, ana);
    api.clock.advance(10 * MINUTE_MS);
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 2500 }] },
      ana,
    );
    expect(sale.status).toBe(409);
    expect(sale.body.error.code).toBe('HOLD_EXPIRED');
    expect((await api.call('cart.get', { eventId: api.eventId }, ana)).body.tickets).toEqual([]);
  });

  it('best available holds N adjacent seats in the front row, middle first', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const { status, body } = await api.call(
      'holds.bestAvailable',
      { eventId: api.eventId, zoneId: api.numberedZoneId, quantity: 4 },
      ana,
    );
    expect(status).toBe(200);
    expect(body.tickets.map((t: { label: string }) => t.label)).toEqual([
      'PLA-A-4',
      'PLA-A-5',
      'PLA-A-6',
      'PLA-A-7',
    ]);
  });

  it('signing out releases every hold of the session', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    await api.call('holds.seats', { eventId: api.eventId, seatIds: api.seatIds.slice(0, 3) }, ana);
    const out = await api.call('session.signOut', {}, ana);
    expect(out.body).toEqual({ released: 3 });
    expect((await api.call('cart.get', { eventId: api.eventId }, ana)).status).toBe(401);
  });
});

describe('sign-in', () => {
  it('five wrong PINs lock the user out for a few minutes, even with the right PIN', async () => {
    for (let i = 1; i <= 4; i++) {
      const { status, body } = await api.call('session.signIn', {
        userId: api.users.cashier,
        pin: '0000',
      });
      expect(status).toBe(401);
      expect(body.error).toMatchObject({
        code: 'BAD_PIN',
        details: { attemptsLeft: 5 - i },
      });
    }
    const fifth = await api.call('session.signIn', {
      userId: api.users.cashier,
      pin: '0000',
    });
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('LOCKED_OUT');
    const right = await api.call('session.signIn', {
      userId: api.users.cashier,
      pin: '1234',
    });
    expect(right.body.error.code).toBe('LOCKED_OUT');
    // Another user is not affected.
    expect(
      (
        await api.call('session.signIn', {
          userId: api.users.other,
          pin: '4321',
        })
      ).status,
    ).toBe(200);
    api.clock.advance(5 * MINUTE_MS);
    expect(
      (
        await api.call('session.signIn', {
          userId: api.users.cashier,
          pin: '1234',
        })
      ).status,
    ).toBe(200);
  });

  it('stores no PIN: only a salted scrypt hash, different for equal PINs', async () => {
    await api.terminal.sessions.createUser('Eva', 'cashier', '1234');
    const rows = api.terminal.db
      .prepare<[], { pin_salt: string; pin_hash: string }>(
        "SELECT pin_salt, pin_hash FROM users WHERE name IN ('Ana', 'Eva')",
      )
      .all();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.pin_hash).not.toBe(rows[1]!.pin_hash);
    expect(rows[0]!.pin_salt).not.toBe(rows[1]!.pin_salt);
    expect(JSON.stringify(rows)).not.toContain('1234');
  });
});

describe('live push', () => {
  it("another session's hold reaches a subscribed screen within a second", async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const beto = await api.signIn(api.users.other, '4321');
    const snap = await api.call('availability.snapshot', { eventId: api.eventId }, beto);
    const controller = new AbortController();
    const res = await fetch(
      `${api.base}/api/live?eventId=${api.eventId}&since=${snap.body.version}&session=${beto}`,
      {
        headers: { 'x-taquilla-token': api.server.token },
        signal: controller.signal,
      },
    );
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const started = performance.now();
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[7]] }, ana);
    let buffer = '';
    let change: LiveMessage | undefined;
    while (!change) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value);
      for (const block of buffer.split('\n\n')) {
        const line = block.split('\n').find((l) => l.startsWith('data: '));
        if (!line) continue;
        const message = JSON.parse(line.slice(6)) as LiveMessage;
        if (message.type === 'changes') change = message;
      }
    }
    const elapsed = performance.now() - started;
    controller.abort();
    expect(change?.type === 'changes' && !change.changes.reset && change.changes.seats).toEqual([
      expect.objectContaining({
        seatId: api.seatIds[7],
        state: 'held',
        until: T0 + 10 * MINUTE_MS,
      }),
    ]);
    expect(elapsed).toBeLessThan(1000);
  });

  it('the live stream needs a signed-in session', async () => {
    const res = await fetch(`${api.base}/api/live?eventId=${api.eventId}&since=0&session=nope`, {
      headers: { 'x-taquilla-token': api.server.token },
    });
    expect(res.status).toBe(401);
  });
});

describe('the test clock route', () => {
  it('does not exist unless the server was started with --test-clock', async () => {
    const res = await fetch(`${api.base}/api/test/advance-clock`, {
      method: 'POST',
      headers: { 'x-taquilla-token': api.server.token },
      body: JSON.stringify({ ms: 60_000 }),
    });
    expect(res.status).toBe(404);
  });

  it('with --test-clock, moves server time (and needs the token)', async () => {
    const withClock = await startApi({ testClock: true });
    try {
      const url = `${withClock.base}/api/test/advance-clock`;
      expect((await fetch(url, { method: 'POST', body: '{"ms":1}' })).status).toBe(401);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'x-taquilla-token': withClock.server.token },
        body: JSON.stringify({ ms: 60_000 }),
      });
      expect(res.status).toBe(200);
      expect(withClock.clock.now()).toBe(T0 + 60_000);
    } finally {
      await withClock.close();
    }
  });
});

describe('more time for a hold', () => {
  it('extends every hold of the cart, but never past the hold lifetime cap (EXTENSION_LIMIT)', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]] }, ana);
    api.clock.advance(8 * MINUTE_MS);
    const more = await api.call('holds.extend', { eventId: api.eventId }, ana);
    expect(more.status).toBe(200);
    expect(more.body.tickets[0].reservedUntil).toBe(T0 + 18 * MINUTE_MS);
    api.clock.advance(9 * MINUTE_MS);
    await api.call('holds.extend', { eventId: api.eventId }, ana); // to T0 + 27 min
    api.clock.advance(9 * MINUTE_MS);
    await api.call('holds.extend', { eventId: api.eventId }, ana); // capped at T0 + 30 min
    const refused = await api.call('holds.extend', { eventId: api.eventId }, ana);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'EXTENSION_LIMIT',
      details: { maxUntil: T0 + 30 * MINUTE_MS },
    });
  });
});
