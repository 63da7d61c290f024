import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
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

interface AuditRow {
  purpose: string;
  user_id: number | null;
  actor: string | null;
  outcome: string;
  scope: string | null;
  tries_left: number | null;
  locked_until: number | null;
  at: number;
}

function audit(where = '1 = 1'): AuditRow[] {
  return api.terminal.db
    .prepare<[], AuditRow>(
      `SELECT purpose, user_id, actor, outcome, scope, tries_left, locked_until, at FROM pin_attempts
       WHERE ${where} ORDER BY id`,
    )
    .all();
}

/** Attempts whose PIN was really compared with a stored hash. */
const CHECKED = "outcome IN ('ok', 'bad-pin', 'locked')";

const signIn = (userId: number, pin: string) => api.call('session.signIn', { userId, pin });
const override = (pin: string, session?: string) => api.call('session.supervisorOverride', { pin }, session);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), clock: api.clock };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('PIN guessing over the local HTTP API', () => {
  it('300 wrong PINs at once for one cashier: at most 5 are checked, the user locks, the right PIN in the burst is refused', async () => {
    // The right PIN rides in the middle of the burst, long after the fifth wrong one was sent.
    const pins = Array.from({ length: 301 }, (_, i) => (i === 150 ? '1234' : String(5000 + i)));
    const burst = await Promise.all(pins.map((pin) => signIn(api.users.cashier, pin)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(0);
    expect(burst[150]!.body.error.code).toBe('LOCKED_OUT');
    const checked = audit(`purpose = 'sign-in' AND ${CHECKED}`);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.filter((r) => r.outcome === 'locked')).toHaveLength(1);
    // Every attempt is in the audit, checked or refused, with the user it was aimed at.
    const rows = audit("purpose = 'sign-in'");
    expect(rows).toHaveLength(301);
    expect(rows.every((r) => r.user_id === api.users.cashier && r.at === T0)).toBe(true);
    expect(rows.filter((r) => r.outcome === 'refused-locked').length).toBeGreaterThanOrEqual(296);
    // The lock holds after the burst, for the right PIN too.
    const after = await signIn(api.users.cashier, '1234');
    expect(after.status).toBe(429);
    expect(after.body.error).toMatchObject({
      code: 'LOCKED_OUT',
      details: { scope: 'user', until: T0 + 5 * MINUTE_MS },
    });
  });

  it('counts down the attempts left, then locks for 5 minutes, then longer on each further lock', async () => {
    for (const left of [4, 3, 2, 1]) {
      const r = await signIn(api.users.cashier, '0000');
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ code: 'BAD_PIN', details: { attemptsLeft: left } });
    }
    const fifth = await signIn(api.users.cashier, '0000');
    expect(fifth.body.error).toMatchObject({
      code: 'LOCKED_OUT',
      details: { scope: 'user', until: T0 + 5 * MINUTE_MS },
    });
    api.clock.advance(5 * MINUTE_MS);
    for (let i = 0; i < 4; i++) await signIn(api.users.cashier, '0000');
    const second = await signIn(api.users.cashier, '0000');
    expect(second.body.error).toMatchObject({
      code: 'LOCKED_OUT',
      details: { until: api.clock.now() + 15 * MINUTE_MS },
    });
    api.clock.advance(14 * MINUTE_MS);
    expect((await signIn(api.users.cashier, '1234')).body.error.code).toBe('LOCKED_OUT');
    api.clock.advance(MINUTE_MS);
    expect((await signIn(api.users.cashier, '1234')).status).toBe(200);
    // A success starts the ladder again: the next lock is 5 minutes.
    for (let i = 0; i < 5; i++) await signIn(api.users.cashier, '0000');
    expect((await signIn(api.users.cashier, '1234')).body.error.details.until).toBe(
      api.clock.now() + 5 * MINUTE_MS,
    );
  });

  it('guesses sprayed across users and unknown ids are bounded by the terminal-wide budget', async () => {
    const targets = [api.users.cashier, api.users.other, api.users.supervisor, 77, 78];
    const replies = [];
    for (const userId of targets) for (let i = 0; i < 4; i++) replies.push(await signIn(userId, '0000'));
    // 20 wrong PINs, none of them enough to lock a user: the terminal locks.
    expect(replies.at(-1)!.body.error).toMatchObject({ code: 'LOCKED_OUT', details: { scope: 'terminal' } });
    // An unknown user looks like a real one from outside.
    expect(replies[12]!.body.error).toMatchObject({ code: 'BAD_PIN', details: { attemptsLeft: 4 } });
    const right = await signIn(api.users.other, '4321');
    expect(right.status).toBe(429);
    expect(right.body.error.details.scope).toBe('terminal');
    expect(audit(CHECKED)).toHaveLength(20);
  });
});

describe('the supervisor override (leaving kiosk mode)', () => {
  it('needs a signed-in session', async () => {
    const r = await override('9999');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('NOT_SIGNED_IN');
    expect(audit(CHECKED)).toHaveLength(0);
  });

  it('is counted and locked like a sign-in, and every failure is audited with who asked', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    for (const left of [4, 3, 2, 1]) {
      const r = await override('1234', ana);
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ code: 'BAD_PIN', details: { attemptsLeft: left } });
    }
    const fifth = await override('0000', ana);
    expect(fifth.status).toBe(429);
    expect(fifth.body.error).toMatchObject({
      code: 'LOCKED_OUT',
      details: { scope: 'supervisor-override', until: T0 + 5 * MINUTE_MS },
    });
    expect((await override('9999', ana)).body.error.code).toBe('LOCKED_OUT');
    const rows = audit("purpose = 'supervisor-override'");
    expect(rows.map((r) => r.outcome)).toEqual([
      'bad-pin',
      'bad-pin',
      'bad-pin',
      'bad-pin',
      'locked',
      'refused-locked',
    ]);
    expect(rows.every((r) => r.actor === 'cashier:Ana')).toBe(true);
    expect(rows.map((r) => r.tries_left)).toEqual([4, 3, 2, 1, 0, 0]);
    // The lock is on the override, not on the supervisor's own sign-in.
    expect((await signIn(api.users.supervisor, '9999')).status).toBe(200);
    api.clock.advance(5 * MINUTE_MS);
    const ok = await override('9999', ana);
    expect(ok.status).toBe(200);
    expect(ok.body.supervisor).toMatchObject({ id: api.users.supervisor, role: 'supervisor' });
  });

  it('a burst of wrong override PINs checks at most 5', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const burst = await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => override(String(5000 + i), ana)),
      override('9999', ana),
    ]);
    expect(burst.filter((r) => r.status === 200)).toHaveLength(0);
    expect(audit(`purpose = 'supervisor-override' AND ${CHECKED}`).length).toBeLessThanOrEqual(5);
  });

  it("works from a kiosk's customer session", async () => {
    const kiosk = await startApi({ kiosk: true });
    try {
      const started = await kiosk.call('kiosk.start', {});
      const session = started.body.sessionToken as string;
      expect(
        (await kiosk.call('session.supervisorOverride', { pin: '1111' }, session)).body.error,
      ).toMatchObject({ code: 'BAD_PIN', details: { attemptsLeft: 4 } });
      expect((await kiosk.call('session.supervisorOverride', { pin: '9999' }, session)).status).toBe(200);
    } finally {
      await kiosk.close();
    }
  });
});

describe('unlocking', () => {
  it('a supervisor unlocks a user through the API; a cashier may not', async () => {
    const sara = await api.signIn(api.users.supervisor, '9999');
    const beto = await api.signIn(api.users.other, '4321');
    for (let i = 0; i < 5; i++) await signIn(api.users.cashier, '0000');
    expect((await signIn(api.users.cashier, '1234')).status).toBe(429);
    const refused = await api.call('session.unlock', { scope: 'user', userId: api.users.cashier }, beto);
    expect(refused.status).toBe(403);
    const unlocked = await api.call('session.unlock', { scope: 'user', userId: api.users.cashier }, sara);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toEqual({ unlocked: true });
    expect(audit("outcome = 'unlocked'")).toMatchObject([
      { user_id: api.users.cashier, actor: 'supervisor:Sara', scope: 'user' },
    ]);
    expect((await signIn(api.users.cashier, '1234')).status).toBe(200);
  });

  it('`taquilla unlock-user` lifts a user, override or terminal lock from the command line', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    for (let i = 0; i < 5; i++) await override('0000', ana);
    for (let i = 0; i < 5; i++) await signIn(api.users.other, '0000');
    const file = api.terminal.db.name;
    const locks = await cli('pin-locks', '--db', file, '--json');
    expect(locks.code).toBe(0);
    expect(JSON.parse(locks.out).locks).toMatchObject([
      { scope: 'user', userId: api.users.other, name: 'Beto', until: T0 + 5 * MINUTE_MS },
      { scope: 'supervisor-override', until: T0 + 5 * MINUTE_MS },
    ]);
    expect((await cli('unlock-user', '--db', file, '--user', 'Beto', '--actor', 'cli:root')).code).toBe(0);
    expect((await signIn(api.users.other, '4321')).status).toBe(200);
    expect((await cli('unlock-user', '--db', file, '--override')).code).toBe(0);
    expect((await override('9999', ana)).status).toBe(200);
    expect((await cli('unlock-user', '--db', file, '--user', 'Nadie')).code).toBe(2);
    expect(audit("outcome = 'unlocked'").map((r) => [r.scope, r.actor])).toEqual([
      ['user', 'cli:root'],
      ['supervisor-override', expect.stringMatching(/^cli:/)],
    ]);
  });
});
