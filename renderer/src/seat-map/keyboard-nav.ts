export type Direction = 'left' | 'right' | 'up' | 'down';

const VECTORS: Record<Direction, [number, number]> = {
  left: [-1, 0],
  right: [1, 0],
  up: [0, -1],
  down: [0, 1],
};

/**
 * The seat an arrow key moves focus to: the nearest seat lying within 45° of the direction, with
 * sideways distance weighted double so "right" stays in the row when there is a seat there.
 * Returns `from` when nothing lies that way.
 */
export function nextSeat(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  from: number,
  direction: Direction,
): number {
  const [ux, uy] = VECTORS[direction];
  const x0 = xs[from]!;
  const y0 = ys[from]!;
  let best = from;
  let bestScore = Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (i === from) continue;
    const dx = xs[i]! - x0;
    const dy = ys[i]! - y0;
    const along = dx * ux + dy * uy;
    if (along <= 0) continue;
    const across = Math.abs(dx * uy - dy * ux);
    if (across > along) continue;
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
