import { MINUTE_MS } from '../clock.ts';
import { type SeatConflict, TaquillaError } from '../errors.ts';
import { extendedUntil, isLive } from '../lifecycle.ts';
import { allow, type Decision, refuse } from './decision.ts';
import type {
  HeldTicketFact,
  HoldSettings,
  LateZoneHold,
  SeatFact,
  SeatTicketFact,
  SessionFact,
  ZoneFact,
} from './facts.ts';

/** A ticket to move out of ACTIVE, and the words the audit trail records. */
export interface TicketMove {
  ticketId: number;
  transactionId: string;
  to: 'CANCELLED' | 'EXPIRED';
  reason: string;
}

export const HOLD_TIME_RAN_OUT = 'hold time ran out';

export interface SeatHoldFacts {
  now: number;
  settings: HoldSettings;
  /** The seat ids asked for, as asked (no duplicates: the input schema refuses them). */
  requested: readonly number[];
  /** The requested seats the event has (a missing one is UNKNOWN_SEAT). */
  seats: readonly SeatFact[];
  /** Every live-indexed ticket on the requested seats (late holds included). */
  onSeats: readonly SeatTicketFact[];
  session: SessionFact;
}

export interface SeatHoldEffects {
  /** Late holds on the requested seats: EXPIRED before the new holds are written. */
  expire: TicketMove[];
  /** Requested seats the session's cart already holds (asking again is harmless). */
  alreadyHeld: number[];
  /** Seats to hold now, one ACTIVE ticket each, in the order asked. */
  hold: SeatFact[];
  /** When the new holds end. */
  until: number;
  /** True when the session has no cart in this event: open one (PENDING) for the holds. */
  openCart: boolean;
}

/**
 * Holds every requested seat for the session, or none. The order of checks (the same for every
 * store): UNKNOWN_SEAT, SEAT_BLOCKED, SEAT_TAKEN, LIMIT_REACHED — what is not for sale, then what
 * another customer has, then what this session may still take.
 */
export function decideSeatHold(f: SeatHoldFacts): Decision<SeatHoldEffects> {
  const unknown = unknownSeats(f.requested, f.seats);
  if (unknown) return refuse(unknown);
  const blocked = blockedSeats(f.seats);
  if (blocked) return refuse(blocked);
  const { late, live } = splitLate(f.onSeats, f.now);
  const alreadyHeld: number[] = [];
  const conflicts: SeatConflict[] = [];
  for (const t of live) {
    if (f.session.cartId !== null && t.transactionId === f.session.cartId) alreadyHeld.push(t.seatId);
    else conflicts.push(seatConflict(t));
  }
  if (conflicts.length > 0) return refuse(seatTaken(conflicts, 'Already taken'));
  const bySeat = new Map(f.seats.map((s) => [s.seatId, s]));
  const hold = f.requested.filter((id) => !alreadyHeld.includes(id)).map((id) => bySeat.get(id)!);
  const limit = limitReached(f.settings, f.session.held, hold.length);
  if (limit) return refuse(limit);
  return allow({
    expire: late.map((t) => expiry(t.ticketId, t.transactionId)),
    alreadyHeld,
    hold,
    until: f.now + f.settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS,
    openCart: f.session.cartId === null && hold.length > 0,
  });
}

export interface GeneralHoldFacts {
  now: number;
  settings: HoldSettings;
  zone: ZoneFact;
  quantity: number;
  /** The zone's standing-places holds whose time ran out (still counted in zone.used). */
  late: readonly LateZoneHold[];
  session: SessionFact;
}

export interface GeneralHoldEffects {
  expire: TicketMove[];
  /** One ACTIVE ticket of `quantity` places in the zone, at the zone's price. */
  hold: { zoneId: number; label: string; quantity: number; priceCents: number };
  until: number;
  openCart: boolean;
  /** Places in use after this hold (what the zone's counter must read). */
  usedAfter: number;
}

/**
 * Holds a quantity of standing places. Order: WRONG_ZONE_KIND, ZONE_FULL, LIMIT_REACHED.
 * Capacity before the session limit, as seats check SEAT_TAKEN before the limit: a full zone is the
 * more useful answer (choose another zone), while a limit only says "fewer" even when none are left.
 */
export function decideGeneralHold(f: GeneralHoldFacts): Decision<GeneralHoldEffects> {
  const { zone } = f;
  if (zone.kind !== 'general') {
    return refuse(
      new TaquillaError('WRONG_ZONE_KIND', `${zone.name} has numbered seats: choose seats`, {
        zoneId: zone.zoneId,
        kind: zone.kind,
      }),
    );
  }
  const freed = f.late.reduce((n, t) => n + t.quantity, 0);
  const used = zone.used - freed;
  const available = zone.capacity - used;
  if (f.quantity > available) {
    return refuse(
      new TaquillaError('ZONE_FULL', `${zone.name}: only ${available} left`, {
        zoneId: zone.zoneId,
        zoneName: zone.name,
        requested: f.quantity,
        available,
      }),
    );
  }
  const limit = limitReached(f.settings, f.session.held, f.quantity);
  if (limit) return refuse(limit);
  return allow({
    expire: f.late.map((t) => expiry(t.ticketId, t.transactionId)),
    hold: { zoneId: zone.zoneId, label: zone.name, quantity: f.quantity, priceCents: zone.priceCents },
    until: f.now + f.settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS,
    openCart: f.session.cartId === null,
    usedAfter: used + f.quantity,
  });
}

/**
 * Releasing tickets (deselect, session end, cancel): each live one is CANCELLED, one whose time had
 * already run out is EXPIRED (it ended by itself, not by this release).
 */
export function decideRelease(
  now: number,
  tickets: readonly Pick<HeldTicketFact, 'ticketId' | 'transactionId' | 'reservedUntil'>[],
  reason: string,
): TicketMove[] {
  return tickets.map((t) =>
    isLive(t.reservedUntil, now)
      ? { ticketId: t.ticketId, transactionId: t.transactionId, to: 'CANCELLED', reason }
      : expiry(t.ticketId, t.transactionId),
  );
}

export interface ExtendHoldsFacts {
  now: number;
  settings: HoldSettings;
  sessionId: string;
  /** The session's cart in the event (null: none). */
  cartId: string | null;
  /** The cart's ACTIVE tickets. */
  tickets: readonly HeldTicketFact[];
  /** How long to extend by; the tenant's TEMPORARY_HOLD_MINUTES when absent. */
  minutes?: number | undefined;
}

export interface ExtendHoldsEffects {
  transactionId: string;
  /** New ends, never past creation + MAX_HOLD_LIFETIME_MINUTES; tickets at their cap are left out. */
  extended: { ticket: HeldTicketFact; until: number }[];
  /** The live tickets (all of them change in the feed, extended or not). */
  live: HeldTicketFact[];
}

/** Gives the session's live holds more time. NOTHING_HELD when none is live; EXTENSION_LIMIT at the cap. */
export function decideExtendHolds(f: ExtendHoldsFacts): Decision<ExtendHoldsEffects> {
  const live = f.tickets.filter((t) => isLive(t.reservedUntil, f.now));
  if (f.cartId === null || live.length === 0) {
    return refuse(
      new TaquillaError('NOTHING_HELD', 'This session holds nothing to extend', { sessionId: f.sessionId }),
    );
  }
  const minutes = f.minutes ?? f.settings.TEMPORARY_HOLD_MINUTES;
  const maxLifetime = f.settings.MAX_HOLD_LIFETIME_MINUTES * MINUTE_MS;
  const extended: ExtendHoldsEffects['extended'] = [];
  for (const t of live) {
    const until = extendedUntil(t.createdAt, t.reservedUntil, f.now + minutes * MINUTE_MS, maxLifetime);
    if (until !== null) extended.push({ ticket: t, until });
  }
  if (extended.length === 0) {
    const maxUntil = Math.min(...live.map((t) => t.createdAt + maxLifetime));
    return refuse(
      new TaquillaError('EXTENSION_LIMIT', 'These holds cannot be extended any further', { maxUntil }),
    );
  }
  return allow({ transactionId: f.cartId, extended, live });
}

// ---- shared pieces -------------------------------------------------------------------------------

export function expiry(ticketId: number, transactionId: string): TicketMove {
  return { ticketId, transactionId, to: 'EXPIRED', reason: HOLD_TIME_RAN_OUT };
}

/** Late holds (ACTIVE, time run out) block nobody; the rest are live. */
export function splitLate<T extends Pick<SeatTicketFact, 'status' | 'reservedUntil'>>(
  onSeats: readonly T[],
  now: number,
): { late: T[]; live: T[] } {
  const late: T[] = [];
  const live: T[] = [];
  for (const t of onSeats) (t.status === 'ACTIVE' && !isLive(t.reservedUntil, now) ? late : live).push(t);
  return { late, live };
}

export function seatConflict(t: SeatTicketFact): SeatConflict {
  return {
    seatId: t.seatId,
    label: t.label,
    state: t.status === 'COMPLETED' ? 'sold' : t.transactionStatus === 'RESERVED' ? 'reserved' : 'held',
    ...(t.status === 'ACTIVE' ? { heldUntil: t.reservedUntil } : {}),
    heldBySession: t.sessionId,
    heldByActor: t.actor,
  };
}

export function seatTaken(conflicts: SeatConflict[], words: string): TaquillaError<'SEAT_TAKEN'> {
  return new TaquillaError('SEAT_TAKEN', `${words}: ${conflicts.map((c) => c.label).join(', ')}`, {
    seats: conflicts,
  });
}

export function unknownSeats(
  requested: readonly number[],
  seats: readonly SeatFact[],
): TaquillaError<'UNKNOWN_SEAT'> | null {
  const known = new Set(seats.map((s) => s.seatId));
  const missing = requested.filter((id) => !known.has(id));
  if (missing.length === 0) return null;
  return new TaquillaError('UNKNOWN_SEAT', `No such seat in this event: ${missing.join(', ')}`, {
    seatIds: missing,
  });
}

function blockedSeats(seats: readonly SeatFact[]): TaquillaError<'SEAT_BLOCKED'> | null {
  const blocked = seats.filter((s) => s.blocked);
  if (blocked.length === 0) return null;
  return new TaquillaError('SEAT_BLOCKED', `Not on sale: ${blocked.map((s) => s.label).join(', ')}`, {
    seats: blocked.map((s) => ({ seatId: s.seatId, label: s.label, reason: s.blockedReason })),
  });
}

/** LIMIT_REACHED when the session would hold more than MAX_RESERVATIONS_PER_USER places. */
export function limitReached(
  settings: HoldSettings,
  held: number,
  requested: number,
): TaquillaError<'LIMIT_REACHED'> | null {
  const limit = settings.MAX_RESERVATIONS_PER_USER;
  if (requested === 0 || held + requested <= limit) return null;
  return new TaquillaError('LIMIT_REACHED', `A session may hold at most ${limit} seats (holds ${held})`, {
    limit,
    held,
    requested,
  });
}
