import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { Db } from '../../store/database.ts';
import {
  type CountedTry,
  DEFAULT_PIN_POLICY,
  isRefusal,
  PinGuard,
  type PinLock,
  type PinLockTarget,
  type PinPolicy,
  type PinStation,
  type Refusal,
} from './pin-guard.ts';
import { hashPin, type PinScheme, verifyPin, wrapLegacyHash } from './pin-hash.ts';

export type StaffRole = 'cashier' | 'supervisor';
/** A kiosk signs itself in (no PIN, no user row): it may only sell, never take deposits or close days. */
export type SessionRole = StaffRole | 'kiosk';

export interface StaffMember {
  id: number;
  name: string;
  role: SessionRole;
}

/** One signed-in selling session: what every handler takes "who is calling" from. */
export interface SignedInSession {
  /** Secret bearer value the client sends back; never stored in the database. */
  token: string;
  /** Public id the holds are recorded under. */
  sessionId: string;
  user: StaffMember;
  /** What the audit trail records as the actor. */
  actor: string;
  startedAt: number;
}

export interface SessionServiceOptions {
  /** The PIN pepper: StoreKey.pepper, from outside the database. */
  pepper: Buffer;
  policy?: PinPolicy;
  /**
   * 'kiosk': this terminal is a kiosk. It lists no staff and signs no staff in (its only way out is
   * the supervisor override), and its override tries count against its own budget (PinStation).
   */
  station?: PinStation;
}

interface UserRow {
  id: number;
  name: string;
  role: StaffRole;
  pin_salt: string;
  pin_hash: string;
  pin_scheme: PinScheme;
}

/** An unknown user costs the same scrypt as a real one, so timing does not tell them apart. */
const DUMMY_HASH = {
  salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
  hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  scheme: 'peppered-scrypt',
} as const;

/**
 * Staff sign-in with peppered, hashed PINs, and the supervisor override. Every PIN try is counted
 * before its hash is checked (PinGuard): per user, for the override, and for the whole terminal,
 * with locks that grow longer. Sessions live in memory: a restarted terminal signs everyone out
 * (their holds simply run out).
 */
export class SessionService {
  private readonly sessions = new Map<string, SignedInSession>();
  private readonly sql;
  private readonly pepper: Buffer;
  private readonly station: PinStation;
  readonly guard: PinGuard;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: SessionServiceOptions,
  ) {
    this.pepper = options.pepper;
    this.station = options.station ?? 'counter';
    this.guard = new PinGuard(db, clock, options.policy ?? DEFAULT_PIN_POLICY, this.station);
    this.sql = {
      users: db.prepare<[], StaffMember>(
        'SELECT id, name, role FROM users WHERE active = 1 ORDER BY role, name',
      ),
      user: db.prepare<[number], UserRow>(
        'SELECT id, name, role, pin_salt, pin_hash, pin_scheme FROM users WHERE id = ? AND active = 1',
      ),
      supervisors: db.prepare<[], UserRow>(
        `SELECT id, name, role, pin_salt, pin_hash, pin_scheme FROM users
         WHERE role = 'supervisor' AND active = 1 ORDER BY id`,
      ),
      insert: db.prepare<[string, StaffRole, string, string, PinScheme, number]>(
        'INSERT INTO users (name, role, pin_salt, pin_hash, pin_scheme, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      rehash: db.prepare<[string, string, PinScheme, number, string]>(
        'UPDATE users SET pin_salt = ?, pin_hash = ?, pin_scheme = ? WHERE id = ? AND pin_hash = ?',
      ),
      legacy: db.prepare<[], { id: number; pin_hash: string }>(
        "SELECT id, pin_hash FROM users WHERE pin_scheme = 'scrypt'",
      ),
      wrap: db.prepare<[string, number]>(
        "UPDATE users SET pin_hash = ?, pin_scheme = 'wrapped-scrypt' WHERE id = ? AND pin_scheme = 'scrypt'",
      ),
      log: db.prepare<[number | null, number, string, string | null]>(
        'INSERT INTO sign_ins (user_id, at, outcome, session_id) VALUES (?, ?, ?, ?)',
      ),
    };
    this.wrapLegacyHashes();
  }

  /** Hashes older than the pepper are wrapped in place at open: none stays searchable offline. */
  private wrapLegacyHashes(): void {
    const rows = this.sql.legacy.all();
    if (rows.length === 0) return;
    this.db
      .transaction(() => {
        for (const row of rows) this.sql.wrap.run(wrapLegacyHash(row.pin_hash, this.pepper), row.id);
      })
      .immediate();
  }

  async createUser(name: string, role: StaffRole, pin: string): Promise<number> {
    const { salt, hash, scheme } = await hashPin(pin, this.pepper);
    return Number(this.sql.insert.run(name, role, salt, hash, scheme, this.clock.now()).lastInsertRowid);
  }

  /** Staff who can sign in here; a kiosk lists nobody (ROLE_NOT_ALLOWED). */
  users(): StaffMember[] {
    this.refuseAtKiosk('session.users');
    return this.sql.users.all();
  }

  /**
   * Throws BAD_PIN { attemptsLeft } or LOCKED_OUT { until, scope }. A try refused by a lock is not
   * checked, so even the right PIN does not sign in (or lift the lock) while it holds. A kiosk signs
   * no staff in (ROLE_NOT_ALLOWED), so no PIN is ever tried there but the supervisor override.
   */
  async signIn(userId: number, pin: string): Promise<SignedInSession> {
    this.refuseAtKiosk('session.signIn');
    const counted = this.guard.count({ purpose: 'sign-in', userId, actor: null, sessionId: null });
    if (isRefusal(counted)) throw lockedOut(counted);
    const user = this.sql.user.get(userId);
    const stored = user ? { salt: user.pin_salt, hash: user.pin_hash, scheme: user.pin_scheme } : DUMMY_HASH;
    // Unknown user and wrong PIN look the same from outside.
    if (!(await verifyPin(pin, stored, this.pepper)) || !user) this.refuse(counted);
    this.guard.right(counted, user.id);
    if (user.pin_scheme !== 'peppered-scrypt') await this.upgradeHash(user, pin);
    const now = this.clock.now();
    const session: SignedInSession = {
      token: randomBytes(24).toString('base64url'),
      sessionId: `caja-${randomUUID()}`,
      user: { id: user.id, name: user.name, role: user.role },
      actor: `${user.role}:${user.name}`.slice(0, 64),
      startedAt: now,
    };
    this.sessions.set(session.token, session);
    this.sql.log.run(user.id, now, 'signed-in', session.sessionId);
    return session;
  }

  /** A wrapped old hash becomes a peppered one, now that the PIN is known to be right. */
  private async upgradeHash(user: UserRow, pin: string): Promise<void> {
    const fresh = await hashPin(pin, this.pepper);
    this.sql.rehash.run(fresh.salt, fresh.hash, fresh.scheme, user.id, user.pin_hash);
  }

  /** A kiosk's customer session: created without a PIN, only on a terminal running in kiosk mode. */
  startKiosk(): SignedInSession {
    const session: SignedInSession = {
      token: randomBytes(24).toString('base64url'),
      sessionId: `kiosco-${randomUUID()}`,
      user: { id: 0, name: 'Quiosco', role: 'kiosk' },
      actor: 'kiosk:Quiosco',
      startedAt: this.clock.now(),
    };
    this.sessions.set(session.token, session);
    this.sql.log.run(null, session.startedAt, 'signed-in', session.sessionId);
    return session;
  }

  /** The session a token belongs to, or null (unknown, or signed out). */
  resolve(token: string | undefined): SignedInSession | null {
    if (!token) return null;
    return this.sessions.get(token) ?? null;
  }

  signOut(session: SignedInSession): void {
    this.sessions.delete(session.token);
    const userId = session.user.role === 'kiosk' ? null : session.user.id;
    this.sql.log.run(userId, this.clock.now(), 'signed-out', session.sessionId);
  }

  /**
   * Any supervisor's PIN authorises `asker`'s locked action (leaving kiosk mode). Counted and locked
   * like a sign-in, under its own budget and the terminal's; a supervisor locked out of signing in
   * is not matched. Throws BAD_PIN or LOCKED_OUT as signIn does.
   */
  async verifySupervisor(pin: string, asker: SignedInSession): Promise<StaffMember> {
    const counted = this.guard.count({
      purpose: 'supervisor-override',
      userId: null,
      actor: asker.actor,
      sessionId: asker.sessionId,
    });
    if (isRefusal(counted)) throw lockedOut(counted);
    const lockedUsers = new Set(this.guard.locks().map((l) => l.userId));
    for (const user of this.sql.supervisors.all()) {
      if (lockedUsers.has(user.id)) continue;
      const stored = { salt: user.pin_salt, hash: user.pin_hash, scheme: user.pin_scheme };
      if (await verifyPin(pin, stored, this.pepper)) {
        this.guard.right(counted, user.id);
        return { id: user.id, name: user.name, role: user.role };
      }
    }
    this.refuse(counted);
  }

  /**
   * Who approves `asker`'s action that needs a supervisor (a void, a paid-out, settling a conflict): a
   * signed-in supervisor approves their own; anyone else needs a supervisor's PIN (verifySupervisor).
   * Answers the approver as recorded ("supervisor:NAME" for a PIN). APPROVAL_REQUIRED without a PIN.
   */
  async approvedBy(
    asker: SignedInSession,
    supervisorPin: string | undefined,
    kind: 'PAID_OUT' | 'VOID' | 'CONFLICT',
    what: string,
  ): Promise<string> {
    if (asker.user.role === 'supervisor') return asker.actor;
    if (supervisorPin === undefined) {
      throw new TaquillaError('APPROVAL_REQUIRED', `${what} needs a supervisor to approve it`, { kind });
    }
    const supervisor = await this.verifySupervisor(supervisorPin, asker);
    return `supervisor:${supervisor.name}`.slice(0, 64);
  }

  /** Lifts a PIN lock (a supervisor, or `taquilla unlock-user`); true if something was locked. */
  unlock(target: PinLockTarget, actor: string): boolean {
    return this.guard.unlock(target, actor);
  }

  pinLocks(): PinLock[] {
    return this.guard.locks();
  }

  private refuseAtKiosk(method: string): void {
    if (this.station !== 'kiosk') return;
    throw new TaquillaError(
      'ROLE_NOT_ALLOWED',
      'A kiosk signs no staff in: it is left with the supervisor override',
      { method, role: 'staff', allowed: [] },
    );
  }

  private refuse(counted: CountedTry): never {
    const { locked, triesLeft } = this.guard.wrong(counted);
    if (locked) throw lockedOut(locked);
    throw new TaquillaError('BAD_PIN', 'Wrong user or PIN', { attemptsLeft: triesLeft });
  }
}

function lockedOut(lock: Refusal): TaquillaError<'LOCKED_OUT'> {
  const what =
    lock.scope === 'user'
      ? 'This user is'
      : lock.scope === 'supervisor-override'
        ? 'The supervisor override is'
        : 'Every PIN at this terminal is';
  return new TaquillaError('LOCKED_OUT', `${what} locked after too many wrong PINs`, {
    until: lock.until,
    scope: lock.scope,
  });
}
