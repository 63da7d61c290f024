import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cashFor } from '../../support/cash-payment.ts';
import { isTaquillaError } from '../../../shared/errors.ts';
import { formatVenueTicketNumber } from '../../../electron/services/printing/ticket-numbers.ts';
import { createTerminal, type Terminal } from '../../../electron/terminal.ts';
import { type SyncWorld, syncWorld } from './sync-fixture.ts';

/** The composition root routes an enrolled counter's holds and sales through the central server. */
let world: SyncWorld;
let terminal: Terminal;

beforeAll(async () => {
  world = await syncWorld({ terminals: 2 });
  const core = world.terminals[0]!;
  core.sync.stop(); // the terminal below brings its own engine on the same file
  terminal = createTerminal({ dbFile: core.venue.file, clock: core.venue.clock });
});
afterAll(async () => {
  terminal.close();
  await world.close();
});

describe('an enrolled counter terminal', () => {
  it('reports the link and the outbox in its status bar', async () => {
    expect(terminal.holds).toBe(terminal.sync);
    await terminal.sync.checkConnection();
    expect(terminal.status.network()).toBe('online');
    expect(terminal.status.syncQueue()).toBe(0);
  });

  it('holds at the server first, so another terminal is refused the same seat', async () => {
    const { eventId, seatIds } = world.terminals[0]!.venue;
    const held = await terminal.holds.holdSeats({
      eventId,
      sessionId: 'caja-1',
      actor: 'ana',
      seatIds: [seatIds[0]],
    });
    expect(held.tickets).toHaveLength(1);
    const other = world.terminals[1]!;
    const refusal = await other.sync
      .holdSeats({
        eventId: other.venue.eventId,
        sessionId: 'caja-2',
        actor: 'beto',
        seatIds: [other.venue.seatIds[0]],
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isTaquillaError(refusal) && refusal.code).toBe('SEAT_TAKEN');
    // The local mirror shows the hold too, so the seat map is right without asking the server.
    const snap = terminal.availability.snapshot({ eventId });
    expect(snap.taken.map((t) => t.seatId)).toContain(seatIds[0]);
  });

  it('sells through the server and the sale is mirrored locally', async () => {
    const { eventId } = world.terminals[0]!.venue;
    const cart = terminal.carts.cart(eventId, 'caja-1');
    const sale = await terminal.holds.complete({
      transactionId: cart.transactionId!,
      actor: 'ana',
      payment: cashFor(terminal.db, cart.transactionId!),
    });
    expect(sale.status).toBe('COMPLETED');
    const serverSales = world.serverRows<{ n: number }>(
      "SELECT COUNT(*) AS n FROM transactions WHERE status = 'COMPLETED'",
    );
    expect(serverSales[0]!.n).toBe(1);
  });

  it('takes payments through the server too: the money is recorded only once the server sold', async () => {
    const { eventId, seatIds } = world.terminals[0]!.venue;
    expect(terminal.saleAuthority).toBe(terminal.sync);
    await terminal.holds.holdSeats({ eventId, sessionId: 'caja-3', actor: 'ana', seatIds: [seatIds[5]] });
    const due = terminal.payments.quote({ eventId, sessionId: 'caja-3' }).balanceCents;
    const paid = await terminal.sales.checkout({
      eventId,
      sessionId: 'caja-3',
      actor: 'ana',
      tenders: [{ method: 'CASH_USD', amountCents: due }],
    });
    expect(paid.status).toBe('COMPLETED');
    const serverSales = world.serverRows<{ n: number }>(
      "SELECT COUNT(*) AS n FROM transactions WHERE status = 'COMPLETED'",
    );
    expect(serverSales[0]!.n).toBe(2);
  });

  it('never sells more than the cashier charged for: a cart that differs at the server is refused and shown as it is', async () => {
    const { eventId, seatIds } = world.terminals[0]!.venue;
    const [a, b] = [seatIds[8]!, seatIds[9]!];
    await terminal.holds.holdSeats({ eventId, sessionId: 'caja-4', actor: 'ana', seatIds: [a, b] });
    // This store drops seat a (its copy drifted); the server still holds both in the cart.
    terminal.sync.reservations.releaseSeats({ eventId, sessionId: 'caja-4', actor: 'ana', seatIds: [a] });
    const charged = terminal.payments.quote({ eventId, sessionId: 'caja-4' }).balanceCents;
    const payments = () =>
      terminal.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM payments').get()!.n;
    const before = payments();
    const refusal = await Promise.resolve()
      .then(() =>
        terminal.sales.checkout({
          eventId,
          sessionId: 'caja-4',
          actor: 'ana',
          tenders: [{ method: 'CASH_USD', amountCents: charged }],
        }),
      )
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isTaquillaError(refusal) && refusal.code).toBe('CART_CHANGED');
    expect(payments()).toBe(before); // no money taken
    const cart = terminal.carts.cart(eventId, 'caja-4');
    const serverCart = world.serverRows<{ status: string }>(
      'SELECT status FROM transactions WHERE id = ?',
      cart.transactionId,
    );
    expect(serverCart[0]!.status).toBe('PENDING'); // nothing sold
    // The screen now shows the server's cart; charging that sells it.
    expect(cart.tickets.map((t) => t.seatId).sort()).toEqual([a, b].sort());
    const due = terminal.payments.quote({ eventId, sessionId: 'caja-4' }).balanceCents;
    expect(due).toBe(2 * charged);
    const paid = await terminal.sales.checkout({
      eventId,
      sessionId: 'caja-4',
      actor: 'ana',
      tenders: [{ method: 'CASH_USD', amountCents: due }],
    });
    expect(paid.status).toBe('COMPLETED');
  });

  it('prints the venue’s ticket numbers: the server’s online, its lease block’s offline', async () => {
    const core = world.terminals[0]!;
    const { eventId, seatIds } = core.venue;
    const issued = (transactionId: string) =>
      terminal.db
        .prepare<[string], { ticket_number: string }>(
          'SELECT ticket_number FROM issued_tickets WHERE transaction_id = ?',
        )
        .all(transactionId)
        .map((r) => r.ticket_number);
    const sell = async (sessionId: string, seatId: number) => {
      await terminal.holds.holdSeats({ eventId, sessionId, actor: 'ana', seatIds: [seatId] });
      const due = terminal.payments.quote({ eventId, sessionId }).balanceCents;
      return terminal.sales.checkout({
        eventId,
        sessionId,
        actor: 'ana',
        tenders: [{ method: 'CASH_USD', amountCents: due }],
      });
    };
    const online = await sell('num-1', seatIds[12]!);
    const recorded = world.serverRows<{ number: number }>(
      'SELECT number FROM ticket_numbers WHERE transaction_id = ?',
      online.transactionId,
    );
    expect(issued(online.transactionId)).toEqual(recorded.map((r) => formatVenueTicketNumber(r.number)));

    const lease = await terminal.sync.acquireLease({
      eventId,
      actor: 'ana',
      seatIds: [seatIds[13]!],
      ticketNumbers: 5,
    });
    core.proxy.set('down');
    expect(await terminal.sync.checkConnection()).toBe('offline');
    const offline = await sell('num-2', seatIds[13]!);
    expect(issued(offline.transactionId)).toEqual([formatVenueTicketNumber(lease.ticketFrom)]);
    core.proxy.set('up');
    await terminal.sync.checkConnection();
    await terminal.sync.idle();
    // The server recorded the offline sale under the number its paper shows.
    const reported = world.serverRows<{ number: number }>(
      "SELECT n.number FROM ticket_numbers n JOIN transactions x ON x.id = n.transaction_id WHERE x.session_id LIKE 'lease:%'",
    );
    expect(reported.map((r) => r.number)).toEqual([lease.ticketFrom]);
  });
});
