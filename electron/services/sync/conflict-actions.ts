import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type ConflictActionName,
  type ConflictOutcome,
  type ConflictResolution,
  type ConflictView,
  conflictDecision,
  type ServerConflictResolution,
} from '../../../shared/schemas/conflicts.ts';
import type { ServerPayment } from '../../../shared/schemas/sync.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import type { VoidService } from '../voids/void-service.ts';
import type { HoldServerClient, ServerReply } from './hold-server-client.ts';
import { type RefusedSale, refusedSaleOf } from './refused-sale.ts';
import type { ConflictRow, SyncEngine } from './sync-engine.ts';

const RESOLUTION_OF: Record<ConflictActionName, ConflictResolution> = {
  move: 'moved',
  refund: 'refunded',
  override: 'override',
};

interface Resolved {
  void_id: string | null;
  moved_to: string | null;
  resolved_by: string | null;
  server_recorded_at: number | null;
}

/** Who decides: the signed-in staff member, approved by a supervisor (the same person when one). */
export interface ConflictDecider {
  actor: string;
  approvedBy: string;
}

/**
 * The supervisor's three ways out of a sale the central server refused (issue 14): an offline sale,
 * or a sale re-sent to a server restored from an older backup (refused-sale.ts). Each acts on
 * everything the sale touched, through the services that already own it:
 *
 * - move: the sync engine sells equivalent seats at the server (and here; the printing service prints
 *   their tickets as for any sale), then the refused sale is voided here without a refund (its money
 *   paid for the new seats) so its tickets are revoked;
 * - refund: the refused sale is voided here with its refund in the tenders used (VoidService: the X
 *   and Z reports show it) and its tickets revoked;
 * - override: the sale is accepted as it stands: the seats the server still has free are sold there
 *   to it (so the server never sells them to another customer) and the decision is recorded there.
 *
 * Every resolution is recorded at the server (who, why, when, which sale, seats and ticket numbers:
 * the revocation list and the operator's `taquilla-server conflicts`). A move or refund done here
 * while the server cannot be told is reported as not recorded yet, and the next resolve of the same
 * conflict sends it. The refused sale is voided here alone: the server never held it.
 */
export class ConflictDesk {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sync: SyncEngine,
    private readonly voids: VoidService,
  ) {
    this.sql = {
      resolved: db.prepare<[number], Resolved>(
        'SELECT void_id, moved_to, resolved_by, server_recorded_at FROM sync_conflicts WHERE id = ?',
      ),
      acted: db.prepare<[string | null, string | null, number]>(
        'UPDATE sync_conflicts SET void_id = ?, moved_to = ? WHERE id = ?',
      ),
      recorded: db.prepare<[number, number]>('UPDATE sync_conflicts SET server_recorded_at = ? WHERE id = ?'),
      eventOfLease: db.prepare<[string], { event_id: number }>(
        'SELECT event_id FROM sync_leases WHERE id = ?',
      ),
      seatLabels: db.prepare<[string], { id: number; label: string }>(
        'SELECT id, label FROM seats WHERE id IN (SELECT value FROM json_each(?))',
      ),
      refundOf: db.prepare<[string], { refund_usd_cents: number }>(
        'SELECT refund_usd_cents FROM voids WHERE id = ?',
      ),
    };
  }

  /** Finds out whether the server can be reached now (a fresh engine, as on the command line). */
  async checkConnection(): Promise<void> {
    await this.sync.checkConnection();
  }

  /** Conflicts as the supervisor's screen shows them (open ones; `all`: resolved too). */
  list(all = false): ConflictView[] {
    return this.sync.conflicts(all).map((c) => this.view(c));
  }

  /**
   * Carries out a supervisor's decision on conflict `id` (see the class comment). Refusals:
   * VALIDATION (no reason to refund or override), NOTHING_HELD (no such open conflict),
   * CONFLICT_NOT_MOVABLE, OFFLINE (a move and an override need the server), and those of the void.
   */
  async resolve(id: number, raw: unknown, who: ConflictDecider): Promise<ConflictOutcome> {
    const decision = parseInput(conflictDecision, raw);
    const conflict = this.sync.conflicts(true).find((c) => c.id === id);
    // Asked again for what was done (a lost answer): the same answer, its server record sent if need be.
    if (conflict && conflict.resolution === RESOLUTION_OF[decision.action]) return this.recordAgain(conflict);
    if (!conflict || conflict.resolvedAt !== null) {
      throw new TaquillaError('NOTHING_HELD', `Conflict ${id} is not open`, {});
    }
    const sale = this.refusedSale(conflict);
    if (decision.action === 'override') return this.override(conflict, sale, decision.note!, who);
    if (!sale) {
      // Not a refused sale of this counter (a sale the server recorded that this store could not copy): the
      // engine refuses a move; a refund is marked with its reason and recorded at the server (its
      // sale there is voided with `sales.void` once copied, as any sale).
      const done = await this.sync.resolveConflict(
        id,
        decision.action === 'move'
          ? { action: 'move', actor: who.actor }
          : { action: 'refund', actor: who.actor, note: decision.note! },
      );
      const recordedAtServer = await this.tellServer(conflict, null, {
        resolution: 'refunded',
        reason: decision.note!,
        who,
        movedTo: null,
        keptBy: null,
        soldElsewhere: [],
      }).then(
        () => true,
        () => false,
      );
      return { conflictId: id, resolution: done.resolution as ConflictResolution, recordedAtServer };
    }
    // The refused sale is voided once the new seats are sold: find out first that it can be, so a
    // move never sells seats it cannot then take the old tickets back for.
    this.assertVoidable(sale.saleId);
    let voidId: string | null = null;
    let refundUsdCents = 0;
    const voidOld = (moved: { transactionId: string; seatIds: number[] } | null) => {
      const reason =
        moved === null
          ? `conflict #${id}: ${decision.note}`
          : `conflict #${id}: moved to seats ${moved.seatIds.join(', ')}`;
      const result = this.voids.voidRefusedSale(
        {
          transactionId: sale.saleId,
          reason: reason.slice(0, 200),
          actor: who.actor,
          approvedBy: who.approvedBy,
          requestId: `conflict-${id}-void`,
        },
        { refund: moved === null },
      );
      voidId = result.voidId;
      refundUsdCents = result.refundUsdCents;
      this.sql.acted.run(result.voidId, moved?.transactionId ?? null, id);
    };
    const done =
      decision.action === 'move'
        ? await this.sync.resolveConflict(
            id,
            {
              action: 'move',
              actor: who.actor,
              ...(decision.seatIds ? { seatIds: decision.seatIds } : {}),
              ...(decision.note ? { note: decision.note } : {}),
            },
            voidOld,
          )
        : await this.sync.resolveConflict(
            id,
            { action: 'refund', actor: who.actor, note: decision.note! },
            voidOld,
          );
    const resolution: ConflictResolution = decision.action === 'move' ? 'moved' : 'refunded';
    const recordedAtServer = await this.tellServer(conflict, sale, {
      resolution,
      reason: decision.note ?? `moved to seats ${(done.seatIds ?? []).join(', ')}`,
      who,
      movedTo:
        done.transactionId && done.seatIds
          ? { transactionId: done.transactionId, seatIds: done.seatIds }
          : null,
      keptBy: null,
      soldElsewhere: [],
    }).then(
      () => true,
      () => false,
    );
    return {
      conflictId: id,
      resolution,
      ...(done.seatIds ? { seatIds: done.seatIds, seatLabels: this.labelsOf(done.seatIds) } : {}),
      ...(done.transactionId ? { transactionId: done.transactionId } : {}),
      ...(voidId ? { voidId, refundUsdCents } : {}),
      recordedAtServer,
    };
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * Accepts the refused sale as it stands. Nothing is written here until the server has it: its seats
   * still free there are sold there to this sale (keys derived from the conflict, so a retry is
   * answered as the first), the decision is recorded there, then the conflict is marked here.
   */
  private async override(
    conflict: ConflictRow,
    sale: RefusedSale | null,
    note: string,
    who: ConflictDecider,
  ): Promise<ConflictOutcome> {
    const link = this.sync.serverLink();
    const seatIds = sale?.seatIds ?? [];
    let keptBy: string | null = null;
    const soldElsewhere: number[] = [];
    const eventId = sale?.eventId ?? null;
    if (sale && eventId !== null && seatIds.length > 0) {
      // The sale's own id: conflict numbers are this counter's, and the server's carts are venue-wide.
      const sessionId = `conflict-${sale.saleId}`;
      // One seat at a time: a seat the server has sold to another customer stays theirs (both stand).
      const held: number[] = [];
      let transactionId: string | null = null;
      let total = 0;
      for (const seatId of seatIds) {
        const reply = await ask(link, 'holdSeats', `${sessionId}-hold-${seatId}`, {
          eventId,
          sessionId,
          actor: who.actor,
          seatIds: [seatId],
        });
        if (reply.error) {
          if (reply.error.code !== 'SEAT_TAKEN') throw serverRefusal(reply);
          soldElsewhere.push(seatId);
          continue;
        }
        const result = reply.result as {
          transactionId: string;
          tickets: { priceCents: number; quantity: number }[];
        };
        transactionId = result.transactionId;
        held.push(seatId);
        total = result.tickets.reduce((sum, t) => sum + t.priceCents * t.quantity, 0);
      }
      if (transactionId !== null) {
        // The customer paid at the counter for this very sale (its money stays with it here).
        const payment: ServerPayment = {
          paymentId: `${sale.saleId}-override`.slice(0, 64),
          kind: 'MOVED',
          cashier: who.actor,
          terminal: null,
          vesPerUsd: '1',
          dueCents: total,
          appliedCents: total,
          change: null,
          // The same body every time: a retried override is answered by its key as the first.
          createdAt: conflict.createdAt,
          requestId: null,
          lines: [],
        };
        const reply = await ask(link, 'complete', `${sessionId}-complete`, {
          transactionId,
          actor: who.actor,
          payment,
        });
        if (reply.error) throw serverRefusal(reply);
        keptBy = transactionId;
      }
    }
    await this.tellServer(conflict, sale, {
      resolution: 'override',
      reason: note,
      who,
      movedTo: null,
      keptBy,
      soldElsewhere,
    });
    await this.sync.resolveConflict(conflict.id, { action: 'override', actor: who.actor, note });
    this.sql.recorded.run(this.clock.now(), conflict.id);
    return {
      conflictId: conflict.id,
      resolution: 'override',
      seatIds,
      ...(keptBy ? { transactionId: keptBy } : {}),
      soldElsewhere,
      recordedAtServer: true,
    };
  }

  private assertVoidable(transactionId: string): void {
    const sale = this.voids.preview({ transactionId });
    if (sale.status !== 'COMPLETED') {
      throw new TaquillaError('NOT_VOIDABLE', `The refused sale is ${sale.status}`, {
        transactionId,
        status: sale.status,
      });
    }
    if (!sale.voidable) {
      throw new TaquillaError('EVENT_STARTED', `${sale.eventName} has started`, {
        transactionId,
        eventId: sale.eventId,
        startsAt: sale.startsAt,
      });
    }
  }

  /** A resolved conflict asked again: its server record sent if it never got there; the same answer. */
  private async recordAgain(conflict: ConflictRow): Promise<ConflictOutcome> {
    const row = this.sql.resolved.get(conflict.id)!;
    const sale = this.refusedSale(conflict);
    let recorded = row.server_recorded_at !== null;
    if (!recorded) {
      recorded = await this.tellServer(conflict, sale, {
        resolution: conflict.resolution!,
        reason: conflict.resolutionNote ?? conflict.resolution!,
        who: { actor: row.resolved_by ?? 'supervisor', approvedBy: row.resolved_by ?? 'supervisor' },
        movedTo: row.moved_to ? { transactionId: row.moved_to, seatIds: [] } : null,
        keptBy: null,
        soldElsewhere: [],
      }).then(
        () => true,
        () => false,
      );
    }
    return {
      conflictId: conflict.id,
      resolution: conflict.resolution!,
      ...(row.moved_to ? { transactionId: row.moved_to } : {}),
      ...(row.void_id
        ? { voidId: row.void_id, refundUsdCents: this.sql.refundOf.get(row.void_id)?.refund_usd_cents ?? 0 }
        : {}),
      recordedAtServer: recorded,
    };
  }

  /** Records a resolution at the server (POST /v1/conflicts/resolutions); throws when not recorded. */
  private async tellServer(
    conflict: ConflictRow,
    sale: RefusedSale | null,
    what: {
      resolution: ConflictResolution;
      reason: string;
      who: ConflictDecider;
      movedTo: ServerConflictResolution['movedTo'];
      keptBy: string | null;
      soldElsewhere: number[];
    },
  ): Promise<void> {
    const eventId = sale?.eventId ?? undefined;
    const body: ServerConflictResolution = {
      saleId:
        sale?.saleId ??
        fieldOf(conflict.body, 'transactionId') ??
        `conflict-${conflict.createdAt}-${conflict.id}`,
      eventId: eventId ?? fieldOf(conflict.body, 'eventId') ?? null,
      resolution: what.resolution,
      reason: what.reason.slice(0, 200),
      actor: what.who.actor,
      approvedBy: what.who.approvedBy,
      seatIds: sale?.seatIds ?? [],
      ticketNumbers: sale?.ticketNumbers ?? [],
      movedTo: what.movedTo,
      keptBy: what.keptBy,
      soldElsewhere: what.soldElsewhere,
      resolvedAt: this.sync.serverClock.now(),
    };
    const reply = await this.sync.serverLink().post('/v1/conflicts/resolutions', body);
    if (reply.error) throw serverRefusal(reply);
    this.sql.recorded.run(this.clock.now(), conflict.id);
  }

  /** The sale a conflict stands for (an offline sale, or one re-sent after a restore); null: none. */
  private refusedSale(conflict: ConflictRow): RefusedSale | null {
    return refusedSaleOf(
      conflict.op,
      conflict.body,
      (leaseId) => this.sql.eventOfLease.get(leaseId)?.event_id,
    );
  }

  private labelsOf(seatIds: number[]): string[] {
    const labels = new Map(this.sql.seatLabels.all(JSON.stringify(seatIds)).map((s) => [s.id, s.label]));
    return seatIds.map((id) => labels.get(id) ?? `#${id}`);
  }

  private view(c: ConflictRow): ConflictView {
    const sale = this.refusedSale(c);
    const row = this.sql.resolved.get(c.id);
    return {
      id: c.id,
      op: c.op,
      errorCode: c.errorCode,
      error: c.error,
      createdAt: c.createdAt,
      saleId: sale?.saleId ?? null,
      seatIds: sale?.seatIds ?? [],
      seatLabels: this.labelsOf(sale?.seatIds ?? []),
      ticketNumbers: sale?.ticketNumbers ?? [],
      resolvedAt: c.resolvedAt,
      resolution: c.resolution,
      resolutionNote: c.resolutionNote,
      resolvedBy: row?.resolved_by ?? null,
      recordedAtServer: row?.server_recorded_at ?? null,
    };
  }
}

/** A field of an operation's body, when it has one of that type. */
function fieldOf(body: unknown, field: 'transactionId'): string | undefined;
function fieldOf(body: unknown, field: 'eventId'): number | undefined;
function fieldOf(body: unknown, field: string): unknown {
  const value = (body as Record<string, unknown> | null)?.[field];
  return typeof value === (field === 'eventId' ? 'number' : 'string') ? value : undefined;
}

async function ask(
  link: HoldServerClient,
  op: 'holdSeats' | 'complete',
  key: string,
  body: unknown,
): Promise<ServerReply> {
  return link.operation(op, body, key).catch(() => {
    throw new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: 0 });
  });
}

function serverRefusal(reply: ServerReply): TaquillaError {
  return new TaquillaError(
    (reply.error?.code ?? 'OFFLINE') as 'OFFLINE',
    reply.error?.message ?? 'Refused by the server',
    (reply.error?.details ?? { outbox: 0 }) as never,
  );
}
