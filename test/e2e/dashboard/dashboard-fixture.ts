import { join } from 'node:path';
import { ROOT, type ServedTerminal } from '../counter/counter-fixture.ts';

/** A test-side session for a demo user found by name (ids depend on the seed's order). */
export async function signInAs(served: ServedTerminal, name: string, pin: string): Promise<string> {
  const users = await served.api<{ id: number; name: string }[]>('session.users', {});
  const user = users.find((u) => u.name === name);
  if (!user) throw new Error(`no demo user ${name}`);
  return (await served.api<{ sessionToken: string }>('session.signIn', { userId: user.id, pin }))
    .sessionToken;
}

/**
 * Where a documentation screenshot goes: test-results by default, docs/ when refreshing the docs
 * (TAQUILLA_UPDATE_SCREENSHOTS=1), so a test run does not dirty the checkout.
 */
export function screenshotPath(name: string, results: string): string {
  return process.env.TAQUILLA_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', name) : join(results, name);
}
