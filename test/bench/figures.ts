/** One measured figure of `npm run bench`, with the target it is judged against. */
export interface Figure {
  /** Stable key, e.g. 'hold.1seat.p99'. */
  key: string;
  label: string;
  value: number;
  unit: 'µs' | 'ms' | 's' | 'ops/s' | 'holds/s' | 'tickets/s' | 'fps' | 'count';
  /** Human-readable target, e.g. '< 1000 µs'; absent when the figure is informational. */
  target?: string;
  /** Whether the figure meets its target (never asserted in tests; reported). */
  met?: boolean;
}

export interface BenchSuite {
  name: string;
  /** Extra facts printed with the figures (SQLite settings, machine, sizes). */
  run: () => Promise<{ figures: Figure[]; notes?: Record<string, unknown> }>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
