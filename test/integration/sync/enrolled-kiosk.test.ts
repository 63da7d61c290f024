import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { type SyncWorld, syncWorld } from './sync-fixture.ts';

/**
 * Issue 11: "Pagar en taquilla" on a kiosk enrolled with the central server. The reservation is the
 * server's (for PAY_AT_COUNTER_MINUTES, not a deposit's hours), so no other terminal can sell the seats;
 * the slip prints here; the counter's payment completes it at the server.
 */
let world: SyncWorld;
let kiosk: Terminal;

beforeAll(async () => {
  world = await syncWorld({ terminals: 1 });
  const core = world.terminals[0]!;
  core.sync.stop(); // the terminal below brings its own engine on the same file
  kiosk = createTerminal({ dbFile: core.venue.file, clock: core.venue.clock, kiosk: true });
  await kiosk.sync.checkConnection();
});
afterAll(async () => {
  kiosk.close();
  await world.close();
});

describe('an enrolled kiosk with no payment provider', () => {
  it('reserves at the server for 30 minutes, and the counter payment completes it there', async () => {
    const { eventId, seatIds } = world.terminals[0]!.venue;
    await kiosk.holds.holdSeats({
      eventId,
      sessionId: 'kiosco-1',
      actor: 'kiosk:Quiosco',
      seatIds: [seatIds[0]!],
    });
    const slip = await kiosk.payAtCounter.reserve({ eventId, sessionId: 'kiosco-1', actor: 'kiosk:Quiosco' });
    expect(slip.reservedUntil).toBe(kiosk.clock.now() + 30 * MINUTE_MS);
    const [atServer] = world.serverRows<{ status: string; reserved_until: number }>(
      'SELECT status, reserved_until FROM transactions WHERE id = ?',
      slip.transactionId,
    );
    expect(atServer).toEqual({ status: 'RESERVED', reserved_until: slip.reservedUntil });
    expect(kiosk.paymentSearch.search({ query: slip.code })).toEqual([
      expect.objectContaining({ transactionId: slip.transactionId, status: 'RESERVED', balanceCents: 2500 }),
    ]);
    const paid = await kiosk.sales.pay({
      transactionId: slip.transactionId,
      actor: 'cashier:Ana',
      tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
    });
    expect(paid.status).toBe('COMPLETED');
    const [sold] = world.serverRows<{ status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
      slip.transactionId,
    );
    expect(sold!.status).toBe('COMPLETED');
  });
});
