import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { buildGrid, type SeatGrid } from '../seat-map/hit-test.ts';

/** The static seat map plus what the screen derives from it once: an index by id and a hit grid. */
export interface SeatMapModel {
  map: SeatMap;
  indexOf: Map<number, number>;
  grid: SeatGrid;
  zoneById: Map<number, SeatMap['zones'][number]>;
}

export function seatMapModel(map: SeatMap): SeatMapModel {
  const indexOf = new Map<number, number>();
  map.seats.id.forEach((id, i) => indexOf.set(id, i));
  return {
    map,
    indexOf,
    grid: buildGrid(map.seats.x, map.seats.y),
    zoneById: new Map(map.zones.map((z) => [z.id, z])),
  };
}
