import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { ServerOperation, ServerPayment } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import type { HoldResult, TransactionSummary } from '../reservations/reservation-service.ts';
import type { LeaseDesk } from './lease-desk.ts';
import type { Outbox } from './outbox.ts';
import { refusedSaleOf } from './refused-sale.ts';
import type { ServerLink } from './server-link.ts';

export interface ConflictRow {
  id: number;
  outboxId: number;
  op: ServerOperation;
  body: unknown;
  errorCode: string;
  error: string;
  createdAt: number;
  resolvedAt: number | null;
  resolution: 'moved' | 'refunded' | 'override' | null;
  resolutionNote: string | null;
}

export type ConflictAction =
  | { action: 'move'; actor: string; seatIds?: number[]; note?: string }
  | { action: 'refund'; actor: string; note: string }
  | { action: 'override'; actor: string; note: string };

/** How a moved customer is sold the new seats: through the engine's own routing, at the server. */
export interface ConflictSales {
  holdSeats(raw: unknown): Promise<HoldResult>;
  complete(raw: unknown): Promise<TransactionSummary>;
}

/**
 * The supervisor's list of what the server refused after money was taken (an offline sale) or what
 * it recorded that could not be copied here, and the ways out of each: move, refund or override.
 * Owns sync_conflicts.
 */
export class SyncConflicts {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly serverClock: Clock,
    private readonly link: ServerLink,
    private readonly outbox: Outbox,
    private readonly leases: LeaseDesk,
    private readonly sales: ConflictSales,
  ) {
    this.sql = {
      insertConflict: db.prepare<[number, string, string, string, string, number]>(
        `INSERT OR IGNORE INTO sync_conflicts (outbox_id, op, body, error_code, error, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      conflicts: db.prepare<[number], Record<string, unknown>>(
        `SELECT id, outbox_id, op, body, error_code, error, created_at, resolved_at, resolution, resolution_note
         FROM sync_conflicts WHERE (? = 1 OR resolved_at IS NULL) ORDER BY id`,
      ),
      openConflicts: db.prepare<[], { n: number }>(
        'SELECT COUNT(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL',
      ),
      resolveConflict: db.prepare<[number, string, string | null, string, number]>(
        `UPDATE sync_conflicts SET resolved_at = ?, resolution = ?, resolution_note = ?, resolved_by = ?
         WHERE id = ? AND resolved_at IS NULL`,
      ),
      seatZones: db.prepare<[number, string], { id: number; zone_id: number }>(
        'SELECT id, zone_id FROM seats WHERE event_id = ? AND id IN (SELECT value FROM json_each(?))',
      ),
    };
  }

  /** Puts an item on the list (once per outbox item). */
  record(outboxId: number, op: string, body: string, errorCode: string, error: string, at: number): void {
    this.sql.insertConflict.run(outboxId, op, body, errorCode, error, at);
  }

  /** How many are still open (the status bar). */
  open(): number {
    return this.sql.openConflicts.get()!.n;
  }

  list(includeResolved = false): ConflictRow[] {
    return this.sql.conflicts.all(includeResolved ? 1 : 0).map((r) => ({
      id: r.id as number,
      outboxId: r.outbox_id as number,
      op: r.op as ServerOperation,
      body: JSON.parse(r.body as string),
      errorCode: r.error_code as string,
      error: r.error as string,
      createdAt: r.created_at as number,
      resolvedAt: (r.resolved_at as number | null) ?? null,
      resolution: (r.resolution as ConflictRow['resolution']) ?? null,
      resolutionNote: (r.resolution_note as string | null) ?? null,
    }));
  }

  /**
   * The supervisor's way out of a refused offline sale: move the customer to an equivalent free seat
   * (same zone; sold on the server now), refund, or override (accept it as it stands, with a note).
   */
  async resolve(
    id: number,
    action: ConflictAction,
    // What the conflict desk does before the conflict is marked resolved (conflict-actions.ts).
    settle?: (moved: { transactionId: string; seatIds: number[] } | null) => void,
  ): Promise<{ resolution: string; seatIds?: number[]; transactionId?: string }> {
    const conflict = this.list(true).find((c) => c.id === id);
    if (!conflict || conflict.resolvedAt !== null) {
      throw new TaquillaError('NOTHING_HELD', `Conflict ${id} is not open`, {});
    }
    const now = this.serverClock.now();
    if (action.action !== 'move') {
      settle?.(null);
      this.sql.resolveConflict.run(
        now,
        action.action === 'refund' ? 'refunded' : 'override',
        action.note,
        action.actor,
        id,
      );
      return { resolution: action.action === 'refund' ? 'refunded' : 'override' };
    }
    const sale = refusedSaleOf(conflict.op, conflict.body, (leaseId) => this.leases.byId(leaseId)?.event_id);
    if (!sale) {
      throw new TaquillaError(
        'CONFLICT_NOT_MOVABLE',
        'Only a refused sale of this counter can be moved to other seats: refund it or accept it',
        { conflictId: id, op: conflict.op, errorCode: conflict.errorCode },
      );
    }
    if (sale.standing.length > 0) {
      // A move sells equivalent seats; standing places would be voided with the sale and not
      // replaced, so the customer would lose them.
      throw new TaquillaError(
        'CONFLICT_NOT_MOVABLE',
        'A sale with standing places is refunded or accepted, not moved to seats',
        { conflictId: id, op: conflict.op, errorCode: conflict.errorCode },
      );
    }
    if (sale.eventId === null) {
      const { leaseId } = conflict.body as { leaseId: string };
      throw new TaquillaError('UNKNOWN_LEASE', `Unknown lease ${leaseId}`, { leaseId });
    }
    const eventId = sale.eventId;
    // Moving a customer takes seats at the server: say so plainly when it cannot be reached.
    const offline = () =>
      new TaquillaError('OFFLINE', 'Moving a customer needs the server; try again when it is reachable', {
        outbox: this.outbox.length,
      });
    const client = this.link.client;
    if (!client || this.link.state !== 'online') throw offline();
    // The new seats must be equivalent: as many in each zone as the customer paid for (same price),
    // so the money of the refused sale pays for them exactly and nothing is lost or owed.
    const needed = zoneCounts(this.sql.seatZones.all(eventId, JSON.stringify(sale.seatIds)));
    let seatIds = action.seatIds;
    if (seatIds) {
      const named = this.sql.seatZones.all(eventId, JSON.stringify(seatIds));
      const given = zoneCounts(named);
      const equivalent =
        named.length === seatIds.length &&
        new Set(seatIds).size === seatIds.length &&
        given.size === needed.size &&
        [...needed].every(([zone, count]) => given.get(zone) === count);
      if (!equivalent) {
        throw new TaquillaError(
          'VALIDATION',
          `Move to ${sale.seatIds.length} seat(s) of the same zone(s) as the refused sale`,
          {
            issues: [
              {
                path: 'seatIds',
                message: `needs ${[...needed].map(([zone, count]) => `${count} in zone ${zone}`).join(', ')}`,
              },
            ],
          },
        );
      }
    } else {
      const snapshot = (
        await client.get(`/v1/events/${eventId}/availability`).catch(() => {
          throw offline();
        })
      ).result as {
        seats: { seatId: number; state: string }[];
      };
      const free = new Set(snapshot.seats.filter((s) => s.state === 'free').map((s) => s.seatId));
      const left = new Map(needed);
      const chosen: number[] = [];
      for (const seat of this.db
        .prepare<[number], { id: number; zone_id: number }>(
          'SELECT id, zone_id FROM seats WHERE event_id = ? ORDER BY id',
        )
        .all(eventId)) {
        const want = left.get(seat.zone_id) ?? 0;
        if (want > 0 && free.has(seat.id)) {
          chosen.push(seat.id);
          left.set(seat.zone_id, want - 1);
        }
      }
      if (chosen.length < sale.seatIds.length) {
        throw new TaquillaError('SEAT_TAKEN', 'No equivalent free seats in that zone', { seats: [] });
      }
      seatIds = chosen;
    }
    // The refused sale's own id (a conflict's number is this counter's; the server's carts are venue-wide).
    const sessionId = `conflict-${sale.saleId}`;
    const held = await this.sales.holdSeats({
      eventId,
      sessionId,
      actor: action.actor,
      seatIds,
    });
    const total = held.tickets.reduce((sum, t) => sum + t.priceCents * t.quantity, 0);
    // The customer paid at the counter for the refused sale: that money pays for the new seats.
    const moved: ServerPayment = {
      paymentId: randomUUID(),
      kind: 'MOVED',
      cashier: action.actor,
      terminal: null,
      vesPerUsd: '1',
      dueCents: total,
      appliedCents: total,
      change: null,
      createdAt: now,
      requestId: null,
      lines: [],
    };
    await this.sales.complete({ transactionId: held.transactionId, actor: action.actor, payment: moved });
    settle?.({ transactionId: held.transactionId, seatIds });
    this.sql.resolveConflict.run(
      now,
      'moved',
      action.note ?? `moved to ${seatIds.join(', ')}`,
      action.actor,
      id,
    );
    return { resolution: 'moved', seatIds, transactionId: held.transactionId };
  }
}

/** How many of the seats are in each zone. */
function zoneCounts(seats: readonly { zone_id: number }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of seats) counts.set(s.zone_id, (counts.get(s.zone_id) ?? 0) + 1);
  return counts;
}
