import { DAY_MS } from './clock.ts';

/**
 * The box office's business day (issue 16). Venue nights run past midnight, so a day ends at a
 * cutoff hour (the tenant's BUSINESS_DAY_CUTOFF_HOUR, 04:00 by default) in America/Caracas, not at
 * 00:00: a sale at 00:40 on Saturday belongs to Friday's day, one at 04:00 to Saturday's. Days are
 * named by the calendar date they begin on, 'YYYY-MM-DD'. Pure: Intl only.
 */
export const BUSINESS_TIME_ZONE = 'America/Caracas';

const wallClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTimeOf(epochMs: number): WallTime {
  const parts: Record<string, number> = {};
  for (const p of wallClock.formatToParts(epochMs)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function dayName(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function parseDay(day: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new Error(`a business day is YYYY-MM-DD, got '${day}'`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** The calendar day after 'YYYY-MM-DD'. */
export function nextDay(day: string): string {
  const [y, m, d] = parseDay(day);
  return new Date(Date.UTC(y, m - 1, d) + DAY_MS).toISOString().slice(0, 10);
}

/** The calendar day before 'YYYY-MM-DD'. */
export function previousDay(day: string): string {
  const [y, m, d] = parseDay(day);
  return new Date(Date.UTC(y, m - 1, d) - DAY_MS).toISOString().slice(0, 10);
}

/** The business day an instant belongs to: its Caracas date, or the day before before the cutoff. */
export function businessDayOf(epochMs: number, cutoffHour: number): string {
  const t = wallTimeOf(epochMs);
  const date = dayName(t.year, t.month, t.day);
  return t.hour < cutoffHour ? previousDay(date) : date;
}

/** The instant a business day begins: `day` at the cutoff hour, Caracas time (epoch ms). */
export function businessDayStart(day: string, cutoffHour: number): number {
  const [y, m, d] = parseDay(day);
  const asUtc = Date.UTC(y, m - 1, d, cutoffHour);
  // The zone's offset at that moment, read back from the wall clock (Caracas has no DST today, but
  // had -04:30 until 2016: nothing here assumes a fixed offset).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const t = wallTimeOf(guess);
    const wallAsUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    guess = asUtc - (wallAsUtc - guess);
  }
  return guess;
}

/** When a business day ends (the next one begins), epoch ms. */
export function businessDayEnd(day: string, cutoffHour: number): number {
  return businessDayStart(nextDay(day), cutoffHour);
}

/** 'YYYY-MM-DD' compared as text orders days; the later of two. */
export function laterDay(a: string, b: string): string {
  return a >= b ? a : b;
}

/** How the cutoff reads on paper and screen: '04:00'. */
export function cutoffLabel(cutoffHour: number): string {
  return `${String(cutoffHour).padStart(2, '0')}:00`;
}
