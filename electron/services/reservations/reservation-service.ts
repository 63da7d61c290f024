import { randomUUID } from 'node:crypto';
import { assertCartAsExpected } from '../../../shared/cart-expectation.ts';
import type { Clock } from '../../../shared/clock.ts';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { type SeatConflict, TaquillaError, type TicketView } from '../../../shared/errors.ts';
import {
  assertTransactionTransition,
  extendedUntil,
  reservationLengthMs,
  type TicketStatus,
  type TransactionStatus,
} from '../../../shared/lifecycle.ts';
import {
  blockSeatsInput,
  cancelInput,
  cleanupInput,
  completeInput,
  convertToPartialInput,
  extendHoldsInput,
  extendReservationsInput,
  holdGeneralInput,
  holdSeatsInput,
  releaseGeneralInput,
  releaseSeatsInput,
  releaseSessionInput,
  unblockSeatsInput,
} from '../../../shared/schemas/reservations.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import { AuditTrail } from './audit-trail.ts';
import { Catalog } from './catalog.ts';
import { ChangeFeedWriter, ChangeSet } from './change-set.ts';
import type { TicketRow, TransactionRow } from './rows.ts';
import { type AdoptResult, ServerStateCopier, type ServerTransactionState } from './server-state.ts';

export interface HeldTicket extends TicketView {
  ticketId: number;
}

export interface HoldResult {
  transactionId: string;
  tickets: HeldTicket[];
  /** Seats the session already held before this request (asking again is harmless). */
  alreadyHeld: number[];
  version: number;
}

export interface TransactionSummary {
  transactionId: string;
  status: TransactionStatus;
  reservedUntil: number | null;
  tickets: number;
  totalCents: number;
}

/** A transaction that reached COMPLETED, RESERVED or CANCELLED, as listeners see it. */
export interface SettledTransaction {
  transactionId: string;
  eventId: number;
  sessionId: string;
  status: 'COMPLETED' | 'RESERVED' | 'CANCELLED';
  from: TransactionStatus;
  actor: string;
  at: number;
  reservedUntil: number | null;
  /**
   * RESERVED only: a deposit (abono, money taken) or a kiosk's "Pagar en taquilla" reservation
   * (nothing paid yet; the kiosk prints its slip, not a deposit receipt).
   */
  reservation?: 'deposit' | 'pay-at-counter';
  tickets: HeldTicket[];
  totalCents: number;
}

/**
 * Runs inside the write transaction that settles a sale, so what it writes (print jobs, outbox
 * entries) commits or rolls back with the sale. A throw refuses the sale.
 */
export type SettledListener = (settled: SettledTransaction) => void;

export interface CleanupResult {
  expiredTickets: number;
  expiredTransactions: number;
  batches: number;
}

interface SeatRow {
  id: number;
  zone_id: number;
  label: string;
  blocked: number;
  blocked_reason: string | null;
  price_cents: number;
  kind: 'numbered' | 'general';
}

type MovedTicket = Pick<TicketRow, 'id' | 'transaction_id' | 'event_id' | 'zone_id' | 'seat_id'>;

const LIVE = "status IN ('ACTIVE', 'COMPLETED')"; // the exact term of the partial unique index

/**
 * The reservation engine. Every write runs inside BEGIN IMMEDIATE, so the read that decides and the
 * write that follows see one state even when several processes share the file; the schema's unique
 * partial index and CHECKs refuse a double booking even if a code path forgot to look.
 */
export class ReservationService {
  private readonly catalog: Catalog;
  private readonly audit: AuditTrail;
  private readonly feed: ChangeFeedWriter;
  private readonly sql;
  private readonly settledListeners: SettledListener[] = [];
  private readonly serverCopy: ServerStateCopier;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {
    this.catalog = new Catalog(db);
    this.audit = new AuditTrail(db);
    this.feed = new ChangeFeedWriter(db);
    this.serverCopy = new ServerStateCopier(db, this.catalog, this.audit, {
      releaseTickets: (tickets, now, actor, reason, changes) =>
        this.releaseTickets(tickets, now, actor, reason, changes),
      closeIfEmpty: (tx, to, now, actor, reason) => this.closeIfEmpty(tx, to, now, actor, reason),
      announceCompleted: (tx, actor, now, tickets) =>
        this.notifySettled(tx, 'COMPLETED', actor, now, null, tickets),
    });
    const ticketColumns = `t.id, t.transaction_id, t.event_id, t.zone_id, t.seat_id, t.quantity, t.status,
      t.reserved_until, t.created_at, t.price_cents,
      COALESCE(s.label, z.name) AS label`;
    this.sql = {
      // CROSS JOIN keeps json_each as the outer loop: look up the requested seats, never scan the event.
      seats: db.prepare<[string, number], SeatRow>(
        `SELECT s.id, s.zone_id, s.label, s.blocked, s.blocked_reason, p.price_cents, z.kind
         FROM json_each(?) j CROSS JOIN seats s ON s.id = j.value
         JOIN price_tiers p ON p.id = s.price_tier_id JOIN zones z ON z.id = s.zone_id
         WHERE s.event_id = ?`,
      ),
      expireSeatHolds: db.prepare<[{ now: number; ids: string }], MovedTicket>(
        `UPDATE reserved_tickets SET status = 'EXPIRED', updated_at = @now
         WHERE seat_id IN (SELECT value FROM json_each(@ids)) AND ${LIVE}
           AND status = 'ACTIVE' AND reserved_until <= @now
         RETURNING id, transaction_id, event_id, zone_id, seat_id`,
      ),
      expireZoneHolds: db.prepare<[{ now: number; zone: number }], MovedTicket>(
        `UPDATE reserved_tickets SET status = 'EXPIRED', updated_at = @now
         WHERE zone_id = @zone AND seat_id IS NULL AND status = 'ACTIVE' AND reserved_until <= @now
         RETURNING id, transaction_id, event_id, zone_id, seat_id`,
      ),
      liveOnSeats: db.prepare<
        [string],
        {
          seat_id: number;
          status: TicketStatus;
          reserved_until: number;
          session_id: string;
          transaction_id: string;
          tx_status: TransactionStatus;
          actor: string;
          label: string;
        }
      >(
        `SELECT t.seat_id, t.status, t.reserved_until, t.session_id, t.transaction_id,
                x.status AS tx_status, x.actor, s.label
         FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id JOIN seats s ON s.id = t.seat_id
         WHERE t.seat_id IN (SELECT value FROM json_each(?)) AND t.${LIVE}`,
      ),
      sessionHeld: db.prepare<[string, number], { held: number }>(
        `SELECT COALESCE(SUM(t.quantity), 0) AS held
         FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
         WHERE t.session_id = ? AND t.status = 'ACTIVE' AND x.status = 'PENDING' AND t.reserved_until > ?`,
      ),
      cartOf: db.prepare<[number, string], TransactionRow>(
        `SELECT id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at
         FROM transactions WHERE event_id = ? AND session_id = ? AND status = 'PENDING'`,
      ),
      sessionCarts: db.prepare<[string], TransactionRow>(
        `SELECT id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at
         FROM transactions WHERE session_id = ? AND status = 'PENDING'`,
      ),
      transaction: db.prepare<[string], TransactionRow>(
        `SELECT id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at
         FROM transactions WHERE id = ?`,
      ),
      insertTransaction: db.prepare<[string, number, number, string, string, number, number]>(
        `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
      ),
      setTransactionStatus: db.prepare<
        [{ status: TransactionStatus; now: number; until: number | null; id: string }]
      >(
        `UPDATE transactions SET status = @status, updated_at = @now, reserved_until = @until,
           completed_at = CASE WHEN @status = 'COMPLETED' THEN @now ELSE completed_at END
         WHERE id = @id`,
      ),
      setCustomer: db.prepare<[string | null, string | null, string | null, string]>(
        'UPDATE transactions SET customer_name = ?, customer_id_number = ?, customer_phone = ? WHERE id = ?',
      ),
      insertTicket: db.prepare<
        [string, number, number, number | null, number, string, number, number, number, number],
        { id: number }
      >(
        `INSERT INTO reserved_tickets (transaction_id, event_id, zone_id, seat_id, quantity, session_id,
           price_cents, status, reserved_until, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?) RETURNING id`,
      ),
      activeTicketsOf: db.prepare<[string], TicketRow>(
        `SELECT ${ticketColumns} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE'`,
      ),
      sessionTicketsOnSeats: db.prepare<[string, string], TicketRow>(
        `SELECT ${ticketColumns} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE' AND t.seat_id IN (SELECT value FROM json_each(?))`,
      ),
      sessionTicketsInZone: db.prepare<[string, number], TicketRow>(
        `SELECT ${ticketColumns} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE' AND t.seat_id IS NULL AND t.zone_id = ?`,
      ),
      setTicketStatus: db.prepare<[TicketStatus, number, number]>(
        'UPDATE reserved_tickets SET status = ?, updated_at = ? WHERE id = ?',
      ),
      setTicketUntil: db.prepare<[number, number, number]>(
        'UPDATE reserved_tickets SET reserved_until = ?, updated_at = ? WHERE id = ?',
      ),
      openTransactionLeft: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM reserved_tickets WHERE transaction_id = ? AND status = 'ACTIVE'`,
      ),
      expireBatch: db.prepare<[{ now: number; limit: number }], MovedTicket>(
        `UPDATE reserved_tickets SET status = 'EXPIRED', updated_at = @now
         WHERE id IN (SELECT id FROM reserved_tickets WHERE status = 'ACTIVE' AND reserved_until <= @now
                      ORDER BY reserved_until LIMIT @limit)
         RETURNING id, transaction_id, event_id, zone_id, seat_id`,
      ),
      reservedToExtend: db.prepare<[{ event: number | null }], TransactionRow>(
        `SELECT id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at
         FROM transactions WHERE status = 'RESERVED' AND (@event IS NULL OR event_id = @event)`,
      ),
      setBlocked: db.prepare<[number, string | null, number]>(
        'UPDATE seats SET blocked = ?, blocked_reason = ? WHERE id = ?',
      ),
      auditTickets: db.prepare<[{ at: number; actor: string; to: string; reason: string; ids: string }]>(
        `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
         SELECT @at, @actor, 'ticket', value, 'ACTIVE', @to, @reason FROM json_each(@ids)`,
      ),
      closable: db.prepare<[string], TransactionRow>(
        `SELECT id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at FROM transactions x
         WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('PENDING', 'RESERVED')
           AND NOT EXISTS (SELECT 1 FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.status = 'ACTIVE')`,
      ),
      recordContention: db.prepare<[number, number, number]>(
        `INSERT INTO seat_contention (seat_id, event_id, refused, last_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (seat_id) DO UPDATE SET refused = refused + 1, last_at = excluded.last_at`,
      ),
    };
  }

  /** Registers work that must commit together with every settled transaction. */
  onSettled(listener: SettledListener): () => void {
    this.settledListeners.push(listener);
    return () => {
      const i = this.settledListeners.indexOf(listener);
      if (i >= 0) this.settledListeners.splice(i, 1);
    };
  }

  // ---- temporary holds -------------------------------------------------------------------------

  /** Holds every requested seat for the session, or none of them. */
  holdSeats(raw: unknown): HoldResult {
    const input = parseInput(holdSeatsInput, raw);
    try {
      return this.db
        .transaction(() => {
          const now = this.clock.now();
          const event = this.catalog.event(input.eventId);
          const settings = this.catalog.settings(event.tenant_id);
          const ids = JSON.stringify(input.seatIds);
          const seats = this.sql.seats.all(ids, event.id);
          this.assertSeatsExist(input.seatIds, seats);
          const blocked = seats.filter((s) => s.blocked === 1);
          if (blocked.length > 0) {
            throw new TaquillaError(
              'SEAT_BLOCKED',
              `Not on sale: ${blocked.map((s) => s.label).join(', ')}`,
              {
                seats: blocked.map((s) => ({ seatId: s.id, label: s.label, reason: s.blocked_reason })),
              },
            );
          }
          const changes = new ChangeSet();
          // An expired hold blocks nobody: settle it now, inside this transaction, before deciding.
          this.settle(
            this.sql.expireSeatHolds.all({ now, ids }),
            'EXPIRED',
            now,
            'system',
            'hold time ran out',
            changes,
            this.sql.cartOf.get(event.id, input.sessionId)?.id,
          );

          const cart = this.sql.cartOf.get(event.id, input.sessionId);
          const alreadyHeld: number[] = [];
          const conflicts: SeatConflict[] = [];
          for (const live of this.sql.liveOnSeats.all(ids)) {
            if (cart && live.transaction_id === cart.id) {
              alreadyHeld.push(live.seat_id);
              continue;
            }
            conflicts.push({
              seatId: live.seat_id,
              label: live.label,
              state:
                live.status === 'COMPLETED' ? 'sold' : live.tx_status === 'RESERVED' ? 'reserved' : 'held',
              ...(live.status === 'ACTIVE' ? { heldUntil: live.reserved_until } : {}),
              heldBySession: live.session_id,
              heldByActor: live.actor,
            });
          }
          if (conflicts.length > 0) {
            throw new TaquillaError(
              'SEAT_TAKEN',
              `Already taken: ${conflicts.map((c) => c.label).join(', ')}`,
              {
                seats: conflicts,
              },
            );
          }
          const toHold = seats.filter((s) => !alreadyHeld.includes(s.id));
          this.assertWithinLimit(input.sessionId, toHold.length, settings.MAX_RESERVATIONS_PER_USER, now);

          const transactionId =
            cart?.id ?? this.openCart(event.tenant_id, event.id, input.sessionId, input.actor, now);
          const until = now + settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS;
          const tickets: HeldTicket[] = [];
          for (const seat of toHold) {
            const { id } = this.sql.insertTicket.get(
              transactionId,
              event.id,
              seat.zone_id,
              seat.id,
              1,
              input.sessionId,
              seat.price_cents,
              until,
              now,
              now,
            )!;
            this.audit.record(now, input.actor, 'ticket', id, null, 'ACTIVE', `hold ${seat.label}`);
            changes.seat(event.id, seat.zone_id, seat.id);
            tickets.push({
              ticketId: id,
              seatId: seat.id,
              zoneId: seat.zone_id,
              label: seat.label,
              quantity: 1,
              priceCents: seat.price_cents,
              reservedUntil: until,
            });
          }
          const versions = this.feed.flush(changes);
          return { transactionId, tickets, alreadyHeld, version: versions.get(event.id) ?? event.version };
        })
        .immediate();
    } catch (error) {
      if (error instanceof TaquillaError && error.code === 'SEAT_TAKEN') {
        this.noteContention(input.eventId, (error.details as { seats: SeatConflict[] }).seats);
      }
      throw this.translate(error);
    }
  }

  /** Holds a quantity in a general-admission zone; the zone's CHECK refuses going over capacity. */
  holdGeneral(raw: unknown): HoldResult {
    const input = parseInput(holdGeneralInput, raw);
    try {
      return this.db
        .transaction(() => {
          const now = this.clock.now();
          const event = this.catalog.event(input.eventId);
          const settings = this.catalog.settings(event.tenant_id);
          const zone = this.catalog.zone(event.id, input.zoneId);
          if (zone.kind !== 'general') {
            throw new TaquillaError('WRONG_ZONE_KIND', `${zone.name} has numbered seats: choose seats`, {
              zoneId: zone.id,
              kind: zone.kind,
            });
          }
          const changes = new ChangeSet();
          this.settle(
            this.sql.expireZoneHolds.all({ now, zone: zone.id }),
            'EXPIRED',
            now,
            'system',
            'hold time ran out',
            changes,
            this.sql.cartOf.get(event.id, input.sessionId)?.id,
          );
          const used = this.catalog.zone(event.id, zone.id).used;
          const available = zone.capacity - used;
          if (input.quantity > available) {
            throw new TaquillaError('ZONE_FULL', `${zone.name}: only ${available} left`, {
              zoneId: zone.id,
              zoneName: zone.name,
              requested: input.quantity,
              available,
            });
          }
          this.assertWithinLimit(input.sessionId, input.quantity, settings.MAX_RESERVATIONS_PER_USER, now);
          const cart = this.sql.cartOf.get(event.id, input.sessionId);
          const transactionId =
            cart?.id ?? this.openCart(event.tenant_id, event.id, input.sessionId, input.actor, now);
          const until = now + settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS;
          const { id } = this.sql.insertTicket.get(
            transactionId,
            event.id,
            zone.id,
            null,
            input.quantity,
            input.sessionId,
            zone.price_cents,
            until,
            now,
            now,
          )!;
          this.audit.record(
            now,
            input.actor,
            'ticket',
            id,
            null,
            'ACTIVE',
            `hold ${input.quantity} × ${zone.name}`,
          );
          changes.seat(event.id, zone.id, null);
          const versions = this.feed.flush(changes);
          return {
            transactionId,
            tickets: [
              {
                ticketId: id,
                seatId: null,
                zoneId: zone.id,
                label: zone.name,
                quantity: input.quantity,
                priceCents: zone.price_cents,
                reservedUntil: until,
              },
            ],
            alreadyHeld: [],
            version: versions.get(event.id) ?? event.version,
          };
        })
        .immediate();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Deselecting seats cancels their holds; seats the session does not hold are reported, not touched. */
  releaseSeats(raw: unknown): { released: number[]; notHeld: number[] } {
    const input = parseInput(releaseSeatsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        const cart = this.sql.cartOf.get(input.eventId, input.sessionId);
        const tickets = cart
          ? this.sql.sessionTicketsOnSeats.all(cart.id, JSON.stringify(input.seatIds))
          : [];
        const changes = new ChangeSet();
        this.releaseTickets(tickets, now, input.actor, 'deselected', changes);
        if (cart) this.closeIfEmpty(cart, 'CANCELLED', now, input.actor, 'cart emptied');
        this.feed.flush(changes);
        const released = tickets.map((t) => t.seat_id!);
        return { released, notHeld: input.seatIds.filter((id) => !released.includes(id)) };
      })
      .immediate();
  }

  releaseGeneral(raw: unknown): { released: number } {
    const input = parseInput(releaseGeneralInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.zone(input.eventId, input.zoneId);
        const cart = this.sql.cartOf.get(input.eventId, input.sessionId);
        const tickets = cart ? this.sql.sessionTicketsInZone.all(cart.id, input.zoneId) : [];
        const changes = new ChangeSet();
        this.releaseTickets(tickets, now, input.actor, 'deselected', changes);
        if (cart) this.closeIfEmpty(cart, 'CANCELLED', now, input.actor, 'cart emptied');
        this.feed.flush(changes);
        return { released: tickets.reduce((sum, t) => sum + t.quantity, 0) };
      })
      .immediate();
  }

  /** Logout or kiosk reset: every temporary hold of the session, in every event, in one write. */
  releaseSession(raw: unknown): { released: number; transactions: string[] } {
    const input = parseInput(releaseSessionInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const changes = new ChangeSet();
        let released = 0;
        const carts = this.sql.sessionCarts.all(input.sessionId);
        for (const cart of carts) {
          const tickets = this.sql.activeTicketsOf.all(cart.id);
          released += this.releaseTickets(tickets, now, input.actor, 'session ended', changes);
          this.closeIfEmpty(cart, 'CANCELLED', now, input.actor, 'session ended');
        }
        this.feed.flush(changes);
        return { released, transactions: carts.map((c) => c.id) };
      })
      .immediate();
  }

  /** Gives the session's live holds more time, never past creation + MAX_HOLD_LIFETIME_MINUTES. */
  extendHolds(raw: unknown): { transactionId: string; tickets: HeldTicket[] } {
    const input = parseInput(extendHoldsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const event = this.catalog.event(input.eventId);
        const settings = this.catalog.settings(event.tenant_id);
        const cart = this.sql.cartOf.get(event.id, input.sessionId);
        const live = cart ? this.sql.activeTicketsOf.all(cart.id).filter((t) => t.reserved_until > now) : [];
        if (!cart || live.length === 0) {
          throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to extend', {
            sessionId: input.sessionId,
          });
        }
        const minutes = input.minutes ?? settings.TEMPORARY_HOLD_MINUTES;
        const maxLifetime = settings.MAX_HOLD_LIFETIME_MINUTES * MINUTE_MS;
        const extended: HeldTicket[] = [];
        for (const t of live) {
          const next = extendedUntil(t.created_at, t.reserved_until, now + minutes * MINUTE_MS, maxLifetime);
          if (next === null) continue;
          this.sql.setTicketUntil.run(next, now, t.id);
          this.audit.record(now, input.actor, 'ticket', t.id, 'ACTIVE', 'ACTIVE', `extended to ${next}`);
          extended.push(toHeld({ ...t, reserved_until: next }));
        }
        if (extended.length === 0) {
          const maxUntil = Math.min(...live.map((t) => t.created_at + maxLifetime));
          throw new TaquillaError('EXTENSION_LIMIT', 'These holds cannot be extended any further', {
            maxUntil,
          });
        }
        const changes = new ChangeSet();
        for (const t of live) changes.seat(t.event_id, t.zone_id, t.seat_id);
        this.feed.flush(changes);
        return { transactionId: cart.id, tickets: extended };
      })
      .immediate();
  }

  // ---- transactions ----------------------------------------------------------------------------

  /** Checkout with a deposit: the cart becomes a RESERVED transaction that keeps its seats for hours. */
  convertToPartial(raw: unknown): TransactionSummary {
    const input = parseInput(convertToPartialInput, raw);
    return this.durableWrite(() => {
      const now = this.clock.now();
      const tx = this.transactionOrThrow(input.transactionId);
      assertTransactionTransition(tx.id, tx.status, 'RESERVED');
      const settings = this.catalog.settings(tx.tenant_id);
      const tickets = this.liveTicketsOrThrow(tx, now);
      assertCartAsExpected(tx.id, input.expect, tickets.map(toHeld));
      const until = now + reservationLengthMs(input, settings.PARTIAL_PAYMENT_HOURS);
      for (const t of tickets) this.sql.setTicketUntil.run(until, now, t.id);
      this.sql.setTransactionStatus.run({ status: 'RESERVED', now: now, until: until, id: tx.id });
      if (input.customer) {
        const c = input.customer;
        this.sql.setCustomer.run(c.name, c.idNumber ?? null, c.phone ?? null, tx.id);
      }
      this.audit.record(
        now,
        input.actor,
        'transaction',
        tx.id,
        tx.status,
        'RESERVED',
        input.minutes !== undefined
          ? `pay at the counter, ${input.minutes} min`
          : `partial payment, ${input.hours ?? settings.PARTIAL_PAYMENT_HOURS} h`,
      );
      const changes = new ChangeSet();
      for (const t of tickets) changes.seat(t.event_id, t.zone_id, t.seat_id);
      this.feed.flush(changes);
      // Listeners run inside this write (printing queues the deposit receipt with the reservation).
      const reservation = input.minutes !== undefined ? 'pay-at-counter' : 'deposit';
      this.notifySettled(tx, 'RESERVED', input.actor, now, until, tickets, reservation);
      return summary(tx.id, 'RESERVED', until, tickets);
    });
  }

  /** Full payment: every live ticket of the transaction is sold. */
  complete(raw: unknown): TransactionSummary {
    const input = parseInput(completeInput, raw);
    return this.durableWrite(() => {
      const now = this.clock.now();
      const tx = this.transactionOrThrow(input.transactionId);
      assertTransactionTransition(tx.id, tx.status, 'COMPLETED');
      const tickets = this.liveTicketsOrThrow(tx, now);
      assertCartAsExpected(tx.id, input.expect, tickets.map(toHeld));
      const changes = new ChangeSet();
      for (const t of tickets) {
        this.sql.setTicketStatus.run('COMPLETED', now, t.id);
        this.audit.record(now, input.actor, 'ticket', t.id, 'ACTIVE', 'COMPLETED', 'sold');
        changes.seat(t.event_id, t.zone_id, t.seat_id);
      }
      this.sql.setTransactionStatus.run({ status: 'COMPLETED', now: now, until: null, id: tx.id });
      this.audit.record(now, input.actor, 'transaction', tx.id, tx.status, 'COMPLETED', 'paid in full');
      this.feed.flush(changes);
      this.notifySettled(tx, 'COMPLETED', input.actor, now, null, tickets);
      return summary(tx.id, 'COMPLETED', null, tickets);
    });
  }

  /** A cashier abandons a cart or a supervisor cancels a reservation: the seats go back on sale. */
  cancel(raw: unknown): TransactionSummary {
    const input = parseInput(cancelInput, raw);
    return this.durableWrite(() => {
      const now = this.clock.now();
      const tx = this.transactionOrThrow(input.transactionId);
      assertTransactionTransition(tx.id, tx.status, 'CANCELLED');
      const tickets = this.sql.activeTicketsOf.all(tx.id);
      const changes = new ChangeSet();
      this.releaseTickets(tickets, now, input.actor, input.reason, changes);
      this.sql.setTransactionStatus.run({ status: 'CANCELLED', now: now, until: null, id: tx.id });
      this.audit.record(now, input.actor, 'transaction', tx.id, tx.status, 'CANCELLED', input.reason);
      this.feed.flush(changes);
      this.notifySettled(tx, 'CANCELLED', input.actor, now, null, tickets);
      return summary(tx.id, 'CANCELLED', null, tickets);
    });
  }

  /** Supervisor's mass extension of partial-payment reservations (the seed's extend_reservations). */
  extendReservations(raw: unknown): { extended: number; capped: number; expired: number } {
    const input = parseInput(extendReservationsInput, raw);
    return this.durableWrite(() => {
      const now = this.clock.now();
      if (input.eventId !== undefined) this.catalog.event(input.eventId);
      let extended = 0;
      let capped = 0;
      let expired = 0;
      const changes = new ChangeSet();
      for (const tx of this.sql.reservedToExtend.all({ event: input.eventId ?? null })) {
        // A reservation whose time has run out is expired, not revived.
        if (tx.reserved_until !== null && tx.reserved_until <= now) {
          expired += 1;
          continue;
        }
        const settings = this.catalog.settings(tx.tenant_id);
        const current = tx.reserved_until ?? now;
        const next = extendedUntil(
          tx.created_at,
          current,
          current + input.hours * HOUR_MS,
          settings.MAX_RESERVATION_LIFETIME_HOURS * HOUR_MS,
        );
        if (next === null) {
          capped += 1;
          continue;
        }
        if (next < current + input.hours * HOUR_MS) capped += 1;
        for (const t of this.sql.activeTicketsOf.all(tx.id)) {
          this.sql.setTicketUntil.run(next, now, t.id);
          changes.seat(t.event_id, t.zone_id, t.seat_id);
        }
        this.sql.setTransactionStatus.run({ status: 'RESERVED', now: now, until: next, id: tx.id });
        this.audit.record(
          now,
          input.actor,
          'transaction',
          tx.id,
          'RESERVED',
          'RESERVED',
          `extended to ${next}`,
        );
        extended += 1;
      }
      this.feed.flush(changes);
      return { extended, capped, expired };
    });
  }

  /**
   * Marks holds whose time has passed as EXPIRED, in batches so other writers get the lock between
   * them. Correctness never waits for this: expired holds already block nobody.
   */
  cleanupExpired(raw: unknown = {}): CleanupResult {
    const input = parseInput(cleanupInput, raw);
    const batchSize = input.batchSize ?? 5000;
    const result: CleanupResult = { expiredTickets: 0, expiredTransactions: 0, batches: 0 };
    const runBatch = this.db.transaction(() => {
      const now = this.clock.now();
      const moved = this.sql.expireBatch.all({ now, limit: batchSize });
      const changes = new ChangeSet();
      const closed = this.settle(moved, 'EXPIRED', now, 'system', 'cleanup: hold time ran out', changes);
      this.feed.flush(changes);
      return { moved: moved.length, closed };
    });
    for (;;) {
      const { moved, closed } = runBatch.immediate();
      if (moved === 0) break;
      result.batches += 1;
      result.expiredTickets += moved;
      result.expiredTransactions += closed;
      if (moved < batchSize) break;
    }
    return result;
  }

  /**
   * An enrolled terminal's copy of what the central server decided on one transaction (the server is
   * the authority): stale local holds in the way give way, a cart closed here is reopened or sold.
   * A sale completed this way reaches the settle listeners (printing) like a local one.
   */
  adoptServerState(state: ServerTransactionState): AdoptResult {
    const write = () => {
      const now = this.clock.now();
      const changes = new ChangeSet();
      const result = this.serverCopy.adopt(state, now, changes);
      this.feed.flush(changes);
      return result;
    };
    if (state.status === 'PENDING') {
      try {
        return this.db.transaction(write).immediate();
      } catch (error) {
        throw this.translate(error);
      }
    }
    return this.durableWrite(write);
  }

  // ---- house seats -----------------------------------------------------------------------------

  blockSeats(raw: unknown): { blocked: number[] } {
    const input = parseInput(blockSeatsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        const ids = JSON.stringify(input.seatIds);
        const seats = this.sql.seats.all(ids, input.eventId);
        this.assertSeatsExist(input.seatIds, seats);
        const changes = new ChangeSet();
        this.settle(
          this.sql.expireSeatHolds.all({ now, ids }),
          'EXPIRED',
          now,
          'system',
          'hold time ran out',
          changes,
        );
        const taken = this.sql.liveOnSeats.all(ids);
        if (taken.length > 0) {
          throw new TaquillaError(
            'SEAT_TAKEN',
            `Cannot block, taken: ${taken.map((t) => t.label).join(', ')}`,
            {
              seats: taken.map((t) => ({
                seatId: t.seat_id,
                label: t.label,
                state: t.status === 'COMPLETED' ? 'sold' : t.tx_status === 'RESERVED' ? 'reserved' : 'held',
                ...(t.status === 'ACTIVE' ? { heldUntil: t.reserved_until } : {}),
                heldBySession: t.session_id,
                heldByActor: t.actor,
              })),
            },
          );
        }
        const reason = input.reason ?? 'house seat';
        const blocked: number[] = [];
        for (const seat of seats) {
          if (seat.blocked === 1) continue;
          this.sql.setBlocked.run(1, reason, seat.id);
          this.audit.record(now, input.actor, 'seat', seat.id, 'free', 'blocked', reason);
          changes.seat(input.eventId, seat.zone_id, seat.id);
          blocked.push(seat.id);
        }
        this.feed.flush(changes);
        return { blocked };
      })
      .immediate();
  }

  unblockSeats(raw: unknown): { unblocked: number[] } {
    const input = parseInput(unblockSeatsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        const seats = this.sql.seats.all(JSON.stringify(input.seatIds), input.eventId);
        this.assertSeatsExist(input.seatIds, seats);
        const changes = new ChangeSet();
        const unblocked: number[] = [];
        for (const seat of seats) {
          if (seat.blocked === 0) continue;
          this.sql.setBlocked.run(0, null, seat.id);
          this.audit.record(now, input.actor, 'seat', seat.id, 'blocked', 'free', 'back on sale');
          changes.seat(input.eventId, seat.zone_id, seat.id);
          unblocked.push(seat.id);
        }
        this.feed.flush(changes);
        return { unblocked };
      })
      .immediate();
  }

  // ---- internals -------------------------------------------------------------------------------

  private durableWrite<T>(write: () => T): T {
    try {
      return withDurableCommit(this.db, () => this.db.transaction(write).immediate());
    } catch (error) {
      throw this.translate(error);
    }
  }

  private notifySettled(
    tx: TransactionRow,
    status: SettledTransaction['status'],
    actor: string,
    at: number,
    reservedUntil: number | null,
    tickets: TicketRow[],
    reservation?: SettledTransaction['reservation'],
  ): void {
    if (this.settledListeners.length === 0) return;
    const settled: SettledTransaction = {
      transactionId: tx.id,
      eventId: tx.event_id,
      sessionId: tx.session_id,
      status,
      from: tx.status,
      actor,
      at,
      reservedUntil,
      ...(reservation ? { reservation } : {}),
      tickets: tickets.map(toHeld),
      totalCents: tickets.reduce((sum, t) => sum + t.price_cents * t.quantity, 0),
    };
    for (const listener of this.settledListeners) listener(settled);
  }

  private openCart(tenantId: number, eventId: number, sessionId: string, actor: string, now: number): string {
    const id = this.newId();
    this.sql.insertTransaction.run(id, tenantId, eventId, sessionId, actor, now, now);
    this.audit.record(now, actor, 'transaction', id, null, 'PENDING', 'cart opened');
    return id;
  }

  private transactionOrThrow(transactionId: string): TransactionRow {
    const tx = this.sql.transaction.get(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    return tx;
  }

  /** Checkout needs every ticket still in time: a sale never includes a seat whose hold ran out. */
  private liveTicketsOrThrow(tx: TransactionRow, now: number): TicketRow[] {
    const tickets = this.sql.activeTicketsOf.all(tx.id);
    if (tickets.length === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This transaction holds nothing', { transactionId: tx.id });
    }
    const late = tickets.filter((t) => t.reserved_until <= now);
    if (late.length > 0) {
      throw new TaquillaError('HOLD_EXPIRED', `Time ran out for: ${late.map((t) => t.label).join(', ')}`, {
        seats: late.map((t) => ({ seatId: t.seat_id, label: t.label, expiredAt: t.reserved_until })),
      });
    }
    return tickets;
  }

  private assertSeatsExist(requested: number[], found: SeatRow[]): void {
    if (found.length === requested.length) return;
    const known = new Set(found.map((s) => s.id));
    const missing = requested.filter((id) => !known.has(id));
    throw new TaquillaError('UNKNOWN_SEAT', `No such seat in this event: ${missing.join(', ')}`, {
      seatIds: missing,
    });
  }

  private assertWithinLimit(sessionId: string, requested: number, limit: number, now: number): void {
    if (requested === 0) return;
    const held = this.sql.sessionHeld.get(sessionId, now)?.held ?? 0;
    if (held + requested > limit) {
      throw new TaquillaError('LIMIT_REACHED', `A session may hold at most ${limit} seats (holds ${held})`, {
        limit,
        held,
        requested,
      });
    }
  }

  /** Cancels live tickets and expires those whose time had already run out. Returns the quantity. */
  private releaseTickets(
    tickets: TicketRow[],
    now: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
  ): number {
    let quantity = 0;
    for (const t of tickets) {
      const to: TicketStatus = t.reserved_until > now ? 'CANCELLED' : 'EXPIRED';
      this.sql.setTicketStatus.run(to, now, t.id);
      this.audit.record(
        now,
        actor,
        'ticket',
        t.id,
        'ACTIVE',
        to,
        to === 'CANCELLED' ? reason : 'hold time ran out',
      );
      changes.seat(t.event_id, t.zone_id, t.seat_id);
      quantity += t.quantity;
    }
    return quantity;
  }

  /**
   * Records tickets an UPDATE already moved to `to`, and closes their transactions when nothing in
   * them is still active. Returns how many transactions closed.
   *
   * `keepOpen`: the cart of the session that is holding right now stays open even if this empties
   * it (the hold adds to it), as the central server does: a terminal mirroring the server's cart id
   * must find the same cart, not open a second one under that id.
   */
  private settle(
    moved: MovedTicket[],
    to: TicketStatus,
    now: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
    keepOpen?: string,
  ): number {
    if (moved.length === 0) return 0;
    const transactions = new Set<string>();
    for (const t of moved) {
      changes.seat(t.event_id, t.zone_id, t.seat_id);
      transactions.add(t.transaction_id);
    }
    // One statement per batch, not one per ticket: cleanup settles thousands at a time.
    this.sql.auditTickets.run({
      at: now,
      actor,
      to,
      reason,
      ids: JSON.stringify(moved.map((t) => String(t.id))),
    });
    const closable = this.sql.closable
      .all(JSON.stringify([...transactions]))
      .filter((tx) => tx.id !== keepOpen);
    for (const tx of closable) {
      this.sql.setTransactionStatus.run({ status: 'EXPIRED', now, until: tx.reserved_until, id: tx.id });
      this.audit.record(now, actor, 'transaction', tx.id, tx.status, 'EXPIRED', reason);
    }
    return closable.length;
  }

  private closeIfEmpty(
    tx: TransactionRow,
    to: 'EXPIRED' | 'CANCELLED',
    now: number,
    actor: string,
    reason: string,
  ): boolean {
    if (tx.status !== 'PENDING' && tx.status !== 'RESERVED') return false;
    if ((this.sql.openTransactionLeft.get(tx.id)?.n ?? 0) > 0) return false;
    this.sql.setTransactionStatus.run({ status: to, now: now, until: tx.reserved_until, id: tx.id });
    this.audit.record(now, actor, 'transaction', tx.id, tx.status, to, reason);
    return true;
  }

  /** Refused attempts feed the "contested seats" alert; best effort, outside the refused write. */
  private noteContention(eventId: number, seats: SeatConflict[]): void {
    try {
      const now = this.clock.now();
      this.db.transaction(() => {
        for (const seat of seats) this.sql.recordContention.run(seat.seatId, eventId, now);
      })();
    } catch {
      // Losing a contention count under lock pressure is acceptable; losing the refusal is not.
    }
  }

  /** Maps the schema's own refusals (the backstops) to the same typed errors as the checks. */
  private translate(error: unknown): unknown {
    if (error instanceof TaquillaError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('reserved_tickets.seat_id')) {
      return new TaquillaError('SEAT_TAKEN', 'Seat taken by another transaction', { seats: [] });
    }
    if (code === 'SQLITE_CONSTRAINT_CHECK' && message.includes('used')) {
      return new TaquillaError('ZONE_FULL', 'Zone is full', {
        zoneId: 0,
        zoneName: '',
        requested: 0,
        available: 0,
      });
    }
    if (code === 'SQLITE_CONSTRAINT_TRIGGER' && message === 'SEAT_BLOCKED') {
      return new TaquillaError('SEAT_BLOCKED', 'Seat is not on sale', { seats: [] });
    }
    return error;
  }
}

function toHeld(t: TicketRow): HeldTicket {
  return {
    ticketId: t.id,
    seatId: t.seat_id,
    zoneId: t.zone_id,
    label: t.label,
    quantity: t.quantity,
    priceCents: t.price_cents,
    reservedUntil: t.reserved_until,
  };
}

function summary(
  transactionId: string,
  status: TransactionStatus,
  reservedUntil: number | null,
  tickets: TicketRow[],
): TransactionSummary {
  return {
    transactionId,
    status,
    reservedUntil,
    tickets: tickets.reduce((n, t) => n + t.quantity, 0),
    totalCents: tickets.reduce((sum, t) => sum + t.price_cents * t.quantity, 0),
  };
}
