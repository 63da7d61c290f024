import type { Db } from '../../store/database.ts';
import { AuditTrail } from './audit-trail.ts';
import { ChangeFeedWriter, ChangeSet } from './change-set.ts';

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
 * The one writer of the void arrow of the lifecycle (issue 16): a sold ticket goes back on sale
 * (COMPLETED → CANCELLED), or a general-admission ticket keeps fewer places, and a sale with nothing
 * left is CANCELLED. The store refuses both unless the void that explains them is already recorded
 * (migration 027), so call this after writing the void, inside the same write transaction. The seats
 * reach every screen through the change feed, as any release does.
 */
export class SoldTicketVoids {
  private readonly audit: AuditTrail;
  private readonly feed: ChangeFeedWriter;
  private readonly sql;

  constructor(db: Db) {
    this.audit = new AuditTrail(db);
    this.feed = new ChangeFeedWriter(db);
    this.sql = {
      cancel: db.prepare<[number, number]>(
        "UPDATE reserved_tickets SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'COMPLETED'",
      ),
      shrink: db.prepare<[number, number, number]>(
        "UPDATE reserved_tickets SET quantity = ?, updated_at = ? WHERE id = ? AND status = 'COMPLETED'",
      ),
      left: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM reserved_tickets WHERE transaction_id = ? AND status = 'COMPLETED'",
      ),
      cancelSale: db.prepare<[number, string]>(
        "UPDATE transactions SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'COMPLETED'",
      ),
    };
  }

  /** Releases the tickets; returns whether the sale was left with nothing (and so was cancelled). */
  release(
    transactionId: string,
    tickets: SoldTicketRelease[],
    at: number,
    actor: string,
    reason: string,
  ): { saleCancelled: boolean } {
    const changes = new ChangeSet();
    for (const t of tickets) {
      if (t.places >= t.quantity) {
        this.sql.cancel.run(at, t.ticketId);
        this.audit.record(at, actor, 'ticket', t.ticketId, 'COMPLETED', 'CANCELLED', reason);
      } else {
        this.sql.shrink.run(t.quantity - t.places, at, t.ticketId);
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
    const saleCancelled = this.sql.left.get(transactionId)!.n === 0;
    if (saleCancelled) {
      this.sql.cancelSale.run(at, transactionId);
      this.audit.record(at, actor, 'transaction', transactionId, 'COMPLETED', 'CANCELLED', reason);
    }
    this.feed.flush(changes);
    return { saleCancelled };
  }
}
