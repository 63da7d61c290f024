import { TaquillaError, type TicketView } from '../../../shared/errors.ts';
import type { TicketStatus, TransactionStatus } from '../../../shared/lifecycle.ts';
import type { Db } from '../../store/database.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { Catalog } from './catalog.ts';
import type { ChangeSet } from './change-set.ts';
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

/** Hooks into the reservation engine: the copy settles tickets and announces sales the same way. */
export interface AdoptHooks {
  releaseTickets(tickets: TicketRow[], now: number, actor: string, reason: string, changes: ChangeSet): void;
  closeIfEmpty(tx: TransactionRow, to: 'CANCELLED', now: number, actor: string, reason: string): void;
  announceCompleted(tx: TransactionRow, actor: string, now: number, tickets: TicketRow[]): void;
}

/**
 * Copies the central server's decision on one transaction into the local store, whatever the local
 * store believed. The server is the authority across terminals: when it sold a seat, the terminal must
 * be able to print and take money for it, even if its own copy had drifted (a cart its cleanup expired
 * on a clock slightly ahead, a stale hold on the seat, a cart the server kept open for the session's
 * next hold). Anything the copy displaces is written to the audit log with the reason.
 *
 * The one thing it cannot override is a sale: a seat this terminal sold (offline, from a lease) and
 * the server sold to someone else is a conflict for the supervisor, so the copy refuses with SEAT_TAKEN.
 */
export class ServerStateCopier {
  private readonly sql;

  constructor(
    db: Db,
    private readonly catalog: Catalog,
    private readonly audit: AuditTrail,
    private readonly hooks: AdoptHooks,
  ) {
    const ticketColumns = `t.id, t.transaction_id, t.event_id, t.zone_id, t.seat_id, t.quantity, t.status,
      t.reserved_until, t.created_at, t.price_cents, COALESCE(s.label, z.name) AS label`;
    const txColumns = 'id, tenant_id, event_id, session_id, actor, status, reserved_until, created_at';
    this.sql = {
      transaction: db.prepare<[string], TransactionRow>(`SELECT ${txColumns} FROM transactions WHERE id = ?`),
      cartOf: db.prepare<[number, string], TransactionRow>(
        `SELECT ${txColumns} FROM transactions WHERE event_id = ? AND session_id = ? AND status = 'PENDING'`,
      ),
      insertTransaction: db.prepare<[string, number, number, string, string, number, number]>(
        `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
      ),
      setStatus: db.prepare<[{ status: TransactionStatus; now: number; until: number | null; id: string }]>(
        `UPDATE transactions SET status = @status, updated_at = @now, reserved_until = @until,
           completed_at = CASE WHEN @status = 'COMPLETED' THEN @now ELSE completed_at END
         WHERE id = @id`,
      ),
      grant: db.prepare<[string]>(
        'INSERT OR IGNORE INTO transaction_reopen_grants (transaction_id) VALUES (?)',
      ),
      revoke: db.prepare<[string]>('DELETE FROM transaction_reopen_grants WHERE transaction_id = ?'),
      activeOf: db.prepare<[string], TicketRow>(
        `SELECT ${ticketColumns} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE'`,
      ),
      liveOnSeat: db.prepare<[number], TicketRow>(
        `SELECT ${ticketColumns} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.seat_id = ? AND t.status IN ('ACTIVE', 'COMPLETED')`,
      ),
      otherGaHolds: db.prepare<[number, string], TicketRow>(
        `SELECT ${ticketColumns} FROM reserved_tickets t
         LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
         WHERE t.zone_id = ? AND t.seat_id IS NULL AND t.status = 'ACTIVE' AND t.transaction_id <> ?
         ORDER BY t.reserved_until`,
      ),
      seat: db.prepare<[number, number], { id: number; zone_id: number; blocked: number; label: string }>(
        'SELECT id, zone_id, blocked, label FROM seats WHERE id = ? AND event_id = ?',
      ),
      insertTicket: db.prepare<
        [string, number, number, number | null, number, string, number, number, number, number],
        { id: number }
      >(
        `INSERT INTO reserved_tickets (transaction_id, event_id, zone_id, seat_id, quantity, session_id,
           price_cents, status, reserved_until, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?) RETURNING id`,
      ),
      setTicketStatus: db.prepare<[TicketStatus, number, number]>(
        'UPDATE reserved_tickets SET status = ?, updated_at = ? WHERE id = ?',
      ),
      setTicketUntil: db.prepare<[number, number, number]>(
        'UPDATE reserved_tickets SET reserved_until = ?, updated_at = ? WHERE id = ?',
      ),
      setCustomer: db.prepare<[string | null, string | null, string | null, string]>(
        'UPDATE transactions SET customer_name = ?, customer_id_number = ?, customer_phone = ? WHERE id = ?',
      ),
    };
  }

  /** Call inside one write transaction; `changes` is flushed by the caller. */
  adopt(state: ServerTransactionState, now: number, changes: ChangeSet): AdoptResult {
    const event = this.catalog.event(state.eventId);
    const actor = state.actor;
    const result: AdoptResult = { tickets: [], displaced: 0, reopened: false };
    let tx = this.sql.transaction.get(state.transactionId);
    if (tx?.status === 'COMPLETED') {
      if (state.status === 'COMPLETED') return result; // copied already
      throw invalid(tx.id, tx.status, state.status);
    }
    if (tx?.status === 'RESERVED' && state.status === 'PENDING')
      throw invalid(tx.id, tx.status, state.status);

    if (state.status === 'PENDING') {
      // The server holds this session's seats in its cart; a different local cart of the session is
      // one the server closed (or never had), and the one-open-cart rule needs its place.
      const open = this.sql.cartOf.get(event.id, state.sessionId);
      if (open && open.id !== state.transactionId) {
        this.hooks.releaseTickets(
          this.sql.activeOf.all(open.id),
          now,
          actor,
          'the central server closed this cart',
          changes,
        );
        this.hooks.closeIfEmpty(open, 'CANCELLED', now, actor, 'the central server closed this cart');
      }
    }
    if (!tx) {
      this.sql.insertTransaction.run(
        state.transactionId,
        event.tenant_id,
        event.id,
        state.sessionId,
        actor,
        now,
        now,
      );
      this.audit.record(
        now,
        actor,
        'transaction',
        state.transactionId,
        null,
        'PENDING',
        'opened by the central server',
      );
      tx = this.sql.transaction.get(state.transactionId)!;
    } else if (tx.status === 'EXPIRED' || tx.status === 'CANCELLED') {
      this.sql.grant.run(tx.id);
      result.reopened = true;
    }

    const mine = this.sql.activeOf.all(tx.id);
    const wanted = state.tickets;
    if (state.scope === 'whole') {
      const seats = new Set(wanted.filter((t) => t.seatId !== null).map((t) => t.seatId));
      const drop = mine.filter((t) =>
        t.seat_id !== null ? !seats.has(t.seat_id) : serverGa(wanted, t.zone_id) !== localGa(mine, t.zone_id),
      );
      this.hooks.releaseTickets(drop, now, actor, 'not in the central server’s copy of this sale', changes);
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
      if (ticket.seatId !== null) {
        const own = mine.find((t) => t.seat_id === ticket.seatId);
        if (own) {
          if (own.reserved_until !== ticket.reservedUntil)
            this.sql.setTicketUntil.run(ticket.reservedUntil, now, own.id);
          kept(own, ticket);
          continue;
        }
        result.displaced += this.clearSeat(event.id, ticket.seatId, tx.id, now, actor, changes);
      } else {
        const own =
          state.scope === 'whole'
            ? mine.find((t) => t.seat_id === null && t.zone_id === ticket.zoneId)
            : null;
        if (own) {
          kept(own, ticket);
          continue;
        }
        result.displaced += this.makeRoom(event.id, ticket, tx.id, now, actor, changes);
      }
      const { id } = this.sql.insertTicket.get(
        tx.id,
        event.id,
        ticket.zoneId,
        ticket.seatId,
        ticket.quantity,
        tx.session_id,
        ticket.priceCents,
        ticket.reservedUntil,
        now,
        now,
      )!;
      this.audit.record(now, actor, 'ticket', id, null, 'ACTIVE', 'held at the central server');
      changes.seat(event.id, ticket.zoneId, ticket.seatId);
      const label =
        ticket.seatId === null
          ? this.catalog.zone(event.id, ticket.zoneId).name
          : this.sql.seat.get(ticket.seatId, event.id)!.label;
      result.tickets.push({ ticketId: id, ...ticket, label });
    }

    const from = tx.status;
    if (state.status === 'COMPLETED') {
      const tickets = this.sql.activeOf.all(tx.id);
      if (tickets.length === 0) {
        throw new TaquillaError('NOTHING_HELD', 'The central server sold nothing in this transaction', {
          transactionId: tx.id,
        });
      }
      for (const t of tickets) {
        this.sql.setTicketStatus.run('COMPLETED', now, t.id);
        this.audit.record(now, actor, 'ticket', t.id, 'ACTIVE', 'COMPLETED', 'sold at the central server');
        changes.seat(t.event_id, t.zone_id, t.seat_id);
      }
      this.sql.setStatus.run({ status: 'COMPLETED', now, until: null, id: tx.id });
      this.audit.record(
        now,
        actor,
        'transaction',
        tx.id,
        from,
        'COMPLETED',
        'paid in full at the central server',
      );
      this.hooks.announceCompleted(tx, actor, now, tickets);
    } else if (state.status === 'RESERVED') {
      const until = state.reservedUntil ?? now;
      for (const t of this.sql.activeOf.all(tx.id)) {
        this.sql.setTicketUntil.run(until, now, t.id);
        changes.seat(t.event_id, t.zone_id, t.seat_id);
      }
      this.sql.setStatus.run({ status: 'RESERVED', now, until, id: tx.id });
      const c = state.customer;
      if (c) this.sql.setCustomer.run(c.name, c.idNumber ?? null, c.phone ?? null, tx.id);
      if (from !== 'RESERVED') {
        this.audit.record(
          now,
          actor,
          'transaction',
          tx.id,
          from,
          'RESERVED',
          'partial payment at the central server',
        );
      }
    } else if (from !== 'PENDING') {
      this.sql.setStatus.run({ status: 'PENDING', now, until: null, id: tx.id });
      this.audit.record(
        now,
        actor,
        'transaction',
        tx.id,
        from,
        'PENDING',
        'the central server kept this cart open',
      );
    }
    this.sql.revoke.run(tx.id);
    return result;
  }

  /** The server gave this seat to `transactionId`: a local hold elsewhere on it is stale. */
  private clearSeat(
    eventId: number,
    seatId: number,
    transactionId: string,
    now: number,
    actor: string,
    changes: ChangeSet,
  ): number {
    const seat = this.sql.seat.get(seatId, eventId);
    if (!seat)
      throw new TaquillaError('UNKNOWN_SEAT', `No such seat in this event: ${seatId}`, { seatIds: [seatId] });
    const live = this.sql.liveOnSeat.all(seatId).filter((t) => t.transaction_id !== transactionId);
    const sold = live.filter((t) => t.status === 'COMPLETED');
    if (sold.length > 0) {
      throw new TaquillaError('SEAT_TAKEN', `Sold here and at the central server: ${seat.label}`, {
        seats: [{ seatId, label: seat.label, state: 'sold', heldBySession: '', heldByActor: '' }],
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
    for (const hold of this.sql.otherGaHolds.all(zone.id, transactionId)) {
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
    this.hooks.releaseTickets(tickets, now, actor, reason, changes);
    for (const txId of new Set(tickets.map((t) => t.transaction_id))) {
      const tx = this.sql.transaction.get(txId);
      if (tx) this.hooks.closeIfEmpty(tx, 'CANCELLED', now, actor, reason);
    }
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
