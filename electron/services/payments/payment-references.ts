import { TaquillaError } from '../../../shared/errors.ts';
import { recordedReferenceKey, referenceKey } from '../../../shared/payment-references.ts';
import type { Tender } from '../../../shared/schemas/payments.ts';
import { saleNumberOf } from '../../../shared/schemas/printing.ts';
import type { Db } from '../../store/database.ts';

/** The short number people read and type for a transaction: the one printed on its paper. */
export function transactionNumber(transactionId: string): string {
  return saleNumberOf(transactionId);
}

const METHOD_NAMES: Record<Tender['method'], string> = {
  CASH_USD: 'Cash USD',
  CASH_VES: 'Cash VES',
  PAGO_MOVIL: 'Pago Móvil',
  ZELLE: 'Zelle',
  CARD: 'Card',
  TRANSFER: 'Transfer',
};

/**
 * The references payments used (migration 009, `payment_references`), under their normalised key
 * (shared/payment-references.ts): a reference pays once, at any counter or kiosk, in a sale, a deposit
 * or a later payment. The table's primary key refuses a second use even if a path forgot to look.
 */
export class PaymentReferences {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      used: db.prepare<[string], { payment_id: string; transaction_id: string }>(
        `SELECT r.payment_id, p.transaction_id FROM payment_references r JOIN payments p ON p.id = r.payment_id
         WHERE r.reference_key = ?`,
      ),
      insert: db.prepare<[string, string, number]>(
        'INSERT INTO payment_references (reference_key, payment_id, tender_id) VALUES (?, ?, ?)',
      ),
      insertCopy: db.prepare<[string, string, number]>(
        'INSERT OR IGNORE INTO payment_references (reference_key, payment_id, tender_id) VALUES (?, ?, ?)',
      ),
    };
  }

  /**
   * Refuses (DUPLICATE_REFERENCE) a payment whose tenders carry one reference twice (no earlier sale
   * is named: paymentId, transactionId and transactionNumber are null), or one that already paid
   * (naming that sale).
   */
  assertAllUnused(tenders: readonly Tender[], provider?: string | null): void {
    const seen = new Set<string>();
    for (const t of tenders) {
      const key = referenceKey(t, provider);
      if (key === null) continue;
      if (seen.has(key)) {
        const reference = 'reference' in t && t.reference !== undefined ? t.reference : key;
        throw new TaquillaError(
          'DUPLICATE_REFERENCE',
          `${METHOD_NAMES[t.method]} reference ${reference} appears twice in this payment`,
          { method: t.method, reference, paymentId: null, transactionId: null, transactionNumber: null },
        );
      }
      seen.add(key);
      this.assertUnused(t, provider);
    }
  }

  /** Refuses (DUPLICATE_REFERENCE, naming the earlier sale) a tender whose reference already paid. */
  assertUnused(t: Tender, provider?: string | null): void {
    const key = referenceKey(t, provider);
    if (key === null) return;
    const used = this.sql.used.get(key);
    if (!used) return;
    const reference = 'reference' in t && t.reference !== undefined ? t.reference : key;
    const number = transactionNumber(used.transaction_id);
    throw new TaquillaError(
      'DUPLICATE_REFERENCE',
      `${METHOD_NAMES[t.method]} reference ${reference} was already used in sale ${number}`,
      {
        method: t.method,
        reference,
        paymentId: used.payment_id,
        transactionId: used.transaction_id,
        transactionNumber: number,
      },
    );
  }

  /**
   * Records a tender's reference as used by `paymentId`, inside the payment's write, after
   * assertAllUnused checked the payment's tenders in the same write.
   */
  record(t: Tender, paymentId: string, tenderId: number, provider?: string | null): void {
    const key = referenceKey(t, provider);
    if (key === null) return;
    this.sql.insert.run(key, paymentId, tenderId);
  }

  /**
   * The references of a payment the server recorded (taken at another counter, or here and copied
   * back): kept so this counter refuses them too. The server decided; a reference this store already
   * knows keeps its first use.
   */
  recordCopy(
    lines: readonly { method: Tender['method']; reference: string | null; bankCode: string | null }[],
    paymentId: string,
    tenderIds: readonly number[],
  ): void {
    lines.forEach((line, i) => {
      const key = recordedReferenceKey(line);
      if (key !== null) this.sql.insertCopy.run(key, paymentId, tenderIds[i]!);
    });
  }
}
