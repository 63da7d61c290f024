import { randomInt } from 'node:crypto';
import { PROVIDER_METHODS } from '../../../../shared/payment-channels.ts';
import type { ProviderApproval } from '../../../../shared/schemas/payment-providers.ts';
import type { ChargeRequest, PaymentProvider } from './payment-provider.ts';

/** Simulated POS terminal id printed on the receipt of a training card payment. */
export const TRAINING_TERMINAL_ID = 'ENTRENAMIENTO';

/**
 * Simulated approvals for practice (issue 11). It exists only on a training store, whose every ticket
 * and receipt prints "ENTRENAMIENTO - SIN VALOR" and which never syncs: the provider registry will not
 * build it elsewhere and the store refuses its confirmations on a live store.
 *
 * It approves exactly what it is asked. Card approvals are 'ENT' and nine random digits; a Pago Móvil
 * is the customer's claim when given, else a random twelve-digit reference.
 */
export class TrainingProvider implements PaymentProvider {
  readonly id = 'training';
  readonly methods = PROVIDER_METHODS;
  readonly simulated = true;

  constructor(private readonly random: (n: number) => number = (n) => randomInt(n)) {}

  charge(request: ChargeRequest): Promise<ProviderApproval> {
    const base = {
      provider: this.id,
      method: request.method,
      amountCents: request.amountCents,
      currency: request.currency,
    };
    if (request.method === 'CARD') {
      return Promise.resolve({
        ...base,
        approvalReference: `ENT${this.digits(9)}`,
        terminalId: TRAINING_TERMINAL_ID,
      });
    }
    const claim = request.pagoMovil;
    return Promise.resolve({
      ...base,
      approvalReference: claim?.reference ?? `${1 + this.random(9)}${this.digits(11)}`,
      bankCode: claim?.bankCode ?? '0102',
      phone: claim?.phone ?? '04141234567',
    });
  }

  /** Nothing real was taken: nothing to give back. */
  reverse(): Promise<void> {
    return Promise.resolve();
  }

  private digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String(this.random(10));
    return out;
  }
}
