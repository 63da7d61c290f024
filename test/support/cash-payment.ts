import { randomUUID } from 'node:crypto';
import type { Db } from '../../electron/store/database.ts';
import type { ServerPayment } from '../../shared/schemas/sync.ts';

/**
 * A payment in US dollars cash, as a counter records it and sends it with the sale (the server
 * stores a sale only with the money that pays it): `applied` of `due` cents.
 */
export function cash(
  due: number,
  applied = due,
  kind: ServerPayment['kind'] = applied < due ? 'DEPOSIT' : 'SALE',
): ServerPayment {
  return {
    paymentId: randomUUID(),
    kind,
    cashier: 'test',
    terminal: null,
    vesPerUsd: '36.5000',
    dueCents: due,
    appliedCents: applied,
    change: null,
    createdAt: 0,
    requestId: null,
    lines: applied > 0 ? [{ ...CASH_LINE, amountCents: applied, usdCents: applied }] : [],
  };
}

const CASH_LINE = {
  method: 'CASH_USD',
  currency: 'USD',
  reference: null,
  phone: null,
  bankCode: null,
  email: null,
  terminalId: null,
} as const;

/**
 * The balance of a transaction in a terminal's own store (its live tickets, less what was paid
 * there), in cash: what a test's cashier hands over to sell it. `share` < 1 makes it a deposit.
 */
export function cashFor(db: Db, transactionId: string, share = 1): ServerPayment {
  const { total } = db
    .prepare<[string], { total: number }>(
      `SELECT COALESCE(SUM(price_cents * quantity), 0) AS total FROM reserved_tickets
       WHERE transaction_id = ? AND status = 'ACTIVE'`,
    )
    .get(transactionId)!;
  const { paid } = db
    .prepare<[string], { paid: number }>(
      'SELECT COALESCE(SUM(applied_cents), 0) AS paid FROM payments WHERE transaction_id = ?',
    )
    .get(transactionId)!;
  const due = total - paid;
  return cash(
    due,
    share < 1 ? Math.floor(due * share) : due,
    share < 1 ? 'DEPOSIT' : paid > 0 ? 'INSTALMENT' : 'SALE',
  );
}
