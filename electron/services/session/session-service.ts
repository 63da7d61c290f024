import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { Db } from '../../store/database.ts';
import { hashPin, verifyPin } from './pin-hash.ts';

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

export const MAX_PIN_ATTEMPTS = 5;
export const LOCKOUT_MS = 5 * MINUTE_MS;

interface UserRow {
  id: number;
  name: string;
  role: StaffRole;
  pin_salt: string;
  pin_hash: string;
  failed_attempts: number;
  locked_until: number | null;
}

/**
 * Staff sign-in with hashed PINs and lockout. Sessions live in memory: a restarted terminal signs
 * everyone out (their holds simply run out).
 */
export class SessionService {
  private readonly sessions = new Map<string, SignedInSession>();
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      users: db.prepare<[], StaffMember>(
        'SELECT id, name, role FROM users WHERE active = 1 ORDER BY role, name',
      ),
      user: db.prepare<[number], UserRow>(
        `SELECT id, name, role, pin_salt, pin_hash, failed_attempts, locked_until
         FROM users WHERE id = ? AND active = 1`,
      ),
      supervisors: db.prepare<[], UserRow>(
        `SELECT id, name, role, pin_salt, pin_hash, failed_attempts, locked_until
         FROM users WHERE role = 'supervisor' AND active = 1`,
      ),
      insert: db.prepare<[string, StaffRole, string, string, number]>(
        'INSERT INTO users (name, role, pin_salt, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      // Counted in SQL, not read-modify-write: two terminals guessing at once both count.
      failed: db.prepare<[{ id: number; max: number; until: number }], { failed_attempts: number }>(
        `UPDATE users SET
           failed_attempts = CASE WHEN failed_attempts + 1 >= @max THEN 0 ELSE failed_attempts + 1 END,
           locked_until = CASE WHEN failed_attempts + 1 >= @max THEN @until ELSE locked_until END
         WHERE id = @id RETURNING failed_attempts`,
      ),
      succeeded: db.prepare<[number]>(
        'UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?',
      ),
      log: db.prepare<[number | null, number, string, string | null]>(
        'INSERT INTO sign_ins (user_id, at, outcome, session_id) VALUES (?, ?, ?, ?)',
      ),
    };
  }

  async createUser(name: string, role: StaffRole, pin: string): Promise<number> {
    const { salt, hash } = await hashPin(pin);
    return Number(this.sql.insert.run(name, role, salt, hash, this.clock.now()).lastInsertRowid);
  }

  users(): StaffMember[] {
    return this.sql.users.all();
  }

  async signIn(userId: number, pin: string): Promise<SignedInSession> {
    const user = this.checkable(userId);
    if (!(await verifyPin(pin, { salt: user.pin_salt, hash: user.pin_hash }))) {
      this.refuse(user);
    }
    const now = this.clock.now();
    this.sql.succeeded.run(user.id);
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

  /** Any supervisor's PIN; lockout applies per supervisor as for sign-in. */
  async verifySupervisor(pin: string): Promise<StaffMember> {
    const now = this.clock.now();
    for (const user of this.sql.supervisors.all()) {
      if (user.locked_until !== null && user.locked_until > now) continue;
      if (await verifyPin(pin, { salt: user.pin_salt, hash: user.pin_hash })) {
        this.sql.succeeded.run(user.id);
        return { id: user.id, name: user.name, role: user.role };
      }
    }
    this.sql.log.run(null, now, 'bad-pin', null);
    throw new TaquillaError('BAD_PIN', 'That is not a supervisor PIN', {
      attemptsLeft: 0,
    });
  }

  private checkable(userId: number): UserRow {
    const user = this.sql.user.get(userId);
    // Unknown user and wrong PIN look the same from outside.
    if (!user)
      throw new TaquillaError('BAD_PIN', 'Wrong user or PIN', {
        attemptsLeft: MAX_PIN_ATTEMPTS,
      });
    const now = this.clock.now();
    if (user.locked_until !== null && user.locked_until > now) {
      this.sql.log.run(user.id, now, 'locked-out', null);
      throw new TaquillaError('LOCKED_OUT', `${user.name} is locked out after too many wrong PINs`, {
        until: user.locked_until,
      });
    }
    return user;
  }

  private refuse(user: UserRow): never {
    const now = this.clock.now();
    const until = now + LOCKOUT_MS;
    const { failed_attempts } = this.sql.failed.get({
      id: user.id,
      max: MAX_PIN_ATTEMPTS,
      until,
    })!;
    this.sql.log.run(user.id, now, 'bad-pin', null);
    if (failed_attempts === 0) {
      throw new TaquillaError('LOCKED_OUT', `${user.name} is locked out after too many wrong PINs`, {
        until,
      });
    }
    throw new TaquillaError('BAD_PIN', 'Wrong user or PIN', {
      attemptsLeft: MAX_PIN_ATTEMPTS - failed_attempts,
    });
  }
}
