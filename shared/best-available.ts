/**
 * "Best available N seats together": N seats with consecutive numbers in one row of a zone, as near
 * the front and the middle of the zone as possible. Pure, so the service, the tests and (if ever
 * wanted) the renderer's preview agree.
 *
 * Front is the zone's first row in seat order (row A of a stall, the innermost row of a stadium
 * section). Middle is measured in seat positions within the row, not in x, so curved rows work too.
 * Score = row rank + 2 × (distance of the block's middle from the row's middle, as a fraction of half
 * the row): a seat at the very edge of a row costs as much as sitting two rows further back.
 */
export interface ZoneSeat {
  id: number;
  row: string;
  number: number;
}

export interface BestPick {
  seatIds: number[];
  row: string;
  score: number;
}

export const EDGE_COST_IN_ROWS = 2;

export function bestAvailable(
  seats: readonly ZoneSeat[],
  isFree: (seatId: number) => boolean,
  quantity: number,
): BestPick | null {
  if (quantity < 1) return null;
  const rows = new Map<string, ZoneSeat[]>();
  for (const seat of seats) {
    let row = rows.get(seat.row);
    if (!row) {
      row = [];
      rows.set(seat.row, row);
    }
    row.push(seat);
  }
  let best: BestPick | null = null;
  let rank = 0;
  for (const [rowName, rowSeats] of rows) {
    const ordered = [...rowSeats].sort((a, b) => a.number - b.number);
    const middle = (ordered.length - 1) / 2;
    const half = Math.max(middle, 1);
    let runStart = 0;
    for (let i = 0; i < ordered.length; i++) {
      const seat = ordered[i]!;
      const previous = ordered[i - 1];
      const continues = previous !== undefined && seat.number === previous.number + 1 && isFree(previous.id);
      if (!continues) runStart = i;
      if (!isFree(seat.id)) {
        runStart = i + 1;
        continue;
      }
      if (i - runStart + 1 < quantity) continue;
      const first = i - quantity + 1;
      const blockMiddle = first + (quantity - 1) / 2;
      const score = rank + (EDGE_COST_IN_ROWS * Math.abs(blockMiddle - middle)) / half;
      if (best === null || score < best.score) {
        best = {
          seatIds: ordered.slice(first, i + 1).map((s) => s.id),
          row: rowName,
          score,
        };
      }
    }
    rank += 1;
  }
  return best;
}
