import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCounterServer } from '../../../electron/api/counter-server.ts';
import type { RunningServer } from '../../../electron/api/http-server.ts';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/**
 * Red-team finding 11 (issue 11 follow-up), the kiosk's small ones: a training demo came without its
 * training provider; a kiosk listed the staff and signed staff in through its API; and wrong
 * supervisor PINs typed at a kiosk counted against the budget of the counter sharing its store, so
 * a kiosk customer could lock the counter out.
 */
const clock = new ManualClock(T0);
let dir: ReturnType<typeof tempDir>;
const running: { terminal: Terminal; server: RunningServer }[] = [];

afterEach(async () => {
  for (const { terminal, server } of running.splice(0)) {
    await server.close();
    terminal.close();
  }
  dir?.remove();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered

/** `taquilla serve` of the store, as a counter or a kiosk: its API over loopback HTTP. */
async function serve(file: string, kiosk: boolean) {
  const terminal = createTerminal({ dbFile: file, clock, kiosk });
  const server = await startCounterServer(terminal);
  running.push({ terminal, server });
  return async (method: string, input: unknown, session?: string): Promise<Answer> => {
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
  };
}

async function demo(...flags: string[]): Promise<string> {
  dir = tempDir('taquilla-kiosk-terminal-');
  const file = join(dir.dir, 'demo.db');
  expect((await cli('seed-demo', '--db', file, ...flags)).code).toBe(0);
  return file;
}

describe('a training demo', () => {
  it('comes with the training provider: its kiosk offers simulated card and Pago Móvil at once', async () => {
    const kiosk = await serve(await demo('--training'), true);
    const session = (await kiosk('kiosk.start', {})).body.sessionToken as string;
    const options = await kiosk('kiosk.paymentOptions', { eventId: 1 }, session);
    expect(options.body).toMatchObject({
      provider: { id: 'training', simulated: true, methods: expect.arrayContaining(['CARD', 'PAGO_MOVIL']) },
    });
    expect(
      JSON.parse((await cli('payment-provider', '--db', join(dir.dir, 'demo.db'), '--json')).out),
    ).toMatchObject({
      provider: 'training',
    });
  });

  it('`taquilla training --enable` on a new store sets the training provider too', async () => {
    dir = tempDir('taquilla-kiosk-terminal-');
    const file = join(dir.dir, 'new.db');
    expect((await cli('seed-demo', '--db', file)).code).toBe(0);
    expect(JSON.parse((await cli('payment-provider', '--db', file, '--json')).out).provider).toBeNull();
    expect((await cli('training', '--db', file, '--enable')).code).toBe(0);
    expect(JSON.parse((await cli('payment-provider', '--db', file, '--json')).out).provider).toBe('training');
  });
});

describe('a kiosk lists no staff and signs no staff in', () => {
  it('session.users and session.signIn are refused at a kiosk (no PIN is even tried); the counter on the store still signs in', async () => {
    const file = await demo();
    const kiosk = await serve(file, true);
    const counter = await serve(file, false);
    const users = await kiosk('session.users', {});
    expect(users.status).toBe(403);
    expect(users.body.error).toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
      details: { method: 'session.users' },
    });
    const staff = (await counter('session.users', {})).body as { id: number; name: string }[];
    const luis = staff.find((u) => u.name === 'Luis Supervisor')!;
    const signIn = await kiosk('session.signIn', { userId: luis.id, pin: '9999' });
    expect(signIn.status).toBe(403);
    expect(signIn.body.error).toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
      details: { method: 'session.signIn' },
    });
    const tried = running[0]!.terminal.db
      .prepare("SELECT COUNT(*) AS n FROM pin_attempts WHERE purpose = 'sign-in'")
      .get() as { n: number };
    expect(tried.n).toBe(0);
    expect((await counter('session.signIn', { userId: luis.id, pin: '9999' })).status).toBe(200);
  });
});

describe("a kiosk's wrong supervisor PINs count against the kiosk alone", () => {
  it('a kiosk customer who locks the kiosk exit does not lock the counter sharing the store', async () => {
    const file = await demo();
    const kiosk = await serve(file, true);
    const counter = await serve(file, false);
    const staff = (await counter('session.users', {})).body as { id: number; name: string }[];
    const id = (name: string) => staff.find((u) => u.name === name)!.id;
    // 25 wrong PINs from a few kiosk sessions: more than the terminal-wide budget (20).
    let last: Answer | undefined;
    for (let i = 0; i < 25; i++) {
      const session = (await kiosk('kiosk.start', {})).body.sessionToken as string;
      last = await kiosk('session.supervisorOverride', { pin: String(1000 + i) }, session);
    }
    expect(last!.body.error.code).toBe('LOCKED_OUT');
    const customer = (await kiosk('kiosk.start', {})).body.sessionToken as string;
    expect((await kiosk('session.supervisorOverride', { pin: '9999' }, customer)).status).toBe(429);
    // The counter signs in, and its own supervisor override works.
    const ana = await counter('session.signIn', { userId: id('Ana Cajera'), pin: '1234' });
    expect(ana.status).toBe(200);
    const override = await counter('session.supervisorOverride', { pin: '9999' }, ana.body.sessionToken);
    expect(override.status).toBe(200);
    // The locks say whose they are, and a supervisor lifts the kiosk's from the command line.
    const locks = await cli('pin-locks', '--db', file, '--json');
    expect(JSON.parse(locks.out).locks).toEqual([
      expect.objectContaining({ scope: 'supervisor-override', station: 'kiosk' }),
    ]);
    expect((await cli('pin-locks', '--db', file)).out).toMatch(/supervisor override \(kiosk\) until/);
    expect((await cli('unlock-user', '--db', file, '--override', '--kiosk')).out).toBe('Unlocked 1.');
    expect((await kiosk('session.supervisorOverride', { pin: '9999' }, customer)).status).toBe(200);
  });
});
