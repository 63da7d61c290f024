import { describe, expect, it } from 'vitest';
import { SessionService } from '../../../electron/services/session/session-service.ts';
import { StoreKey } from '../../../electron/store/store-key.ts';
import { isKioskActor } from '../../../shared/payment-channels.ts';
import { smallVenue } from '../../support/temp-store.ts';

describe('who counts as a kiosk when money is recorded', () => {
  it("every kiosk session's actor, and no staff member's", async () => {
    const venue = smallVenue();
    try {
      const sessions = new SessionService(venue.db, venue.clock, {
        pepper: StoreKey.open(venue.db, venue.clock).pepper,
      });
      expect(isKioskActor(sessions.startKiosk().actor)).toBe(true);
      const id = await sessions.createUser('Ana', 'cashier', '1234');
      expect(isKioskActor((await sessions.signIn(id, '1234')).actor)).toBe(false);
    } finally {
      venue.close();
    }
  });
});
