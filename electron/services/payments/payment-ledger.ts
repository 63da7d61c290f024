import { TaquillaError } from '../../../shared/errors.ts';
import { usdToVes } from '../../../shared/money.ts';
import type { PaymentResult, Tender } from '../../../shared/schemas/payments.ts';
import type { ServerPayment } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import type { Payables } from './payables.ts';
import type { TenderAcceptance, TenderClaim } from './tender-acceptance.ts';

export type PaymentKind = 'SALE' | 'DEPOSIT' | 'INSTALMENT';

/** A row of payments, as it is read back. */
interface PaymentRow {
  id: string;
  kind: PaymentKind;
  cashier: string;
  terminal: string | null;
  ves_per_usd: string;
  due_cents: number;
  applied_cents: number;
  change_currency: 'USD' | 'VES' | null;
  change_cents: number;
  change_usd_cents: number;
  created_at: number;
  request_id: string | null;
}

/** A payment found by its request id, with what was paid on its transaction before it. */
type StoredPaymentRow = Omit<PaymentRow, 'cashier' | 'terminal' | 'created_at' | 'request_id'> & {
  transaction_id: string;
  reserved_until: number | null;
  paid_before: number;
};

/** The money part of a receipt (matches the printing capability's receiptPrintData fields). */
export interface ReceiptPayments {
  payments: {
    method: Tender['method'];
    currency: 'USD' | 'VES';
    amountCents: number;
    reference: string | null;
  }[];
  change: { currency: 'USD' | 'VES'; cents: number } | null;
  paidCents: number;
  balanceCents: number;
}

/**
 * The payments and tenders this store keeps: written with the sale they pay for (taken here or
 * copied from the server), read back as they travel to the server, as a receipt prints them, and
 * as the first answer to a request paid already. Owns payments and payment_tenders.
 */
export class PaymentLedger {
  private readonly sql;

  constructor(
    db: Db,
    private readonly payables: Payables,
    /** Kiosk payments only as a provider confirmed them; each reference once (issue 11). */
    private readonly acceptance: TenderAcceptance,
  ) {
    this.sql = {
      byRequest: db.prepare<[string], StoredPaymentRow>(
        `SELECT p.id, p.transaction_id, p.kind, p.ves_per_usd, p.due_cents, p.applied_cents, p.change_currency,
           p.change_cents, p.change_usd_cents, x.reserved_until,
           COALESCE((SELECT SUM(q.applied_cents) FROM payments q
                     WHERE q.transaction_id = p.transaction_id AND q.rowid < p.rowid), 0) AS paid_before
         FROM payments p JOIN transactions x ON x.id = p.transaction_id WHERE p.request_id = ?`,
      ),
      unpaid: db.prepare<[], { id: string; completed_at: number | null; actor: string }>(
        `SELECT x.id, x.completed_at, x.actor FROM transactions x
         WHERE x.status = 'COMPLETED' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.transaction_id = x.id)
           AND EXISTS (SELECT 1 FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.price_cents > 0)
         ORDER BY x.completed_at`,
      ),
      soldTotal: db.prepare<[string], { total: number }>(
        `SELECT COALESCE(SUM(price_cents * quantity), 0) AS total FROM reserved_tickets
         WHERE transaction_id = ? AND status = 'COMPLETED'`,
      ),
      insertPayment: db.prepare<
        [
          {
            id: string;
            tx: string;
            event: number;
            kind: PaymentKind;
            cashier: string;
            terminal: string | null;
            rate: string;
            due: number;
            applied: number;
            changeCurrency: string | null;
            change: number;
            changeUsd: number;
            now: number;
            requestId: string | null;
          },
        ]
      >(
        `INSERT INTO payments (id, transaction_id, event_id, kind, cashier, terminal, ves_per_usd, due_cents,
           applied_cents, change_currency, change_cents, change_usd_cents, created_at, request_id)
         VALUES (@id, @tx, @event, @kind, @cashier, @terminal, @rate, @due, @applied, @changeCurrency, @change,
           @changeUsd, @now, @requestId)`,
      ),
      insertTender: db.prepare<
        [
          {
            payment: string;
            method: string;
            currency: string;
            amount: number;
            usd: number;
            reference: string | null;
            phone: string | null;
            bank: string | null;
            email: string | null;
            terminalId: string | null;
          },
        ]
      >(
        `INSERT INTO payment_tenders (payment_id, method, currency, amount_cents, usd_cents, reference, phone,
           bank_code, email, terminal_id)
         VALUES (@payment, @method, @currency, @amount, @usd, @reference, @phone, @bank, @email, @terminalId)`,
      ),
      tendersOf: db.prepare<
        [string],
        {
          method: Tender['method'];
          currency: 'USD' | 'VES';
          amount_cents: number;
          reference: string | null;
          email: string | null;
        }
      >(
        `SELECT t.method, t.currency, t.amount_cents, t.reference, t.email
         FROM payment_tenders t JOIN payments p ON p.id = t.payment_id
         WHERE p.transaction_id = ? ORDER BY p.created_at, p.rowid, t.id`,
      ),
      lastChange: db.prepare<[string], { change_currency: 'USD' | 'VES' | null; change_cents: number }>(
        `SELECT change_currency, change_cents FROM payments WHERE transaction_id = ?
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      ),
      paymentExists: db.prepare<[string], { id: string }>('SELECT id FROM payments WHERE id = ?'),
      paymentsOf: db.prepare<[string], PaymentRow>(
        `SELECT id, kind, cashier, terminal, ves_per_usd, due_cents, applied_cents, change_currency, change_cents,
           change_usd_cents, created_at, request_id FROM payments WHERE transaction_id = ? ORDER BY created_at, rowid`,
      ),
      tenderRowsOf: db.prepare<
        [string],
        {
          method: Tender['method'];
          currency: 'USD' | 'VES';
          amount_cents: number;
          usd_cents: number;
          reference: string | null;
          phone: string | null;
          bank_code: string | null;
          email: string | null;
          terminal_id: string | null;
        }
      >(
        `SELECT method, currency, amount_cents, usd_cents, reference, phone, bank_code, email, terminal_id
         FROM payment_tenders WHERE payment_id = ? ORDER BY id`,
      ),
    };
  }

  /** Completed sales with no payment recorded (a crash between the authority and the local write). */
  unpaidSales(): { transactionId: string; completedAt: number | null; actor: string }[] {
    return this.sql.unpaid
      .all()
      .map((r) => ({ transactionId: r.id, completedAt: r.completed_at, actor: r.actor }));
  }

  /**
   * What a receipt prints about the money of a transaction: every tender taken so far, the change
   * of the latest payment, paid and balance. Safe to call from an onSettled listener: the payment
   * is already written in the same transaction.
   */
  receiptPayments(transactionId: string): ReceiptPayments {
    const tx = this.payables.byId(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    const total =
      tx.status === 'COMPLETED' ? (this.sql.soldTotal.get(transactionId)?.total ?? 0) : tx.total_cents;
    const last = this.sql.lastChange.get(transactionId);
    return {
      payments: this.sql.tendersOf.all(transactionId).map((t) => ({
        method: t.method,
        currency: t.currency,
        amountCents: t.amount_cents,
        reference: t.reference ?? t.email,
      })),
      change:
        last && last.change_currency ? { currency: last.change_currency, cents: last.change_cents } : null,
      paidCents: tx.paid_cents,
      balanceCents: Math.max(0, total - tx.paid_cents),
    };
  }

  /**
   * The first answer to a request already paid (same idempotency key), rebuilt from the store; null
   * for a new request. The same key on another kind of payment or transaction is refused.
   */
  replay(requestId: string | undefined, kind: PaymentKind, transactionId?: string): PaymentResult | null {
    if (requestId === undefined) return null;
    const p = this.sql.byRequest.get(requestId);
    if (!p) return null;
    if (p.kind !== kind || (transactionId !== undefined && p.transaction_id !== transactionId)) {
      throw new TaquillaError(
        'IDEMPOTENCY_MISMATCH',
        `Request ${requestId} was already used for another payment`,
        { key: requestId },
      );
    }
    const total = p.paid_before + p.due_cents;
    const paid = p.paid_before + p.applied_cents;
    const balance = total - paid;
    const status = kind === 'DEPOSIT' || balance > 0 ? 'RESERVED' : 'COMPLETED';
    return {
      paymentId: p.id,
      transactionId: p.transaction_id,
      kind,
      status,
      vesPerUsd: p.ves_per_usd,
      totalCents: total,
      appliedCents: p.applied_cents,
      paidCents: paid,
      balanceCents: balance,
      balanceVesCents: usdToVes(balance, p.ves_per_usd),
      reservedUntil: status === 'RESERVED' ? p.reserved_until : null,
      lines: this.sql.tenderRowsOf.all(p.id).map((l) => ({
        method: l.method,
        currency: l.currency,
        amountCents: l.amount_cents,
        usdCents: l.usd_cents,
        reference: l.reference ?? l.email,
      })),
      change: changeOf(p),
    };
  }

  /**
   * Writes a payment and its tenders: one taken here (`claim`: what the cashier or kiosk asked to pay,
   * checked again by TenderAcceptance inside this write) or a copy of one the server recorded.
   */
  writePayment(transactionId: string, record: ServerPayment, claim?: TenderClaim): void {
    // MOVED is the server's bookkeeping of a refused offline sale's money; here that money stays
    // with the offline sale it was taken for.
    if (record.kind === 'MOVED' || this.sql.paymentExists.get(record.paymentId)) return;
    const tx = this.payables.byId(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    this.sql.insertPayment.run({
      id: record.paymentId,
      tx: transactionId,
      event: tx.event_id,
      kind: record.kind,
      cashier: record.cashier,
      terminal: record.terminal,
      rate: record.vesPerUsd,
      due: record.dueCents,
      applied: record.appliedCents,
      changeCurrency: record.change?.currency ?? null,
      change: record.change?.cents ?? 0,
      changeUsd: record.change?.usdCents ?? 0,
      now: record.createdAt,
      requestId: record.requestId,
    });
    const tenderIds = record.lines.map((line) =>
      Number(
        this.sql.insertTender.run({
          payment: record.paymentId,
          method: line.method,
          currency: line.currency,
          amount: line.amountCents,
          usd: line.usdCents,
          reference: line.reference,
          phone: line.phone,
          bank: line.bankCode,
          email: line.email,
          terminalId: line.terminalId,
        }).lastInsertRowid,
      ),
    );
    // Taken here: the kiosk's confirmation is used and each reference once, inside this write. A copy
    // of what the server recorded keeps its references too, so this counter refuses them as well.
    if (claim) this.acceptance.record(claim, record.paymentId, tenderIds);
    else this.acceptance.recordCopy(record, tenderIds);
  }

  paymentRecords(transactionId: string): ServerPayment[] {
    return this.sql.paymentsOf.all(transactionId).map((p) => ({
      paymentId: p.id,
      kind: p.kind,
      cashier: p.cashier,
      terminal: p.terminal,
      vesPerUsd: p.ves_per_usd,
      dueCents: p.due_cents,
      appliedCents: p.applied_cents,
      change: changeOf(p),
      createdAt: p.created_at,
      requestId: p.request_id,
      lines: this.sql.tenderRowsOf.all(p.id).map((t) => ({
        method: t.method,
        currency: t.currency,
        amountCents: t.amount_cents,
        usdCents: t.usd_cents,
        reference: t.reference,
        phone: t.phone,
        bankCode: t.bank_code,
        email: t.email,
        terminalId: t.terminal_id,
      })),
    }));
  }
}

/** The change a stored payment gave (null when it gave none). */
function changeOf(
  p: Pick<PaymentRow, 'change_currency' | 'change_cents' | 'change_usd_cents'>,
): ServerPayment['change'] {
  return p.change_currency === null
    ? null
    : { currency: p.change_currency, cents: p.change_cents, usdCents: p.change_usd_cents };
}
