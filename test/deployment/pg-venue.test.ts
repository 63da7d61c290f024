import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { seatState } from './browser.ts';
import {
  CASH,
  type Counter,
  PG_URL,
  type SignedIn,
  startVenue,
  THEATRE,
  type Venue,
} from './venue-fixture.ts';

/**
 * The venue on two server instances sharing one PostgreSQL (set TAQUILLA_PG_URL): counter A talks to
 * instance 1 first, counter B to instance 2; each is enrolled with both.
 */
describe.skipIf(!PG_URL)('a venue on two server instances (PostgreSQL)', () => {
  let venue: Venue;
  let a: Counter;
  let b: Counter;
  let ana: SignedIn;
  let beto: SignedIn;
  let map: SeatMap;
  const seat = (label: string) => map.seats.id[map.seats.label.indexOf(label)]!;

  beforeAll(async () => {
    venue = await startVenue({ store: 'postgres', counters: 2 });
    [a, b] = venue.counters as [Counter, Counter];
    [ana, beto] = await Promise.all([a.signIn('ana'), b.signIn('beto')]);
    map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
  });
  afterAll(async () => {
    await venue?.close();
  });

  it('a hold and a sale through one instance show on a counter of the other within a second', async () => {
    const x = seat('BAL-A-1');
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [x] }, ana);
    await venue.eventually(async () => expect(await seatState(b, beto, x)).toBe('held'), 1000);
    const refused = await b.attempt('holds.seats', { eventId: THEATRE, seatIds: [x] }, beto);
    expect(!refused.ok && refused.error.code).toBe('SEAT_TAKEN');
    await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana);
    await venue.eventually(async () => expect(await seatState(b, beto, x)).toBe('sold'), 1000);
  });

  it('a counter whose instance stops goes on through the other, map included', async () => {
    await venue.servers[0]!.stop();
    const y = seat('BAL-A-2');
    const held = await venue.eventually(
      () => a.call('holds.seats', { eventId: THEATRE, seatIds: [y] }, ana),
      5000,
    );
    expect(held.tickets).toHaveLength(1);
    await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, ana);
    await venue.eventually(async () => expect(await seatState(b, beto, y)).toBe('sold'), 1000);
    // And A's map follows the venue through the instance left.
    const z = seat('BAL-A-3');
    await b.call('holds.seats', { eventId: THEATRE, seatIds: [z] }, beto);
    await venue.eventually(async () => expect(await seatState(a, ana, z)).toBe('held'), 3000);
  });
});
