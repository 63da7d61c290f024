import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
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
      { transactionId: issued!.transaction_id, ticketNumbers: [issued!.ticket_number], receipt: false },
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
