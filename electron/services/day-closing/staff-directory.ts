import { TaquillaError } from '../../../shared/errors.ts';
import type { StaffReference } from '../../../shared/schemas/day-closing.ts';
import type { Db } from '../../store/database.ts';

/**
 * A member of staff as the drawer and the Z report know them. Payments carry the session's actor
 * text (`cashier:Ana Cajera`, SessionService); a staff member's payments are those under any of
 * `actors` (the same name under either role, should the role have changed).
 */
export interface Staff {
  /** The user's id; null for the kiosk, which signs itself in. */
  staffId: number | null;
  name: string;
  role: 'cashier' | 'supervisor' | 'kiosk';
  /** What a session of theirs records now. */
  actor: string;
  actors: string[];
}

/** Who a report or drawer call is about: a user id, or a name as typed (`Ana Cajera`, `cashier:Ana Cajera`). */
export type { StaffReference };

const KIOSK: Staff = {
  staffId: null,
  name: 'Quiosco',
  role: 'kiosk',
  actor: 'kiosk:Quiosco',
  actors: ['kiosk:Quiosco'],
};

/** SessionService's actor text for a user: role and name, cut to the actor column's 64 characters. */
export function actorOf(role: string, name: string): string {
  return `${role}:${name}`.slice(0, 64);
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

interface UserRow {
  id: number;
  name: string;
  role: 'cashier' | 'supervisor';
}

/**
 * Resolves a staff member by id or by the name a supervisor types, or refuses (UNKNOWN_STAFF) with
 * who exists: a Z for a name nobody has would close nothing and claim the day.
 */
export class StaffDirectory {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      byId: db.prepare<[number], UserRow>('SELECT id, name, role FROM users WHERE id = ?'),
      all: db.prepare<[], UserRow>('SELECT id, name, role FROM users ORDER BY id'),
      kioskPaid: db.prepare<[], { n: number }>(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM payments WHERE cashier LIKE 'kiosk:%' LIMIT 1)",
      ),
    };
  }

  /** The staff member `reference` names; UNKNOWN_STAFF when none does, or when several do. */
  resolve(reference: StaffReference): Staff {
    if ('staffId' in reference) {
      const user = this.sql.byId.get(reference.staffId);
      if (!user) throw this.unknown(String(reference.staffId), 'unknown');
      return staffOf(user);
    }
    const text = reference.name.trim();
    if (/^\d+$/.test(text)) return this.resolve({ staffId: Number(text) });
    const wanted = fold(text.replace(/^(cashier|supervisor):/i, ''));
    if (wanted === fold(KIOSK.name) || wanted === 'kiosk' || fold(text) === fold(KIOSK.actor)) return KIOSK;
    const matches = this.sql.all.all().filter((u) => fold(u.name) === wanted);
    if (matches.length === 1) return staffOf(matches[0]!);
    throw this.unknown(text, matches.length === 0 ? 'unknown' : 'ambiguous');
  }

  /** The signed-in user (session.user) as staff; the kiosk's session is the kiosk. */
  ofSession(user: { id: number; role: string }): Staff {
    if (user.role === 'kiosk') return KIOSK;
    return this.resolve({ staffId: user.id });
  }

  /** Everyone who can have takings: the users, and the kiosk once it has taken money here. */
  known(): { staffId: number | null; name: string }[] {
    const users = this.sql.all.all().map((u) => ({ staffId: u.id as number | null, name: u.name }));
    return this.sql.kioskPaid.get()!.n > 0 ? [...users, { staffId: null, name: KIOSK.name }] : users;
  }

  private unknown(reference: string, reason: 'unknown' | 'ambiguous'): TaquillaError<'UNKNOWN_STAFF'> {
    const known = this.known();
    const names = known.map((k) => (k.staffId === null ? k.name : `${k.staffId} ${k.name}`)).join(', ');
    return new TaquillaError(
      'UNKNOWN_STAFF',
      reason === 'unknown'
        ? `No staff member '${reference}' (staff: ${names || 'none'})`
        : `'${reference}' names more than one staff member: give the id (staff: ${names})`,
      { reference, reason, known },
    );
  }
}

function staffOf(user: UserRow): Staff {
  return {
    staffId: user.id,
    name: user.name,
    role: user.role,
    actor: actorOf(user.role, user.name),
    actors: [actorOf('cashier', user.name), actorOf('supervisor', user.name)],
  };
}
