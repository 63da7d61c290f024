/**
 * One measurement of the server's SQLite store, in its own process so `process.cpuUsage` (every
 * thread, the checkpoint worker included) is the store's alone. Run by server-store.bench.ts:
 *   node --import tsx server-store-driver.ts TREE PAIRS CONCURRENT [noaudit]
 * TREE is a checkout of this repository (another commit's, to compare); its
 * server/storage/sqlite-hold-store.ts is driven as the server process drives it: a hold of a random
 * seat of 1,000, then its release, each through `execute` with an idempotency key. Prints one JSON
 * line: CPU and wall time per hold + release pair, µs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [tree = process.cwd(), pairsArg = '2500', concArg = '1'] = process.argv.slice(2);
const PAIRS = Number(pairsArg);
const CONCURRENT = Number(concArg);
const WARM_PAIRS = 1000;
const SEATS = 1000;

const { SqliteHoldStore } = (await import(join(tree, 'server/storage/sqlite-hold-store.ts'))) as {
  SqliteHoldStore: new (path: string) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const dir = mkdtempSync(join(tmpdir(), 'taquilla-store-bench-'));
const store = new SqliteHoldStore(join(dir, 'server.db'));
await store.init();
const now = Date.now();
const tenantId: number = await store.createTenant('Bench', {}, now);
const credentialId: number = await store.addCredential({
  tenantId,
  role: 'terminal',
  name: 'bench',
  secretHash: randomBytes(8).toString('hex'),
  now,
});
await store.putEvent(
  tenantId,
  {
    eventId: 1,
    name: 'Bench',
    leaseMinutes: 240,
    zones: [
      {
        kind: 'numbered',
        zoneId: 1,
        name: 'Platea',
        priceCents: 2500,
        seats: Array.from({ length: SEATS }, (_, i) => ({ seatId: i + 1, label: `S-${i + 1}` })),
      },
    ],
  },
  now,
);

let key = 0;
const idempotency = () => ({ key: `k${key++}`, requestHash: randomBytes(16).toString('hex') });

async function pairs(n: number): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT }, async (_, c) => {
      while (started < n) {
        started++;
        const seatIds = [1 + Math.floor(Math.random() * SEATS)];
        const input = { eventId: 1, sessionId: `s${c}`, actor: 'bench', seatIds };
        const held = await store.execute(
          tenantId,
          credentialId,
          'holdSeats',
          input,
          Date.now(),
          idempotency(),
        );
        if (held.status === 200) {
          await store.execute(tenantId, credentialId, 'releaseSeats', input, Date.now(), idempotency());
        } else if (held.body?.error?.code !== 'SEAT_TAKEN') {
          throw new Error(JSON.stringify(held.body));
        }
      }
    }),
  );
}

await pairs(WARM_PAIRS);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await pairs(PAIRS);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
await store.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    cpuUsPerPair: (cpu.user + cpu.system) / PAIRS,
    userUsPerPair: cpu.user / PAIRS,
    systemUsPerPair: cpu.system / PAIRS,
    wallUsPerPair: (wall * 1000) / PAIRS,
  })}\n`,
);
