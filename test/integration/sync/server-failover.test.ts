import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HoldServerClient } from '../../../electron/services/sync/hold-server-client.ts';
import { systemClock } from '../../../shared/clock.ts';
import { FaultProxy } from '../../deployment/fault-proxy.ts';
import { tempDir } from '../../support/temp-store.ts';
import { type ServerProcess, serverCli, startServer } from '../server/server-process.ts';

/**
 * A terminal enrolled with two URLs of the venue's server (issue 12, finding 8): losing the instance
 * in use, gone or silent, moves its requests to the other, each asked again under its own key.
 */
let tmp: ReturnType<typeof tempDir>;
let server: ServerProcess;
let links: [FaultProxy, FaultProxy];
let secret: string;

/** An operation the server answers definitely (the event does not exist), recorded under its key. */
const hold = (client: HoldServerClient, key = `tq-${randomUUID()}`) =>
  client.operation('holdSeats', { eventId: 999, sessionId: 's1', actor: 'test', seatIds: [1] }, key);

beforeAll(async () => {
  tmp = tempDir('taquilla-failover-');
  const db = join(tmp.dir, 'server.db');
  const admin = serverCli<{ secret: string }>(['create-tenant', '--db', db, '--name', 'Failover']);
  server = await startServer(['--db', db]);
  links = [new FaultProxy(() => server.port), new FaultProxy(() => server.port)];
  await Promise.all(links.map((l) => l.listen()));
  const code = (
    (await (
      await fetch(`${server.url}/v1/admin/enrol-codes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { result: { code: string } }
  ).result.code;
  const enrolled = await new HoldServerClient(links[0].url, systemClock).enrol(code, 'Caja 1');
  secret = (enrolled.result as { secret: string }).secret;
});
afterEach(async () => {
  await Promise.all(links.map((l) => l.set('pass')));
});
afterAll(async () => {
  await Promise.all(links.map((l) => l.close()));
  await server?.stop();
  tmp?.remove();
});

describe('a terminal with two URLs of the venue server', () => {
  it('requests that find the instance in use gone all go on through the other', async () => {
    const client = new HoldServerClient([links[0].url, links[1].url], systemClock, secret);
    await links[0].set('refuse');
    // Each failure moves the client off the URL it used, never back onto it.
    const replies = await Promise.all([hold(client), hold(client), hold(client)]);
    for (const reply of replies) expect(reply.error?.code).toBe('UNKNOWN_EVENT');
    expect(client.serverUrl).toBe(links[1].url);
  });

  it('a request waiting on a silent instance is asked again on the other once the heartbeat finds it silent', async () => {
    // A deadline far past the test's own: only the heartbeat can cut this request short.
    const client = new HoldServerClient([links[0].url, links[1].url], systemClock, secret, 600_000);
    await client.time(1000);
    await links[0].set('stall');
    const key = `tq-${randomUUID()}`;
    const waiting = hold(client, key);
    await expect(client.time(300)).resolves.toMatchObject({ status: 200 });
    expect(client.serverUrl).toBe(links[1].url);
    const reply = await waiting;
    expect(reply.error?.code).toBe('UNKNOWN_EVENT');
    // Asked under the same key: the server answers it as the same request.
    await links[0].set('pass');
    expect((await hold(client, key)).error?.code).toBe('UNKNOWN_EVENT');
  });

  it('a request on a connection the instance dropped is asked again on the other', async () => {
    const client = new HoldServerClient([links[0].url, links[1].url], systemClock, secret);
    await hold(client); // a keep-alive connection to the first URL now waits in the pool
    await links[0].set('refuse');
    expect((await hold(client)).error?.code).toBe('UNKNOWN_EVENT');
  });

  it('a request nobody could reach says so: refused only when no copy can have reached a server', async () => {
    // Links never used: no pooled connection of which a copy might have left.
    const gone = [new FaultProxy(() => server.port), new FaultProxy(() => server.port)];
    await Promise.all(gone.map((l) => l.listen()));
    const client = new HoldServerClient([gone[0]!.url, gone[1]!.url], systemClock, secret);
    await Promise.all(gone.map((l) => l.close()));
    await expect(hold(client)).rejects.toMatchObject({ name: 'NetworkError', refused: true });
  });
});
