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
  /**
   * Unpaid "Pagar en taquilla" slips one kiosk may have open at once: with no money taken, a kiosk
   * must not be a way to keep a stadium's seats off sale (8 sessions × 10 seats in a second).
   */
  PAY_AT_COUNTER_MAX_OPEN_SLIPS: z.number().int().min(1).max(100),
  /** "Pagar en taquilla" slips one kiosk customer session may make (the kiosk starts over after). */
  PAY_AT_COUNTER_SLIPS_PER_SESSION: z.number().int().min(1).max(10),
  /**
   * Lease policy (placeholder for a fuller one): how long an offline lease lives, for events defined
   * at the server without their own `leaseMinutes`.
   */
  LEASE_MINUTES: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60),
  /**
   * How long the server keeps a lease's seats and places after the lease's end for the counter's
   * offline sales to arrive: a sale made just before the end is reported, not resold meanwhile.
   */
  LEASE_GRACE_MINUTES: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /**
   * The hour (America/Caracas) at which the box office's business day ends and the next begins:
   * a night past midnight belongs to the day it began (shared/business-day.ts). 0 is midnight.
   */
  BUSINESS_DAY_CUTOFF_HOUR: z.number().int().min(0).max(12),
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
  PAY_AT_COUNTER_MAX_OPEN_SLIPS: 4,
  PAY_AT_COUNTER_SLIPS_PER_SESSION: 1,
  LEASE_MINUTES: 240,
  LEASE_GRACE_MINUTES: 30,
  BUSINESS_DAY_CUTOFF_HOUR: 4,
});

export const SETTING_KEYS = Object.keys(reservationSettingsSchema.shape) as readonly SettingKey[];

/** One problem with a settings override, named by its key. */
export interface SettingProblem {
  path: string;
  message: string;
}

export const settingsOverrideSchema = reservationSettingsSchema.partial().strict();
export type SettingsOverride = z.infer<typeof settingsOverrideSchema>;

function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

/** "TEMPORARY_HOLD_MINUTES must be a whole number from 1 to 60", from the schema's own bounds. */
export function settingRule(key: SettingKey): string {
  const field = reservationSettingsSchema.shape[key];
  return `${key} must be a whole number from ${field.minValue} to ${field.maxValue}`;
}

/**
 * Every reason a tenant override would be refused, in words an operator can act on; [] when it
 * resolves. Covers unknown keys, values out of bounds and the lifetime caps below their bases.
 */
export function settingsProblems(override: unknown): SettingProblem[] {
  if (override === null || typeof override !== 'object' || Array.isArray(override)) {
    return [{ path: '(settings)', message: 'settings must be an object of KEY: number' }];
  }
  const problems: SettingProblem[] = [];
  for (const [key, value] of Object.entries(override)) {
    if (!isSettingKey(key)) {
      problems.push({ path: key, message: `unknown setting ${key} (known: ${SETTING_KEYS.join(', ')})` });
    } else if (!reservationSettingsSchema.shape[key].safeParse(value).success) {
      problems.push({ path: key, message: `${settingRule(key)} (got ${JSON.stringify(value)})` });
    }
  }
  if (problems.length > 0) return problems;
  const merged = { ...DEFAULT_SETTINGS, ...(override as SettingsOverride) };
  if (merged.MAX_HOLD_LIFETIME_MINUTES < merged.TEMPORARY_HOLD_MINUTES) {
    problems.push({
      path: 'MAX_HOLD_LIFETIME_MINUTES',
      message: `MAX_HOLD_LIFETIME_MINUTES (${merged.MAX_HOLD_LIFETIME_MINUTES}) must be at least TEMPORARY_HOLD_MINUTES (${merged.TEMPORARY_HOLD_MINUTES})`,
    });
  }
  if (merged.MAX_RESERVATION_LIFETIME_HOURS < merged.PARTIAL_PAYMENT_HOURS) {
    problems.push({
      path: 'MAX_RESERVATION_LIFETIME_HOURS',
      message: `MAX_RESERVATION_LIFETIME_HOURS (${merged.MAX_RESERVATION_LIFETIME_HOURS}) must be at least PARTIAL_PAYMENT_HOURS (${merged.PARTIAL_PAYMENT_HOURS})`,
    });
  }
  return problems;
}

/**
 * Reads `KEY=VALUE` assignments (the command line's --set) into an override; a value that is not a
 * whole number is a problem, not a NaN.
 */
export function parseSettingAssignments(assignments: readonly string[]): {
  override: Record<string, number>;
  problems: SettingProblem[];
} {
  const override: Record<string, number> = {};
  const problems: SettingProblem[] = [];
  for (const assignment of assignments) {
    const match = /^\s*([A-Z_]+)\s*=\s*(-?\d+)\s*$/.exec(assignment);
    if (!match) {
      const key = assignment.split('=')[0]!.trim();
      problems.push({
        path: key || '(setting)',
        message: isSettingKey(key)
          ? `${settingRule(key)} (got '${assignment.slice(assignment.indexOf('=') + 1)}')`
          : `expected KEY=NUMBER, got '${assignment}'`,
      });
      continue;
    }
    override[match[1]!] = Number(match[2]);
  }
  return { override, problems };
}

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
