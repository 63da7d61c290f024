import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestAvailable, type ZoneSeat } from '../../../shared/best-available.ts';

/** Rows A.. of `perRow` seats numbered 1..perRow, ids 1.. in row order. */
function zone(rows: number, perRow: number): ZoneSeat[] {
  const seats: ZoneSeat[] = [];
  for (let r = 0; r < rows; r++) {
    for (let n = 1; n <= perRow; n++) seats.push({ id: r * perRow + n, row: 'ABCDEFGH'[r]!, number: n });
  }
  return seats;
}

const labels = (seats: ZoneSeat[], ids: number[] | undefined) =>
  (ids ?? []).map((id) => {
    const s = seats.find((x) => x.id === id)!;
    return `${s.row}${s.number}`;
  });

describe('best available seats together', () => {
  it('an empty zone gives the middle of the front row', () => {
    const seats = zone(3, 10);
    expect(labels(seats, bestAvailable(seats, () => true, 2)?.seatIds)).toEqual(['A5', 'A6']);
    expect(labels(seats, bestAvailable(seats, () => true, 3)?.seatIds)).toEqual(['A4', 'A5', 'A6']);
  });

  it('skips taken seats and never splits a group across a gap', () => {
    const seats = zone(2, 10);
    const taken = new Set([5, 6]); // A5, A6
    const pick = bestAvailable(seats, (id) => !taken.has(id), 4);
    // Four together in row A would sit at an edge; the middle of row B scores better.
    expect(labels(seats, pick?.seatIds)).toEqual(['B4', 'B5', 'B6', 'B7']);
    expect(pick?.seatIds.some((id) => taken.has(id))).toBe(false);
  });

  it('prefers the centre of the next row to the far edge of the front row', () => {
    const seats = zone(2, 20);
    // Front row only has its two edge seats free.
    const free = (id: number) => id > 20 || id === 1 || id === 2;
    expect(labels(seats, bestAvailable(seats, free, 2)?.seatIds)).toEqual(['B10', 'B11']);
  });

  it('returns null when no row has N adjacent free seats', () => {
    const seats = zone(2, 4);
    const free = (id: number) => id % 2 === 1;
    expect(bestAvailable(seats, free, 2)).toBeNull();
  });

  it('numbers that skip (an aisle in the numbering) are not adjacent', () => {
    const seats: ZoneSeat[] = [
      { id: 1, row: 'A', number: 1 },
      { id: 2, row: 'A', number: 2 },
      { id: 3, row: 'A', number: 4 },
      { id: 4, row: 'A', number: 5 },
    ];
    expect(bestAvailable(seats, () => true, 3)).toBeNull();
  });

  it('whatever is free, a pick is N free seats with consecutive numbers in one row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (bits, n) => {
          const seats = zone(4, 10);
          const free = (id: number) => bits[id - 1]!;
          const pick = bestAvailable(seats, free, n);
          if (!pick) return;
          const chosen = pick.seatIds.map((id) => seats.find((s) => s.id === id)!);
          expect(chosen).toHaveLength(n);
          expect(chosen.every((s) => free(s.id) && s.row === chosen[0]!.row)).toBe(true);
          chosen.forEach((s, i) => i > 0 && expect(s.number).toBe(chosen[i - 1]!.number + 1));
        },
      ),
    );
  });
});
