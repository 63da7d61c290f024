import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCounterServer } from '../../../electron/api/counter-server.ts';
import type { RunningServer } from '../../../electron/api/http-server.ts';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { setTenantSettings } from '../../../electron/services/events/event-setup.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { ManualClock, MINUTE_MS } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/**
 * Red-team finding 5 (issue 11 follow-up): "Pagar en taquilla" takes no money, and kiosk sessions cost
 * nothing to start, so without a bound 8 sessions × 10 stadium seats were kept off sale for 30
 * minutes in about a second. Now a kiosk keeps at most PAY_AT_COUNTER_MAX_OPEN_SLIPS (4) unpaid slips
 * open and a session makes PAY_AT_COUNTER_SLIPS_PER_SESSION (1); the refusal is for the customer.
 */
const clock = new ManualClock(T0);
let dir: ReturnType<typeof tempDir>;
let kiosk: Terminal;
let server: RunningServer;
let stadium: { eventId: number; zoneId: number; tenantId: number };

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered

async function call(method: string, input: unknown, session?: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-taquilla-token': server.token,
      ...(session ? { 'x-taquilla-session': session } : {}),
    },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: await res.json() };
}

beforeEach(async () => {
  dir = tempDir('taquilla-slips-');
  const file = join(dir.dir, 'kiosk.db');
  const io: CliIo = { out: () => {}, err: () => {}, clock };
  expect(await runCli(['seed-demo', '--db', file], io)).toBe(0);
  kiosk = createTerminal({ dbFile: file, clock, kiosk: true });
  stadium = kiosk.db
    .prepare<[], { eventId: number; zoneId: number; tenantId: number }>(
      `SELECT e.id AS eventId, z.id AS zoneId, e.tenant_id AS tenantId FROM events e JOIN zones z ON z.event_id = e.id
       WHERE z.kind = 'numbered' ORDER BY (SELECT COUNT(*) FROM seats s WHERE s.zone_id = z.id) DESC LIMIT 1`,
    )
    .get()!;
  server = await startCounterServer(kiosk);
});

afterEach(async () => {
  await server.close();
  kiosk.close();
  dir.remove();
});

/** One customer at the kiosk: a new session holds the best `n` seats and asks to pay at the counter. */
async function customer(n = 10): Promise<{ session: string; slip: Answer }> {
  const started = await call('kiosk.start', {});
  expect(started.status).toBe(200);
  const session = started.body.sessionToken as string;
  const held = await call(
    'holds.bestAvailable',
    { eventId: stadium.eventId, zoneId: stadium.zoneId, quantity: n },
    session,
  );
  expect(held.status).toBe(200);
  return { session, slip: await call('kiosk.payAtCounter', { eventId: stadium.eventId }, session) };
}

const reservedSeats = () =>
  (
    kiosk.db
      .prepare(
        "SELECT COUNT(*) AS n FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id WHERE x.status = 'RESERVED'",
      )
      .get() as { n: number }
  ).n;

describe('"Pagar en taquilla" is bounded per kiosk and per customer', () => {
  it('8 sessions × 10 stadium seats: 4 slips are made, the rest refused in words for the customer', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push((await customer()).slip);
    expect(answers.slice(0, 4).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const refused of answers.slice(4)) {
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({
        code: 'PAY_AT_COUNTER_LIMIT',
        details: { scope: 'kiosk', limit: 4, open: 4 },
      });
    }
    expect(reservedSeats()).toBe(40);
    // A slip that ran out frees its place for the next customer.
    clock.advance(31 * MINUTE_MS);
    expect((await customer()).slip.status).toBe(200);
  });

  it('one session makes one slip: holding more seats after it and asking again is refused', async () => {
    const first = await customer(2);
    expect(first.slip.status).toBe(200);
    const more = await call(
      'holds.bestAvailable',
      { eventId: stadium.eventId, zoneId: stadium.zoneId, quantity: 10 },
      first.session,
    );
    expect(more.status).toBe(200);
    const again = await call('kiosk.payAtCounter', { eventId: stadium.eventId }, first.session);
    expect(again.body.error).toMatchObject({
      code: 'PAY_AT_COUNTER_LIMIT',
      details: { scope: 'session', limit: 1, open: 1 },
    });
    expect(reservedSeats()).toBe(2);
  });

  it("the bounds are the tenant's settings", async () => {
    setTenantSettings(kiosk.db, stadium.tenantId, {
      PAY_AT_COUNTER_MAX_OPEN_SLIPS: 2,
      PAY_AT_COUNTER_SLIPS_PER_SESSION: 2,
    });
    const first = await customer(2);
    expect(first.slip.status).toBe(200);
    await call(
      'holds.bestAvailable',
      { eventId: stadium.eventId, zoneId: stadium.zoneId, quantity: 2 },
      first.session,
    );
    expect((await call('kiosk.payAtCounter', { eventId: stadium.eventId }, first.session)).status).toBe(200);
    expect((await customer(2)).slip.body.error).toMatchObject({
      code: 'PAY_AT_COUNTER_LIMIT',
      details: { scope: 'kiosk', limit: 2 },
    });
  });
});
