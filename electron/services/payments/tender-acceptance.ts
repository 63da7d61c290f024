import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { isKioskActor } from '../../../shared/payment-channels.ts';
import { normalisedReference } from '../../../shared/payment-references.ts';
import { isCash, tenderCurrency } from '../../../shared/payments.ts';
import type { Tender } from '../../../shared/schemas/payments.ts';
import type { Db } from '../../store/database.ts';
import { PaymentReferences } from './payment-references.ts';
import { type ProviderConfirmation, ProviderConfirmations } from './provider-confirmations.ts';

/** What recordCopy reads of a payment the server recorded (ServerPayment). */
export interface ServerPaymentCopy {
  paymentId: string;
  cashier: string;
  requestId: string | null;
  lines: readonly { method: Tender['method']; reference: string | null; bankCode: string | null }[];
}

/** The part of a payment request that decides whether its tenders may be recorded. */
export interface TenderClaim {
  actor: string;
  tenders: readonly Tender[];
  requestId?: string | undefined;
}

/** References compared as banks and POS vouchers print them: case, separators and leading zeros aside. */
function sameReference(a: string, b: string): boolean {
  return normalisedReference(a) === normalisedReference(b);
}

function matches(t: Tender, c: ProviderConfirmation): boolean {
  if (t.method !== c.method || t.amountCents !== c.amountCents || tenderCurrency(t) !== c.currency)
    return false;
  if (t.method === 'CARD') return sameReference(t.reference, c.approvalReference);
  if (t.method === 'PAGO_MOVIL') {
    return sameReference(t.reference, c.approvalReference) && t.bankCode === c.bankCode;
  }
  return false;
}

/**
 * Whether a payment's tenders may be recorded: one rule for every path (sale, deposit, later payment;
 * local or settled at the central server), so no screen or payload can get around it (issue 11).
 *
 * - At a kiosk (a `kiosk:` actor) nobody sees the money: the payment must be exactly what a payment
 *   provider confirmed for this attempt (its requestId) — never cash, never an approval number typed
 *   by the customer. The confirmation is marked as used by the payment, in the payment's write.
 * - A reference pays once, compared normalised (method, bank, digits without leading zeros), wherever
 *   it was used first; the refusal names that sale.
 */
export class TenderAcceptance {
  readonly references: PaymentReferences;
  readonly confirmations: ProviderConfirmations;

  constructor(db: Db, clock: Clock) {
    this.references = new PaymentReferences(db);
    this.confirmations = new ProviderConfirmations(db, clock);
  }

  /** Before anything is written: refuses what may not be recorded. */
  check(claim: TenderClaim): void {
    const confirmation = this.kioskConfirmation(claim);
    this.references.assertAllUnused(claim.tenders, confirmation?.provider);
  }

  /** Inside the payment's write, after its tenders (`tenderIds`, in order) were inserted. */
  record(claim: TenderClaim, paymentId: string, tenderIds: readonly number[]): void {
    const confirmation = this.kioskConfirmation(claim);
    // Checked again in the write (a sale through the central server decided before it), and the
    // tenders among themselves first, so a repeat never meets this payment's own row.
    this.references.assertAllUnused(claim.tenders, confirmation?.provider);
    claim.tenders.forEach((t, i) =>
      this.references.record(t, paymentId, tenderIds[i]!, confirmation?.provider),
    );
    if (confirmation && !this.confirmations.use(confirmation.id, paymentId)) {
      throw new TaquillaError('PAYMENT_UNCONFIRMED', 'This confirmation already paid another payment', {
        method: confirmation.method,
        reason: 'no-confirmation',
      });
    }
  }

  /**
   * Inside the write that copies a payment the central server recorded. The server decided, so nothing
   * is refused here: its references are kept (this counter refuses them too), and a kiosk payment taken
   * here (its requestId names this store's provider confirmation) uses that confirmation, however the
   * copy arrived (the server's answer, a lost answer found by its key, a replay).
   */
  recordCopy(record: ServerPaymentCopy, tenderIds: readonly number[]): void {
    this.references.recordCopy(record.lines, record.paymentId, tenderIds);
    if (!isKioskActor(record.cashier) || record.requestId === null) return;
    const confirmation = this.confirmations.byRequest(record.requestId);
    if (confirmation?.status === 'CONFIRMED') this.confirmations.use(confirmation.id, record.paymentId);
  }

  /** The provider's confirmation a kiosk payment rests on; null for staff (or nothing to pay). */
  private kioskConfirmation(claim: TenderClaim): ProviderConfirmation | null {
    if (!isKioskActor(claim.actor) || claim.tenders.length === 0) return null;
    const cash = claim.tenders.find((t) => isCash(t.method));
    if (cash) {
      throw new TaquillaError('PAYMENT_UNCONFIRMED', 'A kiosk takes no cash: nobody is there to receive it', {
        method: cash.method,
        reason: 'kiosk-cash',
      });
    }
    const first = claim.tenders[0]!;
    const confirmation = this.confirmations.byRequest(claim.requestId);
    if (!confirmation || confirmation.status !== 'CONFIRMED') {
      throw new TaquillaError(
        'PAYMENT_UNCONFIRMED',
        `No payment provider confirmed this ${first.method} payment: a kiosk records only confirmed money`,
        { method: first.method, reason: 'no-confirmation' },
      );
    }
    if (claim.tenders.length !== 1 || !matches(first, confirmation)) {
      throw new TaquillaError(
        'PAYMENT_UNCONFIRMED',
        'The payment differs from what the provider confirmed (method, amount, currency or reference)',
        { method: first.method, reason: 'provider-mismatch' },
      );
    }
    return confirmation;
  }
}
