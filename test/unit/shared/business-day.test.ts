import { describe, expect, it } from 'vitest';
import {
  businessDayEnd,
  businessDayOf,
  businessDayStart,
  nextDay,
  previousDay,
} from '../../../shared/business-day.ts';
import { DEFAULT_SETTINGS, resolveSettings, settingsProblems } from '../../../shared/config.ts';

/** Caracas is UTC−4: a wall-clock time there is that time plus four hours in UTC. */
const caracas = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h + 4, min);

describe('the business day', () => {
  it('a Friday night past midnight belongs to Friday until the cutoff (04:00), Saturday from it', () => {
    // Friday 2026-11-27.
    expect(businessDayOf(caracas(2026, 11, 27, 21, 0), 4)).toBe('2026-11-27');
    expect(businessDayOf(caracas(2026, 11, 28, 0, 40), 4)).toBe('2026-11-27');
    expect(businessDayOf(caracas(2026, 11, 28, 3, 59), 4)).toBe('2026-11-27');
    expect(businessDayOf(caracas(2026, 11, 28, 4, 0), 4)).toBe('2026-11-28');
    expect(businessDayOf(caracas(2026, 11, 28, 4, 0) - 1, 4)).toBe('2026-11-27');
  });

  it('a cutoff of 0 is the calendar day in Caracas (not UTC)', () => {
    expect(businessDayOf(caracas(2026, 11, 28, 0, 40), 0)).toBe('2026-11-28');
    // 22:00 in Caracas is already 02:00 the next day in UTC.
    expect(businessDayOf(caracas(2026, 11, 27, 22, 0), 0)).toBe('2026-11-27');
  });

  it('starts and ends at the cutoff, Caracas time, across months and years', () => {
    expect(businessDayStart('2026-11-27', 4)).toBe(caracas(2026, 11, 27, 4));
    expect(businessDayEnd('2026-11-27', 4)).toBe(caracas(2026, 11, 28, 4));
    expect(businessDayEnd('2026-12-31', 4)).toBe(caracas(2027, 1, 1, 4));
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(previousDay('2026-01-01')).toBe('2025-12-31');
    // Before 2016 Caracas was UTC−4:30: the start follows the zone, not a fixed offset.
    expect(businessDayStart('2015-06-01', 4)).toBe(Date.UTC(2015, 5, 1, 8, 30));
  });

  it('BUSINESS_DAY_CUTOFF_HOUR is a tenant setting, 4 by default, 0 to 12', () => {
    expect(DEFAULT_SETTINGS.BUSINESS_DAY_CUTOFF_HOUR).toBe(4);
    expect(resolveSettings({ BUSINESS_DAY_CUTOFF_HOUR: 6 }).BUSINESS_DAY_CUTOFF_HOUR).toBe(6);
    expect(settingsProblems({ BUSINESS_DAY_CUTOFF_HOUR: 13 })[0]?.message).toMatch(
      /BUSINESS_DAY_CUTOFF_HOUR must be a whole number from 0 to 12/,
    );
  });
});
