import { TaquillaError } from './errors.ts';
import {
  type Currency,
  formatRate,
  MAX_PAYMENT_USD_CENTS,
  MAX_VES_PER_USD,
  maxTenderCents,
  MIN_VES_PER_USD,
  parseRate,
  percentOf,
  rateInRange,
  usdToVes,
  vesToUsd,
} from './money.ts';
import type { PaymentMethod, Tender } from './schemas/payments.ts';

/**
 * The money rules of a payment, pure and exact (issue 6).
 *
 * - USD is the base: what is due is in USD cents. A payment's tenders are credited in USD cents at
 *   the event's rate of that moment, which is stored with the payment.
 * - The USD tenders count as they are; the VES tenders of one payment are SUMMED and converted ONCE
 *   with shared/money.ts's rule (half away from zero). Converting once means that paying exactly the
 *   bolívares shown (usdToVes of what is due) always settles the amount, however it is split.
 * - Only cash gives change. Change in bolívares is computed from the exact amounts (not from a
 *   rounded dollar difference), so Bs. 1.000 for a Bs. 912,50 ticket gives back Bs. 87,50.
 */

export const CASH_METHODS: readonly PaymentMethod[] = ['CASH_USD', 'CASH_VES'];

/** Default minimum deposit of a partial-payment reservation, in basis points (30 %). */
export const DEFAULT_DEPOSIT_MINIMUM_BASIS_POINTS = 3000;

export function isCash(method: PaymentMethod): boolean {
  return CASH_METHODS.includes(method);
}

/** The currency a tender is paid in: fixed by the method except for bank transfers. */
export function tenderCurrency(t: Tender): Currency {
  switch (t.method) {
    case 'CASH_USD':
    case 'ZELLE':
      return 'USD';
    case 'CASH_VES':
    case 'PAGO_MOVIL':
    case 'CARD':
      return 'VES';
    case 'TRANSFER':
      return t.currency;
  }
}

/** The reference that identifies an electronic tender (null for cash). */
export function tenderReference(t: Tender): string | null {
  switch (t.method) {
    case 'CASH_USD':
    case 'CASH_VES':
      return null;
    case 'ZELLE':
      return t.reference ?? t.email ?? null;
    default:
      return t.reference;
  }
}

export interface SettledTender {
  tender: Tender;
  currency: Currency;
  amountCents: number;
  /** USD equivalent; the lines of one payment add up exactly to `tenderedCents`. */
  usdCents: number;
}

export interface Change {
  currency: Currency;
  cents: number;
  usdCents: number;
}

export interface Settlement {
  /** What was due before this payment, USD cents. */
  dueCents: number;
  /** The rate used, normalised ('36.5000'). */
  vesPerUsd: string;
  usdTenderedCents: number;
  vesTenderedCents: number;
  /** Everything handed over, in USD cents. */
  tenderedCents: number;
  /** Cash handed over, in USD cents: the most that can come back as change. */
  cashCents: number;
  /** Credited to the transaction: min(tendered, due). */
  appliedCents: number;
  /** Still due after this payment. */
  balanceCents: number;
  /** tendered - due when positive. */
  excessCents: number;
  change: Change | null;
  lines: SettledTender[];
}

/**
 * A rate a payment may use: from MIN_VES_PER_USD to MAX_VES_PER_USD (shared/money.ts). Throws
 * RATE_OUT_OF_RANGE: an event whose rate is outside (set before the bounds, or by hand) takes no money.
 */
export function assertRateInRange(rate: string | bigint): bigint {
  let scaled: bigint | null = null;
  try {
    scaled = typeof rate === 'bigint' ? rate : parseRate(rate);
  } catch {
    // '0' and what is not a rate at all are out of range too.
  }
  if (scaled === null || !rateInRange(scaled)) {
    throw new TaquillaError(
      'RATE_OUT_OF_RANGE',
      `The exchange rate ${String(typeof rate === 'bigint' ? formatRate(rate) : rate)} Bs./USD is outside ` +
        `${formatRate(MIN_VES_PER_USD)}..${formatRate(MAX_VES_PER_USD)}; set the event's rate first`,
      {
        vesPerUsd: typeof rate === 'bigint' ? formatRate(rate) : rate,
        minimum: formatRate(MIN_VES_PER_USD),
        maximum: formatRate(MAX_VES_PER_USD),
      },
    );
  }
  return scaled;
}

/**
 * A rate change this far from the current one (in percent, either way) is taken only when the
 * supervisor confirms it: the daily rate moves by a few percent, a slip of the keyboard by 10× or more.
 */
export const RATE_CHANGE_CONFIRM_PERCENT = 25;

/** How far `proposed` is from `current`, in whole percent of the current rate (rounded up). */
export function rateChangePercent(current: string | bigint, proposed: string | bigint): number {
  const from = typeof current === 'bigint' ? current : parseRate(current);
  const to = typeof proposed === 'bigint' ? proposed : parseRate(proposed);
  const diff = to > from ? to - from : from - to;
  return Number((diff * 100n + from - 1n) / from);
}

function tooLarge(scope: 'tender' | 'payment', currency: Currency, amountCents: number): TaquillaError {
  const maxCents = scope === 'tender' ? maxTenderCents(currency) : MAX_PAYMENT_USD_CENTS;
  return new TaquillaError(
    'AMOUNT_TOO_LARGE',
    scope === 'tender'
      ? `A tender of ${amountCents} ${currency} cents is more than one payment can be (${maxCents})`
      : `This payment hands over ${amountCents} USD cents; one payment takes at most ${maxCents}`,
    { scope, currency, amountCents, maxCents },
  );
}

/**
 * Works out what a set of tenders pays against `dueCents` at `rate`. Refuses only what it cannot
 * compute exactly: a rate outside the box-office range (RATE_OUT_OF_RANGE) and a tender above
 * maxTenderCents of its currency (AMOUNT_TOO_LARGE); within those every figure stays a safe integer. The callers
 * decide what is acceptable for a sale, a deposit or a later payment (assert* below).
 */
export function settle(
  dueCents: number,
  tenders: readonly Tender[],
  rate: string | bigint,
  changeCurrency?: Currency,
): Settlement {
  const scaled = assertRateInRange(rate);
  for (const t of tenders) {
    const currency = tenderCurrency(t);
    if (!Number.isSafeInteger(t.amountCents) || t.amountCents > maxTenderCents(currency))
      throw tooLarge('tender', currency, t.amountCents);
  }
  let usdSum = 0;
  let vesSum = 0;
  let cashUsd = 0;
  let cashVes = 0;
  let lastCash: Currency | null = null;
  for (const t of tenders) {
    const cur = tenderCurrency(t);
    if (cur === 'USD') usdSum += t.amountCents;
    else vesSum += t.amountCents;
    if (isCash(t.method)) {
      if (cur === 'USD') cashUsd += t.amountCents;
      else cashVes += t.amountCents;
      lastCash = cur;
    }
  }
  const vesAsUsd = vesToUsd(vesSum, scaled);
  const tenderedCents = usdSum + vesAsUsd;
  const appliedCents = Math.min(tenderedCents, dueCents);
  const excessCents = tenderedCents - appliedCents;
  const lines = allocate(tenders, scaled, vesAsUsd);

  let change: Change | null = null;
  if (excessCents > 0) {
    const currency = changeCurrency ?? lastCash ?? 'USD';
    let cents = excessCents;
    if (currency === 'VES') {
      // Exact: the bolívares handed over minus the bolívares still owed after the dollars.
      const owedAfterUsd = dueCents - usdSum;
      cents =
        owedAfterUsd > 0 ? vesSum - usdToVes(owedAfterUsd, scaled) : usdToVes(-owedAfterUsd, scaled) + vesSum;
    }
    if (cents > 0) change = { currency, cents, usdCents: excessCents };
  }
  return {
    dueCents,
    vesPerUsd: formatRate(scaled),
    usdTenderedCents: usdSum,
    vesTenderedCents: vesSum,
    tenderedCents,
    cashCents: cashUsd + (cashVes > 0 ? vesToUsd(cashVes, scaled) : 0),
    appliedCents,
    balanceCents: dueCents - appliedCents,
    excessCents,
    change,
    lines,
  };
}

/** Each VES tender's own conversion, the last one absorbing the rounding so the sum is exact. */
function allocate(tenders: readonly Tender[], rate: bigint, vesAsUsd: number): SettledTender[] {
  const lines: SettledTender[] = tenders.map((tender) => {
    const currency = tenderCurrency(tender);
    return {
      tender,
      currency,
      amountCents: tender.amountCents,
      usdCents: currency === 'USD' ? tender.amountCents : vesToUsd(tender.amountCents, rate),
    };
  });
  const ves = lines.filter((l) => l.currency === 'VES');
  const last = ves.at(-1);
  if (last) {
    const others = ves.slice(0, -1).reduce((sum, l) => sum + l.usdCents, 0);
    last.usdCents = vesAsUsd - others;
  }
  return lines;
}

/** Change must come out of cash, and cash that would all come back was not a payment. */
function assertChangeFromCash(s: Settlement): void {
  if (s.excessCents <= 0) return;
  const details = {
    dueCents: s.dueCents,
    paidCents: s.tenderedCents,
    excessCents: s.excessCents,
    cashCents: s.cashCents,
  };
  if (s.cashCents === 0) {
    throw new TaquillaError(
      'OVERPAID',
      `Electronic payments exceed what is due by ${s.excessCents} cents; only cash gives change`,
      { ...details, reason: 'no-cash' },
    );
  }
  if (s.excessCents >= s.cashCents) {
    throw new TaquillaError(
      'OVERPAID',
      `The change (${s.excessCents} cents) would be at least all the cash handed over (${s.cashCents})`,
      { ...details, reason: 'change-exceeds-cash' },
    );
  }
}

/** No payment hands over more than MAX_PAYMENT_USD_CENTS (shared/money.ts): AMOUNT_TOO_LARGE. */
export function assertWithinPaymentLimit(s: Settlement): void {
  if (s.tenderedCents > MAX_PAYMENT_USD_CENTS) throw tooLarge('payment', 'USD', s.tenderedCents);
}

/** A sale paid in full: everything due is covered; any excess is cash to give back. */
export function assertFullPayment(s: Settlement): void {
  assertWithinPaymentLimit(s);
  if (s.tenderedCents < s.dueCents) {
    const shortCents = s.dueCents - s.tenderedCents;
    throw new TaquillaError('UNDERPAID', `Short by ${shortCents} cents`, {
      dueCents: s.dueCents,
      paidCents: s.tenderedCents,
      shortCents,
      shortVesCents: usdToVes(shortCents, s.vesPerUsd),
    });
  }
  assertChangeFromCash(s);
}

/** A later payment on a reservation may pay part of the balance, or all of it with cash change. */
export function assertInstalment(s: Settlement): void {
  assertWithinPaymentLimit(s);
  assertChangeFromCash(s);
}

/** The least a deposit may be: `basisPoints` of the total, by the one rounding rule. */
export function minimumDeposit(totalCents: number, basisPoints: number): number {
  return percentOf(totalCents, basisPoints);
}

/** A deposit reaches the event's minimum and leaves something to pay (else it is a sale). */
export function assertDeposit(s: Settlement, basisPoints: number): void {
  assertWithinPaymentLimit(s);
  const minimumCents = minimumDeposit(s.dueCents, basisPoints);
  if (s.tenderedCents < minimumCents || s.tenderedCents === 0) {
    throw new TaquillaError(
      'DEPOSIT_TOO_SMALL',
      `A deposit must be at least ${minimumCents} cents (${basisPoints / 100} % of ${s.dueCents})`,
      {
        totalCents: s.dueCents,
        minimumCents,
        paidCents: s.tenderedCents,
        minimumBasisPoints: basisPoints,
      },
    );
  }
  if (s.tenderedCents >= s.dueCents) {
    throw new TaquillaError('OVERPAID', 'This deposit covers the whole total: check out instead', {
      dueCents: s.dueCents,
      paidCents: s.tenderedCents,
      excessCents: s.tenderedCents - s.dueCents,
      cashCents: s.cashCents,
      reason: 'deposit-covers-total',
    });
  }
}

/** Percent (up to two decimals) → basis points, exactly: 30 → 3000, 12.5 → 1250. */
export function percentToBasisPoints(percent: number): number {
  return Math.round(percent * 100);
}
