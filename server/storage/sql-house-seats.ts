import { decideBlockSeats, decideUnblockSeats, effectsOrThrow } from '../../shared/hold-rules/index.ts';
import type {
  BlockSeatsInput,
  BlockSeatsResult,
  UnblockSeatsInput,
  UnblockSeatsResult,
} from '../../shared/schemas/reservations.ts';
import { changed } from './sql-availability.ts';
import { seatFacts, seatTicketFacts } from './sql-hold-facts.ts';
import { expireLate } from './sql-holds.ts';
import { marks, type OpContext } from './sql-tx.ts';

/**
 * House seats (block-seats on an enrolled counter): taken off sale at the server, so every counter's
 * hold on them is refused (SEAT_BLOCKED, with the reason) and every map shows them blocked.
 */

export async function blockSeats(ctx: OpContext, input: BlockSeatsInput): Promise<BlockSeatsResult> {
  const seats = await seatFacts(ctx, input.eventId, input.seatIds);
  const onSeats = await seatTicketFacts(ctx, input.eventId, input.seatIds);
  const decided = effectsOrThrow(
    decideBlockSeats({ now: ctx.now, requested: input.seatIds, seats, onSeats }),
  );
  await expireLate(ctx, decided.expire, null, input.eventId);
  const reason = input.reason ?? null;
  if (decided.block.length > 0) {
    await ctx.tx.run(
      `UPDATE seats SET blocked = 1, blocked_reason = ? WHERE tenant_id = ? AND event_id = ?
         AND id IN (${marks(decided.block.length)})`,
      [reason, ctx.tenantId, input.eventId, ...decided.block.map((s) => s.seatId)],
    );
  }
  for (const s of decided.block) {
    changed(ctx, input.eventId, s.zoneId, s.seatId);
    ctx.audit.push({
      eventId: input.eventId,
      actor: input.actor,
      entity: 'seat',
      entityId: s.seatId,
      from: 'on sale',
      to: 'blocked',
      reason: reason ?? 'house seat',
    });
  }
  const blocked = decided.block.map((s) => s.seatId);
  return { blocked, alreadyBlocked: input.seatIds.filter((id) => !blocked.includes(id)) };
}

export async function unblockSeats(ctx: OpContext, input: UnblockSeatsInput): Promise<UnblockSeatsResult> {
  const seats = await seatFacts(ctx, input.eventId, input.seatIds);
  const { unblock } = effectsOrThrow(decideUnblockSeats(input.seatIds, seats));
  if (unblock.length > 0) {
    await ctx.tx.run(
      `UPDATE seats SET blocked = 0, blocked_reason = NULL WHERE tenant_id = ? AND event_id = ?
         AND id IN (${marks(unblock.length)})`,
      [ctx.tenantId, input.eventId, ...unblock.map((s) => s.seatId)],
    );
  }
  for (const s of unblock) {
    changed(ctx, input.eventId, s.zoneId, s.seatId);
    ctx.audit.push({
      eventId: input.eventId,
      actor: input.actor,
      entity: 'seat',
      entityId: s.seatId,
      from: 'blocked',
      to: 'on sale',
      reason: 'unblocked',
    });
  }
  const unblocked = unblock.map((s) => s.seatId);
  return { unblocked, alreadyOnSale: input.seatIds.filter((id) => !unblocked.includes(id)) };
}
