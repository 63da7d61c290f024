import type { SeatView } from '../state/availability.ts';
import type { LandmarkKind } from '../../../shared/schemas/availability.ts';

/** One colour per state; free seats take their zone's colour so the zones stay visible. */
export const SEAT_COLORS: Record<Exclude<SeatView, 'free'>, string> = {
  // Light fills for seats nobody here can take, so they never read as a zone's (saturated) colour.
  mine: '#22c55e',
  // Leased to this counter: sellable here (also offline), so a strong colour of its own.
  leased: '#0d9488',
  held: '#fcd34d',
  reserved: '#f9a8d4',
  sold: '#cbd5e1',
  blocked: '#0f172a',
};

export const FREE_FALLBACK = '#3b82f6';
export const FOCUS_COLOR = '#0f172a';
/** Seats held by me also get a dark ring: the one state the cashier must never miss. */
export const MINE_RING = '#052e16';
/** The ring around seats best-available just took: a colour no seat state uses. */
export const HIGHLIGHT_COLOR = '#2563eb';
/** Stage and field: pale, under the seats, so they orient without competing with seat colours. */
export const LANDMARK_COLORS: Record<LandmarkKind, { fill: string; line: string; ink: string }> = {
  stage: { fill: '#e2e8f0', line: '#94a3b8', ink: '#334155' },
  field: { fill: '#dcfce7', line: '#86efac', ink: '#166534' },
};
/** A kiosk's seats outside the chosen zone: there, but not to be chosen from here. */
export const FADED_SEAT = '#e2e8f0';
