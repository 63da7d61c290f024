import type { ServedTerminal } from '../counter/counter-fixture.ts';

/** A test-side session for a demo user found by name (ids depend on the seed's order). */
export async function signInAs(served: ServedTerminal, name: string, pin: string): Promise<string> {
  const users = await served.api<{ id: number; name: string }[]>('session.users', {});
  const user = users.find((u) => u.name === name);
  if (!user) throw new Error(`no demo user ${name}`);
  return (await served.api<{ sessionToken: string }>('session.signIn', { userId: user.id, pin }))
    .sessionToken;
}
