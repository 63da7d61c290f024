import { IntlMessageFormat } from 'intl-messageformat';
import { en } from './en/index.ts';
import { es } from './es/index.ts';
import { DATE_FORMATS, INTL_LOCALE, type Locale, TIME_FORMATS } from './formats.ts';

/**
 * The message catalogue: one per language (shared/i18n/es, shared/i18n/en), in ICU MessageFormat
 * through FormatJS's intl-messageformat, for the screens, the paper and the CLI alike. Plurals are
 * ICU plurals (`{n, plural, one {# venta} other {# ventas}}`), numbers `{n, number}` in es-VE, dates
 * `{at, date, day|short|full}` and times `{at, time, clock|seconds}` in Caracas time (formats.ts).
 */
type SpanishCatalog = typeof es;
export type Section = keyof SpanishCatalog;
export type MessageKeyOf<S extends Section> = keyof SpanishCatalog[S] & string;
export type Catalog = { [S in Section]: Record<MessageKeyOf<S>, string> };
export type MessageValues = Record<string, string | number | Date>;

export const CATALOGS: Readonly<Record<Locale, Catalog>> = { es, en };

const FORMATS = { date: DATE_FORMATS, time: TIME_FORMATS };
const compiled = new Map<string, IntlMessageFormat>();

function compile(locale: Locale, section: Section, key: string, pattern: string): IntlMessageFormat {
  const id = `${locale}\u0000${section}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    // ignoreTag: '<' is text here ("vencen en < 1 h"), not rich-text markup.
    format = new IntlMessageFormat(pattern, INTL_LOCALE[locale], FORMATS, { ignoreTag: true });
    compiled.set(id, format);
  }
  return format;
}

/** The message `key` of `section` in `locale`, its arguments filled in. */
export function message<S extends Section>(
  locale: Locale,
  section: S,
  key: MessageKeyOf<S>,
  values: MessageValues = {},
): string {
  const pattern = (CATALOGS[locale][section] as Record<string, string>)[key];
  if (pattern === undefined) return key;
  const text = compile(locale, section, key, pattern).format(values);
  // ICU date and time formats put narrow no-break spaces in some locales: paper and consoles lack them.
  return typeof text === 'string' ? text.replace(/\u202f/g, ' ') : String(text);
}

/** Whether `section` words `key` (a key built at run time: an error code and its variant). */
export function hasMessage(locale: Locale, section: Section, key: string): boolean {
  return key in CATALOGS[locale][section];
}

/** A function that words one section: `const t = translator('paper'); t('es', 'ticket.price')`. */
export function translator<S extends Section>(
  section: S,
): (locale: Locale, key: MessageKeyOf<S>, values?: MessageValues) => string {
  return (locale, key, values) => message(locale, section, key, values);
}
