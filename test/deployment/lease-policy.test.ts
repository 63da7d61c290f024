import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertChromium,
  ensureRendererBuilt,
  hoverSeat,
  launchChromium,
  ROOT,
  skipE2e,
} from '../e2e/counter/counter-fixture.ts';
import { openCounterPage, tooltipState } from './browser.ts';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import {
  CASH,
  type Counter,
  type SignedIn,
  THEATRE,
  type Venue,
  serverAudit,
  startVenue,
} from './venue-fixture.ts';

/**
 * Leases a venue can run on a sold-out night (issue 14): a supervisor sets the event's lease policy at
 * the server; every counter keeps its lease by it while online (takes it, renews it for the policy's
 * period, gives unsold seats back on reconnect), and the operator's rebalance takes the unsold leased
 * seats back from the counters so the last seats of the night are never stranded in a lease.
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let luis: SignedIn;
let luisB: SignedIn;
let map: SeatMap;
let zoneId: number;

const MINUTE = 60_000;

/** A `taquilla-server` command on the venue's store; its JSON answer, or the process's error as it is
 * (its exit code and output: leasePolicy reads the refusal from them). */
async function serverCommand<T>(...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bin/taquilla-server.js'), ...args, '--db', join(venue.dir, 'server.db')],
    { cwd: ROOT },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** `taquilla-server lease-policy` as the supervisor runs it; its exit code and JSON answer. */
async function leasePolicy(...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  try {
    const out = await serverCommand<Record<string, unknown>>(
      'lease-policy',
      '--tenant',
      String(venue.admin.tenantId),
      '--event',
      String(THEATRE),
      ...args,
    );
    return { code: 0, out };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    const text = (e.stdout || e.stderr).trim().split('\n').pop() ?? '{}';
    let out: Record<string, unknown>;
    try {
      out = JSON.parse(text) as Record<string, unknown>;
    } catch {
      out = { text };
    }
    return { code: e.code, out };
  }
}

const auditOf = (entityId: string | number) => serverAudit(venue, entityId);

async function credentialOf(name: string): Promise<number> {
  const [row] = await venue.serverRows<{ id: number }>('SELECT id FROM credentials WHERE name = ?', name);
  return Number(row!.id);
}

async function network(counter: Counter, state: 'online' | 'offline'): Promise<void> {
  await venue.eventually(async () => {
    expect((await counter.call('terminal.status', {})).network).toBe(state);
  }, 20_000);
}

async function openLease(counter: Counter) {
  const who = counter === a ? luis : luisB;
  return venue.eventually(async () => {
    const selling = (await counter.call('leases.list', { all: false }, who)).filter((l) => l.selling);
    expect(selling).toHaveLength(1);
    return selling[0]!;
  }, 20_000);
}

async function serverLeaseStatus(leaseId: string): Promise<string> {
  const [row] = await venue.serverRows<{ status: string }>('SELECT status FROM leases WHERE id = ?', leaseId);
  return String(row?.status);
}

beforeAll(async () => {
  venue = await startVenue({ counters: 2, testClock: true });
  [a, b] = venue.counters as [Counter, Counter];
  [luis, luisB] = await Promise.all([a.signIn('luis'), b.signIn('luis')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, luis);
  // The theatre's last numbered zone (its seats are in seat order on the map).
  zoneId = map.seats.zoneId.at(-1)!;
});
afterAll(async () => {
  await venue?.close();
});

describe('a lease policy set by a supervisor', () => {
  it('is refused whole when it is wrong, and nothing is written', async () => {
    const noPeriod = await leasePolicy('--seats', `${zoneId}:3`);
    expect(noPeriod.code).toBe(2);
    const renewAfterEnd = await leasePolicy(
      '--seats',
      `${zoneId}:3`,
      '--minutes',
      '30',
      '--renew-before',
      '45',
    );
    expect(renewAfterEnd.code).toBe(1);
    expect(JSON.stringify(renewAfterEnd.out)).toContain('renewBeforeMinutes');
    const noSuchZone = await leasePolicy('--seats', '99999:3', '--minutes', '30');
    expect(noSuchZone.code).toBe(1);
    expect(JSON.stringify(noSuchZone.out)).toContain('UNKNOWN_ZONE');
    const standingAsSeats = await leasePolicy('--general', `${zoneId}:3`, '--minutes', '30');
    expect(JSON.stringify(standingAsSeats.out)).toContain('WRONG_ZONE_KIND');
    // The same refusal over the admin API: 400 with every problem named, nothing written.
    const reply = await fetch(`http://127.0.0.1:${venue.servers[0]!.port}/v1/admin/lease-policies`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${venue.admin.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        eventId: THEATRE,
        policy: { seats: [{ zoneId, count: 0 }], durationMinutes: 2 },
      }),
    });
    expect(reply.status).toBe(400);
    const body = (await reply.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details.issues.map((i) => i.path).sort()).toEqual(['durationMinutes', 'seats.0.count']);
    expect((await leasePolicy()).out).toMatchObject({ policies: [] });
    expect(await venue.serverRows('SELECT * FROM lease_policies')).toEqual([]);
  }, 120_000);

  it('every counter takes its lease by itself, for the policy’s period; offline it sells from it; back online the unsold seats go back and a fresh lease is taken', async () => {
    const set = await leasePolicy(
      '--seats',
      `${zoneId}:3`,
      '--minutes',
      '30',
      '--renew-before',
      '10',
      '--return-on-reconnect',
    );
    expect(set.code).toBe(0);
    const first = await openLease(a);
    await openLease(b);
    expect(first.seatIds).toHaveLength(3);
    // The policy's period, not the event's 240 minutes.
    const { serverTime } = await a.call('terminal.status', {});
    expect(first.expiresAt - serverTime).toBeGreaterThan(28 * MINUTE);
    expect(first.expiresAt - serverTime).toBeLessThanOrEqual(30 * MINUTE);

    await a.link('refuse');
    await network(a, 'offline');
    const ana = await a.signIn('ana');
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [first.seatIds[0]!] }, ana);
    expect((await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana)).status).toBe(
      'COMPLETED',
    );
    await a.link('pass');
    await network(a, 'online');
    await venue.eventually(async () => {
      expect(await serverLeaseStatus(first.leaseId)).toBe('RETURNED');
      const [sold] = await venue.serverRows<{ n: number }>(
        "SELECT COUNT(*) AS n FROM tickets WHERE status = 'COMPLETED' AND seat_id = ?",
        first.seatIds[0]!,
      );
      expect(Number(sold!.n)).toBe(1);
    }, 20_000);
    const fresh = await openLease(a);
    expect(fresh.leaseId).not.toBe(first.leaseId);
    expect(fresh.seatIds).not.toContain(first.seatIds[0]!);
    // A command beside the running counter hears the server for the first time: that is no reconnect,
    // and the counter keeps its lease (each `sync-status --now` used to return it and take another).
    for (let i = 0; i < 2; i += 1) {
      await promisify(execFile)(
        process.execPath,
        [join(ROOT, 'bin/taquilla.js'), 'sync-status', '--now', '--db', a.dbFile],
        { cwd: ROOT },
      );
    }
    expect((await openLease(a)).leaseId).toBe(fresh.leaseId);
    expect(await serverLeaseStatus(fresh.leaseId)).not.toBe('RETURNED');
  }, 120_000);

  it.skipIf(skipE2e)(
    'the seats leased to this counter show on its map as its own (Spanish legend), the others’ as taken; the supervisor sees its lease and policy',
    async () => {
      const lease = await openLease(a);
      expect(await a.call('leases.seats', { eventId: THEATRE }, await a.signIn('ana'))).toEqual({
        seatIds: lease.seatIds,
      });
      const [otherLease] = await b.call('leases.list', { all: false }, luisB);
      assertChromium();
      ensureRendererBuilt();
      const browser = await launchChromium();
      try {
        const page = await openCounterPage(browser, a, 'Ana Cajera', '1234', /Gala de Zarzuela/);
        await page.getByText('Cupo de esta taquilla').first().waitFor();
        const label = (seatId: number) => map.seats.label[map.seats.id.indexOf(seatId)]!;
        await hoverSeat(page, map, label(lease.seatIds[0]!));
        await venue.eventually(
          async () => expect(await tooltipState(page)).toBe(`${label(lease.seatIds[0]!)}:leased`),
          5000,
        );
        // Another counter's leased seat is taken for this one.
        const theirs = label(otherLease!.seatIds[0]!);
        await hoverSeat(page, map, theirs);
        await venue.eventually(
          async () => expect(await tooltipState(page)).toMatch(new RegExp(`^${theirs}:(reserved|held)$`)),
          5000,
        );
        // The supervisor's screen: the counter's lease, the policy it keeps it by, in Spanish.
        const sup = await openCounterPage(browser, a, 'Luis Supervisor', '9999', /Gala de Zarzuela/);
        await sup.getByRole('button', { name: 'Cupos sin conexión' }).click();
        await sup.getByTestId('lease-row').first().waitFor();
        expect(await sup.getByTestId('lease-row').first().textContent()).toContain('Vendiendo');
        expect(await sup.getByTestId('lease-row').first().textContent()).toContain('3 butacas (0 vendidas)');
        expect(await sup.getByTestId('lease-policies').textContent()).toContain('3 lugares por 30 min');
      } finally {
        await browser.close();
      }
    },
    120_000,
  );

  it('renews before the end margin for the policy’s period (one counter’s own policy wins)', async () => {
    const before = await openLease(a);
    const set = await leasePolicy(
      '--terminal',
      String(await credentialOf('Caja 1')),
      '--seats',
      `${zoneId}:3`,
      '--minutes',
      '90',
      '--renew-before',
      '80',
    );
    expect(set.code).toBe(0);
    // The supervisor screen shows the policy the counter keeps its lease by (its own).
    await venue.eventually(async () => {
      const [policy] = await a.call('leases.policies', {}, luis);
      expect(policy).toMatchObject({
        eventId: THEATRE,
        policy: { durationMinutes: 90, renewBeforeMinutes: 80 },
      });
    }, 20_000);
    // Less than 80 minutes are left of its 30: the next heartbeat renews it for 90.
    await venue.eventually(async () => {
      const [lease] = await a.call('leases.list', { all: false }, luis);
      const { serverTime } = await a.call('terminal.status', {});
      expect(lease!.leaseId).toBe(before.leaseId);
      expect(lease!.expiresAt - serverTime).toBeGreaterThan(88 * MINUTE);
      expect(lease!.expiresAt - serverTime).toBeLessThanOrEqual(90 * MINUTE);
    }, 20_000);
    // The operator's policy and the counter's renewal are in the server's audit trail.
    const policyTrail = await auditOf(`${THEATRE}:${await credentialOf('Caja 1')}`);
    expect(policyTrail.at(-1)).toMatchObject({ entity: 'policy', to: 'SET', credentialId: 0 });
    expect(policyTrail.at(-1)!.reason).toContain('"durationMinutes":90');
    const renewal = (await auditOf(before.leaseId)).find((e) => e.reason.startsWith('renewed'));
    expect(renewal).toMatchObject({ entity: 'lease', from: 'OPEN', to: 'OPEN' });
    // The other counter keeps the default policy's period.
    const [other] = await b.call('leases.list', { all: false }, luisB);
    const { serverTime } = await b.call('terminal.status', {});
    expect(other!.expiresAt - serverTime).toBeLessThanOrEqual(30 * MINUTE);
  }, 120_000);

  it('on a sold-out night the operator rebalances: the unsold leased seats go back on sale and no counter takes more', async () => {
    const supB = luisB;
    const [leasedToB] = await b.call('leases.list', { all: false }, supB);
    const last = leasedToB!.seatIds.at(-1)!;
    // The seat is stranded in Caja 2's lease: Caja 1 cannot sell it online.
    const ana = await a.signIn('ana');
    const refused = await a.attempt('holds.seats', { eventId: THEATRE, seatIds: [last] }, ana);
    expect(!refused.ok && refused.error.code).toBe('SEAT_TAKEN');

    const { rebalanced } = await serverCommand<{
      rebalanced: { recalled: { leaseId: string }[]; places: number };
    }>('leases', '--tenant', String(venue.admin.tenantId), '--rebalance', '--event', String(THEATRE));
    expect(rebalanced.recalled.map((l) => l.leaseId)).toContain(leasedToB!.leaseId);
    expect(rebalanced.places).toBeGreaterThanOrEqual(3);
    const recall = (await auditOf(leasedToB!.leaseId)).find((e) => e.to === 'RECALLED');
    expect(recall).toMatchObject({ entity: 'lease', from: 'OPEN', credentialId: 0 });
    expect(recall!.actor).toMatch(/^operator/);
    await venue.eventually(async () => {
      expect(await serverLeaseStatus(leasedToB!.leaseId)).toBe('RETURNED');
      expect(await b.call('leases.list', { all: false }, supB)).toEqual([]);
      expect(await a.call('leases.list', { all: false }, luis)).toEqual([]);
    }, 20_000);
    const held = await a.call('holds.seats', { eventId: THEATRE, seatIds: [last] }, ana);
    expect(held.tickets.map((t) => t.seatId)).toEqual([last]);
    expect((await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana)).status).toBe(
      'COMPLETED',
    );
    // A few heartbeats later, still no lease: the recall holds until the policy is set again.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await b.call('leases.list', { all: false }, supB)).toEqual([]);
    expect((await leasePolicy('--seats', `${zoneId}:2`, '--minutes', '30')).code).toBe(0);
    expect((await openLease(b)).seatIds).toHaveLength(2);
  }, 120_000);
});
