import { z } from 'zod';

/**
 * Reservation settings (PRODUCT.md), resolved as tenant override -> defaults. The two lifetime caps
 * are ours: they stop a hold from living forever through repeated extension.
 */
export const reservationSettingsSchema = z.object({
  TEMPORARY_HOLD_MINUTES: z.number().int().min(1).max(60),
  PARTIAL_PAYMENT_HOURS: z.number().int().min(24).max(72),
  CLEANUP_INTERVAL_MINUTES: z.number().int().min(1).max(60),
  MAX_RESERVATIONS_PER_USER: z.number().int().min(1).max(100),
  /** A temporary hold never lives longer than this from its creation, however often it is extended. */
  MAX_HOLD_LIFETIME_MINUTES: z.number().int().min(1).max(180),
  /** A partial-payment reservation never lives longer than this from its creation. */
  MAX_RESERVATION_LIFETIME_HOURS: z
    .number()
    .int()
    .min(24)
    .max(24 * 30),
  /**
   * How long a kiosk's "Pagar en taquilla" reservation keeps its seats (issue 11). Long enough to walk
   * from the kiosk to the counter and wait in a pre-show queue; short enough that seats a customer
   * walked away from are back on sale well before the show, as a cart would be.
   */
  PAY_AT_COUNTER_MINUTES: z.number().int().min(5).max(240),
});

export type ReservationSettings = z.infer<typeof reservationSettingsSchema>;
export type SettingKey = keyof ReservationSettings;

export const DEFAULT_SETTINGS: Readonly<ReservationSettings> = Object.freeze({
  TEMPORARY_HOLD_MINUTES: 10,
  PARTIAL_PAYMENT_HOURS: 72,
  CLEANUP_INTERVAL_MINUTES: 5,
  MAX_RESERVATIONS_PER_USER: 10,
  MAX_HOLD_LIFETIME_MINUTES: 30,
  MAX_RESERVATION_LIFETIME_HOURS: 24 * 7,
  PAY_AT_COUNTER_MINUTES: 30,
});

export const settingsOverrideSchema = reservationSettingsSchema.partial().strict();
export type SettingsOverride = z.infer<typeof settingsOverrideSchema>;

/** Merges a tenant's overrides over the defaults; a bad override is refused, not ignored. */
export function resolveSettings(override: unknown = {}): ReservationSettings {
  const parsed = settingsOverrideSchema.parse(override);
  const merged = reservationSettingsSchema.parse({ ...DEFAULT_SETTINGS, ...parsed });
  if (merged.MAX_HOLD_LIFETIME_MINUTES < merged.TEMPORARY_HOLD_MINUTES) {
    throw new Error('MAX_HOLD_LIFETIME_MINUTES must be at least TEMPORARY_HOLD_MINUTES');
  }
  if (merged.MAX_RESERVATION_LIFETIME_HOURS < merged.PARTIAL_PAYMENT_HOURS) {
    throw new Error('MAX_RESERVATION_LIFETIME_HOURS must be at least PARTIAL_PAYMENT_HOURS');
  }
  return merged;
}
