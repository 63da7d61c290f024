import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { KioskCheckout } from '../../../electron/services/payments/kiosk-checkout.ts';
import type { PaymentProvider } from '../../../electron/services/payments/providers/payment-provider.ts';
import { PaymentProviders } from '../../../electron/services/payments/providers/provider-registry.ts';
import { TenderAcceptance } from '../../../electron/services/payments/tender-acceptance.ts';
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

/** A bank's POS at the true edge: it approves what it is asked. */
const pos: PaymentProvider = {
  id: 'bank-pos',
  methods: ['CARD'],
  simulated: false,
  charge: (r) =>
    Promise.resolve({
      provider: 'bank-pos',
      method: r.method,
      approvalReference: 'AP-7741',
      amountCents: r.amountCents,
      currency: r.currency,
    }),
  reverse: () => Promise.resolve(),
};

describe('an enrolled kiosk with a payment provider', () => {
  it('a card payment settled at the server uses the provider’s confirmation, in the copy’s write', async () => {
    const { eventId, seatIds } = world.terminals[0]!.venue;
    const providers = new PaymentProviders(kiosk.db, kiosk.clock, () => 'live', {
      'bank-pos': { trainingOnly: false, create: () => pos },
    });
    providers.set({ provider: 'bank-pos', actor: 'supervisor:Sara' });
    const checkout = new KioskCheckout({
      payments: kiosk.payments,
      sales: kiosk.sales,
      carts: kiosk.carts,
      reservations: kiosk.reservations,
      providers,
      acceptance: new TenderAcceptance(kiosk.db, kiosk.clock),
      payAtCounterMinutes: () => 30,
    });
    const customer = { eventId, sessionId: 'kiosco-2', actor: 'kiosk:Quiosco' };
    await kiosk.holds.holdSeats({ ...customer, seatIds: [seatIds[1]!] });
    const paid = await checkout.pay({ ...customer, method: 'CARD', requestId: 'kiosk-pay-0001' });
    expect(paid.status).toBe('COMPLETED');
    const [atServer] = world.serverRows<{ status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
      paid.transactionId,
    );
    expect(atServer!.status).toBe('COMPLETED');
    // The confirmation is spent by this sale's payment: it can pay nothing else, and is not listed
    // as money taken without a sale.
    const confirmation = kiosk.db
      .prepare<[string], { status: string; payment_id: string | null }>(
        'SELECT status, payment_id FROM provider_confirmations WHERE request_id = ?',
      )
      .get('kiosk-pay-0001');
    expect(confirmation).toEqual({ status: 'USED', payment_id: paid.paymentId });
  });
});
