import type { Clock } from '../../../shared/clock.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import type { Db } from '../../store/database.ts';

/** What a lock stops: one user's sign-in, the supervisor override, or every PIN at this terminal. */
export type PinScope = 'user' | 'supervisor-override' | 'terminal';
export type PinPurpose = 'sign-in' | 'supervisor-override';

export interface PinPolicy {
  /** Tries per user, and for the supervisor override, before a lock. */
  maxTries: number;
  /** How long each successive lock lasts, in minutes; the last step repeats. */
  lockMinutes: readonly number[];
  /** Wrong PINs the whole terminal allows within a window, across users and the override. */
  terminalMaxTries: number;
  terminalWindowMinutes: number;
}

/**
 * Five tries, then 5 minutes, then 15, 60 and 240 for each further lock until a success or an
 * unlock. Twenty wrong PINs within 15 minutes at one terminal lock every PIN there, so guesses
 * spread over users or aimed at the override are bounded too.
 */
export const DEFAULT_PIN_POLICY: Readonly<PinPolicy> = Object.freeze({
  maxTries: 5,
  lockMinutes: Object.freeze([5, 15, 60, 240]),
  terminalMaxTries: 20,
  terminalWindowMinutes: 15,
});

/** How long the `lockNumber`-th lock in a row lasts (1 = the first). */
export function lockDurationMs(policy: PinPolicy, lockNumber: number): number {
  const steps = policy.lockMinutes;
  return steps[Math.min(lockNumber, steps.length) - 1]! * MINUTE_MS;
}

/**
 * Which station of the store a terminal-wide budget belongs to. A kiosk and a counter may share one
 * store; the kiosk's override tries (a customer can type at it) count against the kiosk's own
 * budget, so no one at a kiosk can lock the counter out.
 */
export type PinStation = 'counter' | 'kiosk';

export type PinLockTarget =
  | { scope: 'user'; userId: number }
  | { scope: 'supervisor-override'; station?: 'kiosk' }
  | { scope: 'terminal'; station?: 'kiosk' };

export interface PinLock {
  scope: PinScope;
  userId?: number;
  name?: string;
  /** Set for the kiosk's own override and terminal budget (a counter's have none). */
  station?: 'kiosk';
  until: number;
}

/** Who is trying: the user whose PIN is tried (sign-in), the session asking (override). */
export interface PinAttempt {
  purpose: PinPurpose;
  userId: number | null;
  actor: string | null;
  sessionId: string | null;
}

interface Mark {
  subject: string;
  scope: PinScope;
  max: number;
  windowStart: number | null;
  /** Set when this try's count used the subject's last try and locked it. */
  lockedUntil: number | null;
  before: { lockedUntil: number | null; locks: number };
}

/** A try counted before its hash is checked: what `right` or `wrong` settles. */
export interface CountedTry {
  attempt: PinAttempt;
  marks: Mark[];
}

export type Refusal = { scope: PinScope; until: number };

interface GuardRow {
  subject: string;
  tries: number;
  window_start: number | null;
  locks: number;
  locked_until: number | null;
}

const KIOSK_PREFIX = 'kiosk:';

function subjectOf(target: PinLockTarget): string {
  if (target.scope === 'user') return `user:${target.userId}`;
  return target.station === 'kiosk' ? `${KIOSK_PREFIX}${target.scope}` : target.scope;
}

/**
 * Counts PIN tries and locks (tables pin_guards and pin_attempts). A try is counted before its hash
 * is checked, for its user (or the override) and for the terminal at once, inside one IMMEDIATE
 * transaction: a burst of parallel tries, from this process or another on the same store, gets no
 * more checks than the budget, and a try refused by a lock is never checked at all. Every try,
 * checked or refused, and every unlock is written to pin_attempts.
 */
export class PinGuard {
  private readonly sql;

  /** The subjects of this station's override and terminal-wide budget. */
  private readonly own: { override: string; terminal: string };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly policy: PinPolicy = DEFAULT_PIN_POLICY,
    station: PinStation = 'counter',
  ) {
    const kiosk = station === 'kiosk' ? 'kiosk' : undefined;
    this.own = {
      override: subjectOf({ scope: 'supervisor-override', ...(kiosk ? { station: kiosk } : {}) }),
      terminal: subjectOf({ scope: 'terminal', ...(kiosk ? { station: kiosk } : {}) }),
    };
    this.sql = {
      get: db.prepare<[string], GuardRow>(
        'SELECT subject, tries, window_start, locks, locked_until FROM pin_guards WHERE subject = ?',
      ),
      put: db.prepare<[GuardRow]>(
        `INSERT INTO pin_guards (subject, tries, window_start, locks, locked_until)
         VALUES (@subject, @tries, @window_start, @locks, @locked_until)
         ON CONFLICT (subject) DO UPDATE SET tries = excluded.tries, window_start = excluded.window_start,
           locks = excluded.locks, locked_until = excluded.locked_until`,
      ),
      startOver: db.prepare<[string]>(
        'UPDATE pin_guards SET tries = 0, locks = 0, locked_until = NULL WHERE subject = ?',
      ),
      // A right PIN does not count against the terminal: its try is given back (same window only).
      giveBack: db.prepare<[{ subject: string; windowStart: number | null }]>(
        `UPDATE pin_guards SET tries = tries - 1
         WHERE subject = @subject AND tries > 0 AND window_start IS @windowStart`,
      ),
      // ...and if its count was the one that locked the terminal, the lock goes with it.
      undoLock: db.prepare<
        [{ subject: string; until: number; lockedUntil: number | null; locks: number; tries: number }]
      >(
        `UPDATE pin_guards SET locked_until = @lockedUntil, locks = @locks, tries = @tries
         WHERE subject = @subject AND locked_until = @until`,
      ),
      unlock: db.prepare<[string]>(
        'UPDATE pin_guards SET tries = 0, locks = 0, locked_until = NULL, window_start = NULL WHERE subject = ?',
      ),
      locks: db.prepare<[number], GuardRow & { name: string | null }>(
        `SELECT g.subject, g.tries, g.window_start, g.locks, g.locked_until, u.name FROM pin_guards g
         LEFT JOIN users u ON g.subject = 'user:' || u.id
         WHERE g.locked_until > ? ORDER BY g.subject`,
      ),
      audit: db.prepare<
        [
          {
            at: number;
            purpose: PinPurpose | 'unlock';
            userId: number | null;
            actor: string | null;
            sessionId: string | null;
            outcome: 'ok' | 'bad-pin' | 'locked' | 'refused-locked' | 'unlocked';
            scope: PinScope | null;
            triesLeft: number | null;
            lockedUntil: number | null;
          },
        ]
      >(
        `INSERT INTO pin_attempts (at, purpose, user_id, actor, session_id, outcome, scope, tries_left, locked_until)
         VALUES (@at, @purpose, @userId, @actor, @sessionId, @outcome, @scope, @triesLeft, @lockedUntil)`,
      ),
    };
  }

  /**
   * Counts one try against its subject and the terminal, all or nothing. Returns the counted try,
   * whose hash may now be checked once, or the lock that refuses it (audited; nothing counted).
   */
  count(attempt: PinAttempt): CountedTry | Refusal {
    const subjects: { subject: string; scope: PinScope; max: number }[] = [
      attempt.purpose === 'sign-in'
        ? { subject: `user:${attempt.userId}`, scope: 'user', max: this.policy.maxTries }
        : { subject: this.own.override, scope: 'supervisor-override', max: this.policy.maxTries },
      { subject: this.own.terminal, scope: 'terminal', max: this.policy.terminalMaxTries },
    ];
    return this.db
      .transaction((): CountedTry | Refusal => {
        const now = this.clock.now();
        const rows = subjects.map((s) => ({
          ...s,
          row: this.sql.get.get(s.subject) ?? {
            subject: s.subject,
            tries: 0,
            window_start: null,
            locks: 0,
            locked_until: null,
          },
        }));
        for (const { scope, row } of rows) {
          if (row.locked_until !== null && row.locked_until > now) {
            this.write(attempt, 'refused-locked', { scope, triesLeft: 0, lockedUntil: row.locked_until });
            return { scope, until: row.locked_until };
          }
        }
        const marks = rows.map(({ subject, scope, max, row }): Mark => {
          let { tries, locks } = row;
          let windowStart = row.window_start;
          if (scope === 'terminal') {
            const windowMs = this.policy.terminalWindowMinutes * MINUTE_MS;
            if (windowStart === null || windowStart + windowMs <= now) {
              // A new window; a whole quiet window since the last lock ended forgets the old locks.
              if (row.locked_until === null || row.locked_until + windowMs <= now) locks = 0;
              tries = 0;
              windowStart = now;
            }
          }
          tries += 1;
          let lockedUntil: number | null = null;
          if (tries >= max) {
            locks += 1;
            lockedUntil = now + lockDurationMs(this.policy, locks);
            tries = 0;
          }
          this.sql.put.run({
            subject,
            tries,
            window_start: windowStart,
            locks,
            locked_until: lockedUntil ?? row.locked_until,
          });
          return {
            subject,
            scope,
            max,
            windowStart,
            lockedUntil,
            before: { lockedUntil: row.locked_until, locks: row.locks },
          };
        });
        return { attempt, marks };
      })
      .immediate();
  }

  /** The PIN was right: the user (or the override) starts over; the terminal gets the try back. */
  right(counted: CountedTry, matchedUserId: number | null): void {
    this.db
      .transaction(() => {
        for (const mark of counted.marks) {
          if (mark.scope !== 'terminal') this.sql.startOver.run(mark.subject);
          else if (mark.lockedUntil !== null)
            this.sql.undoLock.run({
              subject: mark.subject,
              until: mark.lockedUntil,
              lockedUntil: mark.before.lockedUntil,
              locks: mark.before.locks,
              tries: mark.max - 1,
            });
          else this.sql.giveBack.run({ subject: mark.subject, windowStart: mark.windowStart });
        }
        this.write({ ...counted.attempt, userId: matchedUserId ?? counted.attempt.userId }, 'ok', {
          scope: null,
          triesLeft: null,
          lockedUntil: null,
        });
      })
      .immediate();
  }

  /**
   * The PIN was wrong (its try is already counted). Returns what to tell the caller: the lock now
   * in force, if any (this try's count may have set it, or another's in the same burst), else the
   * tries left — the fewest of the user's (or override's) and the terminal's.
   */
  wrong(counted: CountedTry): { locked: Refusal | null; triesLeft: number } {
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        let locked: Refusal | null = null;
        let triesLeft = Number.POSITIVE_INFINITY;
        for (const mark of counted.marks) {
          const row = this.sql.get.get(mark.subject);
          if (row?.locked_until != null && row.locked_until > now) {
            locked ??= { scope: mark.scope, until: row.locked_until };
            continue;
          }
          const windowOver =
            mark.scope === 'terminal' &&
            (row?.window_start == null ||
              row.window_start + this.policy.terminalWindowMinutes * MINUTE_MS <= now);
          triesLeft = Math.min(triesLeft, mark.max - (windowOver ? 0 : (row?.tries ?? 0)));
        }
        const lockedHere = counted.marks.some((m) => m.lockedUntil !== null);
        this.write(counted.attempt, lockedHere ? 'locked' : 'bad-pin', {
          scope: locked?.scope ?? null,
          triesLeft: locked ? 0 : triesLeft,
          lockedUntil: locked?.until ?? null,
        });
        return { locked, triesLeft: locked ? 0 : triesLeft };
      })
      .immediate();
  }

  /** Lifts a lock (and forgets its tries and earlier locks); true if something was locked. */
  unlock(target: PinLockTarget, actor: string): boolean {
    const subject = subjectOf(target);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const row = this.sql.get.get(subject);
        const wasLocked = row?.locked_until != null && row.locked_until > now;
        this.sql.unlock.run(subject);
        if (wasLocked) {
          this.write(
            {
              purpose: 'sign-in',
              userId: target.scope === 'user' ? target.userId : null,
              actor,
              sessionId: null,
            },
            'unlocked',
            { scope: target.scope, triesLeft: null, lockedUntil: row.locked_until },
            'unlock',
          );
        }
        return wasLocked;
      })
      .immediate();
  }

  /** Locks in force now: users by name, then the override, then the terminal. */
  locks(): PinLock[] {
    const order: Record<PinScope, number> = { user: 0, 'supervisor-override': 1, terminal: 2 };
    return this.sql.locks
      .all(this.clock.now())
      .map((row): PinLock => {
        if (row.subject.startsWith('user:')) {
          const userId = Number(row.subject.slice('user:'.length));
          return {
            scope: 'user',
            userId,
            ...(row.name !== null ? { name: row.name } : {}),
            until: row.locked_until!,
          };
        }
        if (row.subject.startsWith(KIOSK_PREFIX)) {
          const scope = row.subject.slice(KIOSK_PREFIX.length) as PinScope;
          return { scope, station: 'kiosk', until: row.locked_until! };
        }
        return { scope: row.subject as PinScope, until: row.locked_until! };
      })
      .sort(
        (a, b) =>
          order[a.scope] - order[b.scope] ||
          (a.station ?? '').localeCompare(b.station ?? '') ||
          (a.name ?? '').localeCompare(b.name ?? ''),
      );
  }

  private write(
    attempt: PinAttempt,
    outcome: 'ok' | 'bad-pin' | 'locked' | 'refused-locked' | 'unlocked',
    facts: { scope: PinScope | null; triesLeft: number | null; lockedUntil: number | null },
    purpose: PinPurpose | 'unlock' = attempt.purpose,
  ): void {
    this.sql.audit.run({
      at: this.clock.now(),
      purpose,
      userId: attempt.userId,
      actor: attempt.actor,
      sessionId: attempt.sessionId,
      outcome,
      ...facts,
    });
  }
}

export function isRefusal(value: CountedTry | Refusal): value is Refusal {
  return 'until' in value;
}
