import type { SeatView } from '../state/availability.ts';

/** One colour per state; free seats take their zone's colour so the zones stay visible. */
export const SEAT_COLORS: Record<Exclude<SeatView, 'free'>, string> = {
  // Light fills for seats nobody here can take, so they never read as a zone's (saturated) colour.
  mine: '#22c55e',
  held: '#fcd34d',
  reserved: '#f9a8d4',
  sold: '#cbd5e1',
  blocked: '#0f172a',
};

export const FREE_FALLBACK = '#3b82f6';
export const FOCUS_COLOR = '#0f172a';
/** Seats held by me also get a dark ring: the one state the cashier must never miss. */
export const MINE_RING = '#052e16';
