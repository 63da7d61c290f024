import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { buildGrid, type SeatGrid } from '../seat-map/hit-test.ts';
import {
  mapBounds,
  type RowLabels,
  rowLabels,
  type ZoneShape,
  zoneShapes,
} from '../seat-map/map-geometry.ts';
import type { Bounds } from '../seat-map/viewport.ts';

/**
 * The static seat map plus what the screen derives from it once: an index by id, a hit grid, each
 * zone's box and name places, and where row names go.
 */
export interface SeatMapModel {
  map: SeatMap;
  indexOf: Map<number, number>;
  grid: SeatGrid;
  zoneById: Map<number, SeatMap['zones'][number]>;
  shapes: Map<number, ZoneShape>;
  rows: RowLabels;
  /** What "Ver todo" shows: seats, standing boxes and landmarks. */
  bounds: Bounds;
  /** Each seat's number as text, made once (a zoomed-in frame writes a thousand of them). */
  numberText: string[];
}

export function seatMapModel(map: SeatMap): SeatMapModel {
  const indexOf = new Map<number, number>();
  map.seats.id.forEach((id, i) => indexOf.set(id, i));
  const grid = buildGrid(map.seats.x, map.seats.y);
  return {
    map,
    indexOf,
    grid,
    zoneById: new Map(map.zones.map((z) => [z.id, z])),
    shapes: zoneShapes(map),
    rows: rowLabels(map, grid.pitch),
    bounds: mapBounds(map, grid.bounds, grid.pitch),
    numberText: map.seats.number.map(String),
  };
}
