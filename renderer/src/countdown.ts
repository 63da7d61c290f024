/** A hold's remaining time as the cashier sees it: m:ss, urgent in the last minute. */
export interface Countdown {
  ms: number;
  text: string;
  urgent: boolean;
  expired: boolean;
}

export const URGENT_MS = 60_000;

export function countdown(until: number, serverNow: number): Countdown {
  const ms = Math.max(0, until - serverNow);
  // Round up: "0:01" is shown until the very end, "0:00" only once the hold is gone.
  const seconds = Math.ceil(ms / 1000);
  const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return { ms, text, urgent: ms > 0 && ms <= URGENT_MS, expired: ms === 0 };
}

/** The earliest end among the holds, or null when there are none. */
export function earliest(untils: readonly number[]): number | null {
  return untils.length === 0 ? null : Math.min(...untils);
}
