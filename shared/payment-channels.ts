import type { PaymentMethod } from './schemas/payments.ts';

/**
 * Who takes the money decides what may be recorded (issue 11). At the counter a cashier sees the cash
 * and the vouchers; at a kiosk nobody does, so a kiosk records only what a payment provider confirmed.
 */

/** Every kiosk session's actor starts with this (SessionService.startKiosk); staff are role:name. */
export const KIOSK_ACTOR_PREFIX = 'kiosk:';

/** A payment recorded under a kiosk actor: only provider-confirmed card and Pago Móvil count. */
export function isKioskActor(actor: string): boolean {
  return actor.startsWith(KIOSK_ACTOR_PREFIX);
}

/** What a payment provider can confirm; a kiosk has no cash drawer. */
export const PROVIDER_METHODS = ['CARD', 'PAGO_MOVIL'] as const satisfies readonly PaymentMethod[];
export type ProviderMethod = (typeof PROVIDER_METHODS)[number];
