import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import type { SeatConflict } from '../../../shared/errors.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  decideCancel,
  decideComplete,
  decideConvert,
  decideExtendHolds,
  decideGeneralHold,
  decideRelease,
  decideReservationExtension,
  decideSeatHold,
  effectsOrThrow,
  HOLD_TIME_RAN_OUT,
  type TicketMove,
} from '../../../shared/hold-rules/index.ts';
import {
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
  type BlockSeatsResult,
  type UnblockSeatsResult,
} from '../../../shared/schemas/reservations.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import { Catalog } from './catalog.ts';
import { ChangeFeedWriter, ChangeSet } from './change-set.ts';
import { HoldFacts, heldTicketFact, transactionFact } from './hold-facts.ts';
import { HoldWriter } from './hold-writer.ts';
import { HouseSeats } from './house-seats.ts';
import {
  type CleanupResult,
  type HeldTicket,
  type HoldResult,
  type SettledListener,
  type SettledTransaction,
  summary,
  toHeld,
  type TransactionSummary,
  translateStoreRefusal,
} from './reservation-views.ts';
import type { TicketRow, TransactionRow } from './rows.ts';
import { type AdoptResult, ServerStateCopier, type ServerTransactionState } from './server-state.ts';

export type {
  CleanupResult,
  HeldTicket,
  HoldResult,
  SettledListener,
  SettledTransaction,
  TransactionSummary,
} from './reservation-views.ts';

/**
 * The terminal's reservation engine. Each write loads the facts (HoldFacts), asks the hold rules
 * (shared/hold-rules) and writes their effects through the hold tables' one writer (HoldWriter),
 * all inside one BEGIN IMMEDIATE: the read that decides and the write that follows see one state
 * even when several processes share the file. The schema's unique partial index, CHECKs and triggers
 * still refuse a double booking or an over-full zone even if a code path forgot to ask.
 */
export class ReservationService {
  private readonly catalog: Catalog;
  private readonly facts: HoldFacts;
  private readonly writer: HoldWriter;
  private readonly feed: ChangeFeedWriter;
  private readonly houseSeats: HouseSeats;
  private readonly settledListeners: SettledListener[] = [];
  private readonly serverCopy: ServerStateCopier;
  private readonly recordContention;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {
    this.catalog = new Catalog(db);
    this.facts = new HoldFacts(db);
    this.writer = new HoldWriter(db, this.facts);
    this.feed = new ChangeFeedWriter(db);
    this.houseSeats = new HouseSeats(db, clock, this.catalog, this.facts, this.writer, this.feed);
    this.serverCopy = new ServerStateCopier(this.catalog, this.facts, this.writer, {
      announceCompleted: (tx, actor, now, tickets) =>
        this.notifySettled(tx, 'COMPLETED', actor, now, null, tickets),
    });
    this.recordContention = db.prepare<[number, number, number]>(
      `INSERT INTO seat_contention (seat_id, event_id, refused, last_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (seat_id) DO UPDATE SET refused = refused + 1, last_at = excluded.last_at`,
    );
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

  /** Holds every requested seat for the session, or none of them (decideSeatHold). */
  holdSeats(raw: unknown): HoldResult {
    const input = parseInput(holdSeatsInput, raw);
    try {
      return this.db
        .transaction(() => {
          const now = this.clock.now();
          const { event, settings } = this.catalog.eventWithSettings(input.eventId);
          const session = this.facts.session(event.id, input.sessionId, now);
          const effects = effectsOrThrow(
            decideSeatHold({
              now,
              settings,
              requested: input.seatIds,
              seats: this.facts.seats(event.id, input.seatIds),
              onSeats: this.facts.onSeats(input.seatIds),
              session,
            }),
          );
          const changes = new ChangeSet();
          this.expireLate(effects.expire, now, changes, session.cartId);
          const transactionId =
            session.cartId ?? this.openCart(event.tenant_id, event.id, input.sessionId, input.actor, now);
          const tickets: HeldTicket[] = effects.hold.map((seat) => ({
            ticketId: this.writer.insertTicket(
              {
                transactionId,
                eventId: event.id,
                zoneId: seat.zoneId,
                seatId: seat.seatId,
                quantity: 1,
                sessionId: input.sessionId,
                priceCents: seat.priceCents,
                until: effects.until,
                now,
                actor: input.actor,
                reason: `hold ${seat.label}`,
              },
              changes,
            ),
            seatId: seat.seatId,
            zoneId: seat.zoneId,
            label: seat.label,
            quantity: 1,
            priceCents: seat.priceCents,
            reservedUntil: effects.until,
          }));
          const versions = this.feed.flush(changes);
          return {
            transactionId,
            tickets,
            alreadyHeld: effects.alreadyHeld,
            version: versions.get(event.id) ?? event.version,
          };
        })
        .immediate();
    } catch (error) {
      if (error instanceof TaquillaError && error.code === 'SEAT_TAKEN') {
        this.noteContention(input.eventId, (error.details as { seats: SeatConflict[] }).seats);
      }
      throw translateStoreRefusal(error);
    }
  }

  /** Holds a quantity in a general-admission zone (decideGeneralHold); the zone's CHECK is the backstop. */
  holdGeneral(raw: unknown): HoldResult {
    const input = parseInput(holdGeneralInput, raw);
    try {
      return this.db
        .transaction(() => {
          const now = this.clock.now();
          const { event, settings } = this.catalog.eventWithSettings(input.eventId);
          const zone = this.catalog.zone(event.id, input.zoneId);
          const session = this.facts.session(event.id, input.sessionId, now);
          const effects = effectsOrThrow(
            decideGeneralHold({
              now,
              settings,
              zone: this.facts.zone(zone),
              quantity: input.quantity,
              late: this.facts.lateInZone(zone.id, now),
              session,
            }),
          );
          const changes = new ChangeSet();
          this.expireLate(effects.expire, now, changes, session.cartId);
          const transactionId =
            session.cartId ?? this.openCart(event.tenant_id, event.id, input.sessionId, input.actor, now);
          const { hold } = effects;
          const ticketId = this.writer.insertTicket(
            {
              transactionId,
              eventId: event.id,
              zoneId: hold.zoneId,
              seatId: null,
              quantity: hold.quantity,
              sessionId: input.sessionId,
              priceCents: hold.priceCents,
              until: effects.until,
              now,
              actor: input.actor,
              reason: `hold ${hold.quantity} × ${hold.label}`,
            },
            changes,
          );
          const versions = this.feed.flush(changes);
          return {
            transactionId,
            tickets: [
              {
                ticketId,
                seatId: null,
                zoneId: hold.zoneId,
                label: hold.label,
                quantity: hold.quantity,
                priceCents: hold.priceCents,
                reservedUntil: effects.until,
              },
            ],
            alreadyHeld: [],
            version: versions.get(event.id) ?? event.version,
          };
        })
        .immediate();
    } catch (error) {
      throw translateStoreRefusal(error);
    }
  }

  /** Deselecting seats cancels their holds; seats the session does not hold are reported, not touched. */
  releaseSeats(raw: unknown): { released: number[]; notHeld: number[] } {
    const input = parseInput(releaseSeatsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        const cart = this.facts.cartOf(input.eventId, input.sessionId);
        const tickets = cart ? this.facts.activeOnSeats(cart.id, input.seatIds) : [];
        this.release(now, cart ?? null, tickets, input.actor, 'deselected', 'cart emptied');
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
        const cart = this.facts.cartOf(input.eventId, input.sessionId);
        const tickets = cart ? this.facts.activeInZone(cart.id, input.zoneId) : [];
        this.release(now, cart ?? null, tickets, input.actor, 'deselected', 'cart emptied');
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
        let released = 0;
        const carts = this.facts.sessionCarts(input.sessionId);
        for (const cart of carts) {
          const tickets = this.facts.activeOf(cart.id);
          this.release(now, cart, tickets, input.actor, 'session ended', 'session ended');
          released += tickets.reduce((n, t) => n + t.quantity, 0);
        }
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
        const cart = this.facts.cartOf(event.id, input.sessionId);
        const rows = cart ? this.facts.activeOf(cart.id) : [];
        const effects = effectsOrThrow(
          decideExtendHolds({
            now,
            settings: this.catalog.settings(event.tenant_id),
            sessionId: input.sessionId,
            cartId: cart?.id ?? null,
            tickets: rows.map(heldTicketFact),
            minutes: input.minutes,
          }),
        );
        const byId = new Map(rows.map((t) => [t.id, t]));
        const extended = effects.extended.map(({ ticket, until }) => ({
          ...byId.get(ticket.ticketId)!,
          until,
        }));
        const changes = new ChangeSet();
        this.writer.setTicketsUntil(extended, now, changes, {
          actor: input.actor,
          reason: (until) => `extended to ${until}`,
        });
        for (const t of effects.live) changes.seat(event.id, t.zoneId, t.seatId);
        this.feed.flush(changes);
        return {
          transactionId: effects.transactionId,
          tickets: extended.map((t) => toHeld({ ...t, reserved_until: t.until })),
        };
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
      const settings = this.catalog.settings(tx.tenant_id);
      const tickets = this.facts.activeOf(tx.id);
      const { until } = effectsOrThrow(
        decideConvert({
          now,
          settings,
          transaction: transactionFact(tx),
          tickets: tickets.map(heldTicketFact),
          expect: input.expect,
          length: { hours: input.hours, minutes: input.minutes },
        }),
      );
      const changes = new ChangeSet();
      this.writer.setTicketsUntil(
        tickets.map((t) => ({ ...t, until })),
        now,
        changes,
      );
      this.writer.setTransactionStatus(
        tx,
        'RESERVED',
        until,
        now,
        input.actor,
        input.minutes !== undefined
          ? `pay at the counter, ${input.minutes} min`
          : `partial payment, ${input.hours ?? settings.PARTIAL_PAYMENT_HOURS} h`,
      );
      if (input.customer) this.writer.setCustomer(tx.id, input.customer);
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
      const tickets = this.facts.activeOf(tx.id);
      effectsOrThrow(
        decideComplete({
          now,
          transaction: transactionFact(tx),
          tickets: tickets.map(heldTicketFact),
          expect: input.expect,
        }),
      );
      const changes = new ChangeSet();
      this.writer.completeTickets(tickets, now, input.actor, 'sold', changes);
      this.writer.setTransactionStatus(tx, 'COMPLETED', null, now, input.actor, 'paid in full');
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
      const tickets = this.facts.activeOf(tx.id);
      const { moves } = effectsOrThrow(
        decideCancel(now, transactionFact(tx), tickets.map(heldTicketFact), input.reason),
      );
      const changes = new ChangeSet();
      this.writer.moveTickets(moves, now, input.actor, changes);
      this.writer.setTransactionStatus(tx, 'CANCELLED', null, now, input.actor, input.reason);
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
      const counts = { extended: 0, capped: 0, expired: 0 };
      const changes = new ChangeSet();
      for (const tx of this.facts.reservations(input.eventId ?? null)) {
        const settings = this.catalog.settings(tx.tenant_id);
        const decision = decideReservationExtension(now, settings, transactionFact(tx), input.hours);
        if (decision.kind === 'expired') counts.expired += 1;
        if (decision.kind === 'at-cap') counts.capped += 1;
        if (decision.kind !== 'extended') continue;
        const { until } = decision;
        if (decision.capped) counts.capped += 1;
        this.writer.setTicketsUntil(
          this.facts.activeOf(tx.id).map((t) => ({ ...t, until })),
          now,
          changes,
        );
        this.writer.setTransactionStatus(tx, 'RESERVED', until, now, input.actor, `extended to ${until}`);
        counts.extended += 1;
      }
      this.feed.flush(changes);
      return counts;
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
    const reason = 'cleanup: hold time ran out';
    const runBatch = this.db.transaction(() => {
      const now = this.clock.now();
      const changes = new ChangeSet();
      const { expired, closed } = this.writer.expireLateBatch(now, batchSize, 'system', reason, changes);
      this.feed.flush(changes);
      return { moved: expired, closed };
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
   * It writes through the same HoldWriter as a local decision. A sale completed this way reaches the
   * settle listeners (printing) like a local one.
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
        throw translateStoreRefusal(error);
      }
    }
    return this.durableWrite(write);
  }

  // ---- house seats -----------------------------------------------------------------------------

  blockSeats(raw: unknown): BlockSeatsResult {
    return this.houseSeats.blockSeats(raw);
  }

  unblockSeats(raw: unknown): UnblockSeatsResult {
    return this.houseSeats.unblockSeats(raw);
  }

  // ---- internals -------------------------------------------------------------------------------

  private durableWrite<T>(write: () => T): T {
    try {
      return withDurableCommit(this.db, () => this.db.transaction(write).immediate());
    } catch (error) {
      throw translateStoreRefusal(error);
    }
  }

  /** Late holds in a hold's way: EXPIRED, their emptied transactions closed (but the session's cart). */
  private expireLate(moves: TicketMove[], now: number, changes: ChangeSet, keepOpen: string | null): void {
    const moved = this.writer.moveTickets(moves, now, 'system', changes);
    this.writer.closeEmptied(
      moved.map((t) => t.transaction_id),
      'EXPIRED',
      now,
      'system',
      HOLD_TIME_RAN_OUT,
      keepOpen,
    );
  }

  /** Releases tickets of a cart (decideRelease) and closes the cart if that emptied it. */
  private release(
    now: number,
    cart: TransactionRow | null,
    tickets: TicketRow[],
    actor: string,
    reason: string,
    closeReason: string,
  ): void {
    const changes = new ChangeSet();
    this.writer.moveTickets(decideRelease(now, tickets.map(heldTicketFact), reason), now, actor, changes);
    if (cart) this.writer.closeEmptied([cart.id], 'CANCELLED', now, actor, closeReason);
    this.feed.flush(changes);
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
    this.writer.openTransaction({ id, tenantId, eventId, sessionId, actor, now, reason: 'cart opened' });
    return id;
  }

  private transactionOrThrow(transactionId: string): TransactionRow {
    const tx = this.facts.transaction(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    return tx;
  }

  /** Refused attempts feed the "contested seats" alert; best effort, outside the refused write. */
  private noteContention(eventId: number, seats: SeatConflict[]): void {
    try {
      const now = this.clock.now();
      this.db.transaction(() => {
        for (const seat of seats) this.recordContention.run(seat.seatId, eventId, now);
      })();
    } catch {
      // Losing a contention count under lock pressure is acceptable; losing the refusal is not.
    }
  }
}
