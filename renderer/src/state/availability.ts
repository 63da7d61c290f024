import { SEAT_STATE_CODES } from '../../../shared/lifecycle.ts';
import type {
  AvailabilityChanges,
  AvailabilitySnapshot,
  SeatHolder,
  ZoneAvailability,
} from '../../../shared/schemas/availability.ts';

/**
 * What a seat looks like to this cashier. `leased`: leased to this counter (issue 14) — others see it
 * taken, this counter sells it, online or offline.
 */
export type SeatView = 'free' | 'leased' | 'mine' | 'held' | 'reserved' | 'sold' | 'blocked';
export const SEAT_VIEWS: readonly SeatView[] = [
  'free',
  'leased',
  'mine',
  'held',
  'reserved',
  'sold',
  'blocked',
];

const NONE: ReadonlySet<number> = new Set();
const FREE = SEAT_STATE_CODES.free.charCodeAt(0);
const SOLD = SEAT_STATE_CODES.sold.charCodeAt(0);
const BLOCKED = SEAT_STATE_CODES.blocked.charCodeAt(0);
const CODE_OF: Record<SeatHolder['state'], number> = {
  free: FREE,
  held: SEAT_STATE_CODES.held.charCodeAt(0),
  reserved: SEAT_STATE_CODES.reserved.charCodeAt(0),
  sold: SOLD,
  blocked: BLOCKED,
};

/** The client's copy of an event's availability, kept current by the live feed. */
export interface AvailabilityModel {
  version: number;
  codes: Uint8Array;
  holders: Map<number, SeatHolder>;
  zones: Map<number, ZoneAvailability>;
}

export function fromSnapshot(snapshot: AvailabilitySnapshot): AvailabilityModel {
  const codes = new Uint8Array(snapshot.states.length);
  for (let i = 0; i < codes.length; i++) codes[i] = snapshot.states.charCodeAt(i);
  return {
    version: snapshot.version,
    codes,
    holders: new Map(snapshot.taken.map((h) => [h.seatId, h])),
    zones: new Map(snapshot.zones.map((z) => [z.zoneId, z])),
  };
}

/**
 * Applies a change set in place. Returns false when the feed said `reset` (the client must take a
 * fresh snapshot: it fell too far behind or the store was replaced).
 */
export function applyChanges(
  model: AvailabilityModel,
  changes: AvailabilityChanges,
  indexOf: ReadonlyMap<number, number>,
): boolean {
  if (changes.reset) return false;
  if (changes.version <= model.version) return true;
  for (const seat of changes.seats) {
    const i = indexOf.get(seat.seatId);
    if (i === undefined) continue;
    model.codes[i] = CODE_OF[seat.state];
    if (seat.state === 'free') model.holders.delete(seat.seatId);
    else model.holders.set(seat.seatId, seat);
  }
  for (const zone of changes.zones) model.zones.set(zone.zoneId, zone);
  model.version = changes.version;
  return true;
}

/**
 * A seat's state for this cashier at server time `serverNow`. A hold whose `until` has passed is
 * free, even before the server has written anything: time alone releases it.
 */
export function seatView(
  model: AvailabilityModel,
  index: number,
  seatId: number,
  serverNow: number,
  mySessionId: string | null,
  leasedHere: ReadonlySet<number> = NONE,
): SeatView {
  const code = model.codes[index];
  if (code === SOLD) return 'sold';
  if (code === BLOCKED) return 'blocked';
  const holder = code === FREE || code === undefined ? undefined : model.holders.get(seatId);
  const live = holder && (holder.until === null || holder.until > serverNow);
  if (live && holder.state === 'held' && mySessionId !== null && holder.sessionId === mySessionId)
    return 'mine';
  // The lease's own hold on the seat is this counter's to sell; a cart's hold on it is not.
  if (leasedHere.has(seatId) && (!live || holder.state === 'reserved')) return 'leased';
  if (!live) return 'free';
  return holder.state === 'reserved' ? 'reserved' : 'held';
}

/** Server time as this client estimates it: the PC clock plus the offset seen on the last message. */
export function clockOffset(serverAt: number, localNow: number): number {
  return serverAt - localNow;
}
