import { TaquillaError } from '../../../shared/errors.ts';
import { type PaymentResult, type Tender, tender as tenderSchema } from '../../../shared/schemas/payments.ts';
import {
  kioskPayInput,
  type KioskPaymentOptions,
  providerApproval,
} from '../../../shared/schemas/payment-providers.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { CartReader } from '../session/cart.ts';
import type { PaymentService } from './payment-service.ts';
import type { ProviderConfirmation } from './provider-confirmations.ts';
import type { PaymentProvider } from './providers/payment-provider.ts';
import type { PaymentProviders } from './providers/provider-registry.ts';
import type { TenderAcceptance } from './tender-acceptance.ts';

export interface KioskCheckoutDeps {
  payments: Pick<PaymentService, 'quote'>;
  /** Where money is recorded (SalesDesk: local, or through the central server when enrolled). */
  sales: { checkout(raw: unknown): Promise<PaymentResult> | PaymentResult };
  carts: Pick<CartReader, 'cart'>;
  /** Settles holds whose time ran out, so the amount asked is what the sale will be. */
  reservations: { cleanupExpired(raw?: unknown): unknown };
  providers: PaymentProviders;
  acceptance: TenderAcceptance;
  /** How long a "Pagar en taquilla" reservation lasts for an event's tenant. */
  payAtCounterMinutes: (eventId: number) => number;
}

/** The tender a confirmation pays: exactly what the provider confirmed, nothing the customer typed. */
function tenderOf(c: ProviderConfirmation): Tender {
  if (c.method === 'CARD') {
    return tenderSchema.parse({
      method: 'CARD',
      amountCents: c.amountCents,
      reference: c.approvalReference,
      ...(c.terminalId ? { terminalId: c.terminalId } : {}),
    });
  }
  return tenderSchema.parse({
    method: 'PAGO_MOVIL',
    amountCents: c.amountCents,
    reference: c.approvalReference,
    phone: c.phone,
    bankCode: c.bankCode,
  });
}

/**
 * A kiosk customer pays by card or Pago Móvil through the configured payment provider (issue 11):
 * the provider takes the amount due, its confirmation is recorded at once, and the sale records
 * exactly that confirmation (PaymentService refuses anything else for a kiosk). If the sale is then
 * refused, the money is given back through the provider; if that fails, the customer is told to go to
 * the counter with the reference, and the confirmation stays listed as unsettled.
 */
export class KioskCheckout {
  constructor(private readonly deps: KioskCheckoutDeps) {}

  /** What the kiosk screen offers: the provider's methods, or only "Pagar en taquilla". */
  options(eventId: number): KioskPaymentOptions {
    const provider = this.deps.providers.current();
    return {
      provider: provider
        ? { id: provider.id, methods: [...provider.methods], simulated: provider.simulated }
        : null,
      payAtCounterMinutes: this.deps.payAtCounterMinutes(eventId),
    };
  }

  async pay(raw: unknown): Promise<PaymentResult> {
    const input = parseInput(kioskPayInput, raw);
    const { confirmations } = this.deps.acceptance;
    // A retried attempt finds what the provider already confirmed: the money is never taken twice.
    const confirmation = confirmations.byRequest(input.requestId) ?? (await this.charge(input));
    if (confirmation.status === 'REVERSED') {
      throw new TaquillaError('PAYMENT_UNCONFIRMED', 'This attempt was refused and its payment given back', {
        method: confirmation.method,
        reason: 'reversed',
      });
    }
    try {
      return await this.deps.sales.checkout({
        eventId: input.eventId,
        sessionId: input.sessionId,
        actor: input.actor,
        tenders: [tenderOf(confirmation)],
        requestId: input.requestId,
      });
    } catch (error) {
      // Refused after the provider took the money: give it back (unless a payment used it after all).
      if (confirmations.byRequest(input.requestId)?.status === 'CONFIRMED') {
        await this.giveBack(confirmation);
      }
      throw error;
    }
  }

  /** Everything that can be checked is checked before the provider is asked; then it takes the money. */
  private async charge(input: ReturnType<typeof kioskPayInput.parse>): Promise<ProviderConfirmation> {
    const provider = this.deps.providers.current();
    if (!provider) {
      throw new TaquillaError(
        'PAYMENT_UNCONFIRMED',
        'This kiosk has no payment provider: pay at the counter',
        {
          method: input.method,
          reason: 'no-provider',
        },
      );
    }
    if (!provider.methods.includes(input.method)) {
      throw new TaquillaError('PAYMENT_UNCONFIRMED', `${provider.id} does not take ${input.method}`, {
        method: input.method,
        reason: 'method-not-offered',
      });
    }
    const cart = this.deps.carts.cart(input.eventId, input.sessionId);
    if (cart.tickets.length === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to pay for', {
        sessionId: input.sessionId,
      });
    }
    // A hold that ran out is settled now, so the amount asked is what the sale will be.
    this.deps.reservations.cleanupExpired({});
    const quote = this.deps.payments.quote({ eventId: input.eventId, sessionId: input.sessionId });
    if (input.pagoMovil) {
      // A Pago Móvil reference that already paid is refused before the bank is even asked.
      this.deps.acceptance.references.assertUnused(
        tenderSchema.parse({ method: 'PAGO_MOVIL', amountCents: quote.balanceVesCents, ...input.pagoMovil }),
      );
    }
    const request = {
      requestId: input.requestId,
      method: input.method,
      amountCents: quote.balanceVesCents,
      currency: 'VES' as const,
      ...(input.pagoMovil ? { pagoMovil: input.pagoMovil } : {}),
    };
    const answer = providerApproval.safeParse(await provider.charge(request));
    if (!answer.success) {
      throw new TaquillaError('PAYMENT_DECLINED', `${provider.id} answered something unreadable`, {
        provider: provider.id,
        method: input.method,
        reason: 'unreadable-answer',
      });
    }
    const confirmation = this.deps.acceptance.confirmations.record(answer.data, input.requestId);
    const exact =
      answer.data.provider === provider.id &&
      answer.data.method === request.method &&
      answer.data.amountCents === request.amountCents &&
      answer.data.currency === request.currency;
    if (!exact) {
      await this.giveBack(confirmation, provider);
      throw new TaquillaError(
        'PAYMENT_UNCONFIRMED',
        `${provider.id} confirmed something else than was asked (${answer.data.amountCents} ${answer.data.currency})`,
        { method: input.method, reason: 'provider-mismatch' },
      );
    }
    return confirmation;
  }

  private async giveBack(c: ProviderConfirmation, provider?: PaymentProvider): Promise<void> {
    const p = provider ?? this.deps.providers.byName(c.provider);
    const approval = {
      provider: c.provider,
      method: c.method,
      approvalReference: c.approvalReference,
      amountCents: c.amountCents,
      currency: c.currency,
      ...(c.bankCode ? { bankCode: c.bankCode } : {}),
      ...(c.phone ? { phone: c.phone } : {}),
      ...(c.terminalId ? { terminalId: c.terminalId } : {}),
    };
    try {
      if (!p) throw new Error(`provider ${c.provider} is not available`);
      await p.reverse(approval, c.requestId);
    } catch {
      throw new TaquillaError(
        'PAYMENT_NOT_REVERSED',
        `${c.provider} took ${c.amountCents} ${c.currency} (reference ${c.approvalReference}) and could not give it back`,
        {
          provider: c.provider,
          method: c.method,
          reference: c.approvalReference,
          amountCents: c.amountCents,
          currency: c.currency,
        },
      );
    }
    this.deps.acceptance.confirmations.reversed(c.id);
  }
}
