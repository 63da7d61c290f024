import { formatMoney } from '../../../shared/money.ts';
import { message, type MessageKeyOf, type MessageValues } from '../../../shared/i18n/catalog.ts';
import { errorText } from '../i18n/error-text.ts';
import { methodName } from '../../../shared/i18n/error-text.ts';
import { formatBusinessDay, type Locale, moneyLocale } from '../i18n/index.ts';

/**
 * The words of the payment, reservation, dashboard, kiosk and day-closing screens: the catalogue's
 * `payments` section (shared/i18n).
 */
export type PaymentTextKey = MessageKeyOf<'payments'>;

/** The sentence for `key`: the catalogue's `payments` section (shared/i18n). */
export function pt(locale: Locale, key: PaymentTextKey, params: MessageValues = {}): string {
  return message(locale, 'payments', key, params);
}

export function usd(locale: Locale, cents: number): string {
  return formatMoney({ currency: 'USD', cents }, moneyLocale(locale));
}

export function ves(locale: Locale, cents: number): string {
  return formatMoney({ currency: 'VES', cents }, moneyLocale(locale));
}

/** A business day ('YYYY-MM-DD') as people read it: 27/11/2026 (es), 11/27/2026 (en). */
export function businessDayText(locale: Locale, day: string): string {
  return formatBusinessDay(locale, day);
}

/** The cutoff hour as a time of day: '04:00'. */
export function cutoffText(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

export { methodName };

/** A refusal as a sentence: the catalogue's one wording of every code (shared/i18n/error-text.ts). */
export const paymentErrorText = errorText;
