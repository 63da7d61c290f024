import { TaquillaError } from '../../../shared/errors.ts';
import { referenceKey } from '../../../shared/payment-references.ts';
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
    };
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

  /** Records a tender's reference as used by `paymentId` (inside the payment's write). */
  record(t: Tender, paymentId: string, tenderId: number, provider?: string | null): void {
    const key = referenceKey(t, provider);
    if (key === null) return;
    // Checked again here: a deposit or a sale through the central server decides before it writes.
    this.assertUnused(t, provider);
    this.sql.insert.run(key, paymentId, tenderId);
  }
}
