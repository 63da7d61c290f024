import type { Bounds } from './viewport.ts';

/**
 * A uniform grid over the seats' world positions: finding the seat under the pointer looks at a
 * handful of cells, not 50,000 seats.
 */
export interface SeatGrid {
  bounds: Bounds;
  cell: number;
  cols: number;
  rows: number;
  /** cellStart[c]..cellStart[c+1] index into `order`. */
  cellStart: Int32Array;
  order: Int32Array;
  xs: Float64Array;
  ys: Float64Array;
  /** Typical distance between neighbouring seats: how big a seat is drawn and hit. */
  pitch: number;
}

export function boundsOf(xs: ArrayLike<number>, ys: ArrayLike<number>): Bounds {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (xs.length === 0) return { minX: 0, minY: 0, maxX: 1, maxY: 1 };
  return { minX, minY, maxX, maxY };
}

export function buildGrid(xsIn: ArrayLike<number>, ysIn: ArrayLike<number>): SeatGrid {
  const n = xsIn.length;
  const xs = Float64Array.from(xsIn);
  const ys = Float64Array.from(ysIn);
  const bounds = boundsOf(xs, ys);
  const area = Math.max(1, (bounds.maxX - bounds.minX) * (bounds.maxY - bounds.minY));
  // About four seats per cell on average.
  const cell = Math.max(1, Math.sqrt((area / Math.max(1, n)) * 4));
  const cols = Math.max(1, Math.floor((bounds.maxX - bounds.minX) / cell) + 1);
  const rows = Math.max(1, Math.floor((bounds.maxY - bounds.minY) / cell) + 1);
  const cellOf = new Int32Array(n);
  const counts = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor((ys[i]! - bounds.minY) / cell) * cols + Math.floor((xs[i]! - bounds.minX) / cell);
    cellOf[i] = c;
    counts[c + 1]! += 1;
  }
  for (let c = 0; c < cols * rows; c++) counts[c + 1]! += counts[c]!;
  const cellStart = counts;
  const fill = Int32Array.from(cellStart);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellOf[i]!]!++] = i;
  const grid: SeatGrid = { bounds, cell, cols, rows, cellStart, order, xs, ys, pitch: 1 };
  grid.pitch = typicalPitch(grid);
  return grid;
}

/** Calls `visit` with every seat index within `radius` of (x, y). */
export function seatsNear(
  grid: SeatGrid,
  x: number,
  y: number,
  radius: number,
  visit: (i: number) => void,
): void {
  const { bounds, cell, cols, rows } = grid;
  const c0 = Math.max(0, Math.floor((x - radius - bounds.minX) / cell));
  const c1 = Math.min(cols - 1, Math.floor((x + radius - bounds.minX) / cell));
  const r0 = Math.max(0, Math.floor((y - radius - bounds.minY) / cell));
  const r1 = Math.min(rows - 1, Math.floor((y + radius - bounds.minY) / cell));
  const r2 = radius * radius;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cellIndex = r * cols + c;
      for (let k = grid.cellStart[cellIndex]!; k < grid.cellStart[cellIndex + 1]!; k++) {
        const i = grid.order[k]!;
        const dx = grid.xs[i]! - x;
        const dy = grid.ys[i]! - y;
        if (dx * dx + dy * dy <= r2) visit(i);
      }
    }
  }
}

/** The seat whose centre is nearest (x, y), within `radius` world units; -1 when none. */
export function hitTest(grid: SeatGrid, x: number, y: number, radius = grid.pitch / 2): number {
  let best = -1;
  let bestD = Infinity;
  seatsNear(grid, x, y, radius, (i) => {
    const dx = grid.xs[i]! - x;
    const dy = grid.ys[i]! - y;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** Median nearest-neighbour distance over a sample of seats. */
function typicalPitch(grid: SeatGrid): number {
  const n = grid.xs.length;
  if (n < 2) return 10;
  const step = Math.max(1, Math.floor(n / 200));
  const distances: number[] = [];
  for (let i = 0; i < n; i += step) {
    let best = Infinity;
    seatsNear(grid, grid.xs[i]!, grid.ys[i]!, grid.cell * 2, (j) => {
      if (j === i) return;
      const d = Math.hypot(grid.xs[j]! - grid.xs[i]!, grid.ys[j]! - grid.ys[i]!);
      if (d > 0 && d < best) best = d;
    });
    if (Number.isFinite(best)) distances.push(best);
  }
  if (distances.length === 0) return grid.cell;
  distances.sort((a, b) => a - b);
  return distances[Math.floor(distances.length / 2)]!;
}
