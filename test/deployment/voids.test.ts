import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { CASH, type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * Voids on an enrolled counter (issue 16). The seat must free at the central server, venue-wide; this
 * counter cannot decide that alone, so it refuses (VOID_NEEDS_SERVER) and changes nothing, here or
 * at the server, rather than freeing the seat only on its own map.
 */
let venue: Venue;
let a: Counter;
let luis: SignedIn;
let map: SeatMap;

beforeAll(async () => {
  venue = await startVenue({ counters: 1 });
  [a] = venue.counters as [Counter];
  luis = await a.signIn('luis');
  map = await a.call('events.seatMap', { eventId: THEATRE }, luis);
});
afterAll(async () => {
  await venue?.close();
});

describe('a void on an enrolled counter', () => {
  it('is refused with VOID_NEEDS_SERVER: the sale, its payment and its seat stay as they were at the server and here', async () => {
    const seat = map.seats.id[0]!;
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [seat] }, luis);
    const sale = await a.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, luis);
    const preview = await a.call('sales.voidPreview', { transactionId: sale.transactionId }, luis);
    expect(preview).toMatchObject({ status: 'COMPLETED', voidable: true, paidCents: sale.totalCents });

    const refused = await a.attempt(
      'sales.void',
      { transactionId: sale.transactionId, reason: 'cliente desiste' },
      luis,
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.status).toBe(409);
      expect(refused.error.code).toBe('VOID_NEEDS_SERVER');
    }
    expect(a.rows('SELECT id FROM voids')).toEqual([]);
    const server = await venue.serverRows<{ status: string }>(
      'SELECT status FROM tickets WHERE seat_id = ? AND status IN (?, ?)',
      seat,
      'ACTIVE',
      'COMPLETED',
    );
    expect(server).toEqual([{ status: 'COMPLETED' }]);
    const snapshot = await a.call('availability.snapshot', { eventId: THEATRE }, luis);
    expect(snapshot.states[0]).toBe('s');
  });
});
