import { allow, type Decision, refuse } from './decision.ts';
import type { SeatFact, SeatTicketFact } from './facts.ts';
import { expiry, seatConflict, seatTaken, splitLate, type TicketMove, unknownSeats } from './holds.ts';

export interface BlockSeatsFacts {
  now: number;
  requested: readonly number[];
  seats: readonly SeatFact[];
  onSeats: readonly SeatTicketFact[];
}

export interface BlockSeatsEffects {
  expire: TicketMove[];
  /** Seats to mark blocked (those already blocked are left as they are). */
  block: SeatFact[];
}

/**
 * Takes seats off sale (house seats). Order: UNKNOWN_SEAT, SEAT_TAKEN (a seat held, reserved or sold
 * cannot be blocked under its customer; late holds give way). Every store refuses holds on a blocked
 * seat (decideSeatHold: SEAT_BLOCKED), so a seat blocked anywhere is refused everywhere.
 */
export function decideBlockSeats(f: BlockSeatsFacts): Decision<BlockSeatsEffects> {
  const unknown = unknownSeats(f.requested, f.seats);
  if (unknown) return refuse(unknown);
  const { late, live } = splitLate(f.onSeats, f.now);
  if (live.length > 0) return refuse(seatTaken(live.map(seatConflict), 'Cannot block, taken'));
  return allow({
    expire: late.map((t) => expiry(t.ticketId, t.transactionId)),
    block: f.seats.filter((s) => !s.blocked),
  });
}

/** Puts blocked seats back on sale. UNKNOWN_SEAT for a seat the event lacks. */
export function decideUnblockSeats(
  requested: readonly number[],
  seats: readonly SeatFact[],
): Decision<{ unblock: SeatFact[] }> {
  const unknown = unknownSeats(requested, seats);
  if (unknown) return refuse(unknown);
  return allow({ unblock: seats.filter((s) => s.blocked) });
}
