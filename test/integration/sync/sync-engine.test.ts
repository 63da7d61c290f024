import { afterEach, describe, expect, it } from 'vitest';
import { cashFor } from '../../support/cash-payment.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import { assertInvariants, type SyncWorld, syncWorld } from './sync-fixture.ts';

let world: SyncWorld | undefined;
afterEach(async () => {
  if (!world) return;
  const w = world;
  world = undefined;
  try {
    expect(assertInvariants(w)).toEqual({ doubleSold: 0, pendingOutbox: 0, unapplied: 0, lostSales: 0 });
  } finally {
    await w.close();
  }
});

function sold(w: SyncWorld): number[] {
  return w
    .serverRows<{ seat_id: number }>(
      "SELECT seat_id FROM tickets WHERE status = 'COMPLETED' AND seat_id IS NOT NULL ORDER BY seat_id",
    )
    .map((r) => r.seat_id);
}

describe('terminal sync with the central hold server (real server process, two terminals)', () => {
  it('online: holds go to the server and are mirrored locally; the other terminal is refused the seat', async () => {
    world = await syncWorld();
    const [a, b] = world.terminals as [
      NonNullable<SyncWorld['terminals'][0]>,
      NonNullable<SyncWorld['terminals'][0]>,
    ];
    const seat = a.venue.seatIds[0]!;
    const held = await a.sync.holdSeats({
      eventId: a.venue.eventId,
      sessionId: 'a1',
      actor: 'ana',
      seatIds: [seat],
    });
    const local = a.venue.db
      .prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?')
      .get(held.transactionId);
    expect(local?.status).toBe('PENDING'); // mirrored under the server's transaction id
    await expect(
      b.sync.holdSeats({ eventId: b.venue.eventId, sessionId: 'b1', actor: 'bea', seatIds: [seat] }),
    ).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
    await a.sync.complete({
      transactionId: held.transactionId,
      actor: 'ana',
      payment: cashFor(a.venue.db, held.transactionId),
    });
    expect(sold(world)).toEqual([seat]);
    const status = a.sync.status();
    expect(status).toMatchObject({ state: 'online', outbox: 0, openConflicts: 0 });
    expect(status.lastSyncAt).toEqual(expect.any(Number));
  });

  it('tracks the clock offset: a terminal whose PC clock is hours off still expires holds by server time', async () => {
    world = await syncWorld({ terminals: 1 });
    const t = world.terminals[0]!;
    // The fixture's terminal clock is fixed at 2026-11-24 14:00 UTC; the server runs on real time.
    await t.sync.checkConnection();
    const serverNow = Date.now();
    expect(Math.abs(t.sync.serverClock.now() - serverNow)).toBeLessThan(2000);
    t.venue.clock.advance(3 * HOUR_MS); // the PC clock jumps: the offset absorbs it on the next reply
    await t.sync.checkConnection();
    expect(Math.abs(t.sync.serverClock.now() - Date.now())).toBeLessThan(2000);
    const held = await t.sync.holdSeats({
      eventId: t.venue.eventId,
      sessionId: 's',
      actor: 'c',
      seatIds: [t.venue.seatIds[3]!],
    });
    const localUntil = t.venue.db
      .prepare<[string], { reserved_until: number }>(
        'SELECT reserved_until FROM reserved_tickets WHERE transaction_id = ?',
      )
      .get(held.transactionId)!.reserved_until;
    expect(Math.abs(localUntil - held.tickets[0]!.reservedUntil)).toBeLessThan(2000);
    await t.sync.releaseSession({ sessionId: 's', actor: 'c' });
  });

  it('offline: sells only from its lease, reports on reconnect, exactly once, and renews the lease', async () => {
    world = await syncWorld();
    const [a, b] = world.terminals as [
      NonNullable<SyncWorld['terminals'][0]>,
      NonNullable<SyncWorld['terminals'][0]>,
    ];
    const ev = a.venue.eventId;
    const leased = a.venue.seatIds.slice(0, 4);
    const lease = await a.sync.acquireLease({
      eventId: ev,
      actor: 'ana',
      seatIds: leased,
      general: { zoneId: a.venue.gaZoneId, quantity: 2 },
      ticketNumbers: 20,
    });
    await expect(
      b.sync.holdSeats({ eventId: ev, sessionId: 'b', actor: 'bea', seatIds: [leased[0]!] }),
    ).rejects.toMatchObject({ code: 'SEAT_TAKEN' });

    a.proxy.set('down');
    expect(await a.sync.checkConnection()).toBe('offline');
    const sale1 = await a.sync.holdSeats({
      eventId: ev,
      sessionId: 'off-1',
      actor: 'ana',
      seatIds: leased.slice(0, 2),
    });
    await a.sync.complete({
      transactionId: sale1.transactionId,
      actor: 'ana',
      payment: cashFor(a.venue.db, sale1.transactionId),
    });
    const sale2 = await a.sync.holdGeneral({
      eventId: ev,
      sessionId: 'off-2',
      actor: 'ana',
      zoneId: a.venue.gaZoneId,
      quantity: 2,
    });
    await a.sync.complete({
      transactionId: sale2.transactionId,
      actor: 'ana',
      payment: cashFor(a.venue.db, sale2.transactionId),
    });
    expect(a.sync.ticketNumbersOf(sale1.transactionId)).toEqual([lease.ticketFrom, lease.ticketFrom + 1]);
    await expect(
      a.sync.holdGeneral({
        eventId: ev,
        sessionId: 'off-3',
        actor: 'ana',
        zoneId: a.venue.gaZoneId,
        quantity: 1,
      }),
    ).rejects.toMatchObject({ code: 'NOT_LEASED' });
    await expect(
      a.sync.holdSeats({ eventId: ev, sessionId: 'off-4', actor: 'ana', seatIds: [a.venue.seatIds[10]!] }),
    ).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(a.sync.status()).toMatchObject({ state: 'offline', outbox: 2 });

    a.proxy.set('up');
    expect(await a.sync.checkConnection()).toBe('online');
    await a.sync.idle();
    expect(a.sync.status()).toMatchObject({ state: 'online', outbox: 0, openConflicts: 0 });
    expect(sold(world)).toEqual(leased.slice(0, 2));
    const ga = world.serverRows<{ n: number }>(
      "SELECT COALESCE(SUM(quantity), 0) AS n FROM tickets WHERE status = 'COMPLETED' AND seat_id IS NULL",
    )[0]!.n;
    expect(ga).toBe(2);
    // the unsold leased seats are renewed, still this terminal's
    const renewed = world.serverRows<{ expires_at: number }>('SELECT expires_at FROM leases')[0]!.expires_at;
    expect(renewed).toBeGreaterThan(lease.expiresAt);
  });

  it('leases renew while online (not only on coming back), for the event policy, never for the terminal own period', async () => {
    world = await syncWorld({ terminals: 1, leaseMinutes: 60 });
    const t = world.terminals[0]!;
    const lease = await t.sync.acquireLease({
      eventId: t.venue.eventId,
      actor: 'ana',
      seatIds: t.venue.seatIds.slice(0, 2),
      ticketNumbers: 4,
    });
    // 40 minutes pass at the server (restarted with its clock ahead); the terminal stays online.
    await world.restart(40 * 60_000);
    expect(await t.sync.checkConnection()).toBe('online');
    await t.sync.checkConnection();
    const [row] = world.serverRows<{ expires_at: number }>('SELECT expires_at FROM leases');
    // Renewed for the event's 60 minutes from the server's now, not 240 from the terminal's say-so.
    expect(row!.expires_at).toBeGreaterThan(lease.expiresAt);
    expect(row!.expires_at).toBeLessThanOrEqual(lease.expiresAt + 41 * 60_000);
    expect(t.sync.leases.list()[0]!.expiresAt).toBe(row!.expires_at);
  });

  it('a reply lost mid-request: the replay is answered from the server store, never applied twice', async () => {
    world = await syncWorld({ terminals: 1 });
    const t = world.terminals[0]!;
    const ev = t.venue.eventId;
    await t.sync.acquireLease({
      eventId: ev,
      actor: 'ana',
      seatIds: t.venue.seatIds.slice(0, 6),
      ticketNumbers: 10,
    });
    t.proxy.set('drop-op-replies'); // requests arrive, replies are lost
    for (let i = 0; i < 3; i++) {
      const h = await t.sync.holdSeats({
        eventId: ev,
        sessionId: `s${i}`,
        actor: 'ana',
        seatIds: [t.venue.seatIds[i]!],
      });
      await t.sync.complete({
        transactionId: h.transactionId,
        actor: 'ana',
        payment: cashFor(t.venue.db, h.transactionId),
      });
    }
    await t.sync.flush();
    expect(t.sync.status().state).toBe('offline');
    // the time check still passes, so the terminal tries again: the sale is applied, its reply lost
    await t.sync.checkConnection();
    await t.sync.idle();
    expect(t.sync.status()).toMatchObject({ state: 'offline', outbox: 3 });
    expect(sold(world)).toEqual(t.venue.seatIds.slice(0, 3)); // applied on the server, unacknowledged here
    t.proxy.set('up');
    await t.sync.checkConnection();
    await t.sync.idle();
    expect(t.sync.status()).toMatchObject({ outbox: 0, openConflicts: 0 });
    expect(sold(world)).toEqual(t.venue.seatIds.slice(0, 3));
  });

  it('a hold whose reply was lost is released again when replayed, so nobody is left holding it', async () => {
    world = await syncWorld({ terminals: 1 });
    const t = world.terminals[0]!;
    const seat = t.venue.seatIds[7]!;
    t.proxy.set('drop-op-replies');
    await expect(
      t.sync.holdSeats({ eventId: t.venue.eventId, sessionId: 'lost', actor: 'ana', seatIds: [seat] }),
    ).rejects.toMatchObject({ code: 'OFFLINE' });
    t.proxy.set('up');
    await t.sync.checkConnection();
    await t.sync.idle();
    const live = world.serverRows("SELECT 1 FROM tickets WHERE seat_id = ? AND status = 'ACTIVE'", seat);
    expect(live).toHaveLength(0);
  });

  it('server stopped and restarted: queued sales survive a terminal restart and are replayed once', async () => {
    world = await syncWorld({ terminals: 1 });
    const t = world.terminals[0]!;
    const ev = t.venue.eventId;
    await t.sync.acquireLease({
      eventId: ev,
      actor: 'ana',
      seatIds: t.venue.seatIds.slice(0, 5),
      ticketNumbers: 10,
    });
    await world.server.stop();
    await t.sync.checkConnection();
    for (let i = 0; i < 5; i++) {
      const h = await t.sync.holdSeats({
        eventId: ev,
        sessionId: `s${i}`,
        actor: 'ana',
        seatIds: [t.venue.seatIds[i]!],
      });
      await t.sync.complete({
        transactionId: h.transactionId,
        actor: 'ana',
        payment: cashFor(t.venue.db, h.transactionId),
      });
    }
    // the terminal restarts too: a new engine on the same file finds its outbox
    const { SyncEngine } = await import('../../../electron/services/sync/sync-engine.ts');
    t.sync = new SyncEngine(t.venue.db, t.venue.clock, { heartbeatMs: 50, maxBackoffMs: 200 });
    expect(t.sync.status()).toMatchObject({ state: 'offline', outbox: 5 });
    await world.restart();
    t.sync.start(); // the heartbeat notices the server is back on its own
    await expect.poll(() => t.sync.status().outbox, { timeout: 10_000 }).toBe(0);
    expect(sold(world)).toEqual(t.venue.seatIds.slice(0, 5));
  });

  it('offline for hours: a sale the server can no longer honour goes to the conflict list and is resolved by moving', async () => {
    world = await syncWorld();
    const [a, b] = world.terminals as [
      NonNullable<SyncWorld['terminals'][0]>,
      NonNullable<SyncWorld['terminals'][0]>,
    ];
    const ev = a.venue.eventId;
    const [x, y] = a.venue.seatIds as [number, number];
    await a.sync.acquireLease({ eventId: ev, actor: 'ana', seatIds: [x, y], ticketNumbers: 10 });
    a.proxy.set('down');
    await a.sync.checkConnection();
    // Hours pass on the server: the lease runs out and the other terminal sells seat x.
    await world.restart(3 * HOUR_MS);
    await b.sync.checkConnection();
    const bHold = await b.sync.holdSeats({ eventId: ev, sessionId: 'b', actor: 'bea', seatIds: [x] });
    await b.sync.complete({
      transactionId: bHold.transactionId,
      actor: 'bea',
      payment: cashFor(b.venue.db, bHold.transactionId),
    });
    // Terminal A, still cut off, believes its lease is good and sells x and y.
    const aHold = await a.sync.holdSeats({ eventId: ev, sessionId: 'a', actor: 'ana', seatIds: [x] });
    await a.sync.complete({
      transactionId: aHold.transactionId,
      actor: 'ana',
      payment: cashFor(a.venue.db, aHold.transactionId),
    });
    const aHold2 = await a.sync.holdSeats({ eventId: ev, sessionId: 'a2', actor: 'ana', seatIds: [y] });
    await a.sync.complete({
      transactionId: aHold2.transactionId,
      actor: 'ana',
      payment: cashFor(a.venue.db, aHold2.transactionId),
    });
    a.proxy.set('up');
    await a.sync.checkConnection();
    await a.sync.idle();
    // y was still free: accepted late. x was sold by B: a conflict, not a double sale.
    expect(sold(world)).toEqual([x, y]);
    const conflicts = a.sync.conflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ op: 'leaseSale', errorCode: 'SEAT_TAKEN' });
    expect(a.sync.status().openConflicts).toBe(1);
    // Cut off, a move is refused plainly (OFFLINE) and the conflict stays open.
    a.proxy.set('down');
    await a.sync.checkConnection();
    await expect(
      a.sync.resolveConflict(conflicts[0]!.id, { action: 'move', actor: 'supervisor' }),
    ).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(a.sync.status().openConflicts).toBe(1);
    a.proxy.set('up');
    await a.sync.checkConnection();
    // Seats the supervisor names must be equivalent (same zone, same count): the customer paid for those.
    const zoneOf = (seat: number) =>
      a.venue.db.prepare<[number], { zone_id: number }>('SELECT zone_id FROM seats WHERE id = ?').get(seat)!
        .zone_id;
    const sameZone = a.venue.seatIds.filter((s) => s !== x && s !== y && zoneOf(s) === zoneOf(x));
    // (This venue has one seated zone: a count that differs stands for the whole rule.)
    for (const seatIds of [sameZone.slice(0, 2), [sameZone[0]!, sameZone[0]!]]) {
      await expect(
        a.sync.resolveConflict(conflicts[0]!.id, { action: 'move', actor: 'supervisor', seatIds }),
      ).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    expect(a.sync.status().openConflicts).toBe(1);
    const moved = await a.sync.resolveConflict(conflicts[0]!.id, { action: 'move', actor: 'supervisor' });
    expect(moved.seatIds).toHaveLength(1);
    expect(sold(world)).toContain(moved.seatIds![0]);
    expect(a.sync.status().openConflicts).toBe(0);
    expect(a.sync.conflicts(true)[0]).toMatchObject({ resolution: 'moved' });
  });
});

describe('revocation', () => {
  it('a revoked terminal notices on its next heartbeat and stops sending', async () => {
    const w = await syncWorld({ terminals: 1 });
    try {
      const t = w.terminals[0]!;
      expect(await t.sync.checkConnection()).toBe('online');
      const credentialId = t.venue.db
        .prepare<[], { credential_id: number }>('SELECT credential_id FROM sync_credentials')
        .get()!.credential_id;
      const res = await fetch(`${w.server.url}/v1/admin/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.admin.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ credentialId }),
      });
      expect(res.status).toBe(200);
      expect(await t.sync.checkConnection()).toBe('revoked');
      await expect(
        t.sync.holdSeats({
          eventId: t.venue.eventId,
          sessionId: 's',
          actor: 'c',
          seatIds: [t.venue.seatIds[0]!],
        }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      await w.close();
    }
  });
});
