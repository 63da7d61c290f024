import type { Clock } from '../../../shared/clock.ts';
import type { Db } from '../../store/database.ts';
import { SessionService } from './session-service.ts';

/** The demo staff `seed-demo` creates (documented in docs/counter-app.md). */
export const DEMO_USERS = [
  { name: 'Ana Cajera', role: 'cashier', pin: '1234' },
  { name: 'Beto Cajero', role: 'cashier', pin: '5678' },
  { name: 'Luis Supervisor', role: 'supervisor', pin: '9999' },
] as const;

/**
 * Creates the demo staff that are missing; `existing`: those a user of that name already had (their
 * PIN and role are left as they are). `pepper`: the store key's (StoreKey.pepper); the hashes are
 * useless without it.
 */
export async function seedDemoUsers(
  db: Db,
  clock: Clock,
  pepper: Buffer,
): Promise<{ created: { id: number; name: string }[]; existing: { id: number; name: string }[] }> {
  const sessions = new SessionService(db, clock, { pepper });
  const byName = db.prepare<[string], { id: number }>('SELECT id FROM users WHERE name = ?');
  const created: { id: number; name: string }[] = [];
  const existing: { id: number; name: string }[] = [];
  for (const user of DEMO_USERS) {
    const found = byName.get(user.name);
    if (found) existing.push({ id: found.id, name: user.name });
    else created.push({ id: await sessions.createUser(user.name, user.role, user.pin), name: user.name });
  }
  return { created, existing };
}
