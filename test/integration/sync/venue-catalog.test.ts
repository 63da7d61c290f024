import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogEventFromStore, VenueCatalog } from '../../../electron/services/sync/venue-catalog.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock, MINUTE_MS } from '../../../shared/clock.ts';
import type { CatalogEvent, CatalogReply } from '../../../shared/schemas/venue.ts';
import { smallVenue, T0, tempDir } from '../../support/temp-store.ts';

/** A delivery as the server sends it: tenant 1 with its settings, and the given events. */
function delivery(
  revision: number,
  events: CatalogEvent[],
  settings: Record<string, number> = {},
): CatalogReply {
  return { revision, tenant: { tenantId: 1, name: 'Teatro', settings }, events };
}

describe("a counter copies the venue's catalogue from the server", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  /** The small venue's event as the server would send it, and an empty counter to receive it. */
  function setup() {
    const venue = smallVenue();
    const event = catalogEventFromStore(venue.db, venue.eventId, 60);
    const tmp = tempDir('taquilla-catalog-');
    const db = openDatabase(join(tmp.dir, 'counter.db'));
    const clock = new ManualClock(T0);
    cleanups.push(() => {
      db.close();
      tmp.remove();
      venue.close();
    });
    return { venue, event, db, clock, catalog: new VenueCatalog(db, clock) };
  }

  it('takes every event under the server ids, and a second delivery of the same changes nothing', () => {
    const { venue, event, db, catalog } = setup();
    expect(catalog.apply(delivery(3, [event], { TEMPORARY_HOLD_MINUTES: 7 }))).toMatchObject({
      revision: 3,
      events: [venue.eventId],
      problems: [],
    });
    expect(catalogEventFromStore(db, venue.eventId, 60)).toEqual(event);
    expect(catalog.revision()).toBe(3);
    const audit = () => db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'tenant'").get();
    expect(audit()).toEqual({ n: 1 });
    catalog.apply(delivery(4, [event], { TEMPORARY_HOLD_MINUTES: 7 }));
    expect(catalogEventFromStore(db, venue.eventId, 60)).toEqual(event);
    expect(audit()).toEqual({ n: 1 }); // unchanged settings are not a change
  });

  it('an update keeps what the counter did: its holds and blocked seats', async () => {
    const { venue, event, db, clock, catalog } = setup();
    catalog.apply(delivery(1, [event]));
    const { ReservationService } =
      await import('../../../electron/services/reservations/reservation-service.ts');
    const engine = new ReservationService(db, clock);
    const held = engine.holdSeats({
      eventId: venue.eventId,
      sessionId: 's',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    engine.blockSeats({
      eventId: venue.eventId,
      seatIds: [venue.seatIds[5]!],
      actor: 'sup',
      reason: 'prensa',
    });
    const dearer: CatalogEvent = {
      ...event,
      name: 'Concierto (nueva fecha)',
      zones: event.zones.map((z) => ({ ...z, tier: { ...z.tier, priceCents: z.tier.priceCents + 500 } })),
    };
    expect(catalog.apply(delivery(2, [dearer])).problems).toEqual([]);
    expect(
      db.prepare('SELECT status FROM reserved_tickets WHERE transaction_id = ?').all(held.transactionId),
    ).toEqual([{ status: 'ACTIVE' }]);
    expect(db.prepare('SELECT blocked FROM seats WHERE id = ?').get(venue.seatIds[5]!)).toEqual({
      blocked: 1,
    });
    expect(db.prepare('SELECT name FROM events WHERE id = ?').get(venue.eventId)).toEqual({
      name: 'Concierto (nueva fecha)',
    });
  });

  it('honours the settings it received, and leaves out a key it does not know (a newer server)', async () => {
    const { venue, event, db, clock, catalog } = setup();
    catalog.apply(
      delivery(1, [event], { TEMPORARY_HOLD_MINUTES: 3, LATER_SETTING: 9 } as Record<string, number>),
    );
    const { ReservationService } =
      await import('../../../electron/services/reservations/reservation-service.ts');
    const held = new ReservationService(db, clock).holdSeats({
      eventId: venue.eventId,
      sessionId: 's',
      actor: 'ana',
      seatIds: [venue.seatIds[0]!],
    });
    expect(held.tickets[0]!.reservedUntil).toBe(T0 + 3 * MINUTE_MS);
  });

  it('refuses, and reports, an event whose ids already name something else here; the others are taken', () => {
    const { venue, event } = setup();
    // This counter was set up on its own: its event 1 is not the server's event 1.
    const local = smallVenue();
    cleanups.push(() => local.close());
    const mine = new VenueCatalog(local.db, new ManualClock(T0));
    const other: CatalogEvent = { ...event, eventId: 99 }; // same zone and seat ids, another event id
    const result = mine.apply(delivery(5, [event, other]));
    expect(result.events).toEqual([]);
    expect(result.problems.map((p) => p.eventId)).toEqual([venue.eventId, 99]);
    expect(result.problems[0]!.reason).toContain('set up on this terminal');
    expect(result.problems[1]!.reason).toContain('already belong to local event');
    expect(mine.problems()).toEqual(result.problems);
    expect(local.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    // A counter that published its event takes the server's copy of it.
    mine.markPublished(local.eventId);
    expect(mine.apply(delivery(6, [catalogEventFromStore(local.db, local.eventId, 60)])).problems).toEqual(
      [],
    );
  });
});
