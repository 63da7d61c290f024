import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * Offline selling a venue can run (issue 14): a supervisor leases seats to a counter, the counter
 * sells them with its link cut, reports them when it is back, and never sells from a lease past its
 * end — whatever its PC clock says.
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let luis: SignedIn;
let beto: SignedIn;
let map: SeatMap;

const HOUR = 3_600_000;

/** `count` seats of one numbered zone of the theatre, none of them sold in this file yet. */
function zoneOf(label: string): number {
  const i = map.seats.label.indexOf(label);
  if (i < 0) throw new Error(`no seat ${label}`);
  return map.seats.zoneId[i]!;
}

async function network(counter: Counter, state: 'online' | 'offline'): Promise<void> {
  await venue.eventually(async () => {
    expect((await counter.call('terminal.status', {})).network).toBe(state);
  }, 20_000);
}

async function drained(counter: Counter): Promise<void> {
  await venue.eventually(async () => {
    expect(await counter.call('terminal.status', {})).toMatchObject({ network: 'online', syncQueue: 0 });
  }, 20_000);
}

async function soldAtServer(seatIds: number[]): Promise<number[]> {
  const rows = await venue.serverRows<{ seat_id: number }>(
    `SELECT seat_id FROM tickets WHERE status = 'COMPLETED' AND event_id = ? AND seat_id IN (${seatIds
      .map(() => '?')
      .join(', ')}) ORDER BY seat_id`,
    THEATRE,
    ...seatIds,
  );
  return rows.map((r) => Number(r.seat_id));
}

/** `taquilla-server ARGS --db <the venue's server.db>`, as the operator runs it; its JSON answer. */
/** A `taquilla-server` command on the venue's store; its JSON answer. */
const serverCommand = <T>(...args: string[]): Promise<T> => venue.serverCommand<T>(args);

const auditOf = (entityId: string | number) => serverAudit(venue, entityId);

interface ServerLease {
  leaseId: string;
  terminal: string;
  terminalRevoked: boolean;
  state: string;
  seatsHeld: number;
  sold: number;
}

beforeAll(async () => {
  venue = await startVenue({ counters: 2, testClock: true });
  [a, b] = venue.counters as [Counter, Counter];
  [luis, beto] = await Promise.all([a.signIn('luis'), b.signIn('beto')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, luis);
});
afterAll(async () => {
  await venue?.close();
});

describe('leases as an operation', () => {
  let leased: number[] = [];

  it('a supervisor leases seats of a zone to a counter; offline it sells them and reports them once back', async () => {
    const zoneId = zoneOf(map.seats.label.at(-1)!);
    const grant = await a.call('leases.acquire', { eventId: THEATRE, zoneId, count: 3 }, luis);
    leased = grant.seatIds;
    expect(leased).toHaveLength(3);
    expect(grant.ticketTo - grant.ticketFrom + 1).toBe(5); // places plus half, rounded up
    const [open] = await a.call('leases.list', { all: false }, luis);
    expect(open).toMatchObject({ leaseId: grant.leaseId, selling: true, seatIds: leased, soldSeatIds: [] });
    // A cashier may not run leases.
    const ana = await a.signIn('ana');
    expect(await a.attempt('leases.list', { all: false }, ana)).toMatchObject({
      ok: false,
      error: { code: 'ROLE_NOT_ALLOWED' },
    });
    // Leased seats are this counter's alone.
    const other = await b.attempt('holds.seats', { eventId: THEATRE, seatIds: [leased[0]!] }, beto);
    expect(!other.ok && other.error.code).toBe('SEAT_TAKEN');

    await a.link('refuse');
    await network(a, 'offline');
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [leased[0]!] }, ana);
    const sale = await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana);
    expect(sale.status).toBe('COMPLETED');
    await a.link('pass');
    await drained(a);
    await venue.eventually(async () => expect(await soldAtServer(leased)).toEqual([leased[0]!]));
    const [after] = await a.call('leases.list', { all: false }, luis);
    expect(after!.soldSeatIds).toEqual([leased[0]!]);
    // The server's audit trail has the grant (who, which counter) and the sale reported from it.
    const [credentialA] = a.rows<{ credential_id: number }>(
      'SELECT credential_id FROM sync_credentials WHERE id = 1',
    );
    const trail = await auditOf(grant.leaseId);
    expect(trail[0]).toMatchObject({
      entity: 'lease',
      from: null,
      to: 'OPEN',
      actor: luis.actor,
      credentialId: credentialA!.credential_id,
    });
    expect(trail[0]!.reason).toContain('3 seats');
    expect(trail.find((e) => e.to === 'SOLD')).toMatchObject({
      entity: 'lease',
      actor: ana.actor,
      credentialId: credentialA!.credential_id,
    });
    expect(trail.find((e) => e.to === 'SOLD')!.reason).toContain(sale.transactionId);
  });

  it('setting the PC clock back never extends a lease: once its time has passed offline it sells nothing', async () => {
    await a.link('refuse');
    await network(a, 'offline');
    const [lease] = await a.call('leases.list', { all: false }, luis);
    const { serverTime } = await a.call('terminal.status', {});
    // The lease's time passes with the counter cut off; then someone sets the PC clock back 2 h.
    await a.advanceClock(lease!.expiresAt - serverTime + 60_000);
    await a.advanceClock(-2 * HOUR, true);
    const ana = await a.signIn('ana');
    const refused = await a.attempt('holds.seats', { eventId: THEATRE, seatIds: [leased[1]!] }, ana);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.code).toBe('NOT_LEASED');
    expect(!refused.ok && refused.error.details).toMatchObject({ endedAt: lease!.sellsUntil });
    const [now] = await a.call('leases.list', { all: false }, await a.signIn('luis'));
    expect(now!.selling).toBe(false);
    await a.link('pass');
    await drained(a);
    expect(await soldAtServer(leased)).toEqual([leased[0]!]);
  });

  it('a supervisor gives a lease back: its unsold seats are everyone’s again', async () => {
    const sup = await a.signIn('luis');
    const [lease] = await a.call('leases.list', { all: false }, sup);
    expect(await a.call('leases.return', { leaseId: lease!.leaseId }, sup)).toEqual({ returned: 2 });
    expect((await auditOf(lease!.leaseId)).at(-1)).toMatchObject({
      entity: 'lease',
      from: 'OPEN',
      to: 'RETURNED',
      actor: sup.actor,
    });
    expect(await a.call('leases.list', { all: false }, sup)).toEqual([]);
    const held = await b.call('holds.seats', { eventId: THEATRE, seatIds: [leased[1]!] }, beto);
    expect(held.tickets).toHaveLength(1);
  });

  it('the operator lists the venue’s leases and ends one: the counter stops selling from it at its next heartbeat', async () => {
    const sup = await a.signIn('luis');
    const zoneId = zoneOf(map.seats.label.at(-1)!);
    const grant = await a.call('leases.acquire', { eventId: THEATRE, zoneId, count: 1 }, sup);
    const { leases } = await serverCommand<{ leases: ServerLease[] }>(
      'leases',
      '--tenant',
      String(venue.admin.tenantId),
    );
    expect(leases.find((l) => l.leaseId === grant.leaseId)).toMatchObject({
      terminal: 'Caja 1',
      state: 'selling',
      seatsHeld: 1,
      sold: 0,
    });
    const { ended } = await serverCommand<{ ended: ServerLease }>(
      'leases',
      '--tenant',
      String(venue.admin.tenantId),
      '--end',
      grant.leaseId,
    );
    expect(ended).toMatchObject({ leaseId: grant.leaseId, state: 'grace', seatsHeld: 1 });
    const endedBy = (await auditOf(grant.leaseId)).at(-1)!;
    expect(endedBy).toMatchObject({ entity: 'lease', from: 'OPEN', to: 'RETURNED', credentialId: 0 });
    expect(endedBy.actor).toMatch(/^operator/);
    await venue.eventually(async () => expect(await a.call('leases.list', { all: false }, sup)).toEqual([]));
    // Its seat is kept for the grace (late reports), and this counter no longer sells it.
    const ana = await a.signIn('ana');
    const refused = await a.attempt('holds.seats', { eventId: THEATRE, seatIds: grant.seatIds }, ana);
    expect(!refused.ok && refused.error.code).toBe('SEAT_TAKEN');
  });
});

describe('revocation stops new work, not the upload of what was already sold', () => {
  it('a counter revoked while offline reports its offline sales, gives its leases back and sells nothing more', async () => {
    const sup = await b.signIn('luis');
    const zoneId = zoneOf(map.seats.label.at(-1)!);
    const grant = await b.call('leases.acquire', { eventId: THEATRE, zoneId, count: 3 }, sup);
    await b.link('refuse');
    await network(b, 'offline');
    const cashier = await b.signIn('beto');
    await b.call('holds.seats', { eventId: THEATRE, seatIds: [grant.seatIds[0]!] }, cashier);
    expect((await b.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, cashier)).status).toBe(
      'COMPLETED',
    );
    // Another customer is deciding on a leased seat when the counter is revoked.
    const deciding = await b.signIn('beto');
    await b.call('holds.seats', { eventId: THEATRE, seatIds: [grant.seatIds[2]!] }, deciding);
    const [credential] = await venue.serverRows<{ id: number }>(
      "SELECT id FROM credentials WHERE name = 'Caja 2'",
    );
    await serverCommand(
      'revoke',
      '--tenant',
      String(venue.admin.tenantId),
      '--credential',
      String(credential!.id),
    );
    // (--entity matches any entity of that id: a seat may have it too.)
    const revoked = (await auditOf(credential!.id)).find((e) => e.entity === 'credential');
    expect(revoked).toMatchObject({ entity: 'credential', from: 'active', to: 'revoked', credentialId: 0 });
    expect(revoked!.actor).toMatch(/^operator/);
    await b.link('pass');
    // The sale sold before the revocation reaches the server; the lease goes back; the outbox empties.
    await venue.eventually(async () => {
      expect(await soldAtServer(grant.seatIds)).toEqual([grant.seatIds[0]!]);
      const [lease] = await venue.serverRows<{ status: string }>(
        'SELECT status FROM leases WHERE id = ?',
        grant.leaseId,
      );
      expect(lease!.status).toBe('RETURNED');
      expect(
        b.rows<{ n: number }>('SELECT COUNT(*) AS n FROM sync_outbox WHERE acked_at IS NULL')[0]!.n,
      ).toBe(0);
    }, 20_000);
    // Nothing new: its other leased seat is free for everyone else, and it sells nothing.
    const other = await a.call(
      'holds.seats',
      { eventId: THEATRE, seatIds: [grant.seatIds[1]!] },
      await a.signIn('ana'),
    );
    expect(other.tickets).toHaveLength(1);
    const refused = await b.attempt(
      'holds.seats',
      { eventId: THEATRE, seatIds: [grant.seatIds[1]!] },
      cashier,
    );
    expect(refused.ok).toBe(false);
    // Nor does it keep a leased cart going (found by the soak, seed 1201, op 4537).
    const extended = await b.attempt('holds.extend', { eventId: THEATRE }, deciding);
    expect(!extended.ok && extended.error.code).toBe('UNAUTHORIZED');
  });
});
