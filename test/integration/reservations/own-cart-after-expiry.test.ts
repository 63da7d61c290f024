import { afterEach, describe, expect, it } from 'vitest';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

// Found by the soak (npm run soak -- --ops 100 --seed 16): a synced terminal mirrors the server's cart
// id; the server keeps a session's cart open when its holds run out, so the terminal must too.
describe('a session holding again after its only hold ran out', () => {
  let venue: SmallVenue | undefined;
  afterEach(() => venue?.close());

  /** The mirror's way of opening carts: always under the id the server chose. */
  const mirrored = (v: SmallVenue) => new ReservationService(v.db, v.clock, () => 'server-cart-1');

  it('standing places: the hold joins the same cart and the sale completes', () => {
    venue = smallVenue();
    const r = mirrored(venue);
    const hold = {
      eventId: venue.eventId,
      sessionId: 's',
      actor: 'ana',
      zoneId: venue.gaZoneId,
      quantity: 1,
    };
    r.holdGeneral(hold);
    venue.clock.advance(11 * MINUTE_MS);
    expect(r.holdGeneral(hold).transactionId).toBe('server-cart-1');
    expect(r.complete({ transactionId: 'server-cart-1', actor: 'ana' })).toMatchObject({
      status: 'COMPLETED',
      tickets: 1,
    });
  });

  it('the same seat again: the hold joins the same cart and the sale completes', () => {
    venue = smallVenue();
    const r = mirrored(venue);
    const hold = { eventId: venue.eventId, sessionId: 's', actor: 'ana', seatIds: [venue.seatIds[0]!] };
    r.holdSeats(hold);
    venue.clock.advance(11 * MINUTE_MS);
    expect(r.holdSeats(hold).transactionId).toBe('server-cart-1');
    expect(r.complete({ transactionId: 'server-cart-1', actor: 'ana' })).toMatchObject({
      status: 'COMPLETED',
    });
  });

  it('a hold refused after the sweep leaves the expired cart as it was (all or nothing)', () => {
    venue = smallVenue({ gaCapacity: 2 });
    const r = mirrored(venue);
    r.holdGeneral({
      eventId: venue.eventId,
      sessionId: 's',
      actor: 'ana',
      zoneId: venue.gaZoneId,
      quantity: 1,
    });
    venue.clock.advance(11 * MINUTE_MS);
    expect(() =>
      r.holdGeneral({
        eventId: venue!.eventId,
        sessionId: 's',
        actor: 'ana',
        zoneId: venue!.gaZoneId,
        quantity: 3,
      }),
    ).toThrow(expect.objectContaining({ code: 'ZONE_FULL' }));
    const cleaned = venue.reservations.cleanupExpired({});
    expect(cleaned).toMatchObject({ expiredTickets: 1, expiredTransactions: 1 });
  });
});
