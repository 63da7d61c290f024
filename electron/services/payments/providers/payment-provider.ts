import type { Currency } from '../../../../shared/money.ts';
import type { ProviderMethod } from '../../../../shared/payment-channels.ts';
import type { PagoMovilClaim, ProviderApproval } from '../../../../shared/schemas/payment-providers.ts';

/** What the kiosk asks a provider to take. */
export interface ChargeRequest {
  /** The kiosk's idempotency key for this attempt: asked twice, a provider takes the money once. */
  requestId: string;
  method: ProviderMethod;
  /** Integer cents of `currency` (bolívares for card and Pago Móvil). */
  amountCents: number;
  currency: Currency;
  /** Pago Móvil: what the customer says they paid, for the provider to find at the bank. */
  pagoMovil?: PagoMovilClaim | undefined;
}

/**
 * A payment provider: whoever really takes the money at a kiosk — a bank's integrated POS for cards,
 * a Pago Móvil verification service — behind one boundary (issue 11). The kiosk records a payment only
 * from what `charge` resolved with, never from what the customer typed.
 *
 * Implementations live in this folder and are listed in provider-registry.ts.
 */
export interface PaymentProvider {
  /** The name a supervisor configures ('training'). */
  readonly id: string;
  readonly methods: readonly ProviderMethod[];
  /** Simulated approvals (training): screens and paper say so. */
  readonly simulated: boolean;
  /**
   * Takes (card) or finds at the bank (Pago Móvil) exactly `amountCents` of `currency`. Resolves
   * with the provider's approval; rejects with PAYMENT_DECLINED when it took nothing.
   */
  charge(request: ChargeRequest): Promise<ProviderApproval>;
  /**
   * Gives back what `charge` took, when the sale is refused after all (the hold ran out, the reference
   * was used before). Rejects when it cannot: the customer is then sent to the counter.
   */
  reverse(approval: ProviderApproval, requestId: string): Promise<void>;
}
