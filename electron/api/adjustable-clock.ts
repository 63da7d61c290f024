import type { Clock } from '../../shared/clock.ts';
import { type MonotonicSource, processMonotonic } from '../services/sync/lease-clock.ts';

/**
 * The PC clock plus an offset a test can move forward (`taquilla serve --test-clock`). Time keeps
 * flowing, so countdowns tick as in production; a test jumps ten minutes instead of waiting them.
 */
export class AdjustableClock implements Clock {
  private offset = 0;
  private elapsed = 0;

  constructor(
    private readonly base: Clock,
    private readonly baseMonotonic: MonotonicSource = processMonotonic,
  ) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  /** The monotonic clock leases end on: moved by simulated time, never by a PC clock change. */
  readonly monotonic: MonotonicSource = () => this.baseMonotonic() + this.elapsed;

  /** Time passes: the PC clock and the monotonic clock move on together. */
  advance(ms: number): void {
    this.offset += ms;
    this.elapsed += ms;
  }

  /** Someone sets the PC clock (back or forward): only the wall clock moves. */
  shiftPcClock(ms: number): void {
    this.offset += ms;
  }
}
