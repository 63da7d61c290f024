import type { ReceiptPrintData } from '../../../shared/schemas/printing.ts';
import type { Db } from '../../store/database.ts';

/**
 * What the payments capability recorded for a sale (migration 004's tables), shaped for the receipt.
 * Returns nothing when those tables are absent, so printing never depends on payments being there.
 */
export function receiptPaymentsFromStore(
  db: Db,
): (transactionId: string, totalCents: number) => Partial<ReceiptPrintData> {
  const hasPayments =
    db
      .prepare<[], { n: number }>(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('payments', 'payment_tenders')",
      )
      .get()!.n === 2;
  if (!hasPayments) return () => ({});
  const tenders = db.prepare<
    [string],
    { method: string; currency: 'USD' | 'VES'; amount_cents: number; reference: string | null }
  >(
    `SELECT t.method, t.currency, t.amount_cents, t.reference FROM payment_tenders t
     JOIN payments p ON p.id = t.payment_id WHERE p.transaction_id = ? ORDER BY p.created_at, t.id`,
  );
  const totals = db.prepare<[string], { applied: number; n: number }>(
    'SELECT COALESCE(SUM(applied_cents), 0) AS applied, COUNT(*) AS n FROM payments WHERE transaction_id = ?',
  );
  const lastChange = db.prepare<[string], { change_currency: 'USD' | 'VES' | null; change_cents: number }>(
    'SELECT change_currency, change_cents FROM payments WHERE transaction_id = ? ORDER BY created_at DESC LIMIT 1',
  );
  return (transactionId, totalCents) => {
    const { applied, n } = totals.get(transactionId)!;
    if (n === 0) return {};
    const change = lastChange.get(transactionId);
    return {
      payments: tenders.all(transactionId).map((t) => ({
        method: t.method as NonNullable<ReceiptPrintData['payments']>[number]['method'],
        currency: t.currency,
        amountCents: t.amount_cents,
        reference: t.reference,
      })),
      change: change?.change_currency
        ? { currency: change.change_currency, cents: change.change_cents }
        : null,
      balanceCents: Math.max(0, totalCents - applied),
    };
  };
}
