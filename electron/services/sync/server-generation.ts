import { type Clock, DAY_MS } from '../../../shared/clock.ts';
import type { RecoverSaleInput, ServerPayment } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import type { Outbox, OutboxItem } from './outbox.ts';

/**
 * A server that lost data is noticed (issue 14). The server names its generation in every heartbeat:
 * a random id minted with its database and again whenever it is restored from a backup. This terminal
 * remembers, with every sale the server acknowledged, the generation that last confirmed it
 * (`sync_server_sales`, migration 036). When the heartbeat names another generation, it queues, in
 * one write: its highest ticket number (used, or in a block it carries) so the server's counter
 * never rewinds, then every sale not confirmed by the new generation, as it stands here now (its live
 * places, their numbers, its money). The outbox sends them like offline sales; the server answers
 * each `present`, takes it back, or refuses it (a seat sold again meanwhile), which the sync engine
 * lists as a conflict. A sale voided here in full is not re-sent. Last, it gives back again every
 * lease it had ended (the backup may have it open).
 */
export class ServerGeneration {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly outbox: Outbox,
    /** The payments of a transaction as they travel (null where no payment book is wired). */
    private readonly paymentsOf: (transactionId: string) => ServerPayment[],
  ) {
    this.sql = {
      seen: db.prepare<[], { value: string }>("SELECT value FROM sync_state WHERE key = 'server_generation'"),
      setSeen: db.prepare<[string]>(
        `INSERT INTO sync_state (key, value) VALUES ('server_generation', ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ),
      note: db.prepare<[string, string, number, string | null]>(
        `INSERT INTO sync_server_sales (transaction_id, server_id, outbox_id, generation) VALUES (?, ?, ?, ?)
         ON CONFLICT(transaction_id) DO UPDATE SET generation = excluded.generation`,
      ),
      stampUnknown: db.prepare<[string]>(
        'UPDATE sync_server_sales SET generation = ? WHERE generation IS NULL',
      ),
      // A sale whose earlier re-sending was refused and is still on the conflict list is the
      // supervisor's to move or refund: not re-sent (nor listed again) at a later restore.
      notConfirmed: db.prepare<[string], { transaction_id: string; server_id: string }>(
        `SELECT transaction_id, server_id FROM sync_server_sales s
         WHERE (generation IS NULL OR generation <> ?)
           AND NOT EXISTS (SELECT 1 FROM sync_conflicts c
             WHERE c.op = 'recoverSale' AND c.resolved_at IS NULL
               AND COALESCE(json_extract(c.body, '$.saleId'), json_extract(c.body, '$.transactionId')) = s.transaction_id)
         ORDER BY outbox_id`,
      ),
      // Leases this counter ended (returned, recalled, lost) that a restore may have brought back
      // open; within a day of their end, since the server frees a lease's places at its end anyway.
      closedLeases: db.prepare<[number], { id: string }>(
        "SELECT id FROM sync_leases WHERE status = 'RETURNED' AND expires_at > ? ORDER BY created_at",
      ),
      leaseGeneration: db.prepare<[string], { generation: string | null }>(
        'SELECT generation FROM sync_leases WHERE id = ?',
      ),
      highestNumber: db.prepare<[], { n: number | null }>(
        `SELECT MAX(n) AS n FROM (SELECT MAX(number) AS n FROM venue_ticket_numbers
         UNION ALL SELECT MAX(ticket_to) FROM sync_leases)`,
      ),
      sale: db.prepare<
        [string],
        { event_id: number; status: string; actor: string; completed_at: number | null; created_at: number }
      >('SELECT event_id, status, actor, completed_at, created_at FROM transactions WHERE id = ?'),
      liveTickets: db.prepare<[string], { zone_id: number; seat_id: number | null; quantity: number }>(
        `SELECT zone_id, seat_id, quantity FROM reserved_tickets WHERE transaction_id = ? AND status = 'COMPLETED'
         ORDER BY id`,
      ),
      numbers: db.prepare<[string], { number: number; seat_id: number | null; zone_id: number }>(
        'SELECT number, seat_id, zone_id FROM venue_ticket_numbers WHERE transaction_id = ? ORDER BY place, number',
      ),
    };
  }

  /** The generation this terminal last saw (null before its first heartbeat that named one). */
  get seen(): string | null {
    return this.sql.seen.get()?.value ?? null;
  }

  /**
   * Call inside the write that records the server's acknowledgement of `item`. A sale the server
   * took (an online sale, a deposit paid off, an offline sale, a re-sent one) is noted with the
   * generation known now.
   */
  noteAcknowledged(item: OutboxItem, reply: { result?: unknown; error?: unknown }): void {
    if (reply.error) return;
    const body = item.body as { transactionId?: string; saleId?: string };
    const result = (reply.result ?? {}) as { transactionId?: unknown; status?: unknown };
    const serverId = typeof result.transactionId === 'string' ? result.transactionId : body.transactionId;
    if (item.op === 'recoverSale') {
      // Noted even if it was never acknowledged before (an offline sale from a lease a restore lost).
      this.sql.note.run(body.saleId ?? body.transactionId!, serverId!, item.id, this.seen);
      return;
    }
    const sold =
      item.op === 'leaseSale' ||
      ((item.op === 'complete' || item.op === 'pay') && result.status === 'COMPLETED');
    const localId = item.op === 'leaseSale' ? body.saleId : body.transactionId;
    if (!sold || !localId || !serverId) return;
    this.sql.note.run(localId, serverId, item.id, this.seen);
  }

  /**
   * The heartbeat named `generation`. The first one seen is taken as the one that acknowledged what
   * came before; a change queues the recovery (in one write, with the new generation noted, so it is
   * queued once). true when something was queued.
   */
  follow(generation: unknown): boolean {
    if (typeof generation !== 'string' || generation.length === 0) return false;
    const seen = this.seen;
    if (seen === generation) return false;
    return this.db
      .transaction(() => {
        if (this.seen !== seen) return false;
        this.sql.setSeen.run(generation);
        if (seen === null) {
          this.sql.stampUnknown.run(generation);
          return false;
        }
        const now = this.clock.now();
        const highest = this.sql.highestNumber.get()?.n ?? null;
        // First, alone: the server's counter goes above every number this terminal used or carries.
        if (highest !== null && highest > 0) this.outbox.add('raiseTicketFloor', { atLeast: highest }, now);
        for (const row of this.sql.notConfirmed.all(generation)) {
          const body = this.recovery(row.transaction_id, row.server_id);
          if (body) this.outbox.add('recoverSale', body, now);
        }
        // Then the leases it had ended: the backup may have them open, holding places nobody sells
        // (after the re-sent sales, which take their sold places first). One the server does not
        // know, or has closed, is answered UNKNOWN_LEASE and changes nothing.
        for (const lease of this.sql.closedLeases.all(now - DAY_MS)) {
          this.outbox.add('leaseReturn', { leaseId: lease.id, actor: 'sync' }, now);
        }
        return true;
      })
      .immediate();
  }

  /**
   * Call inside the write that records the server's refusal of an offline sale (`leaseSale`). The
   * server answered UNKNOWN_LEASE naming a generation other than the one that granted the lease
   * (noted with it, migration 037): it was restored from a backup older than the lease. The sale was made
   * in good faith from a lease that server had granted, so it is queued as a re-sent sale instead
   * (the server takes it back, or refuses it if someone else has a place now). true when queued.
   */
  recoverFromLostLease(item: OutboxItem, error: { code: string; details?: unknown }): boolean {
    if (item.op !== 'leaseSale' || error.code !== 'UNKNOWN_LEASE') return false;
    const body = item.body as { leaseId: string; saleId: string };
    const current = (error.details as { generation?: unknown } | undefined)?.generation;
    const granted = this.sql.leaseGeneration.get(body.leaseId)?.generation ?? null;
    if (typeof current !== 'string' || granted === null || granted === current) return false;
    const recovery = this.recovery(body.saleId, body.saleId);
    if (!recovery) return false;
    this.outbox.add('recoverSale', recovery, this.clock.now());
    return true;
  }

  /** The sale as it stands here: its live places with their numbers, and its money; null if voided. */
  private recovery(transactionId: string, serverId: string): RecoverSaleInput | null {
    const sale = this.sql.sale.get(transactionId);
    if (!sale || sale.status !== 'COMPLETED') return null;
    const tickets = this.sql.liveTickets.all(transactionId);
    if (tickets.length === 0) return null;
    const numbers = this.sql.numbers.all(transactionId);
    const standing = new Map<number, number[]>();
    for (const n of numbers) {
      if (n.seat_id !== null) continue;
      standing.set(n.zone_id, [...(standing.get(n.zone_id) ?? []), n.number]);
    }
    const places = tickets.map((t) => {
      if (t.seat_id !== null) {
        return {
          zoneId: t.zone_id,
          seatId: t.seat_id,
          quantity: 1,
          ticketNumbers: numbers.filter((n) => n.seat_id === t.seat_id).map((n) => n.number),
        };
      }
      const left = standing.get(t.zone_id) ?? [];
      standing.set(t.zone_id, left.slice(t.quantity));
      return {
        zoneId: t.zone_id,
        seatId: null,
        quantity: t.quantity,
        ticketNumbers: left.slice(0, t.quantity),
      };
    });
    return {
      transactionId: serverId,
      ...(serverId !== transactionId ? { saleId: transactionId } : {}),
      eventId: sale.event_id,
      actor: sale.actor,
      soldAt: sale.completed_at ?? sale.created_at,
      places,
      payments: this.paymentsOf(transactionId),
    };
  }
}
