import { TaquillaError, type TicketView } from '../../../shared/errors.ts';
import { decideRelease, type SeatFact } from '../../../shared/hold-rules/index.ts';
import type { Catalog } from './catalog.ts';
import type { ChangeSet } from './change-set.ts';
import { type HoldFacts, heldTicketFact } from './hold-facts.ts';
import type { HoldWriter } from './hold-writer.ts';
import type { TicketRow, TransactionRow } from './rows.ts';

/** One ticket as the central server recorded it (its label is the local store's own). */
export type ServerTicket = Omit<TicketView, 'label'>;

/**
 * The central server's word on one transaction, to be copied into this terminal's store.
 *
 * `scope: 'whole'` lists every live ticket of the transaction (a sale or a reservation: the local
 * copy keeps exactly these); `'added'` lists the tickets one hold added (the rest stay as they are).
 */
export interface ServerTransactionState {
  transactionId: string;
  eventId: number;
  sessionId: string;
  actor: string;
  status: 'PENDING' | 'RESERVED' | 'COMPLETED';
  reservedUntil: number | null;
  tickets: ServerTicket[];
  scope: 'whole' | 'added';
  /** A reservation's customer, as the cashier entered it (the server keeps no personal data). */
  customer?: { name: string; idNumber?: string | undefined; phone?: string | undefined };
}

/** What a copy did: the local tickets of the server's, and what stood in the server's way. */
export interface AdoptResult {
  /** The server's tickets as this store now has them (local ids and labels), in the server's order. */
  tickets: (TicketView & { ticketId: number })[];
  /** Local holds of other transactions the server's decision displaced. */
  displaced: number;
  /** True when a transaction this terminal had closed was reopened (or sold) on the server's word. */
  reopened: boolean;
}

/** Hooks into the reservation engine: a sale copied here is announced like a local one. */
export interface AdoptHooks {
  announceCompleted(tx: TransactionRow, actor: string, now: number, tickets: TicketRow[]): void;
}

/**
 * Copies the central server's decision on one transaction into the local store, whatever the local
 * store believed. The server is the authority across terminals: when it sold a seat, the terminal must
 * be able to print and take money for it, even if its own copy had drifted (a cart its cleanup expired
 * on a clock slightly ahead, a stale hold on the seat, a cart the server kept open for the session's
 * next hold). Anything the copy displaces is written to the audit log with the reason.
 *
 * It reads through HoldFacts and writes through HoldWriter, the same writer as every local decision;
 * releases and closing follow the hold rules (decideRelease, decideEmptied).
 *
 * The one thing it cannot override is a sale: a seat this terminal sold (offline, from a lease) and
 * the server sold to someone else is a conflict for the supervisor, so the copy refuses with SEAT_TAKEN.
 */
export class ServerStateCopier {
  constructor(
    private readonly catalog: Catalog,
    private readonly facts: HoldFacts,
    private readonly writer: HoldWriter,
    private readonly hooks: AdoptHooks,
  ) {}

  /** Call inside one write transaction; `changes` is flushed by the caller. */
  adopt(state: ServerTransactionState, now: number, changes: ChangeSet): AdoptResult {
    const event = this.catalog.event(state.eventId);
    const actor = state.actor;
    const result: AdoptResult = { tickets: [], displaced: 0, reopened: false };
    let tx = this.facts.transaction(state.transactionId);
    if (tx?.status === 'COMPLETED') {
      if (state.status === 'COMPLETED') return result; // copied already
      throw invalid(tx.id, tx.status, state.status);
    }
    if (tx?.status === 'RESERVED' && state.status === 'PENDING')
      throw invalid(tx.id, tx.status, state.status);

    if (state.status === 'PENDING') {
      // The server holds this session's seats in its cart; a different local cart of the session is
      // one the server closed (or never had), and the one-open-cart rule needs its place.
      const open = this.facts.cartOf(event.id, state.sessionId);
      if (open && open.id !== state.transactionId) {
        const reason = 'the central server closed this cart';
        this.release(this.facts.activeOf(open.id), now, actor, reason, changes);
        this.writer.closeEmptied([open.id], 'CANCELLED', now, actor, reason);
      }
    }
    if (!tx) {
      this.writer.openTransaction({
        id: state.transactionId,
        tenantId: event.tenant_id,
        eventId: event.id,
        sessionId: state.sessionId,
        actor,
        now,
        reason: 'opened by the central server',
      });
      tx = this.facts.transaction(state.transactionId)!;
    } else if (tx.status === 'EXPIRED' || tx.status === 'CANCELLED') {
      this.writer.allowReopen(tx.id);
      result.reopened = true;
    }

    const mine = this.facts.activeOf(tx.id);
    const wanted = state.tickets;
    if (state.scope === 'whole') {
      const seats = new Set(wanted.filter((t) => t.seatId !== null).map((t) => t.seatId));
      const drop = mine.filter((t) =>
        t.seat_id !== null ? !seats.has(t.seat_id) : serverGa(wanted, t.zone_id) !== localGa(mine, t.zone_id),
      );
      this.release(drop, now, actor, 'not in the central server’s copy of this sale', changes);
      mine.splice(0, mine.length, ...mine.filter((t) => !drop.includes(t)));
    }
    const kept = (own: TicketRow, ticket: ServerTicket) =>
      result.tickets.push({
        ticketId: own.id,
        seatId: own.seat_id,
        zoneId: own.zone_id,
        label: own.label,
        quantity: own.quantity,
        priceCents: own.price_cents,
        reservedUntil: ticket.reservedUntil,
      });
    for (const ticket of wanted) {
      let label: string;
      if (ticket.seatId !== null) {
        const own = mine.find((t) => t.seat_id === ticket.seatId);
        if (own) {
          if (own.reserved_until !== ticket.reservedUntil)
            this.writer.setTicketsUntil([{ ...own, until: ticket.reservedUntil }], now, changes);
          kept(own, ticket);
          continue;
        }
        const seat = this.seatOrThrow(event.id, ticket.seatId);
        label = seat.label;
        result.displaced += this.clearSeat(seat, tx.id, now, actor, changes);
      } else {
        const own =
          state.scope === 'whole'
            ? mine.find((t) => t.seat_id === null && t.zone_id === ticket.zoneId)
            : null;
        if (own) {
          kept(own, ticket);
          continue;
        }
        label = this.catalog.zone(event.id, ticket.zoneId).name;
        result.displaced += this.makeRoom(event.id, ticket, tx.id, now, actor, changes);
      }
      const id = this.writer.insertTicket(
        {
          transactionId: tx.id,
          eventId: event.id,
          zoneId: ticket.zoneId,
          seatId: ticket.seatId,
          quantity: ticket.quantity,
          sessionId: tx.session_id,
          priceCents: ticket.priceCents,
          until: ticket.reservedUntil,
          now,
          actor,
          reason: 'held at the central server',
        },
        changes,
      );
      result.tickets.push({ ticketId: id, ...ticket, label });
    }

    const from = tx.status;
    if (state.status === 'COMPLETED') {
      const tickets = this.facts.activeOf(tx.id);
      if (tickets.length === 0) {
        throw new TaquillaError('NOTHING_HELD', 'The central server sold nothing in this transaction', {
          transactionId: tx.id,
        });
      }
      this.writer.completeTickets(tickets, now, actor, 'sold at the central server', changes);
      this.writer.setTransactionStatus(
        tx,
        'COMPLETED',
        null,
        now,
        actor,
        'paid in full at the central server',
      );
      this.hooks.announceCompleted(tx, actor, now, tickets);
    } else if (state.status === 'RESERVED') {
      const until = state.reservedUntil ?? now;
      this.writer.setTicketsUntil(
        this.facts.activeOf(tx.id).map((t) => ({ ...t, until })),
        now,
        changes,
      );
      this.writer.setTransactionStatus(
        tx,
        'RESERVED',
        until,
        now,
        actor,
        from !== 'RESERVED' ? 'partial payment at the central server' : null,
      );
      if (state.customer) this.writer.setCustomer(tx.id, state.customer);
    } else if (from !== 'PENDING') {
      this.writer.setTransactionStatus(
        tx,
        'PENDING',
        null,
        now,
        actor,
        'the central server kept this cart open',
      );
    }
    this.writer.endReopen(tx.id);
    return result;
  }

  private seatOrThrow(eventId: number, seatId: number): SeatFact {
    const [seat] = this.facts.seats(eventId, [seatId]);
    if (!seat)
      throw new TaquillaError('UNKNOWN_SEAT', `No such seat in this event: ${seatId}`, { seatIds: [seatId] });
    return seat;
  }

  /** The server gave this seat to `transactionId`: a local hold elsewhere on it is stale. */
  private clearSeat(
    seat: SeatFact,
    transactionId: string,
    now: number,
    actor: string,
    changes: ChangeSet,
  ): number {
    const live = this.facts.liveOnSeat(seat.seatId).filter((t) => t.transaction_id !== transactionId);
    const sold = live.filter((t) => t.status === 'COMPLETED');
    if (sold.length > 0) {
      throw new TaquillaError('SEAT_TAKEN', `Sold here and at the central server: ${seat.label}`, {
        seats: [
          { seatId: seat.seatId, label: seat.label, state: 'sold', heldBySession: '', heldByActor: '' },
        ],
      });
    }
    this.displace(live, now, actor, `the central server gave ${seat.label} to ${transactionId}`, changes);
    return live.length;
  }

  /** Standing places the server granted: local holds of other carts give way, earliest-ending first. */
  private makeRoom(
    eventId: number,
    ticket: ServerTicket,
    transactionId: string,
    now: number,
    actor: string,
    changes: ChangeSet,
  ): number {
    const zone = this.catalog.zone(eventId, ticket.zoneId);
    let short = ticket.quantity - (zone.capacity - zone.used);
    const displaced: TicketRow[] = [];
    for (const hold of this.facts.otherGaHolds(zone.id, transactionId)) {
      if (short <= 0) break;
      displaced.push(hold);
      short -= hold.quantity;
    }
    if (short > 0) {
      throw new TaquillaError('ZONE_FULL', `${zone.name}: sold out here, yet sold at the central server`, {
        zoneId: zone.id,
        zoneName: zone.name,
        requested: ticket.quantity,
        available: Math.max(0, zone.capacity - zone.used),
      });
    }
    this.displace(
      displaced,
      now,
      actor,
      `the central server gave ${zone.name} places to ${transactionId}`,
      changes,
    );
    return displaced.length;
  }

  private displace(
    tickets: TicketRow[],
    now: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
  ): void {
    if (tickets.length === 0) return;
    this.release(tickets, now, actor, reason, changes);
    this.writer.closeEmptied(
      tickets.map((t) => t.transaction_id),
      'CANCELLED',
      now,
      actor,
      reason,
    );
  }

  private release(
    tickets: TicketRow[],
    now: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
  ): void {
    this.writer.moveTickets(decideRelease(now, tickets.map(heldTicketFact), reason), now, actor, changes);
  }
}

/** Standing places of one zone the server lists. */
function serverGa(tickets: readonly ServerTicket[], zoneId: number): number {
  return tickets.filter((t) => t.seatId === null && t.zoneId === zoneId).reduce((n, t) => n + t.quantity, 0);
}

/** Standing places of one zone the local copy holds. */
function localGa(tickets: readonly TicketRow[], zoneId: number): number {
  return tickets
    .filter((t) => t.seat_id === null && t.zone_id === zoneId)
    .reduce((n, t) => n + t.quantity, 0);
}

function invalid(id: string, from: string, to: string): TaquillaError {
  return new TaquillaError(
    'INVALID_TRANSITION',
    `Transaction ${id} is ${from} here; the central server says ${to}`,
    {
      entity: 'transaction',
      id,
      from,
      to,
    },
  );
}
