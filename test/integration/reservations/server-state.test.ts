import { afterEach, describe, expect, it } from 'vitest';
import type { ServerTransactionState } from '../../../electron/services/reservations/server-state.ts';
import { MINUTE_MS } from '../../../shared/clock.ts';
import { type SmallVenue, smallVenue } from '../../support/temp-store.ts';

/** ReservationService.adoptServerState against a real SQLite file: the sync engine's copy of the server. */
describe('copying the central server’s state of a transaction', () => {
  let venue: SmallVenue | undefined;
  afterEach(() => venue?.close());

  const sale = (v: SmallVenue, seatIds: number[], overrides: Partial<ServerTransactionState> = {}) =>
    ({
      transactionId: 'srv-1',
      eventId: v.eventId,
      sessionId: 's',
      actor: 'ana',
      status: 'COMPLETED',
      reservedUntil: null,
      tickets: seatIds.map((seatId) => ({
        seatId,
        zoneId: v.numberedZoneId,
        quantity: 1,
        priceCents: 2500,
        reservedUntil: v.clock.now() + 10 * MINUTE_MS,
      })),
      scope: 'whole',
      ...overrides,
    }) satisfies ServerTransactionState;

  const statusOf = (v: SmallVenue, id: string) =>
    v.db.prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?').get(id)
      ?.status;

  it('sells a cart this store had expired, and the grant it used is gone afterwards', () => {
    venue = smallVenue();
    const v = venue;
    const [a, b] = v.seatIds as [number, number];
    const open = v.reservations;
    const copy = (state: ServerTransactionState) => open.adoptServerState(state);
    copy(sale(v, [a], { status: 'PENDING', scope: 'added' }));
    v.clock.advance(11 * MINUTE_MS);
    open.cleanupExpired();
    expect(statusOf(v, 'srv-1')).toBe('EXPIRED');

    expect(copy(sale(v, [a, b]))).toMatchObject({ displaced: 0, reopened: true });
    expect(statusOf(v, 'srv-1')).toBe('COMPLETED');
    expect(v.db.prepare('SELECT COUNT(*) AS n FROM transaction_reopen_grants').get()).toEqual({ n: 0 });
    // Without a grant the database still refuses to revive a closed transaction.
    const other = open.holdSeats({
      eventId: v.eventId,
      sessionId: 'x',
      actor: 'ana',
      seatIds: [v.seatIds[4]!],
    });
    open.releaseSeats({ eventId: v.eventId, sessionId: 'x', actor: 'ana', seatIds: [v.seatIds[4]!] });
    expect(statusOf(v, other.transactionId)).toBe('CANCELLED');
    expect(() =>
      v.db.prepare("UPDATE transactions SET status = 'PENDING' WHERE id = ?").run(other.transactionId),
    ).toThrow(/INVALID_TRANSITION/);
  });

  it('keeps exactly the server’s tickets: a local extra is dropped, a missing one is added', () => {
    venue = smallVenue();
    const v = venue;
    const [a, b, c] = v.seatIds as [number, number, number];
    v.reservations.adoptServerState(sale(v, [a, b], { status: 'PENDING', scope: 'added' }));
    // Locally the cart also holds c (the server released it) and lost b.
    v.reservations.releaseSeats({ eventId: v.eventId, sessionId: 's', actor: 'ana', seatIds: [b] });
    v.reservations.adoptServerState(sale(v, [c], { status: 'PENDING', scope: 'added' }));

    v.reservations.adoptServerState(sale(v, [a, b]));
    const sold = v.db
      .prepare<[], { seat_id: number }>(
        "SELECT seat_id FROM reserved_tickets WHERE transaction_id = 'srv-1' AND status = 'COMPLETED' ORDER BY seat_id",
      )
      .all()
      .map((r) => r.seat_id);
    expect(sold).toEqual([a, b]);
    const liveOnC = v.db
      .prepare<[number], { n: number }>(
        "SELECT COUNT(*) AS n FROM reserved_tickets WHERE seat_id = ? AND status IN ('ACTIVE', 'COMPLETED')",
      )
      .get(c)!.n;
    expect(liveOnC).toBe(0);
  });

  it('refuses to override a seat this store sold, and writes nothing', () => {
    venue = smallVenue();
    const v = venue;
    const [a, b] = v.seatIds as [number, number];
    const mine = v.reservations.holdSeats({
      eventId: v.eventId,
      sessionId: 'here',
      actor: 'ana',
      seatIds: [b],
    });
    v.reservations.complete({ transactionId: mine.transactionId, actor: 'ana' });
    const audit = v.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get();

    expect(() => v.reservations.adoptServerState(sale(v, [a, b]))).toThrow(
      /Sold here and at the central server/,
    );
    expect(statusOf(v, 'srv-1')).toBeUndefined();
    expect(v.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual(audit);
  });

  it('a reservation copies its deposit deadline and customer', () => {
    venue = smallVenue();
    const v = venue;
    const until = v.clock.now() + 48 * 60 * MINUTE_MS;
    v.reservations.adoptServerState(
      sale(v, [v.seatIds[0]!], {
        status: 'RESERVED',
        reservedUntil: until,
        customer: { name: 'María Pérez', idNumber: 'V-12345678' },
      }),
    );
    const row = v.db
      .prepare<
        [],
        { status: string; reserved_until: number; customer_name: string; customer_id_number: string }
      >(
        "SELECT status, reserved_until, customer_name, customer_id_number FROM transactions WHERE id = 'srv-1'",
      )
      .get();
    expect(row).toEqual({
      status: 'RESERVED',
      reserved_until: until,
      customer_name: 'María Pérez',
      customer_id_number: 'V-12345678',
    });
  });

  it('copying the same sale twice changes nothing the second time', () => {
    venue = smallVenue();
    const v = venue;
    const settled: string[] = [];
    v.reservations.onSettled((s) => settled.push(`${s.transactionId}:${s.status}`));
    v.reservations.adoptServerState(sale(v, [v.seatIds[0]!]));
    v.reservations.adoptServerState(sale(v, [v.seatIds[0]!]));
    expect(settled).toEqual(['srv-1:COMPLETED']);
  });

  it('the local engine refuses a sale of anything but what was charged for, too', () => {
    venue = smallVenue();
    const v = venue;
    const [a, b] = v.seatIds as [number, number];
    const held = v.reservations.holdSeats({
      eventId: v.eventId,
      sessionId: 's',
      actor: 'ana',
      seatIds: [a, b],
    });
    expect(() =>
      v.reservations.complete({
        transactionId: held.transactionId,
        actor: 'ana',
        expect: { totalCents: 2500, seatIds: [a], places: 0 },
      }),
    ).toThrow(expect.objectContaining({ code: 'CART_CHANGED' }));
    expect(statusOf(v, held.transactionId)).toBe('PENDING');
    const sale = v.reservations.complete({
      transactionId: held.transactionId,
      actor: 'ana',
      expect: { totalCents: 5000, seatIds: [b, a], places: 0 },
    });
    expect(sale.status).toBe('COMPLETED');
  });
});
