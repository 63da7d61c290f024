import type { Clock } from '../../shared/clock.ts';

/**
 * The PC clock plus an offset a test can move forward (`taquilla serve --test-clock`). Time keeps
 * flowing, so countdowns tick as in production; a test jumps ten minutes instead of waiting them.
 */
export class AdjustableClock implements Clock {
  private offset = 0;

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
