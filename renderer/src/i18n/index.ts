import { en } from './en.ts';
import { es, type MessageKey } from './es.ts';

export type Locale = 'es' | 'en';
export type { MessageKey };

const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { es, en };

/** The message in `locale`, with {name} placeholders filled in. */
export function translate(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

const timeFormats = new Map<Locale, Intl.DateTimeFormat>();
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Times show in Caracas, wherever the PC thinks it is. */
export function formatTime(locale: Locale, epochMs: number): string {
  let f = timeFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'es' ? 'es-VE' : 'en-US', {
      timeZone: 'America/Caracas',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(locale, f);
  }
  return f.format(epochMs);
}

const clockFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Hours and minutes in Caracas, for a time people act on ("pay before 14:45"). */
export function formatClock(locale: Locale, epochMs: number): string {
  let f = clockFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'es' ? 'es-VE' : 'en-US', {
      timeZone: 'America/Caracas',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    clockFormats.set(locale, f);
  }
  return f.format(epochMs);
}

export function formatDate(locale: Locale, epochMs: number): string {
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'es' ? 'es-VE' : 'en-US', {
      timeZone: 'America/Caracas',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    dateFormats.set(locale, f);
  }
  return f.format(epochMs);
}

export function moneyLocale(locale: Locale): 'es-VE' | 'en' {
  return locale === 'es' ? 'es-VE' : 'en';
}
