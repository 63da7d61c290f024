import type { Clock } from '../../../shared/clock.ts';
import type { Db } from '../../store/database.ts';
import { SessionService } from './session-service.ts';

/** The demo staff `seed-demo` creates (documented in docs/counter-app.md). */
export const DEMO_USERS = [
  { name: 'Ana Cajera', role: 'cashier', pin: '1234' },
  { name: 'Beto Cajero', role: 'cashier', pin: '5678' },
  { name: 'Luis Supervisor', role: 'supervisor', pin: '9999' },
] as const;

/** `pepper`: the store key's (StoreKey.pepper); the hashes are useless without it. */
export async function seedDemoUsers(
  db: Db,
  clock: Clock,
  pepper: Buffer,
): Promise<{ id: number; name: string }[]> {
  const sessions = new SessionService(db, clock, { pepper });
  const created: { id: number; name: string }[] = [];
  for (const user of DEMO_USERS) {
    created.push({
      id: await sessions.createUser(user.name, user.role, user.pin),
      name: user.name,
    });
  }
  return created;
}
