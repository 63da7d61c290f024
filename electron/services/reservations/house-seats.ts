import type { Clock } from '../../../shared/clock.ts';
import { decideBlockSeats, decideUnblockSeats, effectsOrThrow } from '../../../shared/hold-rules/index.ts';
import {
  type BlockSeatsResult,
  blockSeatsInput,
  type UnblockSeatsResult,
  unblockSeatsInput,
} from '../../../shared/schemas/reservations.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { AuditTrail } from './audit-trail.ts';
import type { Catalog } from './catalog.ts';
import { type ChangeFeedWriter, ChangeSet } from './change-set.ts';
import type { HoldFacts } from './hold-facts.ts';
import type { HoldWriter } from './hold-writer.ts';

/**
 * House seats (block-seats): taken off sale and put back. What may be blocked is the hold rules'
 * decision (decideBlockSeats); a blocked seat is then refused to every hold (SEAT_BLOCKED), and the
 * schema's blocked_seat_guard trigger refuses it too.
 */
export class HouseSeats {
  private readonly audit: AuditTrail;
  private readonly setBlocked;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly catalog: Catalog,
    private readonly facts: HoldFacts,
    private readonly writer: HoldWriter,
    private readonly feed: ChangeFeedWriter,
  ) {
    this.audit = new AuditTrail(db);
    this.setBlocked = db.prepare<[number, string | null, number]>(
      'UPDATE seats SET blocked = ?, blocked_reason = ? WHERE id = ?',
    );
  }

  blockSeats(raw: unknown): BlockSeatsResult {
    const input = parseInput(blockSeatsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        const effects = effectsOrThrow(
          decideBlockSeats({
            now,
            requested: input.seatIds,
            seats: this.facts.seats(input.eventId, input.seatIds),
            onSeats: this.facts.onSeats(input.seatIds),
          }),
        );
        const changes = new ChangeSet();
        const moved = this.writer.moveTickets(effects.expire, now, 'system', changes);
        this.writer.closeEmptied(
          moved.map((t) => t.transaction_id),
          'EXPIRED',
          now,
          'system',
          'hold time ran out',
        );
        const reason = input.reason ?? 'house seat';
        for (const seat of effects.block) {
          this.setBlocked.run(1, reason, seat.seatId);
          this.audit.record(now, input.actor, 'seat', seat.seatId, 'free', 'blocked', reason);
          changes.seat(input.eventId, seat.zoneId, seat.seatId);
        }
        this.feed.flush(changes);
        const blocked = effects.block.map((s) => s.seatId);
        return { blocked, alreadyBlocked: input.seatIds.filter((id) => !blocked.includes(id)) };
      })
      .immediate();
  }

  unblockSeats(raw: unknown): UnblockSeatsResult {
    const input = parseInput(unblockSeatsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        const effects = effectsOrThrow(
          decideUnblockSeats(input.seatIds, this.facts.seats(input.eventId, input.seatIds)),
        );
        const changes = new ChangeSet();
        for (const seat of effects.unblock) {
          this.setBlocked.run(0, null, seat.seatId);
          this.audit.record(now, input.actor, 'seat', seat.seatId, 'blocked', 'free', 'back on sale');
          changes.seat(input.eventId, seat.zoneId, seat.seatId);
        }
        this.feed.flush(changes);
        const unblocked = effects.unblock.map((s) => s.seatId);
        return { unblocked, alreadyOnSale: input.seatIds.filter((id) => !unblocked.includes(id)) };
      })
      .immediate();
  }
}
