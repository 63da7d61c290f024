import { decideEmptied, type TicketMove } from '../../../shared/hold-rules/index.ts';
import type { TicketStatus, TransactionStatus } from '../../../shared/lifecycle.ts';
import type { Db } from '../../store/database.ts';
import { AuditTrail } from './audit-trail.ts';
import type { ChangeSet } from './change-set.ts';
import type { HoldFacts } from './hold-facts.ts';
import { ensureLateTickets } from './late-tickets.ts';

/** A ticket a move took out of ACTIVE. */
export interface MovedTicket {
  id: number;
  transaction_id: string;
  event_id: number;
  zone_id: number;
  seat_id: number | null;
}

/** A sold ticket, or some of its general-admission places, a void takes back. */
export interface SoldTicketRelease {
  ticketId: number;
  eventId: number;
  zoneId: number;
  seatId: number | null;
  /** Places the ticket has now, and how many of them the void takes (all: the ticket is cancelled). */
  quantity: number;
  places: number;
}

/**
 * The one writer of the terminal's hold tables: `transactions`, `reserved_tickets` and their rows in
 * the audit log. Local decisions (the engine, voids) and the copy of the central server's decisions
 * all write through here, so every state change leaves its audit row and its change-feed entry the
 * same way. The schema stays the guard: the unique live-ticket index, the zones' `used` triggers and
 * CHECK, the blocked-seat and terminal-state triggers refuse what a caller should never ask.
 * Call every method inside the caller's write transaction.
 */
export class HoldWriter {
  private readonly audit: AuditTrail;
  private readonly sql;

  constructor(
    db: Db,
    private readonly facts: HoldFacts,
  ) {
    this.audit = new AuditTrail(db);
    ensureLateTickets(db);
    this.sql = {
      insertTransaction: db.prepare<[string, number, number, string, string, number, number]>(
        `INSERT INTO transactions (id, tenant_id, event_id, session_id, actor, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
      ),
      setStatus: db.prepare<[{ status: TransactionStatus; now: number; until: number | null; id: string }]>(
        `UPDATE transactions SET status = @status, updated_at = @now, reserved_until = @until,
           completed_at = CASE WHEN @status = 'COMPLETED' THEN @now ELSE completed_at END
         WHERE id = @id`,
      ),
      // Closing many transactions at once (cleanup empties thousands of carts a batch): one UPDATE and
      // one audit INSERT per kind of move. reserved_until is kept: when the reservation would have ended.
      closeMany: db.prepare<[{ from: TransactionStatus; to: TransactionStatus; now: number; ids: string }]>(
        `UPDATE transactions SET status = @to, updated_at = @now
         WHERE id IN (SELECT value FROM json_each(@ids)) AND status = @from`,
      ),
      auditTransactions: db.prepare<
        [{ at: number; actor: string; from: string; to: string; reason: string; ids: string }]
      >(
        `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
         SELECT @at, @actor, 'transaction', value, @from, @to, @reason FROM json_each(@ids)`,
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
      // One statement per batch, not one per ticket: cleanup moves thousands at a time.
      moveActive: db.prepare<[{ to: TicketStatus; now: number; ids: string }], MovedTicket>(
        `UPDATE reserved_tickets SET status = @to, updated_at = @now
         WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'ACTIVE'
         RETURNING id, transaction_id, event_id, zone_id, seat_id`,
      ),
      // Cleanup, set-based: the late batch is chosen, expired, audited, fed and its carts found in SQL,
      // through a scratch table of this connection (late_tickets); no ticket row crosses into
      // JavaScript (reading 100,000 rows into it cost more than expiring them). The selection is the
      // hold rules' isLive (shared/lifecycle.ts) stated for the index: ACTIVE, reserved_until <= now.
      clearLate: db.prepare('DELETE FROM temp.late_tickets'),
      pickLate: db.prepare<[{ now: number; limit: number }]>(
        `INSERT INTO temp.late_tickets (id, transaction_id, event_id, zone_id, seat_id)
         SELECT id, transaction_id, event_id, zone_id, seat_id FROM reserved_tickets
         WHERE status = 'ACTIVE' AND reserved_until <= @now ORDER BY reserved_until LIMIT @limit`,
      ),
      expireLate: db.prepare<[{ now: number }]>(
        `UPDATE reserved_tickets SET status = 'EXPIRED', updated_at = @now
         WHERE id IN (SELECT id FROM temp.late_tickets) AND status = 'ACTIVE'`,
      ),
      auditLate: db.prepare<[{ at: number; actor: string; reason: string }]>(
        `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
         SELECT @at, @actor, 'ticket', id, 'ACTIVE', 'EXPIRED', @reason FROM temp.late_tickets`,
      ),
      lateEvents: db.prepare<[], [number]>('SELECT DISTINCT event_id FROM temp.late_tickets').raw(),
      // Which of the batch's transactions still have an ACTIVE ticket (decideEmptied's facts).
      lateTouched: db.prepare<[], { id: string; status: TransactionStatus; active_left: number }>(
        `SELECT x.id, x.status,
                EXISTS (SELECT 1 FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.status = 'ACTIVE')
                  AS active_left
         FROM transactions x WHERE x.id IN (SELECT transaction_id FROM temp.late_tickets)`,
      ),
      auditTickets: db.prepare<
        [{ at: number; actor: string; from: string; to: string; reason: string; ids: string }]
      >(
        `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
         SELECT @at, @actor, 'ticket', value, @from, @to, @reason FROM json_each(@ids)`,
      ),
      setUntil: db.prepare<[number, number, number]>(
        'UPDATE reserved_tickets SET reserved_until = ?, updated_at = ? WHERE id = ?',
      ),
      cancelSold: db.prepare<[number, number]>(
        "UPDATE reserved_tickets SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'COMPLETED'",
      ),
      shrinkSold: db.prepare<[number, number, number]>(
        "UPDATE reserved_tickets SET quantity = ?, updated_at = ? WHERE id = ? AND status = 'COMPLETED'",
      ),
      soldLeft: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM reserved_tickets WHERE transaction_id = ? AND status = 'COMPLETED'",
      ),
      cancelSale: db.prepare<[number, string]>(
        "UPDATE transactions SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'COMPLETED'",
      ),
      grant: db.prepare<[string]>(
        'INSERT OR IGNORE INTO transaction_reopen_grants (transaction_id) VALUES (?)',
      ),
      revoke: db.prepare<[string]>('DELETE FROM transaction_reopen_grants WHERE transaction_id = ?'),
    };
  }

  /** Opens a PENDING transaction (a cart). */
  openTransaction(t: {
    id: string;
    tenantId: number;
    eventId: number;
    sessionId: string;
    actor: string;
    now: number;
    reason: string;
  }): void {
    this.sql.insertTransaction.run(t.id, t.tenantId, t.eventId, t.sessionId, t.actor, t.now, t.now);
    this.audit.record(t.now, t.actor, 'transaction', t.id, null, 'PENDING', t.reason);
  }

  /** Writes one ACTIVE ticket (a seat, or a quantity of standing places); returns its id. */
  insertTicket(
    t: {
      transactionId: string;
      eventId: number;
      zoneId: number;
      seatId: number | null;
      quantity: number;
      sessionId: string;
      priceCents: number;
      until: number;
      now: number;
      actor: string;
      reason: string;
    },
    changes: ChangeSet,
  ): number {
    const { id } = this.sql.insertTicket.get(
      t.transactionId,
      t.eventId,
      t.zoneId,
      t.seatId,
      t.quantity,
      t.sessionId,
      t.priceCents,
      t.until,
      t.now,
      t.now,
    )!;
    this.audit.record(t.now, t.actor, 'ticket', id, null, 'ACTIVE', t.reason);
    changes.seat(t.eventId, t.zoneId, t.seatId);
    return id;
  }

  /**
   * Moves ACTIVE tickets out of ACTIVE as the rules decided (CANCELLED or EXPIRED), one statement and
   * one audit statement per kind of move. Tickets no longer ACTIVE are left alone. Returns those moved.
   */
  moveTickets(moves: readonly TicketMove[], now: number, actor: string, changes: ChangeSet): MovedTicket[] {
    const groups = new Map<string, { to: TicketMove['to']; reason: string; ids: number[] }>();
    for (const m of moves) {
      const key = `${m.to}\u0000${m.reason}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { to: m.to, reason: m.reason, ids: [] }));
      group.ids.push(m.ticketId);
    }
    const moved: MovedTicket[] = [];
    for (const { to, reason, ids } of groups.values()) {
      const rows = this.sql.moveActive.all({ to, now, ids: JSON.stringify(ids) });
      if (rows.length === 0) continue;
      this.sql.auditTickets.run({
        at: now,
        actor,
        from: 'ACTIVE',
        to,
        reason,
        ids: JSON.stringify(rows.map((t) => String(t.id))),
      });
      for (const t of rows) changes.seat(t.event_id, t.zone_id, t.seat_id);
      moved.push(...rows);
    }
    return moved;
  }

  /**
   * Cleanup's batch: up to `limit` ACTIVE tickets whose time ran out by `now`, earliest first, go
   * to EXPIRED with their audit rows and change-feed rows (`changes.lateTickets`), and the
   * transactions left empty close as decideEmptied says. Returns how many tickets expired and how
   * many transactions closed.
   */
  expireLateBatch(
    now: number,
    limit: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
  ): { expired: number; closed: number } {
    this.sql.clearLate.run();
    const expired = this.sql.pickLate.run({ now, limit }).changes;
    if (expired === 0) return { expired: 0, closed: 0 };
    const moved = this.sql.expireLate.run({ now }).changes;
    if (moved !== expired) {
      // Picked inside this write, so every one is still ACTIVE; anything else is a bug here.
      throw new Error(`expireLateBatch: ${moved} of ${expired} late tickets were ACTIVE`);
    }
    this.sql.auditLate.run({ at: now, actor, reason });
    for (const [eventId] of this.sql.lateEvents.all()) changes.lateTickets(eventId);
    const closing = decideEmptied(
      this.sql.lateTouched.all().map((t) => ({
        transactionId: t.id,
        status: t.status,
        activeLeft: t.active_left,
      })),
      'EXPIRED',
    );
    this.closeTransactions(closing, now, actor, reason);
    return { expired, closed: closing.length };
  }

  /** Sells ACTIVE tickets (COMPLETED), with their audit rows. */
  completeTickets(
    tickets: readonly { id: number }[],
    now: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
  ): void {
    const ids = JSON.stringify(tickets.map((t) => t.id));
    const rows = this.sql.moveActive.all({ to: 'COMPLETED', now, ids });
    this.sql.auditTickets.run({
      at: now,
      actor,
      from: 'ACTIVE',
      to: 'COMPLETED',
      reason,
      ids: JSON.stringify(rows.map((t) => String(t.id))),
    });
    for (const t of rows) changes.seat(t.event_id, t.zone_id, t.seat_id);
  }

  /**
   * Sets when tickets' holds end. `audit`: the reason to record per ticket (an extension of a
   * temporary hold); a reservation's tickets follow their transaction, whose own row is audited.
   */
  setTicketsUntil(
    tickets: readonly {
      id: number;
      event_id: number;
      zone_id: number;
      seat_id: number | null;
      until: number;
    }[],
    now: number,
    changes: ChangeSet,
    audit?: { actor: string; reason: (until: number) => string },
  ): void {
    for (const t of tickets) {
      this.sql.setUntil.run(t.until, now, t.id);
      if (audit)
        this.audit.record(now, audit.actor, 'ticket', t.id, 'ACTIVE', 'ACTIVE', audit.reason(t.until));
      changes.seat(t.event_id, t.zone_id, t.seat_id);
    }
  }

  /** Moves a transaction to `to` (and its reserved_until), with its audit row when `reason` is given. */
  setTransactionStatus(
    tx: { id: string; status: TransactionStatus },
    to: TransactionStatus,
    until: number | null,
    now: number,
    actor: string,
    reason: string | null,
  ): void {
    this.sql.setStatus.run({ status: to, now, until, id: tx.id });
    if (reason !== null) this.audit.record(now, actor, 'transaction', tx.id, tx.status, to, reason);
  }

  setCustomer(
    transactionId: string,
    customer: { name: string; idNumber?: string | undefined; phone?: string | undefined },
  ): void {
    this.sql.setCustomer.run(customer.name, customer.idNumber ?? null, customer.phone ?? null, transactionId);
  }

  /**
   * Closes (to `to`) the transactions among these left with no ACTIVE ticket, as the hold rules
   * decide (decideEmptied: carts and reservations alike; `keepOpen` is the cart a hold adds to).
   * Returns how many closed.
   */
  closeEmptied(
    transactionIds: Iterable<string>,
    to: 'EXPIRED' | 'CANCELLED',
    now: number,
    actor: string,
    reason: string,
    keepOpen?: string | null,
  ): number {
    const ids = new Set(transactionIds);
    if (ids.size === 0) return 0;
    const closing = decideEmptied(this.facts.touched(ids), to, keepOpen);
    this.closeTransactions(closing, now, actor, reason);
    return closing.length;
  }

  /**
   * Moves transactions from their state to a closed one, each with its audit row, in one UPDATE and
   * one audit INSERT per (from, to) pair whatever their number. Each keeps its reserved_until (when
   * its reservation would have ended). A transaction no longer in `from` is left alone.
   */
  closeTransactions(
    closing: readonly { transactionId: string; from: TransactionStatus; to: 'EXPIRED' | 'CANCELLED' }[],
    now: number,
    actor: string,
    reason: string,
  ): void {
    const groups = new Map<string, { from: TransactionStatus; to: TransactionStatus; ids: string[] }>();
    for (const c of closing) {
      const key = `${c.from}\u0000${c.to}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { from: c.from, to: c.to, ids: [] }));
      group.ids.push(c.transactionId);
    }
    for (const { from, to, ids } of groups.values()) {
      const json = JSON.stringify(ids);
      this.sql.closeMany.run({ from, to, now, ids: json });
      this.sql.auditTransactions.run({ at: now, actor, from, to, reason, ids: json });
    }
  }

  /**
   * A closed (EXPIRED or CANCELLED) transaction may change state once more while this write lasts: the
   * central server kept it open, or sold it (migration 006's grant; the terminal-state trigger checks
   * it). `endReopen` in the same write takes it back.
   */
  allowReopen(transactionId: string): void {
    this.sql.grant.run(transactionId);
  }

  endReopen(transactionId: string): void {
    this.sql.revoke.run(transactionId);
  }

  /**
   * The void arrow of the lifecycle (issue 16): sold tickets go back on sale (COMPLETED → CANCELLED),
   * or a general-admission ticket keeps fewer places, and a sale left with nothing is CANCELLED. The
   * store refuses both unless the void that explains them is already recorded (migration 027).
   * Returns whether the sale was cancelled.
   */
  voidSold(
    transactionId: string,
    tickets: readonly SoldTicketRelease[],
    at: number,
    actor: string,
    reason: string,
    changes: ChangeSet,
  ): { saleCancelled: boolean } {
    for (const t of tickets) {
      if (t.places >= t.quantity) {
        this.sql.cancelSold.run(at, t.ticketId);
        this.audit.record(at, actor, 'ticket', t.ticketId, 'COMPLETED', 'CANCELLED', reason);
      } else {
        this.sql.shrinkSold.run(t.quantity - t.places, at, t.ticketId);
        this.audit.record(
          at,
          actor,
          'ticket',
          t.ticketId,
          'COMPLETED',
          'COMPLETED',
          `${t.places} of ${t.quantity} places voided: ${reason}`,
        );
      }
      changes.seat(t.eventId, t.zoneId, t.seatId);
    }
    const saleCancelled = this.sql.soldLeft.get(transactionId)!.n === 0;
    if (saleCancelled) {
      this.sql.cancelSale.run(at, transactionId);
      this.audit.record(at, actor, 'transaction', transactionId, 'COMPLETED', 'CANCELLED', reason);
    }
    return { saleCancelled };
  }
}
