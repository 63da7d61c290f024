import { z } from 'zod';
import { PROVIDER_METHODS } from '../payment-channels.ts';
import { actor, id, sessionId } from './reservations.ts';
import { bankCode, currency, digitsReference, mobilePhone, requestId } from './payments.ts';

/**
 * Payment providers and the kiosk's two ways to pay (issue 11). A provider (a bank's POS or Pago
 * Móvil verification service) confirms that money was taken: the kiosk records nothing else. With no
 * provider, the kiosk turns the customer's holds into a short reservation paid at the counter.
 */

export const providerMethod = z.enum(PROVIDER_METHODS);

/** A provider's name as a supervisor types it; whether such a provider exists is the terminal's call. */
export const providerName = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'give a provider name')
  .max(40, 'a provider name has at most 40 characters');

/** What a provider answers when it took the money: exactly what was asked, and its own reference. */
export const providerApproval = z
  .object({
    provider: providerName,
    method: providerMethod,
    /** The provider's approval (card) or the bank's reference (Pago Móvil). */
    approvalReference: z.string().trim().min(4).max(40),
    amountCents: z.number().int().positive(),
    currency,
    /** Pago Móvil: the payer's bank and phone as the bank reported them. */
    bankCode: z.string().optional(),
    phone: z.string().optional(),
    /** Card: the POS terminal that took it. */
    terminalId: z.string().max(40).optional(),
  })
  .strict();
export type ProviderApproval = z.output<typeof providerApproval>;

/** What the customer says they paid by Pago Móvil; the provider checks it with the bank. */
export const pagoMovilClaim = z.object({ reference: digitsReference, phone: mobilePhone, bankCode }).strict();
export type PagoMovilClaim = z.output<typeof pagoMovilClaim>;

/** A kiosk pays its session's cart through the configured provider. */
export const kioskPayInput = z
  .object({
    eventId: id,
    sessionId,
    actor,
    method: providerMethod,
    pagoMovil: pagoMovilClaim.optional(),
    /** One per attempt: a retry never charges twice. */
    requestId,
  })
  .strict();

/** A kiosk turns its session's cart into a reservation paid at the counter. */
export const payAtCounterInput = z
  .object({ eventId: id, sessionId, actor, requestId: requestId.optional() })
  .strict();

/** The slip's facts, for the kiosk screen (the printed slip carries the same). */
export const counterSlip = z.object({
  transactionId: z.string(),
  /** The transaction number (first 8 characters of the id). */
  number: z.string(),
  /** Six characters, stored compact ('ACE347'); shown and printed as 'ACE-347'. */
  code: z.string(),
  reservedUntil: z.number().int(),
  minutes: z.number().int(),
  totalCents: z.number().int(),
  vesPerUsd: z.string(),
  seats: z.array(z.string()),
});
export type CounterSlip = z.output<typeof counterSlip>;

/** How this kiosk takes money. */
export const kioskPaymentOptions = z.object({
  /** null: no provider; the kiosk offers only "Pagar en taquilla". */
  provider: z.object({ id: z.string(), methods: z.array(providerMethod), simulated: z.boolean() }).nullable(),
  payAtCounterMinutes: z.number().int(),
});
export type KioskPaymentOptions = z.output<typeof kioskPaymentOptions>;

export const paymentProviderSetInput = z
  .object({
    /** null: no provider (the kiosk offers "Pagar en taquilla"). */
    provider: providerName.nullable(),
    actor,
  })
  .strict();

export const paymentProviderSetting = z.object({
  provider: z.string().nullable(),
  /** The providers this terminal has, in its mode ('training' only on a training store). */
  available: z.array(z.string()),
  mode: z.enum(['live', 'training']),
});
export type PaymentProviderSetting = z.output<typeof paymentProviderSetting>;
