import { heldTicketFromRow } from '../../../shared/ticket-rows.ts';
import type {
  HeldTicketFact,
  LateZoneHold,
  SeatFact,
  SeatTicketFact,
  SessionFact,
  TouchedTransactionFact,
  TransactionFact,
  ZoneFact,
} from '../../../shared/hold-rules/index.ts';
import type { Db } from '../../store/database.ts';
import type { ZoneRow } from './catalog.ts';
import type { TicketRow, TransactionRow } from './rows.ts';

/** The exact term of the partial unique index one_live_ticket_per_seat (SQLite uses it only verbatim). */
export const LIVE = "status IN ('ACTIVE', 'COMPLETED')";

const TICKET_COLUMNS = `t.id, t.transaction_id, t.event_id, t.zone_id, t.seat_id, t.quantity, t.status,
  t.reserved_until, t.created_at, t.price_cents, COALESCE(s.label, z.name) AS label`;
const TX_COLUMNS = 'id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at';

/**
 * Reads the facts the hold rules (shared/hold-rules) decide on, inside the caller's write transaction.
 * Reads only: every write goes through HoldWriter.
 */
export class HoldFacts {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      // CROSS JOIN keeps json_each as the outer loop: look up the requested seats, never scan the event.
      seats: db.prepare<[string, number], SeatRowFact>(
        `SELECT s.id, s.zone_id, s.label, s.blocked, s.blocked_reason, p.price_cents
         FROM json_each(?) j CROSS JOIN seats s ON s.id = j.value
         JOIN price_tiers p ON p.id = s.price_tier_id
         WHERE s.event_id = ?`,
      ),
      onSeats: db.prepare<[string], OnSeatRow>(
        `SELECT t.id, t.seat_id, t.zone_id, t.status, t.reserved_until, t.session_id, t.transaction_id,
                x.status AS tx_status, x.actor, s.label
         FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id JOIN seats s ON s.id = t.seat_id
         WHERE t.seat_id IN (SELECT value FROM json_each(?)) AND t.${LIVE}`,
      ),
      lateInZone: db.prepare<[number, number], { id: number; transaction_id: string; quantity: number }>(
        `SELECT id, transaction_id, quantity FROM reserved_tickets
         WHERE zone_id = ? AND seat_id IS NULL AND status = 'ACTIVE' AND reserved_until <= ?`,
      ),
      // The session's cart in this event and its live held count (the per-user limit): one statement.
      session: db.prepare<
        [{ event: number; session: string; now: number }],
        { cart_id: string | null; held: number }
      >(
        `SELECT (SELECT id FROM transactions
                 WHERE event_id = @event AND session_id = @session AND status = 'PENDING') AS cart_id,
                -- Through the session's open carts (carts_by_session), then their tickets.
                (SELECT COALESCE(SUM(t.quantity), 0)
                 FROM transactions x CROSS JOIN reserved_tickets t ON t.transaction_id = x.id
                 WHERE x.session_id = @session AND x.status = 'PENDING' AND t.session_id = @session
                   AND t.status = 'ACTIVE' AND t.reserved_until > @now) AS held`,
      ),
      cartOf: db.prepare<[number, string], TransactionRow>(
        `SELECT ${TX_COLUMNS} FROM transactions WHERE event_id = ? AND session_id = ? AND status = 'PENDING'`,
      ),
      sessionCarts: db.prepare<[string], TransactionRow>(
        `SELECT ${TX_COLUMNS} FROM transactions WHERE session_id = ? AND status = 'PENDING'`,
      ),
      transaction: db.prepare<[string], TransactionRow>(
        `SELECT ${TX_COLUMNS} FROM transactions WHERE id = ?`,
      ),
      reservations: db.prepare<[{ event: number | null }], TransactionRow>(
        `SELECT ${TX_COLUMNS} FROM transactions WHERE status = 'RESERVED' AND (@event IS NULL OR event_id = @event)`,
      ),
      activeOf: db.prepare<[string], TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE'`,
      ),
      activeOnSeats: db.prepare<[string, string], TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE' AND t.seat_id IN (SELECT value FROM json_each(?))`,
      ),
      activeInZone: db.prepare<[string, number], TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE' AND t.seat_id IS NULL AND t.zone_id = ?`,
      ),
      liveOnSeat: db.prepare<[number], TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.seat_id = ? AND t.${LIVE}`,
      ),
      otherGaHolds: db.prepare<[number, string], TicketRow>(
        `SELECT ${TICKET_COLUMNS} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.zone_id = ? AND t.seat_id IS NULL AND t.status = 'ACTIVE' AND t.transaction_id <> ?
         ORDER BY t.reserved_until`,
      ),
      touched: db.prepare<
        [string],
        { id: string; status: TransactionRow['status']; reserved_until: number | null; active_left: number }
      >(
        `SELECT x.id, x.status, x.reserved_until,
                EXISTS (SELECT 1 FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.status = 'ACTIVE')
                  AS active_left
         FROM transactions x WHERE x.id IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  /** The requested seats the event has. */
  seats(eventId: number, seatIds: readonly number[]): SeatFact[] {
    return this.sql.seats.all(JSON.stringify(seatIds), eventId).map((s) => ({
      seatId: s.id,
      zoneId: s.zone_id,
      label: s.label,
      priceCents: s.price_cents,
      blocked: s.blocked === 1,
      blockedReason: s.blocked_reason,
    }));
  }

  /** Every ACTIVE or COMPLETED ticket on these seats, late holds included. */
  onSeats(seatIds: readonly number[]): SeatTicketFact[] {
    return this.sql.onSeats.all(JSON.stringify(seatIds)).map((t) => ({
      ticketId: t.id,
      seatId: t.seat_id,
      zoneId: t.zone_id,
      label: t.label,
      status: t.status,
      reservedUntil: t.reserved_until,
      sessionId: t.session_id,
      transactionId: t.transaction_id,
      transactionStatus: t.tx_status,
      actor: t.actor,
    }));
  }

  zone(zone: ZoneRow): ZoneFact {
    return {
      zoneId: zone.id,
      name: zone.name,
      kind: zone.kind,
      capacity: zone.capacity,
      used: zone.used,
      priceCents: zone.price_cents,
    };
  }

  lateInZone(zoneId: number, now: number): LateZoneHold[] {
    return this.sql.lateInZone
      .all(zoneId, now)
      .map((t) => ({ ticketId: t.id, transactionId: t.transaction_id, quantity: t.quantity }));
  }

  session(eventId: number, sessionId: string, now: number): SessionFact {
    const row = this.sql.session.get({ event: eventId, session: sessionId, now })!;
    return { sessionId, cartId: row.cart_id, held: row.held };
  }

  cartOf(eventId: number, sessionId: string): TransactionRow | undefined {
    return this.sql.cartOf.get(eventId, sessionId);
  }

  sessionCarts(sessionId: string): TransactionRow[] {
    return this.sql.sessionCarts.all(sessionId);
  }

  transaction(transactionId: string): TransactionRow | undefined {
    return this.sql.transaction.get(transactionId);
  }

  reservations(eventId: number | null): TransactionRow[] {
    return this.sql.reservations.all({ event: eventId });
  }

  activeOf(transactionId: string): TicketRow[] {
    return this.sql.activeOf.all(transactionId);
  }

  activeOnSeats(transactionId: string, seatIds: readonly number[]): TicketRow[] {
    return this.sql.activeOnSeats.all(transactionId, JSON.stringify(seatIds));
  }

  activeInZone(transactionId: string, zoneId: number): TicketRow[] {
    return this.sql.activeInZone.all(transactionId, zoneId);
  }

  liveOnSeat(seatId: number): TicketRow[] {
    return this.sql.liveOnSeat.all(seatId);
  }

  /** Other carts' standing-place holds in the zone, earliest-ending first. */
  otherGaHolds(zoneId: number, transactionId: string): TicketRow[] {
    return this.sql.otherGaHolds.all(zoneId, transactionId);
  }

  /**
   * The transactions and whether each still has an ACTIVE ticket (activeLeft 0 or 1: decideEmptied
   * asks only "none left?", and EXISTS stops at the first; cleanup touches thousands per batch).
   */
  touched(transactionIds: Iterable<string>): (TouchedTransactionFact & { reservedUntil: number | null })[] {
    return this.sql.touched.all(JSON.stringify([...transactionIds])).map((t) => ({
      transactionId: t.id,
      status: t.status,
      activeLeft: t.active_left,
      reservedUntil: t.reserved_until,
    }));
  }
}

/** A transaction row as the hold rules see it. */
export function transactionFact(tx: TransactionRow): TransactionFact {
  return {
    transactionId: tx.id,
    status: tx.status,
    reservedUntil: tx.reserved_until,
    createdAt: tx.created_at,
  };
}

/** A ticket row as the hold rules see it (the one mapping the server's store uses too). */
export function heldTicketFact(t: TicketRow): HeldTicketFact {
  return heldTicketFromRow(t);
}

interface SeatRowFact {
  id: number;
  zone_id: number;
  label: string;
  blocked: number;
  blocked_reason: string | null;
  price_cents: number;
}

interface OnSeatRow {
  id: number;
  seat_id: number;
  zone_id: number;
  status: 'ACTIVE' | 'COMPLETED';
  reserved_until: number;
  session_id: string;
  transaction_id: string;
  tx_status: TransactionRow['status'];
  actor: string;
  label: string;
}
