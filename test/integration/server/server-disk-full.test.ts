import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../support/prometheus.ts';
import { tempDir } from '../../support/temp-store.ts';
import { demoEvent } from './hold-store.contract.ts';
import { type ServerProcess, serverCli, startServer } from './server-process.ts';

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = tempDir('taquilla-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe.dir], { stdio: 'ignore' });
    execFileSync('umount', [probe.dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    probe.remove();
  }
}

/**
 * The server's disk fills while counters report sales, on a real small file system (a tmpfs mounted
 * for the test; needs root, as CI has; skipped where mounting is not allowed).
 */
describe.skipIf(!canMount())('a full disk under the server (tmpfs; needs root)', () => {
  let dir: ReturnType<typeof tempDir>;
  let disk: string;
  let server: ServerProcess;
  let secret = '';

  beforeAll(async () => {
    dir = tempDir('taquilla-server-disk-');
    disk = join(dir.dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', disk]);
    const db = join(disk, 'server.db');
    secret = serverCli<{ secret: string }>(['create-tenant', '--db', db, '--name', 'Teatro']).secret;
    server = await startServer(['--db', db]);
    await fetch(`${server.url}/v1/admin/events`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(demoEvent(7)),
    });
  });
  afterAll(async () => {
    await server?.stop();
    try {
      execFileSync('umount', ['-l', disk]);
    } catch {
      // already gone
    }
    dir?.remove();
  });

  const op = async (name: string, body: unknown, key: string) => {
    const res = await fetch(`${server.url}/v1/ops/${name}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed') === 'true',
      body: (await res.json()) as {
        serverTime: number;
        result?: { leaseId: string; ticketFrom: number };
        error?: { code: string; message: string };
      },
    };
  };

  it('answers 507 STORE_FULL (never a bare 500), says so in /ready and the log, loses nothing, and takes the same sale once space is freed', async () => {
    const seatIds = Array.from({ length: 40 }, (_, i) => 101 + i);
    const lease = await op('lease', { eventId: 7, actor: 'c', seatIds, ticketNumbers: 40 }, 'disk-lease-1');
    expect(lease.status).toBe(200);
    const { leaseId, ticketFrom } = lease.body.result!;
    // Leave a little room, then report sales until the disk refuses one.
    const fs = statfsSync(disk);
    writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 256 * 1024)));
    const sale = (n: number) => ({
      key: `disk-sale-${n}`,
      body: {
        leaseId,
        saleId: `s-${n}`,
        actor: 'c',
        seatIds: [101 + n],
        ticketNumbers: [ticketFrom + n],
        soldAt: lease.body.serverTime + n,
      },
    });
    const acknowledged: number[] = [];
    let refused: { name: string; body: unknown; key: string; reply: Awaited<ReturnType<typeof op>> } | null =
      null;
    for (let n = 0; n < 40 && !refused; n++) {
      // a hold under a long session id, then the sale: each write grows the database and its WAL
      const requests = [
        {
          name: 'holdSeats',
          body: { eventId: 7, sessionId: `fill-${n}-${'x'.repeat(60)}`, actor: 'c', seatIds: [101 + n] },
          key: `disk-hold-${n}-${randomBytes(40).toString('hex')}`,
        },
        { name: 'leaseSale', ...sale(n) },
      ];
      for (const request of requests) {
        const reply = await op(request.name, request.body, request.key);
        if (reply.status >= 500) {
          refused = { ...request, reply };
          break;
        }
        if (request.name === 'leaseSale') acknowledged.push(n);
      }
    }
    expect(refused, 'the disk never filled').not.toBeNull();
    expect(refused!.reply.status).toBe(507);
    expect(refused!.reply.body.error?.code).toBe('STORE_FULL');
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { disk: string } }).checks.disk).toMatch(/MiB free$/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(metrics, 'taquilla_store_disk_free_bytes')).toBeLessThan(16 * 1024 * 1024);
    const logged = server
      .output()
      .stdout.split('\n')
      .filter((l) => l.includes('STORE_FULL'))
      .map((l) => JSON.parse(l) as { level: number; failure: string; cause: string; err?: unknown });
    expect(logged[0]).toMatchObject({ level: 50, failure: 'STORE_FULL', cause: 'SQLITE_FULL' });
    expect(logged[0]!.err).toBeUndefined(); // one line, no stack trace

    // Space comes back: the same requests go through, and nothing acknowledged was lost.
    rmSync(join(disk, 'filler'));
    await expect.poll(async () => (await fetch(`${server.url}/ready`)).status).toBe(200);
    const retried = await op(refused!.name, refused!.body, refused!.key);
    expect(retried.status).toBeLessThan(500);
    expect(retried.replayed).toBe(false); // the refused attempt wrote nothing
    for (const m of acknowledged) {
      const again = await op('leaseSale', sale(m).body, sale(m).key);
      expect(again.replayed, `sale ${m}`).toBe(true);
    }
  });
});
