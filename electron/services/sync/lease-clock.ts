import type { Clock } from '../../../shared/clock.ts';

/** Milliseconds from an arbitrary origin that never go back (performance.now); a test may move it on. */
export type MonotonicSource = () => number;

export const processMonotonic: MonotonicSource = () => performance.now();

/** Where the lease clock keeps its floor across restarts (a row of sync_state). */
export interface LeaseClockFloor {
  load(): number | null;
  save(serverTimeMs: number): void;
}

/**
 * Server time as a lease's end is judged: never earlier than the time elapsed on a monotonic clock
 * since the server last answered, so setting the PC clock back never extends a lease (finding: with
 * the clock set back 2 h a counter sold from an expired lease). It is the latest of three readings:
 * - the last server time heard plus the monotonic time since (immune to PC clock changes);
 * - the PC clock plus the measured offset (counts time the process was not running);
 * - the floor: the latest reading written before this process started (a restart with the clock
 *   set back starts from where the last run left off, not from the PC clock).
 * Taking the latest can only end a lease early (PC clock set forward), never late.
 */
export class LeaseClock implements Clock {
  private anchor: { serverTime: number; at: number } | null = null;

  constructor(
    private readonly serverClock: Clock,
    private readonly monotonic: MonotonicSource,
    private readonly store: LeaseClockFloor,
  ) {
    // Until the server answers, time runs on from where the last run left off.
    const floor = store.load();
    if (floor !== null) this.anchor = { serverTime: floor, at: monotonic() };
  }

  /** A reply from the server: its time, read at the local midpoint of the request. */
  heard(serverTime: number): void {
    this.anchor = { serverTime, at: this.monotonic() };
  }

  now(): number {
    const elapsed = this.anchor
      ? this.anchor.serverTime + (this.monotonic() - this.anchor.at)
      : Number.NEGATIVE_INFINITY;
    return Math.floor(Math.max(elapsed, this.serverClock.now()));
  }

  /** Writes the floor a restart starts from (the heartbeat calls it, online or not). */
  persist(): void {
    this.store.save(this.now());
  }
}
