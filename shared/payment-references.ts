import type { Tender } from './schemas/payments.ts';

/**
 * When two payments are the same payment shown twice (issue 11). Banks print Pago Móvil and transfer
 * references with or without leading zeros and separators, so references are compared normalised:
 * the bank, and the reference without separators or leading zeros ('0012-3456' is '123456').
 *
 * A bank numbers Pago Móvil and transfers from one sequence, and a customer could show one payment
 * as either: so a bank's references are one namespace ('BANK|0102|123456'), whatever the method.
 */

/** A reference without its leading zeros ('0000' stays '0'). */
export function referenceDigits(reference: string): string {
  const trimmed = reference.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

/** A reference as compared: letters upper-case, no separators (space . - / _), no leading zeros. */
export function normalisedReference(reference: string): string {
  return referenceDigits(reference.toUpperCase().replace(/[^0-9A-Z]/g, ''));
}

/**
 * The key under which a tender's reference may be used once, or null when the tender carries nothing
 * that identifies one payment: cash, Zelle known only by the sender's email (an email names a
 * person, not a payment: documented in docs/payments.md), and a card approval typed at the counter
 * (approval codes of different POS terminals and days repeat). A card approval that a payment
 * provider confirmed (`provider`) is unique for that provider.
 *
 * Migration 022 re-keys the references stored before it the same way (009 had keyed them by method).
 */
export function referenceKey(t: Tender, provider?: string | null): string | null {
  switch (t.method) {
    case 'PAGO_MOVIL':
    case 'TRANSFER':
      return `BANK|${t.bankCode}|${normalisedReference(t.reference)}`;
    case 'ZELLE':
      return t.reference === undefined ? null : `ZELLE||${normalisedReference(t.reference)}`;
    case 'CARD':
      return provider ? `CARD|${provider}|${normalisedReference(t.reference)}` : null;
    case 'CASH_USD':
    case 'CASH_VES':
      return null;
  }
}

/**
 * The key of a tender line as a payment records it (a copy of one the server recorded, where the
 * provider that confirmed a card is not known: a card line has none). Same keys as referenceKey.
 */
export function recordedReferenceKey(line: {
  method: Tender['method'];
  reference: string | null;
  bankCode: string | null;
}): string | null {
  if (line.reference === null) return null;
  if (line.method === 'PAGO_MOVIL' || line.method === 'TRANSFER') {
    return line.bankCode === null ? null : `BANK|${line.bankCode}|${normalisedReference(line.reference)}`;
  }
  return line.method === 'ZELLE' ? `ZELLE||${normalisedReference(line.reference)}` : null;
}
