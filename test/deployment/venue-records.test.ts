import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentErrorText } from '../../renderer/src/payments/payment-texts.ts';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { saleNumberOf } from '../../shared/schemas/printing.ts';
import { CASH, type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * What the venue records once for every counter: deposits paid at any counter (finding 5) and the
 * ticket numbers on paper (finding 6).
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let c: Counter;
let ana: SignedIn;
let beto: SignedIn;
let luis: SignedIn;
let map: SeatMap;
const PLATEA_ZONE = 2;

function seats(zoneId: number, from: number, count: number): number[] {
  return map.seats.id.filter((_, i) => map.seats.zoneId[i] === zoneId).slice(from, from + count);
}

beforeAll(async () => {
  venue = await startVenue();
  [a, b, c] = venue.counters as [Counter, Counter, Counter];
  [ana, beto, luis] = await Promise.all([a.signIn('ana'), b.signIn('beto'), c.signIn('luis')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
});
afterAll(async () => {
  await venue?.close();
});

describe('deposits from any counter (finding 5)', () => {
  it('a deposit taken at one counter is found at the others by name, cédula, phone and sale number, and paid off there', async () => {
    const ids = seats(4, 0, 2); // Mesas, USD 70 each
    await a.call('holds.seats', { eventId: THEATRE, seatIds: ids }, ana);
    const deposit = await a.call(
      'payments.deposit',
      {
        eventId: THEATRE,
        customer: { name: 'María Pérez', idNumber: 'V-12.345.678', phone: '0414-1234567' },
        tenders: [{ method: 'CASH_USD', amountCents: 5000 }],
      },
      ana,
    );
    expect(deposit).toMatchObject({ status: 'RESERVED', paidCents: 5000, balanceCents: 9000 });
    const number = deposit.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
    for (const query of ['maria perez', '12.345.678', '0414 123 4567', number]) {
      const found = await c.call('reservations.search', { query }, luis);
      expect(
        found.map((r) => r.transactionId),
        query,
      ).toEqual([deposit.transactionId]);
      expect(found[0]).toMatchObject({ customerName: 'María Pérez', paidCents: 5000, balanceCents: 9000 });
    }
    // An instalment at C, then the balance at B: the server records each with the money.
    const quote = await c.call('payments.quote', { transactionId: deposit.transactionId }, luis);
    expect(quote).toMatchObject({ status: 'RESERVED', balanceCents: 9000 });
    const part = await c.call(
      'payments.pay',
      { transactionId: deposit.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 4000 }] },
      luis,
    );
    expect(part).toMatchObject({ status: 'RESERVED', paidCents: 9000, balanceCents: 5000 });
    const [atB] = await b.call('reservations.search', { query: 'V-12345678' }, beto);
    expect(atB).toMatchObject({ transactionId: deposit.transactionId, paidCents: 9000, balanceCents: 5000 });
    const last = await b.call(
      'payments.pay',
      { transactionId: deposit.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 5000 }] },
      beto,
    );
    expect(last).toMatchObject({ status: 'COMPLETED', balanceCents: 0 });
    const [sale] = await venue.serverRows<{ status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
      deposit.transactionId,
    );
    expect(sale!.status).toBe('COMPLETED');
    const [money] = await venue.serverRows<{ n: number; paid: number }>(
      'SELECT COUNT(*) AS n, SUM(applied_cents) AS paid FROM payments WHERE transaction_id = ?',
      deposit.transactionId,
    );
    expect({ n: Number(money!.n), paid: Number(money!.paid) }).toEqual({ n: 3, paid: 14000 });
    // The tickets print where the customer paid them off.
    const [printed] = b.rows<{ n: number }>(
      "SELECT COUNT(*) AS n FROM print_jobs WHERE transaction_id = ? AND kind = 'ticket'",
      deposit.transactionId,
    );
    expect(printed!.n).toBe(2);
  });

  it('an instalment taken against a stale balance is refused, and nothing is charged', async () => {
    const ids = seats(4, 10, 1);
    await a.call('holds.seats', { eventId: THEATRE, seatIds: ids }, ana);
    const deposit = await a.call(
      'payments.deposit',
      {
        eventId: THEATRE,
        customer: { name: 'Pedro Gil', phone: '0412-9990000' },
        tenders: [{ method: 'CASH_USD', amountCents: 3000 }],
      },
      ana,
    );
    await c.call('reservations.search', { query: 'Pedro Gil' }, luis);
    // Meanwhile A takes another instalment: C's copy still shows the old balance.
    await a.call(
      'payments.pay',
      { transactionId: deposit.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 1000 }] },
      ana,
    );
    const stale = await c.attempt(
      'payments.pay',
      { transactionId: deposit.transactionId, tenders: [{ method: 'CASH_USD', amountCents: 1000 }] },
      luis,
    );
    expect(!stale.ok && stale.error.code).toBe('BALANCE_CHANGED');
    const [money] = await venue.serverRows<{ paid: number }>(
      'SELECT SUM(applied_cents) AS paid FROM payments WHERE transaction_id = ?',
      deposit.transactionId,
    );
    expect(Number(money!.paid)).toBe(4000);
    // Searching again brings the balance up to date.
    const [fresh] = await c.call('reservations.search', { query: '0412 999 0000' }, luis);
    expect(fresh).toMatchObject({ paidCents: 4000, balanceCents: 3000 });
  });
});

describe('ticket numbers for the venue (finding 6)', () => {
  it('sales on every counter print numbers unique across the venue, the ones the server recorded', async () => {
    const printed = new Map<string, string>();
    for (const [k, [counter, who]] of (
      [
        [a, ana],
        [b, beto],
        [c, luis],
      ] as const
    ).entries()) {
      const ids = seats(5, 100 + k * 10, 2); // Mezzanina
      await counter.call('holds.seats', { eventId: THEATRE, seatIds: ids }, who);
      await counter.call('holds.general', { eventId: THEATRE, zoneId: 7, quantity: 2 }, who);
      const sale = await counter.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, who);
      const onPaper = counter
        .rows<{ ticket_number: string }>(
          'SELECT ticket_number FROM issued_tickets WHERE transaction_id = ? ORDER BY ticket_number',
          sale.transactionId,
        )
        .map((r) => r.ticket_number);
      const recorded = (
        await venue.serverRows<{ number: number }>(
          'SELECT number FROM ticket_numbers WHERE transaction_id = ? ORDER BY number',
          sale.transactionId,
        )
      ).map((r) => String(r.number).padStart(7, '0'));
      expect(onPaper).toHaveLength(4);
      expect(onPaper).toEqual(recorded);
      for (const n of onPaper) {
        expect(printed.has(n), `${n} printed twice`).toBe(false);
        printed.set(n, counter.name);
      }
    }
    // A reprint says the same number.
    const [issued] = a.rows<{ transaction_id: string; ticket_number: string }>(
      'SELECT transaction_id, ticket_number FROM issued_tickets ORDER BY rowid DESC LIMIT 1',
    );
    const copy = await a.call(
      'sales.reprint',
      {
        transactionId: issued!.transaction_id,
        ticketNumbers: [issued!.ticket_number],
        receipt: false,
        supervisorPin: '9999',
      },
      ana,
    );
    expect(copy.jobs).toHaveLength(1);
    const [job] = a.rows<{ ticket_number: string }>(
      'SELECT ticket_number FROM print_jobs WHERE id = ?',
      copy.jobs[0]!.jobId,
    );
    expect(job!.ticket_number).toBe(issued!.ticket_number);
  });

  it('a deposit’s places are numbered when it is taken, and another counter finds it by one of them', async () => {
    const ids = seats(4, 20, 1);
    await a.call('holds.seats', { eventId: THEATRE, seatIds: ids }, ana);
    const deposit = await a.call(
      'payments.deposit',
      {
        eventId: THEATRE,
        customer: { name: 'Luisa Díaz', phone: '0416-2223344' },
        tenders: [{ method: 'CASH_USD', amountCents: 3000 }],
      },
      ana,
    );
    const [numbered] = await venue.serverRows<{ number: number }>(
      'SELECT number FROM ticket_numbers WHERE transaction_id = ?',
      deposit.transactionId,
    );
    const found = await c.call(
      'reservations.search',
      { query: String(numbered!.number).padStart(7, '0') },
      luis,
    );
    expect(found.map((r) => r.transactionId)).toEqual([deposit.transactionId]);
  });
});

describe('a bank reference pays once in the venue (red team: the same Pago Móvil at two counters)', () => {
  it('a reference used at one counter is refused at another, naming the sale; nothing is written', async () => {
    const pagoMovil = (reference: string, amountCents: number) => ({
      method: 'PAGO_MOVIL' as const,
      amountCents,
      reference,
      phone: '0414-5550101',
      bankCode: '0102',
    });
    const [first] = seats(PLATEA_ZONE, 60, 1);
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [first!] }, ana);
    const dueAtA = (await a.call('payments.quote', { eventId: THEATRE }, ana)).balanceVesCents;
    const sold = await a.call(
      'payments.checkout',
      { eventId: THEATRE, tenders: [pagoMovil('0012-3456', dueAtA)] },
      ana,
    );
    expect(sold.status).toBe('COMPLETED');
    // The same payment shown at B, written as another bank receipt prints it.
    const [second] = seats(PLATEA_ZONE, 61, 1);
    const held = await b.call('holds.seats', { eventId: THEATRE, seatIds: [second!] }, beto);
    const dueAtB = (await b.call('payments.quote', { eventId: THEATRE }, beto)).balanceVesCents;
    const refused = await b.attempt(
      'payments.checkout',
      { eventId: THEATRE, tenders: [pagoMovil('123456', dueAtB)] },
      beto,
    );
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    const saleNumber = saleNumberOf(sold.transactionId);
    expect(refused.error.code).toBe('DUPLICATE_REFERENCE');
    expect(refused.error.details).toMatchObject({
      method: 'PAGO_MOVIL',
      transactionId: sold.transactionId,
      transactionNumber: saleNumber,
    });
    // The cashier reads it in Spanish, with the sale that used it.
    expect(
      paymentErrorText('es', refused.error.code, refused.error.message, refused.error.details),
    ).toContain(saleNumber);
    // Nothing written: B's cart is still open at the server, with no payment; the hold is B's.
    const [tx] = await venue.serverRows<{ status: string; payments: number }>(
      `SELECT status, (SELECT COUNT(*) FROM payments p WHERE p.transaction_id = t.id) AS payments
       FROM transactions t WHERE id = ?`,
      held.transactionId,
    );
    expect({ status: tx!.status, payments: Number(tx!.payments) }).toEqual({
      status: 'PENDING',
      payments: 0,
    });
    const cart = await b.call('cart.get', { eventId: THEATRE }, beto);
    expect(cart.tickets.map((t) => t.seatId)).toEqual([second]);
  });
});

describe('the cash drawer and its papers on an enrolled counter', () => {
  it('a cash sale settled at the server is in the drawer; paid-out, X report, printed sale and closing', async () => {
    await c.call('drawer.open', { floatUsdCents: 10_000, floatVesCents: 0 }, luis);
    const [seat] = seats(PLATEA_ZONE, 70, 1);
    await c.call('holds.seats', { eventId: THEATRE, seatIds: [seat!] }, luis);
    const due = (await c.call('payments.quote', { eventId: THEATRE }, luis)).balanceCents;
    const sold = await c.call(
      'payments.checkout',
      { eventId: THEATRE, tenders: [{ method: 'CASH_USD', amountCents: due }] },
      luis,
    );
    expect(sold.status).toBe('COMPLETED');
    const usd = async () =>
      (await c.call('drawer.state', {}, luis)).shift!.drawer.find((d) => d.currency === 'USD')!;
    expect(await usd()).toMatchObject({ floatCents: 10_000, cashInCents: due, expectedCents: 10_000 + due });
    await c.call(
      'drawer.move',
      { kind: 'PAID_OUT', currency: 'USD', amountCents: 500, reason: 'compra de hielo' },
      luis,
    );
    expect((await usd()).expectedCents).toBe(10_000 + due - 500);
    const printed = await c.call('sales.printed', { saleNumber: saleNumberOf(sold.transactionId) }, luis);
    expect(printed.transactionId).toBe(sold.transactionId);
    const x = await c.call('reports.print', {}, luis);
    expect(x.jobId).toBeGreaterThan(0);
    const closed = await c.call(
      'drawer.close',
      { countedUsdCents: 10_000 + due - 500, countedVesCents: 0 },
      luis,
    );
    expect(closed.status).toBe('CLOSED');
    expect(closed.drawer.find((d) => d.currency === 'USD')!.overShortCents).toBe(0);
  });
});
