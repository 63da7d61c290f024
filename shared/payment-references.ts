import type { Tender } from './schemas/payments.ts';

/**
 * When two payments are the same payment shown twice (issue 11). Banks print Pago Móvil and transfer
 * references with or without leading zeros, so references are compared normalised: the method, the
 * bank, and the reference without leading zeros ('00123456' is '123456').
 */

/** A reference without its leading zeros ('0000' stays '0'). */
export function referenceDigits(reference: string): string {
  const trimmed = reference.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

/**
 * The key under which a tender's reference may be used once, or null when the tender carries nothing
 * that identifies one payment: cash, Zelle known only by the sender's email, and a card approval typed
 * at the counter (approval codes of different POS terminals and days repeat). A card approval that a
 * payment provider confirmed (`provider`) is unique for that provider.
 *
 * Migration 009 computes the same keys in SQL for the payments made before it.
 */
export function referenceKey(t: Tender, provider?: string | null): string | null {
  switch (t.method) {
    case 'PAGO_MOVIL':
    case 'TRANSFER':
      return `${t.method}|${t.bankCode}|${referenceDigits(t.reference)}`;
    case 'ZELLE':
      return t.reference === undefined ? null : `ZELLE||${referenceDigits(t.reference)}`;
    case 'CARD':
      return provider ? `CARD|${provider}|${referenceDigits(t.reference)}` : null;
    case 'CASH_USD':
    case 'CASH_VES':
      return null;
  }
}
