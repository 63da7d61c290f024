import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE, idlePhase, idleSettings } from '../../../../renderer/src/kiosk/idle-timer.ts';

describe('the kiosk idle timer', () => {
  it('is quiet, then warns with the seconds left, then expires', () => {
    expect(idlePhase(0, 44_000)).toEqual({ phase: 'active' });
    expect(idlePhase(0, 45_000)).toEqual({ phase: 'warning', secondsLeft: 15 });
    expect(idlePhase(0, 59_001)).toEqual({ phase: 'warning', secondsLeft: 1 });
    expect(idlePhase(0, 60_000)).toEqual({ phase: 'expired' });
  });

  it('takes its timeout from the stored setting, with a warning of a quarter of it (at most 15 s)', () => {
    expect(idleSettings(null)).toEqual(DEFAULT_IDLE);
    expect(idleSettings('abc')).toEqual(DEFAULT_IDLE);
    expect(idleSettings('2')).toEqual(DEFAULT_IDLE);
    expect(idleSettings('8')).toEqual({ timeoutMs: 8000, warnMs: 2000 });
    expect(idleSettings('120')).toEqual({ timeoutMs: 120_000, warnMs: 15_000 });
  });
});
