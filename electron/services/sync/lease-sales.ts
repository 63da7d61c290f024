import { TaquillaError } from '../../../shared/errors.ts';
import type { holdGeneralInput, holdSeatsInput } from '../../../shared/schemas/reservations.ts';
import type { Db } from '../../store/database.ts';
import type { PaymentBook } from '../payments/payment-service.ts';
import type {
  HoldResult,
  ReservationService,
  SettledTransaction,
} from '../reservations/reservation-service.ts';
import type { LeaseDesk, LeaseRow } from './lease-desk.ts';
import type { Outbox } from './outbox.ts';

/** A leased seat as the lease desk keeps it (sold_at set once sold from the lease). */
export interface LeasedSeat {
  lease_id: string;
  seat_id: number;
  sold_at: number | null;
}

/**
 * Selling from this counter's offline leases: holds taken from a lease's seats and standing places,
 * the rule that a cart sells from the server or from one lease (never both), and the sale's report —
 * its ticket numbers from the leased block and the queued `leaseSale` — written inside the local
 * sale's own transaction. Owns sync_lease_carts; marks sync_lease_seats and sync_leases sold.
 */
export class LeaseSales {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly reservations: ReservationService,
    private readonly leases: LeaseDesk,
    private readonly outbox: Outbox,
    /** Where the sale's money was written (it travels with the report). */
    private readonly book: () => PaymentBook | null,
    /** True while a copy of the server's decision is written: that is no lease sale. */
    private readonly mirroring: () => boolean,
  ) {
    this.sql = {
      leaseOfSeats: db.prepare<[number, string], LeasedSeat>(
        `SELECT ls.lease_id, ls.seat_id, ls.sold_at FROM sync_lease_seats ls
         JOIN sync_leases l ON l.id = ls.lease_id
         WHERE l.status = 'OPEN' AND l.event_id = ? AND ls.seat_id IN (SELECT value FROM json_each(?))`,
      ),
      gaLease: db.prepare<[number, number], LeaseRow>(
        `SELECT * FROM sync_leases WHERE status = 'OPEN' AND event_id = ? AND ga_zone_id = ?
         ORDER BY expires_at DESC LIMIT 1`,
      ),
      gaHeldFromLease: db.prepare<[string, number], { held: number }>(
        `SELECT COALESCE(SUM(t.quantity), 0) AS held FROM reserved_tickets t
         JOIN sync_lease_carts c ON c.transaction_id = t.transaction_id
         WHERE c.lease_id = ? AND t.zone_id = ? AND t.seat_id IS NULL AND t.status = 'ACTIVE'`,
      ),
      leaseCart: db.prepare<[string], { lease_id: string }>(
        'SELECT lease_id FROM sync_lease_carts WHERE transaction_id = ?',
      ),
      addLeaseCart: db.prepare<[string, string]>(
        'INSERT OR IGNORE INTO sync_lease_carts (transaction_id, lease_id) VALUES (?, ?)',
      ),
      localCart: db.prepare<[number, string], { id: string }>(
        "SELECT id FROM transactions WHERE event_id = ? AND session_id = ? AND status = 'PENDING'",
      ),
      takeNumbers: db.prepare<[{ n: number; id: string }], { next_ticket: number }>(
        `UPDATE sync_leases SET next_ticket = next_ticket + @n WHERE id = @id AND next_ticket + @n <= ticket_to + 1
         RETURNING next_ticket`,
      ),
      markSold: db.prepare<[number, string, string]>(
        'UPDATE sync_lease_seats SET sold_at = ? WHERE lease_id = ? AND seat_id IN (SELECT value FROM json_each(?))',
      ),
      addGaSold: db.prepare<[number, string]>('UPDATE sync_leases SET ga_sold = ga_sold + ? WHERE id = ?'),
      putNumber: db.prepare<[number, string, number | null, number, number]>(
        `INSERT OR IGNORE INTO venue_ticket_numbers (number, transaction_id, seat_id, zone_id, place)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      seatZone: db.prepare<[number], { zone_id: number }>('SELECT zone_id FROM seats WHERE id = ?'),
    };
  }

  /** The open leases' rows for these seats of `eventId` (empty: none of them is leased here). */
  leasedSeats(eventId: number, seatIds: number[]): LeasedSeat[] {
    return this.sql.leaseOfSeats.all(eventId, JSON.stringify(seatIds));
  }

  /** The open lease of standing places in `zoneId`, if this counter has one. */
  generalLease(eventId: number, zoneId: number): LeaseRow | undefined {
    return this.sql.gaLease.get(eventId, zoneId);
  }

  /** Whether a transaction sells from a lease (completed locally, reported later). */
  isLeaseCart(transactionId: string): boolean {
    return this.sql.leaseCart.get(transactionId) !== undefined;
  }

  holdSeats(
    input: ReturnType<typeof holdSeatsInput.parse>,
    leased: { lease_id: string; seat_id: number; sold_at: number | null }[],
  ): HoldResult {
    const leaseIds = new Set(leased.map((l) => l.lease_id));
    const covered = new Set(leased.filter((l) => l.sold_at === null).map((l) => l.seat_id));
    const missing = input.seatIds.filter((id) => !covered.has(id));
    const lease = this.leases.byId([...leaseIds][0]!)!;
    if (missing.length > 0 || leaseIds.size > 1) {
      throw new TaquillaError('NOT_LEASED', 'Only seats leased to this terminal can be sold from its lease', {
        seatIds: missing.length > 0 ? missing : input.seatIds,
      });
    }
    this.leases.assertSelling(lease, { seatIds: input.seatIds });
    return this.db
      .transaction(() => {
        this.assertCartIsLeased(input.eventId, input.sessionId, lease.id);
        const result = this.reservations.holdSeats(input);
        this.sql.addLeaseCart.run(result.transactionId, lease.id);
        return result;
      })
      .immediate();
  }

  holdGeneral(input: ReturnType<typeof holdGeneralInput.parse>, lease: LeaseRow): HoldResult {
    return this.db
      .transaction(() => {
        const held = this.sql.gaHeldFromLease.get(lease.id, input.zoneId)!.held;
        const available = lease.ga_quantity - lease.ga_sold - held;
        this.leases.assertSelling(lease, { seatIds: [], zoneId: input.zoneId });
        if (input.quantity > available) {
          throw new TaquillaError(
            'NOT_LEASED',
            `Only ${Math.max(0, available)} standing places are leased here`,
            {
              seatIds: [],
              zoneId: input.zoneId,
              available: Math.max(0, available),
            },
          );
        }
        this.assertCartIsLeased(input.eventId, input.sessionId, lease.id);
        const result = this.reservations.holdGeneral(input);
        this.sql.addLeaseCart.run(result.transactionId, lease.id);
        return result;
      })
      .immediate();
  }

  localCartIsLeased(eventId: number, sessionId: string): boolean {
    const cart = this.sql.localCart.get(eventId, sessionId);
    return cart !== undefined && this.sql.leaseCart.get(cart.id) !== undefined;
  }

  /**
   * More time for a cart that sells from a lease, only while that lease sells: a revoked counter
   * (UNAUTHORIZED) or an ended lease (NOT_LEASED) keeps no customer deciding on seats it cannot sell.
   */
  assertLeasedCartSells(eventId: number, sessionId: string): void {
    const cart = this.sql.localCart.get(eventId, sessionId);
    const leased = cart ? this.sql.leaseCart.get(cart.id) : undefined;
    const lease = leased ? this.leases.byId(leased.lease_id) : undefined;
    if (lease) this.leases.assertSelling(lease, { seatIds: [] });
  }

  /**
   * The other half of "never both": a cart selling from a lease takes no holds from the server, or
   * its seats would be sold online and again in the lease's report (soak finding: one seat, two
   * customers).
   */
  refuseServerHoldInLeaseCart(
    eventId: number,
    sessionId: string,
    details: { seatIds: number[]; zoneId?: number },
  ): void {
    if (!this.localCartIsLeased(eventId, sessionId)) return;
    throw new TaquillaError(
      'NOT_LEASED',
      'This cart sells from the offline lease: finish it, then sell the other places in a new sale',
      details,
    );
  }

  /** A cart sells either from the server or from one lease, never both. */
  private assertCartIsLeased(eventId: number, sessionId: string, leaseId: string): void {
    const cart = this.sql.localCart.get(eventId, sessionId);
    if (!cart) return;
    if (this.sql.leaseCart.get(cart.id)?.lease_id !== leaseId) {
      throw new TaquillaError('NOT_LEASED', 'Finish or cancel the current cart before selling leased seats', {
        seatIds: [],
      });
    }
  }

  /**
   * Inside the local sale's write transaction: a sale from a lease takes its ticket numbers from the
   * leased block and queues its report, so the sale and its report commit together or not at all.
   */
  onSettled(settled: SettledTransaction): void {
    if (this.mirroring() || settled.status !== 'COMPLETED') return;
    const cart = this.sql.leaseCart.get(settled.transactionId);
    if (!cart) return;
    const lease = this.leases.byId(cart.lease_id)!;
    const seatIds = settled.tickets.filter((t) => t.seatId !== null).map((t) => t.seatId!);
    // A cart held before the lease ended is not sold after it: the sale must be inside the lease.
    this.leases.assertSelling(lease, { seatIds });
    const gaQuantity = settled.tickets.filter((t) => t.seatId === null).reduce((n, t) => n + t.quantity, 0);
    const count = seatIds.length + gaQuantity;
    const taken = this.sql.takeNumbers.get({ n: count, id: lease.id });
    if (!taken) {
      throw new TaquillaError('NOT_LEASED', 'The leased block of ticket numbers is used up', { seatIds });
    }
    const first = taken.next_ticket - count;
    const ticketNumbers = Array.from({ length: count }, (_, i) => first + i);
    // The numbers this sale prints (the print-job writer runs after this, in the same write).
    seatIds.forEach((seatId, i) =>
      this.sql.putNumber.run(
        ticketNumbers[i]!,
        settled.transactionId,
        seatId,
        this.sql.seatZone.get(seatId)!.zone_id,
        1,
      ),
    );
    for (let k = 0; k < gaQuantity; k++) {
      this.sql.putNumber.run(
        ticketNumbers[seatIds.length + k]!,
        settled.transactionId,
        null,
        lease.ga_zone_id!,
        k + 1,
      );
    }
    if (seatIds.length > 0) this.sql.markSold.run(settled.at, lease.id, JSON.stringify(seatIds));
    if (gaQuantity > 0) this.sql.addGaSold.run(gaQuantity, lease.id);
    this.outbox.add(
      'leaseSale',
      {
        leaseId: lease.id,
        saleId: settled.transactionId,
        actor: settled.actor,
        seatIds,
        ...(gaQuantity > 0 ? { general: { zoneId: lease.ga_zone_id!, quantity: gaQuantity } } : {}),
        ticketNumbers,
        // On the lease clock: a PC clock set back does not date the sale before its lease.
        soldAt: this.leases.clock.now(),
        // Written earlier in this same transaction (complete() above): the money travels with the sale.
        payments: this.book()?.paymentRecords(settled.transactionId) ?? [],
      },
      settled.at,
    );
  }

  /** Ticket numbers a lease sale used (for the printed ticket). */
  ticketNumbersOf(transactionId: string): number[] {
    const row = this.db
      .prepare<[string], { body: string }>(
        "SELECT body FROM sync_outbox WHERE op = 'leaseSale' AND json_extract(body, '$.saleId') = ?",
      )
      .get(transactionId);
    return row ? (JSON.parse(row.body) as { ticketNumbers: number[] }).ticketNumbers : [];
  }
}
