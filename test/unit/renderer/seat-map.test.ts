import { describe, expect, it } from 'vitest';
import { buildGrid, hitTest } from '../../../renderer/src/seat-map/hit-test.ts';
import { nextSeat } from '../../../renderer/src/seat-map/keyboard-nav.ts';
import { fit, reveal, toScreen, toWorld, zoomAt } from '../../../renderer/src/seat-map/viewport.ts';

/** A 10 x 10 block of seats 12 units apart, like a theatre stall. */
function block() {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let r = 0; r < 10; r++) {
    for (let n = 0; n < 10; n++) {
      xs.push(100 + n * 12);
      ys.push(200 + r * 12);
    }
  }
  return { xs, ys };
}

describe('seat-map hit testing', () => {
  it('finds the seat under the pointer and nothing in the gaps far from seats', () => {
    const { xs, ys } = block();
    const grid = buildGrid(xs, ys);
    expect(grid.pitch).toBeCloseTo(12);
    expect(hitTest(grid, 100, 200)).toBe(0);
    expect(hitTest(grid, 113, 201)).toBe(1);
    expect(hitTest(grid, 100 + 9 * 12 + 2, 200 + 9 * 12 - 3)).toBe(99);
    expect(hitTest(grid, 50, 50)).toBe(-1);
    // The middle of four seats is more than half a pitch from each: no seat there.
    expect(hitTest(grid, 106, 206)).toBe(-1);
  });

  it('agrees with a brute-force nearest search on 50,000 scattered seats', () => {
    const xs: number[] = [];
    const ys: number[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2000;
    for (let i = 0; i < 50_000; i++) {
      xs.push(random());
      ys.push(random());
    }
    const grid = buildGrid(xs, ys);
    for (let k = 0; k < 200; k++) {
      const x = random();
      const y = random();
      let best = -1;
      let bestD = 15 * 15;
      for (let i = 0; i < xs.length; i++) {
        const d = (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2;
        if (d <= bestD) {
          bestD = d;
          best = i;
        }
      }
      expect(hitTest(grid, x, y, 15)).toBe(best);
    }
  });
});

describe('seat-map viewport', () => {
  it('zooming at a point keeps that point under the pointer', () => {
    const v = { scale: 1.5, tx: 20, ty: -40 };
    const [wx, wy] = toWorld(v, 300, 200);
    const z = zoomAt(v, 2, 300, 200);
    expect(z.scale).toBe(3);
    const [sx, sy] = toScreen(z, wx, wy);
    expect(sx).toBeCloseTo(300);
    expect(sy).toBeCloseTo(200);
  });

  it('fit shows the whole map inside the screen', () => {
    const v = fit({ minX: 0, minY: 0, maxX: 2000, maxY: 1000 }, 1000, 800, 20);
    const [x0, y0] = toScreen(v, 0, 0);
    const [x1, y1] = toScreen(v, 2000, 1000);
    expect(x0).toBeGreaterThanOrEqual(19.9);
    expect(x1).toBeLessThanOrEqual(980.1);
    expect(y0).toBeGreaterThanOrEqual(0);
    expect(y1).toBeLessThanOrEqual(800);
  });

  it('reveal pans just enough to bring a focused seat on screen', () => {
    const v = { scale: 1, tx: 0, ty: 0 };
    expect(reveal(v, 100, 100, 800, 600)).toBe(v);
    const moved = reveal(v, 1000, 100, 800, 600, 40);
    expect(toScreen(moved, 1000, 100)[0]).toBe(760);
  });
});

describe('keyboard focus on the map', () => {
  it('arrows move to the neighbouring seat in the row or the next row', () => {
    const { xs, ys } = block();
    expect(nextSeat(xs, ys, 0, 'right')).toBe(1);
    expect(nextSeat(xs, ys, 0, 'down')).toBe(10);
    expect(nextSeat(xs, ys, 11, 'left')).toBe(10);
    expect(nextSeat(xs, ys, 11, 'up')).toBe(1);
  });

  it('stays put at the edge', () => {
    const { xs, ys } = block();
    expect(nextSeat(xs, ys, 0, 'left')).toBe(0);
    expect(nextSeat(xs, ys, 9, 'right')).toBe(9);
  });
});

describe('pixel painting of a zoomed-out map', () => {
  it('writes each seat as a square of its colour, skips seats off screen and seats drawn elsewhere', async () => {
    const { paintSeatPixels, pixelColor } = await import('../../../renderer/src/seat-map/pixel-painter.ts');
    expect(pixelColor('#ff0000')).toBe(0xff0000ff);
    const pixels = new Uint32Array(10 * 10);
    paintSeatPixels(pixels, 10, 10, [2, 6, 50, 8], [2, 6, 5, 2], { scale: 1, tx: 0, ty: 0 }, 1, 2, (i) =>
      i === 3 ? 0 : 7,
    );
    const painted = [...pixels.keys()]
      .filter((k) => pixels[k] === 7)
      .map((k) => [k % 10, Math.floor(k / 10)]);
    expect(painted).toEqual([
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
      [5, 5],
      [6, 5],
      [5, 6],
      [6, 6],
    ]);
  });
});
