/**
 * Money is exact: amounts are integer cents (USD) or céntimos (VES), never floating point.
 * USD is the base currency. The exchange rate is bolívares per dollar, a decimal with up to four
 * places, kept as an integer scaled by 10^4.
 *
 * Rounding rule (the one place it is stated): converting between currencies rounds half away from
 * zero to the nearest cent/céntimo.
 */
export type Currency = 'USD' | 'VES';

export interface Money {
  currency: Currency;
  /** Integer hundredths of the currency. */
  cents: number;
}

const RATE_SCALE = 10_000n;
const RATE_PATTERN = /^(\d{1,9})(?:[.,](\d{1,4}))?$/;

/**
 * The exchange rates a box office can mean, in bolívares per dollar: from 1 to 1,000,000 (scaled
 * by 10^4). Below 1 a céntimo would be worth more than a cent (at 0.0001, Bs. 0,01 pays $100);
 * above a million is a typing slip. Kept in one place: settings, event definitions and every payment
 * refuse a rate outside it (docs/payments.md).
 */
export const MIN_VES_PER_USD = 1n * RATE_SCALE;
export const MAX_VES_PER_USD = 1_000_000n * RATE_SCALE;

/**
 * The most one payment may hand over, in USD cents: $100,000.00, far above any sale of one counter
 * (a full cart of the dearest seats) and far below where arithmetic or a report could break.
 */
export const MAX_PAYMENT_USD_CENTS = 10_000_000;

/**
 * The most one tender may be, in its own currency's cents: in bolívares the largest payment at the
 * largest rate (Bs. 100.000.000.000,00), in dollars the largest payment. Twelve of either, and any
 * change computed from them, still add up exactly.
 */
export const MAX_TENDER_CENTS = 10_000_000_000_000;

export function maxTenderCents(currency: Currency): number {
  return currency === 'USD' ? MAX_PAYMENT_USD_CENTS : MAX_TENDER_CENTS;
}

/** True when a scaled rate is one a box office can mean (MIN_VES_PER_USD..MAX_VES_PER_USD). */
export function rateInRange(scaled: bigint): boolean {
  return scaled >= MIN_VES_PER_USD && scaled <= MAX_VES_PER_USD;
}

/** Why a typed rate is refused ('36.50' → null), in words for a schema's message. */
export function rateProblem(text: string): string | null {
  const match = RATE_PATTERN.exec(text.trim());
  if (!match) return `exchange rate '${text}' is not a decimal like 36.50`;
  const scaled = BigInt(match[1]!) * RATE_SCALE + BigInt((match[2] ?? '').padEnd(4, '0'));
  if (!rateInRange(scaled))
    return `exchange rate must be from ${formatRate(MIN_VES_PER_USD)} to ${formatRate(MAX_VES_PER_USD)} Bs. per USD`;
  return null;
}

/** A rate like '236.45' (or '236,45') as bolívares-per-dollar × 10^4. */
export function parseRate(text: string): bigint {
  const match = RATE_PATTERN.exec(text.trim());
  if (!match) throw new RangeError(`Exchange rate '${text}' is not a decimal like 236.45`);
  const whole = BigInt(match[1]!);
  const fraction = BigInt((match[2] ?? '').padEnd(4, '0'));
  const scaled = whole * RATE_SCALE + fraction;
  if (scaled === 0n) throw new RangeError('Exchange rate must be greater than zero');
  return scaled;
}

export function formatRate(scaled: bigint): string {
  const whole = scaled / RATE_SCALE;
  const fraction = (scaled % RATE_SCALE).toString().padStart(4, '0');
  return `${whole}.${fraction}`;
}

/** Integer division rounding half away from zero. */
function divRound(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

function assertCents(cents: number): void {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Amount ${cents} is not a whole number of cents`);
}

/** A converted amount back as a number, never past what a number holds exactly. */
function safeCents(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError(`Amount ${value} is beyond exact arithmetic`);
  return Number(value);
}

/** USD cents → VES céntimos at `rate` (string or scaled bigint). Throws RangeError past 2^53 céntimos. */
export function usdToVes(usdCents: number, rate: string | bigint): number {
  assertCents(usdCents);
  const scaled = typeof rate === 'bigint' ? rate : parseRate(rate);
  return safeCents(divRound(BigInt(usdCents) * scaled, RATE_SCALE));
}

/** VES céntimos → USD cents at `rate`. Throws RangeError past 2^53 cents. */
export function vesToUsd(vesCents: number, rate: string | bigint): number {
  assertCents(vesCents);
  const scaled = typeof rate === 'bigint' ? rate : parseRate(rate);
  return safeCents(divRound(BigInt(vesCents) * RATE_SCALE, scaled));
}

/** Any amount expressed in USD cents (the base), converting VES at `rate`. */
export function toUsdCents(money: Money, rate: string | bigint): number {
  return money.currency === 'USD' ? money.cents : vesToUsd(money.cents, rate);
}

/**
 * Parses what a cashier types ('12', '12.5', '12,50', '1.234,56', '1,234.56') into cents; null when it
 * is not an amount or is ambiguous ('1.234' could be 1234 or 1.234: refused, the cashier retypes).
 */
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(/\s/g, '');
  if (!/^\d[\d.,]*$/.test(t)) return null;
  let integer = t;
  let fraction = '';
  let decimalSep: string | null = null;
  const last = Math.max(t.lastIndexOf(','), t.lastIndexOf('.'));
  if (last >= 0) {
    const tail = t.slice(last + 1);
    if (tail.length === 1 || tail.length === 2) {
      decimalSep = t[last]!;
      integer = t.slice(0, last);
      fraction = tail;
    } else if (tail.length !== 3) {
      return null;
    }
  }
  if (/[.,]/.test(integer)) {
    const sep = integer.match(/[.,]/)![0];
    if (sep === decimalSep) return null;
    if (!new RegExp(`^\\d{1,3}(\\${sep}\\d{3})+$`).test(integer)) return null;
    // One separator followed by three digits and nothing else reads two ways: refuse it.
    if (decimalSep === null && integer.split(sep).length === 2) return null;
    integer = integer.split(sep).join('');
  }
  if (!/^\d+$/.test(integer) || !/^\d{0,2}$/.test(fraction)) return null;
  const value = Number(integer) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(value) ? value : null;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Formats cents for people: 'USD 12,50' / 'Bs. 2.956,25' in es-VE, '$12.50' / 'Bs. 2,956.25' in en. */
export function formatMoney(money: Money, locale: 'es-VE' | 'en' = 'es-VE'): string {
  const key = `${locale}:${money.currency}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'es-VE', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    formatters.set(key, format);
  }
  const number = format.format(money.cents / 100);
  if (money.currency === 'VES') return `Bs. ${number}`;
  return locale === 'en' ? `$${number}` : `USD ${number}`;
}

/**
 * `basisPoints` (1/100 of a percent; 3000 = 30%) of an amount, with the same rounding rule as the
 * conversions: half away from zero to the cent. Used for the minimum deposit of a reservation.
 */
export function percentOf(cents: number, basisPoints: number): number {
  assertCents(cents);
  if (!Number.isSafeInteger(basisPoints)) throw new RangeError(`${basisPoints} is not whole basis points`);
  return safeCents(divRound(BigInt(cents) * BigInt(basisPoints), 10_000n));
}

/** Cents as a plain machine decimal ('-1234.50'): for CSV and JSON exports, never for people. */
export function formatCents(cents: number): string {
  assertCents(cents);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
