import { message, type MessageKeyOf, type MessageValues } from '../../../shared/i18n/catalog.ts';
import type { Locale } from '../../../shared/i18n/formats.ts';

/**
 * The counter's words: the `counter` section of the one catalogue (shared/i18n), ICU MessageFormat
 * through intl-messageformat. Formats (times in Caracas, es-VE numbers) come from the same place.
 */
export type { Locale };
export type MessageKey = MessageKeyOf<'counter'>;
export {
  formatBusinessDay,
  formatClock,
  formatDate,
  formatDay,
  formatNumber,
  formatRate,
  formatTime,
} from '../../../shared/i18n/formats.ts';
export { actorName } from '../../../shared/i18n/people.ts';
export { validationIssueText } from '../../../shared/i18n/error-text.ts';

/** The message in `locale`, its ICU arguments filled in. */
export function translate(locale: Locale, key: MessageKey, params: MessageValues = {}): string {
  return message(locale, 'counter', key, params);
}

export function moneyLocale(locale: Locale): 'es-VE' | 'en' {
  return locale === 'es' ? 'es-VE' : 'en';
}
