import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type Reply } from '../../../electron/api/dispatcher.ts';
import { createHandlers } from '../../../electron/api/handlers.ts';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { KioskCheckout } from '../../../electron/services/payments/kiosk-checkout.ts';
import { transactionNumber } from '../../../electron/services/payments/payment-service.ts';
import type {
  ChargeRequest,
  PaymentProvider,
} from '../../../electron/services/payments/providers/payment-provider.ts';
import { PaymentProviders } from '../../../electron/services/payments/providers/provider-registry.ts';
import { TenderAcceptance } from '../../../electron/services/payments/tender-acceptance.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { TerminalModeStore } from '../../../electron/services/terminal-mode/terminal-mode.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { ProviderApproval } from '../../../shared/schemas/payment-providers.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/**
 * Issue 11: a kiosk completes a sale only when a payment provider confirmed amount and reference. The
 * `training` provider (simulated approvals) exists only on a training store; a live store refuses it.
 */
let printer: VirtualPrinter;
beforeAll(async () => {
  printer = new VirtualPrinter();
  await printer.start();
});
afterAll(() => printer.stop());

async function cli(
  io: CliIo['clock'],
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), clock: io });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the training provider on a live store', () => {
  let api: ApiFixture;
  afterEach(() => api.close());

  it('is refused with a clear error, as is an unknown name, through the API, the CLI and the store itself', async () => {
    api = await startApi();
    const sara = await api.signIn(api.users.supervisor, '9999');
    const training = await api.call('paymentProvider.set', { provider: 'training' }, sara);
    expect(training.status).toBe(409);
    expect(training.body.error).toMatchObject({ code: 'TRAINING_MODE', details: { reason: 'live-store' } });
    const unknown = await api.call('paymentProvider.set', { provider: 'VisaNet' }, sara);
    expect(unknown.body.error).toMatchObject({
      code: 'UNKNOWN_PAYMENT_PROVIDER',
      details: { provider: 'visanet', available: [] },
    });
    // Nothing was written.
    expect((await api.call('paymentProvider.get', {}, sara)).body).toEqual({
      provider: null,
      available: [],
      mode: 'live',
    });
    const ana = await api.signIn(api.users.cashier, '1234');
    expect((await api.call('paymentProvider.set', { provider: null }, ana)).body.error.code).toBe(
      'ROLE_NOT_ALLOWED',
    );

    const file = api.terminal.db.name;
    const set = await cli(api.clock, 'payment-provider', '--db', file, '--set', 'training');
    expect(set.code).toBe(1);
    expect(set.err.split('\n')).toHaveLength(1);
    expect(set.err).toMatch(/^taquilla: TRAINING_MODE: .*training store/);
    const bogus = await cli(api.clock, 'payment-provider', '--db', file, '--set', 'visanet');
    expect(bogus.code).toBe(1);
    expect(bogus.err).toMatch(/^taquilla: UNKNOWN_PAYMENT_PROVIDER: There is no payment provider 'visanet'/);
    const shown = await cli(api.clock, 'payment-provider', '--db', file);
    expect(shown.out).toMatch(/No payment provider: the kiosk offers "Pagar en taquilla"/);

    // Whoever writes the row: the store refuses simulated approvals on a live store.
    expect(() =>
      api.terminal.db
        .prepare(
          "INSERT INTO payment_provider_setting (id, provider, set_at, set_by) VALUES (1, 'training', 0, 'x')",
        )
        .run(),
    ).toThrow(/TRAINING_PROVIDER/);
    expect(() =>
      api.terminal.db
        .prepare(
          `INSERT INTO provider_confirmations (request_id, provider, method, approval_reference, amount_cents,
             currency, confirmed_at, status) VALUES ('r1', 'training', 'CARD', 'ENT1', 100, 'VES', 0, 'CONFIRMED')`,
        )
        .run(),
    ).toThrow(/TRAINING_PROVIDER/);
  });
});

describe('a kiosk on a training store', () => {
  let venue: SmallVenue;
  let kiosk: Terminal;
  afterEach(() => {
    kiosk?.close();
    venue?.close();
  });

  async function setUp(): Promise<{ call: (method: string, input: unknown) => Promise<Reply> }> {
    venue = smallVenue();
    new TerminalModeStore(venue.db, venue.clock).enableTraining('test');
    kiosk = createTerminal({ dbFile: venue.file, clock: venue.clock, kiosk: true });
    kiosk.printing.setSettings(
      { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } },
      'test',
    );
    const supervisor = await kiosk.sessions.createUser('Sara', 'supervisor', '9999');
    // A kiosk signs no staff in: the supervisor sets its provider at a counter on the same store.
    const counter = createTerminal({ dbFile: venue.file, clock: venue.clock });
    try {
      const atCounter = createDispatcher(counter, createHandlers(), () => {});
      const sara = await atCounter({ method: 'session.signIn', input: { userId: supervisor, pin: '9999' } });
      const saraToken = (sara as { result: { sessionToken: string } }).result.sessionToken;
      expect(
        await atCounter({
          method: 'paymentProvider.set',
          input: { provider: 'training' },
          sessionToken: saraToken,
        }),
      ).toMatchObject({
        ok: true,
        result: { provider: 'training', available: ['training'], mode: 'training' },
      });
    } finally {
      counter.close();
    }
    const dispatch = createDispatcher(kiosk, createHandlers(), () => {});
    const started = await dispatch({ method: 'kiosk.start', input: {} });
    const token = (started as { result: { sessionToken: string } }).result.sessionToken;
    return { call: (method, input) => dispatch({ method, input, sessionToken: token }) };
  }

  it('pays by simulated card approval; the confirmation is recorded with the payment; tickets say ENTRENAMIENTO', async () => {
    const { call } = await setUp();
    expect(await call('kiosk.paymentOptions', { eventId: venue.eventId })).toEqual({
      ok: true,
      result: {
        provider: { id: 'training', methods: ['CARD', 'PAGO_MOVIL'], simulated: true },
        payAtCounterMinutes: 30,
      },
    });
    await call('holds.seats', { eventId: venue.eventId, seatIds: venue.seatIds.slice(0, 2) });
    const paid = await call('kiosk.pay', {
      eventId: venue.eventId,
      method: 'CARD',
      requestId: 'attempt-0001',
    });
    expect(paid).toMatchObject({ ok: true, result: { kind: 'SALE', status: 'COMPLETED', balanceCents: 0 } });
    const result = (paid as { result: { paymentId: string; lines: { reference: string }[] } }).result;
    // USD 50 at 36.50 = Bs. 1.825,00, approved by the provider, not typed by anyone.
    const confirmation = kiosk.db
      .prepare<[], Record<string, unknown>>('SELECT * FROM provider_confirmations')
      .all();
    expect(confirmation).toEqual([
      expect.objectContaining({
        provider: 'training',
        method: 'CARD',
        amount_cents: 182_500,
        currency: 'VES',
        status: 'USED',
        payment_id: result.paymentId,
        approval_reference: result.lines[0]!.reference,
      }),
    ]);
    expect(result.lines[0]!.reference).toMatch(/^ENT\d{9}$/);
    // A retried request gets the first answer: charged once, recorded once.
    const again = await call('kiosk.pay', {
      eventId: venue.eventId,
      method: 'CARD',
      requestId: 'attempt-0001',
    });
    expect(again).toMatchObject({ ok: true, result: { paymentId: result.paymentId } });
    const count = (table: string) =>
      kiosk.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;
    expect(count('payments')).toBe(1);
    expect(count('provider_confirmations')).toBe(1);

    const before = printer.documents.length;
    expect(await kiosk.printing.queue.drain()).toBe('idle');
    const printed = printer.documents.slice(before).map((d) => d.text);
    expect(printed).toHaveLength(3);
    for (const text of printed) expect(text.match(/ENTRENAMIENTO - SIN VALOR/g)).toHaveLength(2);
    expect(printed[2]).toContain(`Tarjeta de débito ${result.lines[0]!.reference}`);
  });

  it('a Pago Móvil reference already used is refused before the provider is asked', async () => {
    const { call } = await setUp();
    const claim = { reference: '0001234567', phone: '0414-555.00.00', bankCode: '0102' };
    await call('holds.seats', { eventId: venue.eventId, seatIds: [venue.seatIds[0]!] });
    const first = await call('kiosk.pay', {
      eventId: venue.eventId,
      method: 'PAGO_MOVIL',
      pagoMovil: claim,
      requestId: 'attempt-pm-1',
    });
    expect(first).toMatchObject({ ok: true, result: { status: 'COMPLETED' } });
    const number = transactionNumber((first as { result: { transactionId: string } }).result.transactionId);
    await call('holds.seats', { eventId: venue.eventId, seatIds: [venue.seatIds[1]!] });
    const again = await call('kiosk.pay', {
      eventId: venue.eventId,
      method: 'PAGO_MOVIL',
      pagoMovil: { ...claim, reference: '1234567' },
      requestId: 'attempt-pm-2',
    });
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'DUPLICATE_REFERENCE', details: { transactionNumber: number } },
    });
    expect(
      kiosk.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM provider_confirmations').get()!.n,
    ).toBe(1);
  });
});

/** A bank's POS at the true edge: it answers what the test tells it to. */
class FakePos implements PaymentProvider {
  readonly id = 'fake-pos';
  readonly methods = ['CARD'] as const;
  readonly simulated = false;
  approval: (request: ChargeRequest) => ProviderApproval = (r) => ({
    provider: 'fake-pos',
    method: r.method,
    approvalReference: 'AP000123',
    amountCents: r.amountCents,
    currency: r.currency,
  });
  decline = false;
  reverseFails = false;
  readonly charged: ChargeRequest[] = [];
  readonly reversed: string[] = [];

  charge(request: ChargeRequest): Promise<ProviderApproval> {
    this.charged.push(request);
    if (this.decline) {
      return Promise.reject(
        new TaquillaError('PAYMENT_DECLINED', 'Declined', {
          provider: this.id,
          method: request.method,
          reason: 'insufficient funds',
        }),
      );
    }
    return Promise.resolve(this.approval(request));
  }

  reverse(approval: ProviderApproval): Promise<void> {
    if (this.reverseFails) return Promise.reject(new Error('POS offline'));
    this.reversed.push(approval.approvalReference);
    return Promise.resolve();
  }
}

describe('a kiosk with a real provider', () => {
  let api: ApiFixture;
  let kiosk: Terminal;
  let pos: FakePos;
  let checkout: KioskCheckout;
  let session = 0;
  afterEach(async () => {
    kiosk.close();
    await api.close();
  });

  async function setUp(): Promise<void> {
    api = await startApi();
    kiosk = createTerminal({ dbFile: api.terminal.db.name, clock: api.clock, kiosk: true });
    pos = new FakePos();
    const providers = new PaymentProviders(kiosk.db, kiosk.clock, () => 'live', {
      'fake-pos': { trainingOnly: false, create: () => pos },
    });
    providers.set({ provider: 'fake-pos', actor: 'supervisor:Sara' });
    checkout = new KioskCheckout({
      payments: kiosk.payments,
      sales: kiosk.sales,
      carts: kiosk.carts,
      reservations: kiosk.reservations,
      providers,
      acceptance: new TenderAcceptance(kiosk.db, kiosk.clock),
      payAtCounterMinutes: () => 30,
    });
  }

  async function attempt(seat: number): Promise<unknown> {
    session += 1;
    const sessionId = `kiosco-${session}`;
    kiosk.reservations.holdSeats({
      eventId: api.eventId,
      sessionId,
      actor: 'kiosk:Quiosco',
      seatIds: [api.seatIds[seat]!],
    });
    return checkout
      .pay({
        eventId: api.eventId,
        sessionId,
        actor: 'kiosk:Quiosco',
        method: 'CARD',
        requestId: `try-${session}-0000`,
      })
      .catch((e: unknown) => e);
  }

  const statuses = () =>
    kiosk.db
      .prepare<[], { status: string }>('SELECT status FROM provider_confirmations ORDER BY id')
      .all()
      .map((r) => r.status);

  it('two kiosk sales with the same approval reference: the second is refused naming the first, and given back', async () => {
    await setUp();
    const first = (await attempt(0)) as { transactionId: string; status: string };
    expect(first.status).toBe('COMPLETED');
    const second = await attempt(1);
    expect(second).toMatchObject({
      code: 'DUPLICATE_REFERENCE',
      details: { transactionNumber: transactionNumber(first.transactionId) },
    });
    expect(pos.reversed).toEqual(['AP000123']);
    expect(statuses()).toEqual(['USED', 'REVERSED']);
    const sold = kiosk.db
      .prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM transactions WHERE status = 'COMPLETED'")
      .get()!.n;
    expect(sold).toBe(1);
  });

  it('a confirmation of another amount sells nothing and is given back; a decline records nothing', async () => {
    await setUp();
    pos.approval = (r) => ({
      provider: 'fake-pos',
      method: r.method,
      approvalReference: 'AP777',
      amountCents: r.amountCents - 100,
      currency: r.currency,
    });
    expect(await attempt(0)).toMatchObject({
      code: 'PAYMENT_UNCONFIRMED',
      details: { reason: 'provider-mismatch' },
    });
    expect(statuses()).toEqual(['REVERSED']);
    pos.decline = true;
    expect(await attempt(1)).toMatchObject({ code: 'PAYMENT_DECLINED' });
    expect(statuses()).toEqual(['REVERSED']);
    expect(kiosk.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n).toBe(0);
  });

  it('money taken but not given back is never lost: the customer is told, the supervisor sees it', async () => {
    await setUp();
    await attempt(0);
    pos.reverseFails = true;
    const refused = await attempt(1);
    expect(refused).toMatchObject({
      code: 'PAYMENT_NOT_REVERSED',
      details: { provider: 'fake-pos', reference: 'AP000123', currency: 'VES' },
    });
    expect(statuses()).toEqual(['USED', 'CONFIRMED']);
    const shown = await cli(api.clock, 'payment-provider', '--db', api.terminal.db.name, '--json');
    expect(JSON.parse(shown.out).unsettled).toEqual([
      expect.objectContaining({ provider: 'fake-pos', approvalReference: 'AP000123', status: 'CONFIRMED' }),
    ]);
  });
});
