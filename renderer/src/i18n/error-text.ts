import type { ErrorDetails } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import { formatTime, type Locale, translate } from './index.ts';

/**
 * Turns an API error (code + details) into a sentence for the cashier. The renderer is the only
 * place codes become words.
 */
export function errorText(locale: Locale, code: string, message: string, details: unknown): string {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) =>
    translate(locale, key, params);
  switch (code) {
    case 'SEAT_TAKEN': {
      const d = details as ErrorDetails['SEAT_TAKEN'];
      const seats = d.seats.map((s) => s.label).join(', ') || '—';
      if (d.seats.length > 0 && d.seats.every((s) => s.state === 'sold'))
        return t('error.SEAT_TAKEN.sold', { seats });
      const first = d.seats[0];
      const who = first ? first.heldByActor.replace(/^(cashier|supervisor):/, '') : t('otherCashier');
      const until =
        first?.heldUntil !== undefined
          ? t('error.SEAT_TAKEN.until', { time: formatTime(locale, first.heldUntil) })
          : '';
      return t('error.SEAT_TAKEN', { seats, who, until });
    }
    case 'SEAT_BLOCKED': {
      const d = details as ErrorDetails['SEAT_BLOCKED'];
      return t('error.SEAT_BLOCKED', { seats: d.seats.map((s) => s.label).join(', ') || '—' });
    }
    case 'ZONE_FULL': {
      const d = details as ErrorDetails['ZONE_FULL'] & { together?: boolean };
      return t(d.together ? 'error.ZONE_FULL.together' : 'error.ZONE_FULL', {
        zone: d.zoneName,
        requested: d.requested,
        available: d.available,
      });
    }
    case 'LIMIT_REACHED': {
      const d = details as ErrorDetails['LIMIT_REACHED'];
      return t('error.LIMIT_REACHED', { limit: d.limit, held: d.held });
    }
    case 'HOLD_EXPIRED': {
      const d = details as ErrorDetails['HOLD_EXPIRED'];
      return t('error.HOLD_EXPIRED', { seats: d.seats.map((s) => s.label).join(', ') });
    }
    case 'EXTENSION_LIMIT':
      return t('error.EXTENSION_LIMIT', {
        time: formatTime(locale, (details as ErrorDetails['EXTENSION_LIMIT']).maxUntil),
      });
    case 'NOTHING_HELD':
      return t('error.NOTHING_HELD');
    case 'BAD_PIN':
      return t('error.BAD_PIN', { left: (details as ErrorDetails['BAD_PIN']).attemptsLeft });
    case 'LOCKED_OUT': {
      const d = details as ErrorDetails['LOCKED_OUT'];
      const key =
        d.scope === 'terminal'
          ? 'error.LOCKED_OUT.terminal'
          : d.scope === 'supervisor-override'
            ? 'error.LOCKED_OUT.supervisor-override'
            : 'error.LOCKED_OUT';
      return t(key, { time: formatTime(locale, d.until) });
    }
    case 'CART_CHANGED': {
      const d = details as ErrorDetails['CART_CHANGED'];
      return t('error.CART_CHANGED', {
        seats:
          d.items.map((i) => (i.seatId === null ? `${i.quantity} × ${i.label}` : i.label)).join(', ') || '—',
        total: formatMoney({ currency: 'USD', cents: d.actual.totalCents }, locale === 'en' ? 'en' : 'es-VE'),
      });
    }
    case 'NOT_SIGNED_IN':
      return t('error.NOT_SIGNED_IN');
    case 'VALIDATION':
      return t('error.VALIDATION', { message });
    case 'NETWORK':
      return t('error.NETWORK');
    case 'OFFLINE':
      return t('error.OFFLINE');
    case 'OUTCOME_UNKNOWN':
      return t('error.OUTCOME_UNKNOWN');
    case 'BALANCE_CHANGED': {
      const d = details as ErrorDetails['BALANCE_CHANGED'];
      const money = (cents: number) =>
        formatMoney({ currency: 'USD', cents }, locale === 'en' ? 'en' : 'es-VE');
      return t('error.BALANCE_CHANGED', { paid: money(d.paidCents), total: money(d.totalCents) });
    }
    case 'STORE_FULL':
      return t('error.STORE_FULL');
    case 'STORE_READ_ONLY':
      return t('error.STORE_READ_ONLY');
    case 'STORE_UNAVAILABLE':
      return t('error.STORE_UNAVAILABLE');
    case 'FOREIGN_ORIGIN':
      return t('error.FOREIGN_ORIGIN');
    case 'PRINTER_TARGET': {
      const d = details as ErrorDetails['PRINTER_TARGET'];
      return t('error.PRINTER_TARGET', { path: d.path, why: t(`error.PRINTER_TARGET.${d.problem}`) });
    }
    default:
      return t('error.other', { message });
  }
}
