import { describe, expect, it } from 'vitest';
import {
  parseSettingAssignments,
  SETTING_KEYS,
  settingRule,
  settingsProblems,
} from '../../../shared/config.ts';

describe('tenant settings an operator types', () => {
  it('name the rule from the schema bounds', () => {
    expect(settingRule('TEMPORARY_HOLD_MINUTES')).toBe(
      'TEMPORARY_HOLD_MINUTES must be a whole number from 1 to 60',
    );
    expect(settingRule('PARTIAL_PAYMENT_HOURS')).toBe(
      'PARTIAL_PAYMENT_HOURS must be a whole number from 24 to 72',
    );
    expect(SETTING_KEYS).toContain('LEASE_MINUTES');
  });

  it('report every problem at once: unknown keys, bounds, fractions and the lifetime caps', () => {
    expect(settingsProblems({})).toEqual([]);
    expect(settingsProblems({ TEMPORARY_HOLD_MINUTES: 5, CLEANUP_INTERVAL_MINUTES: 1 })).toEqual([]);
    expect(
      settingsProblems({ TEMPORARY_HOLD_MINUTES: 0, MAX_RESERVATIONS_PER_USER: 2.5, HOLDS: 3 }).map(
        (p) => p.path,
      ),
    ).toEqual(['TEMPORARY_HOLD_MINUTES', 'MAX_RESERVATIONS_PER_USER', 'HOLDS']);
    expect(settingsProblems({ PARTIAL_PAYMENT_HOURS: 72, MAX_RESERVATION_LIFETIME_HOURS: 48 })).toEqual([
      {
        path: 'MAX_RESERVATION_LIFETIME_HOURS',
        message: 'MAX_RESERVATION_LIFETIME_HOURS (48) must be at least PARTIAL_PAYMENT_HOURS (72)',
      },
    ]);
    expect(settingsProblems([1])[0]!.message).toContain('object');
  });

  it('read KEY=VALUE assignments, and refuse what is not a whole number', () => {
    expect(parseSettingAssignments(['TEMPORARY_HOLD_MINUTES=4', ' LEASE_MINUTES = 120 '])).toEqual({
      override: { TEMPORARY_HOLD_MINUTES: 4, LEASE_MINUTES: 120 },
      problems: [],
    });
    expect(parseSettingAssignments(['TEMPORARY_HOLD_MINUTES=4.5', 'oops']).problems).toEqual([
      {
        path: 'TEMPORARY_HOLD_MINUTES',
        message: "TEMPORARY_HOLD_MINUTES must be a whole number from 1 to 60 (got '4.5')",
      },
      { path: 'oops', message: "expected KEY=NUMBER, got 'oops'" },
    ]);
  });
});
