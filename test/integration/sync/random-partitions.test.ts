import { afterAll, describe, expect, it } from 'vitest';
import { cashFor } from '../../support/cash-payment.ts';
import { isTaquillaError } from '../../../shared/errors.ts';
import { assertInvariants, type SyncWorld, syncWorld, type TerminalCore } from './sync-fixture.ts';

/** A small seeded generator: a failing run can be replayed with the same seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXPECTED = new Set([
  'SEAT_TAKEN',
  'ZONE_FULL',
  'OFFLINE',
  'NOT_LEASED',
  'LIMIT_REACHED',
  'HOLD_EXPIRED',
]);

describe('three terminals, random partitions, leases and duplicate deliveries', () => {
  let world: SyncWorld;
  afterAll(async () => world?.close());

  it('ends with no seat sold twice, no completed sale lost, every queued item applied once', async () => {
    const seed = Number(process.env.TAQUILLA_SEED ?? 20261124);
    const random = prng(seed);
    world = await syncWorld({ terminals: 3 });
    const [a, b, c] = world.terminals as [TerminalCore, TerminalCore, TerminalCore];
    const ev = a.venue.eventId;
    const seats = a.venue.seatIds;
    await a.sync.acquireLease({ eventId: ev, actor: 'ana', seatIds: seats.slice(0, 6), ticketNumbers: 50 });
    await b.sync.acquireLease({
      eventId: ev,
      actor: 'bea',
      seatIds: seats.slice(6, 9),
      general: { zoneId: b.venue.gaZoneId, quantity: 3 },
      ticketNumbers: 50,
    });
    let sales = 0;
    for (let step = 0; step < 60; step++) {
      const t = [a, b, c][Math.floor(random() * 3)]!;
      const roll = random();
      if (roll < 0.15) {
        t.proxy.set(t.proxy.mode === 'up' ? (random() < 0.5 ? 'down' : 'drop-op-replies') : 'up');
        await t.sync.checkConnection();
        continue;
      }
      const session = `s-${step}`;
      try {
        const held =
          roll < 0.3
            ? await t.sync.holdGeneral({
                eventId: ev,
                sessionId: session,
                actor: 'x',
                zoneId: t.venue.gaZoneId,
                quantity: 1,
              })
            : await t.sync.holdSeats({
                eventId: ev,
                sessionId: session,
                actor: 'x',
                seatIds: [seats[Math.floor(random() * seats.length)]!],
              });
        if (random() < 0.8) {
          await t.sync.complete({
            transactionId: held.transactionId,
            actor: 'x',
            payment: cashFor(t.venue.db, held.transactionId),
          });
          sales += 1;
        } else await t.sync.releaseSession({ sessionId: session, actor: 'x' });
      } catch (error) {
        if (!isTaquillaError(error) || !EXPECTED.has(error.code)) throw error;
      }
      if (random() < 0.1) {
        // a duplicate delivery: the same outbox items sent again with their keys
        await t.sync.flush();
      }
    }
    for (const t of [a, b, c]) t.proxy.set('up');
    for (const t of [a, b, c]) {
      await t.sync.checkConnection();
      await t.sync.idle();
    }
    expect(sales).toBeGreaterThan(0);
    expect(assertInvariants(world)).toEqual({ doubleSold: 0, pendingOutbox: 0, unapplied: 0, lostSales: 0 });
  });
});
