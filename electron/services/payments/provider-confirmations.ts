import type { Clock } from '../../../shared/clock.ts';
import type { ProviderMethod } from '../../../shared/payment-channels.ts';
import type { ProviderApproval } from '../../../shared/schemas/payment-providers.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';

export interface ProviderConfirmation {
  id: number;
  requestId: string;
  provider: string;
  method: ProviderMethod;
  approvalReference: string;
  amountCents: number;
  currency: 'USD' | 'VES';
  bankCode: string | null;
  phone: string | null;
  terminalId: string | null;
  confirmedAt: number;
  /** CONFIRMED: money taken, no payment yet; USED: it paid `paymentId`; REVERSED: given back. */
  status: 'CONFIRMED' | 'USED' | 'REVERSED';
  paymentId: string | null;
}

interface Row {
  id: number;
  request_id: string;
  provider: string;
  method: ProviderMethod;
  approval_reference: string;
  amount_cents: number;
  currency: 'USD' | 'VES';
  bank_code: string | null;
  phone: string | null;
  terminal_id: string | null;
  confirmed_at: number;
  status: ProviderConfirmation['status'];
  payment_id: string | null;
}

const COLUMNS = `id, request_id, provider, method, approval_reference, amount_cents, currency, bank_code, phone,
  terminal_id, confirmed_at, status, payment_id`;

function fromRow(r: Row): ProviderConfirmation {
  return {
    id: r.id,
    requestId: r.request_id,
    provider: r.provider,
    method: r.method,
    approvalReference: r.approval_reference,
    amountCents: r.amount_cents,
    currency: r.currency,
    bankCode: r.bank_code,
    phone: r.phone,
    terminalId: r.terminal_id,
    confirmedAt: r.confirmed_at,
    status: r.status,
    paymentId: r.payment_id,
  };
}

/**
 * What payment providers confirmed (migration 009, `provider_confirmations`). A confirmation is
 * written the moment the provider answers, before the sale, so money a provider took is never
 * forgotten: it then pays exactly one payment (written in that payment's transaction) or is given
 * back. The store refuses simulated ('training') confirmations on a live store.
 */
export class ProviderConfirmations {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      byRequest: db.prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM provider_confirmations WHERE request_id = ?`,
      ),
      open: db.prepare<[], Row>(
        `SELECT ${COLUMNS} FROM provider_confirmations WHERE status = 'CONFIRMED' ORDER BY confirmed_at, id`,
      ),
      insert: db.prepare<
        [
          {
            request: string;
            provider: string;
            method: string;
            reference: string;
            amount: number;
            currency: string;
            bank: string | null;
            phone: string | null;
            terminal: string | null;
            now: number;
          },
        ],
        Row
      >(
        `INSERT INTO provider_confirmations (request_id, provider, method, approval_reference, amount_cents, currency,
           bank_code, phone, terminal_id, confirmed_at, status)
         VALUES (@request, @provider, @method, @reference, @amount, @currency, @bank, @phone, @terminal, @now,
           'CONFIRMED')
         RETURNING ${COLUMNS}`,
      ),
      use: db.prepare<[string, number, number]>(
        `UPDATE provider_confirmations SET status = 'USED', payment_id = ?, settled_at = ?
         WHERE id = ? AND status = 'CONFIRMED'`,
      ),
      reverse: db.prepare<[number, number]>(
        `UPDATE provider_confirmations SET status = 'REVERSED', settled_at = ? WHERE id = ? AND status = 'CONFIRMED'`,
      ),
    };
  }

  byRequest(requestId: string | undefined): ProviderConfirmation | null {
    if (requestId === undefined) return null;
    const row = this.sql.byRequest.get(requestId);
    return row ? fromRow(row) : null;
  }

  /** Money a provider took that paid nothing yet (a sale refused after the charge, not given back). */
  unsettled(): ProviderConfirmation[] {
    return this.sql.open.all().map(fromRow);
  }

  /** Records what the provider answered, durably and at once (its own write). */
  record(approval: ProviderApproval, requestId: string): ProviderConfirmation {
    return withDurableCommit(this.db, () =>
      this.db
        .transaction(() =>
          fromRow(
            this.sql.insert.get({
              request: requestId,
              provider: approval.provider,
              method: approval.method,
              reference: approval.approvalReference,
              amount: approval.amountCents,
              currency: approval.currency,
              bank: approval.bankCode ?? null,
              phone: approval.phone ?? null,
              terminal: approval.terminalId ?? null,
              now: this.clock.now(),
            })!,
          ),
        )
        .immediate(),
    );
  }

  /** The confirmation paid `paymentId` (inside the payment's write); false if it was already settled. */
  use(id: number, paymentId: string): boolean {
    return this.sql.use.run(paymentId, this.clock.now(), id).changes === 1;
  }

  /** The provider gave the money back. */
  reversed(id: number): void {
    this.sql.reverse.run(this.clock.now(), id);
  }
}
