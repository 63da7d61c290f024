import { formatMoney, type Money } from '../money.ts';

/**
 * Numbers, money, rates, dates and times as people read them, in one place for the screens, the
 * paper and the CLI. Spanish is Venezuelan Spanish (es-VE: 1.250,50; 27/11/2026); times are
 * Caracas time wherever the PC thinks it is.
 */
export type Locale = 'es' | 'en';

export const LOCALES: readonly Locale[] = ['es', 'en'];

/** The BCP 47 tag each language formats with. */
export const INTL_LOCALE: Readonly<Record<Locale, string>> = { es: 'es-VE', en: 'en-US' };

export const TIME_ZONE = 'America/Caracas';

/** Intl date and time options by name: the ICU messages use them as `{at, date, day}`, `{at, time, clock}`. */
export const DATE_FORMATS = {
  /** 27/11/2026 */
  day: { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' },
  /** 27/11/2026, 20:00 (reports: short enough for 32 columns) */
  dayTime: {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
  /** vie, 27 nov 2026, 20:00 */
  full: {
    timeZone: TIME_ZONE,
    weekday: 'short',
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
  /** vie, 27 nov, 20:00 */
  short: {
    timeZone: TIME_ZONE,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

export const TIME_FORMATS = {
  /** 20:45 */
  clock: { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  /** 20:45:07 */
  seconds: { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateTimeFormat(
  locale: Locale,
  name: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `dt:${locale}:${name}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(INTL_LOCALE[locale], options);
    cache.set(key, f);
  }
  return f;
}

function numberFormat(locale: Locale, name: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n:${locale}:${name}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(INTL_LOCALE[locale], options);
    cache.set(key, f);
  }
  return f;
}

/** Narrow no-break spaces (some ICU versions put them in times) as plain spaces: paper and terminals lack them. */
function plainSpaces(text: string): string {
  return text.replace(/[\u202f\u00a0]/g, ' ');
}

/** Caracas time of day with seconds: 20:45:07. */
export function formatTime(locale: Locale, epochMs: number): string {
  return plainSpaces(dateTimeFormat(locale, 'seconds', TIME_FORMATS.seconds).format(epochMs));
}

/** Hours and minutes in Caracas, for a time people act on ("pague antes de las 14:45"). */
export function formatClock(locale: Locale, epochMs: number): string {
  return plainSpaces(dateTimeFormat(locale, 'clock', TIME_FORMATS.clock).format(epochMs));
}

/** Weekday, day, month and time in Caracas: "vie, 27 nov, 20:00". */
export function formatDate(locale: Locale, epochMs: number): string {
  return plainSpaces(dateTimeFormat(locale, 'short', DATE_FORMATS.short).format(epochMs));
}

/** Weekday, date with year and time in Caracas, as paper prints an event or a sale. */
export function formatDateTime(locale: Locale, epochMs: number): string {
  return plainSpaces(dateTimeFormat(locale, 'full', DATE_FORMATS.full).format(epochMs));
}

/** A calendar day in Caracas: 27/11/2026 (es), 11/27/2026 (en). */
export function formatDay(locale: Locale, epochMs: number): string {
  return dateTimeFormat(locale, 'day', DATE_FORMATS.day).format(epochMs);
}

/** Date and time in figures, in Caracas: 28/11/2026, 00:40. */
export function formatDayTime(locale: Locale, epochMs: number): string {
  return plainSpaces(dateTimeFormat(locale, 'dayTime', DATE_FORMATS.dayTime).format(epochMs));
}

/** A business day ('YYYY-MM-DD', already a Caracas calendar day) as people read it: 27/11/2026. */
export function formatBusinessDay(locale: Locale, day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  // Noon UTC of that date is the same date in Caracas (UTC-4).
  return formatDay(locale, Date.UTC(y, m - 1, d, 12));
}

/** A count: 1.250 (es), 1,250 (en). */
export function formatNumber(locale: Locale, n: number): string {
  return numberFormat(locale, 'integer', { maximumFractionDigits: 2 }).format(n);
}

/** The locale money format of shared/money.ts: USD 1.250,50 or Bs. 45.600,00 (es); $1,250.50 (en). */
export function formatAmount(locale: Locale, money: Money): string {
  return formatMoney(money, locale === 'en' ? 'en' : 'es-VE');
}

export function formatUsd(locale: Locale, cents: number): string {
  return formatAmount(locale, { currency: 'USD', cents });
}

export function formatVes(locale: Locale, cents: number): string {
  return formatAmount(locale, { currency: 'VES', cents });
}

/**
 * An exchange rate ('236.4500' Bs. per USD, as stored) in the same format as money: 236,45 (es).
 * Two decimals at least, up to the four a rate may carry; the stored text is never rounded.
 */
export function formatRate(locale: Locale, vesPerUsd: string): string {
  const [whole = '0', fraction = ''] = vesPerUsd.trim().replace(',', '.').split('.');
  const kept = fraction.replace(/0+$/, '').padEnd(2, '0');
  const grouped = numberFormat(locale, 'grouped', { maximumFractionDigits: 0 }).format(BigInt(whole));
  return `${grouped}${locale === 'en' ? '.' : ','}${kept}`;
}
