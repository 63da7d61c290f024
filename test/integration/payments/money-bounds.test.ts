import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { type CliIo, runCli } from '../../../electron/cli/taquilla.ts';
import { type ApiFixture, startApi } from '../api/api-fixture.ts';

/**
 * Red-team finding 3 (issue 11 follow-up): amounts and exchange rates are bounded to what a box
 * office can mean, refused before anything is written, and no payment commits and then fails to
 * answer (the tester's 12 × $1e11 tenders with change in bolívares answered 500 on a COMPLETED sale,
 * and then the X and Z reports broke).
 */
let api: ApiFixture;
let cashier: string;
let supervisor: string;

beforeEach(async () => {
  api = await startApi();
  cashier = await api.signIn(api.users.cashier, '1234');
  supervisor = await api.signIn(api.users.supervisor, '9999');
});
afterEach(() => api.close());

const count = (table: string): number =>
  (api.terminal.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

async function holdOne(session = cashier, seat = 0): Promise<string> {
  const held = await api.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[seat]] }, session);
  expect(held.status).toBe(200);
  return held.body.transactionId as string;
}

function status(transactionId: string): string {
  return (
    api.terminal.db.prepare('SELECT status FROM transactions WHERE id = ?').get(transactionId) as {
      status: string;
    }
  ).status;
}

describe('amounts a box office can mean', () => {
  it('12 tenders of $1e11 with change in bolívares: refused before anything is written; reports still answer', async () => {
    const transactionId = await holdOne();
    const sale = await api.call(
      'payments.checkout',
      {
        eventId: api.eventId,
        tenders: Array.from({ length: 12 }, () => ({ method: 'CASH_USD', amountCents: 1e13 })),
        changeCurrency: 'VES',
      },
      cashier,
    );
    expect(sale.status).toBe(409);
    expect(sale.body.error).toMatchObject({
      code: 'AMOUNT_TOO_LARGE',
      details: { scope: 'tender', currency: 'USD', amountCents: 1e13, maxCents: 10_000_000 },
    });
    expect(status(transactionId)).toBe('PENDING');
    expect(count('payments')).toBe(0);
    expect(count('print_jobs')).toBe(0);
    expect((await api.call('reports.x', {}, supervisor)).status).toBe(200);
    expect((await api.call('reports.z', { staffId: api.users.cashier }, supervisor)).status).toBe(200);
  });

  it('one payment takes at most $100,000.00: a cent more is refused, the limit itself is taken', async () => {
    await holdOne();
    const over = await api.call(
      'payments.checkout',
      {
        eventId: api.eventId,
        tenders: [
          { method: 'CASH_USD', amountCents: 5_000_000 },
          { method: 'CASH_USD', amountCents: 5_000_001 },
        ],
      },
      cashier,
    );
    expect(over.body.error).toMatchObject({
      code: 'AMOUNT_TOO_LARGE',
      details: { scope: 'payment', amountCents: 10_000_001 },
    });
    const overOne = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 10_000_001 }] },
      cashier,
    );
    expect(overOne.body.error).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { scope: 'tender' } });
    // The same limit in bolívares, and on a later payment of a reservation.
    const overVes = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_VES', amountCents: 365_000_037 }] },
      cashier,
    );
    expect(overVes.body.error).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { scope: 'payment' } });
    const atLimit = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_USD', amountCents: 10_000_000 }] },
      cashier,
    );
    expect(atLimit.status).toBe(200);
    expect(atLimit.body).toMatchObject({
      status: 'COMPLETED',
      change: { currency: 'USD', cents: 9_997_500 },
    });
    expect((await api.call('reports.x', {}, supervisor)).status).toBe(200);
  });

  it('a deposit and a later payment are bounded the same way', async () => {
    await holdOne();
    const deposit = await api.call(
      'payments.deposit',
      {
        eventId: api.eventId,
        tenders: [{ method: 'CASH_USD', amountCents: 1000 }],
        customer: { name: 'Ana Pérez', idNumber: 'V-12345678' },
      },
      cashier,
    );
    expect(deposit.status).toBe(200);
    const later = await api.call(
      'payments.pay',
      {
        transactionId: deposit.body.transactionId,
        tenders: [
          { method: 'CASH_USD', amountCents: 9_000_000 },
          { method: 'CASH_USD', amountCents: 1_000_001 },
        ],
      },
      cashier,
    );
    expect(later.body.error).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { scope: 'payment' } });
    expect(count('payments')).toBe(1);
  });
});

describe('exchange rates a box office can mean', () => {
  const rate = () =>
    (
      api.terminal.db.prepare('SELECT ves_per_usd AS r FROM events WHERE id = ?').get(api.eventId) as {
        r: string;
      }
    ).r;

  it('refuses 0, 0.0001 and 999999999.9999 Bs./USD as a clear VALIDATION error; the rate is unchanged', async () => {
    for (const vesPerUsd of ['0', '0.0001', '0.9999', '999999999.9999', '1000000.0001']) {
      const set = await api.call(
        'payments.settings',
        { eventId: api.eventId, vesPerUsd, confirmRateChange: true },
        supervisor,
      );
      expect(set.status, vesPerUsd).toBe(400);
      expect(set.body.error.code).toBe('VALIDATION');
      expect(set.body.error.message).toMatch(/from 1\.0000 to 1000000\.0000/);
    }
    expect(rate()).toBe('36.50');
  });

  it('a change of more than 25 % waits for the confirmation; a daily move does not', async () => {
    const typo = await api.call('payments.settings', { eventId: api.eventId, vesPerUsd: '365' }, supervisor);
    expect(typo.status).toBe(409);
    expect(typo.body.error).toMatchObject({
      code: 'RATE_CHANGE_UNCONFIRMED',
      details: { current: '36.5000', proposed: '365.0000', changePercent: 900, confirmAbovePercent: 25 },
    });
    expect(rate()).toBe('36.50');
    const daily = await api.call(
      'payments.settings',
      { eventId: api.eventId, vesPerUsd: '37,10' },
      supervisor,
    );
    expect(daily.body).toMatchObject({ vesPerUsd: '37.1000' });
    const confirmed = await api.call(
      'payments.settings',
      { eventId: api.eventId, vesPerUsd: '60', confirmRateChange: true },
      supervisor,
    );
    expect(confirmed.body).toMatchObject({ vesPerUsd: '60.0000' });
  });

  it('the command line says the same, and --confirm-rate-change confirms', async () => {
    const io = () => {
      const lines: string[] = [];
      const sink: CliIo = { out: (l) => lines.push(l), err: (l) => lines.push(l), clock: api.clock };
      return { lines, sink };
    };
    const a = io();
    expect(
      await runCli(
        ['payment-settings', '--db', api.file, '--event', String(api.eventId), '--rate', '0.0001'],
        a.sink,
      ),
    ).toBe(1);
    expect(a.lines.join('\n')).toMatch(/VALIDATION.*from 1\.0000 to 1000000\.0000/);
    const b = io();
    expect(
      await runCli(
        ['payment-settings', '--db', api.file, '--event', String(api.eventId), '--rate', '3650'],
        b.sink,
      ),
    ).toBe(1);
    expect(b.lines.join('\n')).toMatch(/RATE_CHANGE_UNCONFIRMED/);
    const c = io();
    const args = [
      'payment-settings',
      '--db',
      api.file,
      '--event',
      String(api.eventId),
      '--rate',
      '72',
      '--confirm-rate-change',
    ];
    expect(await runCli(args, c.sink)).toBe(0);
    expect(rate()).toBe('72.0000');
  });

  it('an event whose stored rate is out of range takes no money (1 céntimo never pays a $25 seat)', async () => {
    // As an older store, or a hand edit, could have left it.
    api.terminal.db.exec('DROP TRIGGER IF EXISTS events_rate_in_range_update');
    api.terminal.db.prepare("UPDATE events SET ves_per_usd = '0.0001' WHERE id = ?").run(api.eventId);
    const transactionId = await holdOne();
    const sale = await api.call(
      'payments.checkout',
      { eventId: api.eventId, tenders: [{ method: 'CASH_VES', amountCents: 1 }] },
      cashier,
    );
    expect(sale.body.error).toMatchObject({ code: 'RATE_OUT_OF_RANGE', details: { vesPerUsd: '0.0001' } });
    expect(status(transactionId)).toBe('PENDING');
    expect(count('payments')).toBe(0);
  });
});

describe('what the cashier is told is final', () => {
  it('a payment whose answer would not fit its schema is not committed: no sale, no money, no ticket', async () => {
    const transactionId = await holdOne();
    const session = api.terminal.sessions.resolve(cashier)!;
    // A broken id generator: the answer cannot be given, so nothing may be recorded.
    const payments = new PaymentService(api.terminal.db, api.clock, api.terminal.reservations, {
      newId: () => 42 as unknown as string,
    });
    expect(() =>
      payments.checkout({
        eventId: api.eventId,
        sessionId: session.sessionId,
        actor: session.actor,
        tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
      }),
    ).toThrow();
    expect(status(transactionId)).toBe('PENDING');
    expect(count('payments')).toBe(0);
    expect(count('issued_tickets')).toBe(0);
  });
});
