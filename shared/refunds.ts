import { TaquillaError } from './errors.ts';
import { usdToVes } from './money.ts';
import type { PaymentMethod } from './schemas/payments.ts';

type Currency = 'USD' | 'VES';

/** What a sale was paid with, per method and currency, net of the change given, in USD cents. */
export interface PaidWith {
  method: PaymentMethod;
  currency: Currency;
  usdCents: number;
}

export interface PlannedRefund {
  method: PaymentMethod;
  currency: Currency;
  /** In `currency` cents. */
  amountCents: number;
  usdCents: number;
  asPaid: boolean;
}

/** The currency a method gives money back in; a transfer may be in either (VES unless said). */
export function refundCurrency(method: PaymentMethod, transferCurrency?: Currency): Currency {
  switch (method) {
    case 'CASH_USD':
    case 'ZELLE':
      return 'USD';
    case 'CASH_VES':
    case 'PAGO_MOVIL':
    case 'CARD':
      return 'VES';
    case 'TRANSFER':
      return transferCurrency ?? 'VES';
  }
}

/**
 * How `refundUsdCents` goes back to the customer. By default in the methods the sale was paid with,
 * in proportion to what each brought net of change (so change given is never refunded twice), whole
 * cents, the odd cents to the largest share first. With `chosen`, all of it in that method (recorded
 * as not as paid unless the sale used it). Bolívares at `vesPerUsd`: the rate the sale was paid at,
 * so a customer gets back the bolívares they gave. Refuses (VALIDATION) a refund with nothing paid
 * to refund it from.
 */
export function planRefund(
  refundUsdCents: number,
  paid: readonly PaidWith[],
  vesPerUsd: string | bigint,
  chosen?: { method: PaymentMethod; currency?: Currency },
): PlannedRefund[] {
  if (refundUsdCents <= 0) return [];
  const inCurrency = (currency: Currency, usd: number) =>
    currency === 'USD' ? usd : usdToVes(usd, vesPerUsd);
  if (chosen) {
    const currency = refundCurrency(chosen.method, chosen.currency);
    const asPaid = paid.some((p) => p.method === chosen.method && p.currency === currency && p.usdCents > 0);
    return [
      {
        method: chosen.method,
        currency,
        amountCents: inCurrency(currency, refundUsdCents),
        usdCents: refundUsdCents,
        asPaid,
      },
    ];
  }
  const shares = paid.filter((p) => p.usdCents > 0);
  const base = shares.reduce((sum, p) => sum + p.usdCents, 0);
  if (base <= 0) {
    throw new TaquillaError('VALIDATION', 'Nothing was paid by any method: choose how to refund', {
      issues: [{ path: 'refundMethod', message: 'choose the refund method' }],
    });
  }
  const lines = shares.map((p) => ({ p, usd: Math.floor((refundUsdCents * p.usdCents) / base) }));
  let left = refundUsdCents - lines.reduce((sum, l) => sum + l.usd, 0);
  for (const l of [...lines].sort((a, b) => b.p.usdCents - a.p.usdCents)) {
    if (left === 0) break;
    l.usd += 1;
    left -= 1;
  }
  return lines
    .filter((l) => l.usd > 0)
    .map((l) => ({
      method: l.p.method,
      currency: l.p.currency,
      amountCents: inCurrency(l.p.currency, l.usd),
      usdCents: l.usd,
      asPaid: true,
    }));
}

/**
 * What a void gives back, USD cents: a whole sale or deposit (`whole`: nothing of it left after) all
 * that was paid and not yet refunded; some tickets their prices, never more than is left. The void
 * screen shows it before the void; VoidService records it.
 */
export function refundAmount(facts: {
  paidCents: number;
  refundedCents: number;
  chosenPriceCents: number;
  whole: boolean;
}): number {
  const left = facts.paidCents - facts.refundedCents;
  return Math.max(0, facts.whole ? left : Math.min(facts.chosenPriceCents, left));
}
