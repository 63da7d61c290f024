import type { Currency } from './money.ts';
import type { MethodLine } from './schemas/day-closing.ts';
import { PAYMENT_METHODS, type PaymentMethod } from './schemas/payments.ts';

/**
 * How takings add up per payment method and currency, for the dashboard and the X/Z reports alike.
 * Amounts are cents of the line's currency; `usd` is the same amount in USD cents.
 */
export interface TakingsRow {
  cents: number;
  usd: number;
}

export function emptyMethodLine(method: PaymentMethod, currency: Currency): MethodLine {
  return {
    method,
    currency,
    count: 0,
    receivedCents: 0,
    changeCents: 0,
    refundCents: 0,
    netCents: 0,
    netUsdCents: 0,
  };
}

/** Tenders received in the line's method: `count` payments. */
export function addReceived(line: MethodLine, row: TakingsRow & { count: number }): void {
  line.count += row.count;
  line.receivedCents += row.cents;
  line.netCents += row.cents;
  line.netUsdCents += row.usd;
}

/** Change leaves the cash of its currency, whatever was paid with: the line it comes out of. */
export function changeMethod(currency: Currency): PaymentMethod {
  return currency === 'USD' ? 'CASH_USD' : 'CASH_VES';
}

export function addChange(line: MethodLine, row: TakingsRow): void {
  line.changeCents += row.cents;
  line.netCents -= row.cents;
  line.netUsdCents -= row.usd;
}

/** Refunds leave by the method they were given back in. */
export function addRefund(line: MethodLine, row: TakingsRow): void {
  line.refundCents += row.cents;
  line.netCents -= row.cents;
  line.netUsdCents -= row.usd;
}

/** The one order of lines on every screen and report: methods as listed, then currency. */
export function byMethod(a: MethodLine, b: MethodLine): number {
  return (
    PAYMENT_METHODS.indexOf(a.method) - PAYMENT_METHODS.indexOf(b.method) ||
    a.currency.localeCompare(b.currency)
  );
}
