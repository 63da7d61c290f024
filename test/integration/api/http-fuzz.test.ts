import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api as table } from '../../../shared/api/index.ts';
import { type ApiFixture, startApi } from './api-fixture.ts';

/**
 * Random and malformed messages to every method of the terminal's HTTP API, as a supervisor (the
 * widest role): never a 500, always a clear error body, and a refused payload writes nothing.
 */
let api: ApiFixture;
let supervisor: string;
const methods = Object.keys(table).filter((m) => m !== 'session.signOut');

beforeAll(async () => {
  api = await startApi();
  supervisor = await api.signIn(api.users.supervisor, '9999');
});
afterAll(() => api.close());

function writes(): number {
  const row = api.terminal.db
    .prepare<[], { n: number }>(
      'SELECT (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM reserved_tickets) AS n',
    )
    .get();
  return row!.n;
}

const garbage = fc.oneof(
  fc.anything(),
  fc.record({ eventId: fc.oneof(fc.string(), fc.double(), fc.constant(-1)), seatIds: fc.anything() }),
  fc.constantFrom(
    null,
    [],
    '',
    'x'.repeat(5000),
    { eventId: 2 ** 60 },
    { __proto__: { role: 'supervisor' } },
  ),
);

describe('the terminal HTTP API under malformed input', () => {
  it(`answers ${methods.length} methods with clear errors, never a 500`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), garbage, async (method, payload) => {
        const before = writes();
        const { status, body } = await api.call(method, payload, supervisor);
        expect(status, `${method} ${JSON.stringify(payload)?.slice(0, 200)}`).toBeLessThan(500);
        if (status >= 400) {
          expect(typeof body.error.code).toBe('string');
          expect(body.error.message.length).toBeGreaterThan(0);
          if (status === 400) expect(writes()).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a body that is not JSON, and an unknown method, without a 500', async () => {
    const res = await fetch(`${api.base}/api/holds.seats`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-taquilla-token': api.server.token,
        'x-taquilla-session': supervisor,
      },
      body: '{"eventId": 1, "seatIds": [1,',
    });
    expect(res.status).toBe(400);
    const unknown = await api.call('holds.teleport', {}, supervisor);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_METHOD');
  });
});
