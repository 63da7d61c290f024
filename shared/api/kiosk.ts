import { z } from 'zod';
import {
  counterSlip,
  kioskPayInput,
  kioskPaymentOptions,
  payAtCounterInput,
  paymentProviderSetInput,
  paymentProviderSetting,
} from '../schemas/payment-providers.ts';
import { paymentResult } from '../schemas/payments.ts';
import { id } from '../schemas/reservations.ts';
import { defineMethod } from './define.ts';

/**
 * How a kiosk takes money (issue 11): through the configured payment provider, or not at all — the
 * customer's seats are reserved and paid at the counter. As everywhere, the session and the actor
 * come from the signed-in session, never from the payload.
 */
export const kioskApi = {
  'kiosk.paymentOptions': defineMethod({
    summary: "How this kiosk takes money for an event: the payment provider's methods, or pay at the counter",
    input: z.object({ eventId: id }).strict(),
    output: kioskPaymentOptions,
  }),
  'kiosk.pay': defineMethod({
    summary:
      "Pay this kiosk session's cart by card or Pago Móvil: the payment provider takes the amount and the sale records its confirmation",
    roles: ['kiosk'],
    input: kioskPayInput.omit({ sessionId: true, actor: true }),
    output: paymentResult,
  }),
  'kiosk.payAtCounter': defineMethod({
    summary:
      "Reserve this kiosk session's cart for a short time and print a slip with a code; the customer pays at the counter",
    roles: ['kiosk'],
    input: payAtCounterInput.omit({ sessionId: true, actor: true }),
    output: counterSlip,
  }),
  'paymentProvider.get': defineMethod({
    summary: "This terminal's payment provider (null: none) and the providers it may use",
    roles: ['supervisor'],
    input: z.object({}).strict(),
    output: paymentProviderSetting,
  }),
  'paymentProvider.set': defineMethod({
    summary:
      "Choose this terminal's payment provider (null: none); an unknown name, or 'training' on a live store, is refused",
    roles: ['supervisor'],
    input: paymentProviderSetInput.omit({ actor: true }),
    output: paymentProviderSetting,
  }),
} as const;
