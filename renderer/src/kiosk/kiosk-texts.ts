import { message, type MessageKeyOf, type MessageValues } from '../../../shared/i18n/catalog.ts';
import type { Locale } from '../i18n/index.ts';

/**
 * What the kiosk says to its customers: Spanish first (usted), English with the switch. The words are
 * the catalogue's `kiosk` section (shared/i18n); counted ones are ICU plurals of `n`.
 */
export type KioskTextKey = MessageKeyOf<'kiosk'>;

/** The kiosk's sentence for `key` in `locale`. */
export function kt(locale: Locale, key: KioskTextKey, params: MessageValues = {}): string {
  return message(locale, 'kiosk', key, params);
}

/** A counted sentence ("1 disponible", "2.500 disponibles"): the ICU plural of `n`. */
export function ktn(locale: Locale, key: KioskTextKey, n: number, params: MessageValues = {}): string {
  return kt(locale, key, { ...params, n });
}
