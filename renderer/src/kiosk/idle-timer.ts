/**
 * When a kiosk left alone gives its customer's seats back. Pure: the component feeds it the time of
 * the last touch and the current time.
 */
export interface IdleSettings {
  /** Inactivity after which the session's holds are released and the kiosk returns to the start. */
  timeoutMs: number;
  /** How long before that the "¿Sigue ahí?" warning shows. */
  warnMs: number;
}

export const DEFAULT_IDLE: IdleSettings = { timeoutMs: 60_000, warnMs: 15_000 };

/** Where a kiosk's idle timeout can be set (seconds): the kiosk operator's setting, kept in the browser. */
export const IDLE_SETTING_KEY = 'taquilla.kiosk.idleSeconds';

export type IdlePhase =
  { phase: 'active' } | { phase: 'warning'; secondsLeft: number } | { phase: 'expired' };

export function idlePhase(lastActivity: number, now: number, s: IdleSettings = DEFAULT_IDLE): IdlePhase {
  const left = lastActivity + s.timeoutMs - now;
  if (left <= 0) return { phase: 'expired' };
  if (left <= s.warnMs) return { phase: 'warning', secondsLeft: Math.ceil(left / 1000) };
  return { phase: 'active' };
}

/** Settings from a stored number of seconds; the warning is a quarter of the timeout, at most 15 s. */
export function idleSettings(stored: string | null): IdleSettings {
  const seconds = stored === null ? NaN : Number(stored);
  if (!Number.isFinite(seconds) || seconds < 5 || seconds > 3600) return DEFAULT_IDLE;
  const timeoutMs = Math.round(seconds * 1000);
  return { timeoutMs, warnMs: Math.min(DEFAULT_IDLE.warnMs, Math.round(timeoutMs / 4)) };
}
