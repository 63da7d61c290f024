import type { MapPoint, SeatMap } from '../../../shared/schemas/availability.ts';
import { type Bounds, fit, MAX_SCALE, MIN_SCALE, pan, toWorld, type Viewport, zoomAt } from './viewport.ts';

/**
 * What the map knows about each zone and row once, when an event's map arrives: the box each zone
 * covers (to move the view to it), where its name is written, and where each row's name goes. Pure,
 * so it is tested without a browser; all in map units.
 */
export interface ZoneShape {
  zoneId: number;
  bounds: Bounds;
  /** Where the zone's name goes: the event's own places, else the middle of its seats or box. */
  labels: MapPoint[];
}

export function zoneShapes(map: SeatMap): Map<number, ZoneShape> {
  const boxes = new Map<number, Bounds & { sx: number; sy: number; n: number }>();
  const { zoneId, x, y } = map.seats;
  for (let i = 0; i < zoneId.length; i++) {
    const id = zoneId[i]!;
    const sx = x[i]!;
    const sy = y[i]!;
    const b = boxes.get(id);
    if (!b) {
      boxes.set(id, { minX: sx, minY: sy, maxX: sx, maxY: sy, sx, sy, n: 1 });
      continue;
    }
    if (sx < b.minX) b.minX = sx;
    if (sx > b.maxX) b.maxX = sx;
    if (sy < b.minY) b.minY = sy;
    if (sy > b.maxY) b.maxY = sy;
    b.sx += sx;
    b.sy += sy;
    b.n += 1;
  }
  const shapes = new Map<number, ZoneShape>();
  for (const zone of map.zones) {
    const seats = boxes.get(zone.id);
    let bounds: Bounds | null = null;
    let middle: MapPoint | null = null;
    if (seats) {
      bounds = { minX: seats.minX, minY: seats.minY, maxX: seats.maxX, maxY: seats.maxY };
      // The mean of the seats, not the middle of the box: a curved section's box has empty corners.
      middle = { x: seats.sx / seats.n, y: seats.sy / seats.n };
    } else if (zone.x !== null && zone.y !== null && zone.width && zone.height) {
      bounds = { minX: zone.x, minY: zone.y, maxX: zone.x + zone.width, maxY: zone.y + zone.height };
      middle = { x: zone.x + zone.width / 2, y: zone.y + zone.height / 2 };
    }
    if (!bounds || !middle) continue;
    shapes.set(zone.id, {
      zoneId: zone.id,
      bounds,
      labels: zone.labels.length > 0 ? zone.labels : [middle],
    });
  }
  return shapes;
}

/**
 * Where row names are written: one pitch beyond each end of every row, along the row, so they sit
 * in the aisle beside the first and last seat. Column-wise for the same reason the seats are.
 */
export interface RowLabels {
  /** Label places: one at each end of a row (one for a row of a single seat). */
  x: Float64Array;
  y: Float64Array;
  /** The row each label names (an index into `names`). */
  rowOfLabel: Int32Array;
  /** Each row's name, once. */
  names: string[];
  /** Each row's zone. */
  zoneOfRow: Int32Array;
  /** The row of each seat (seat-map index → index into `names`). */
  rowOf: Int32Array;
  /** Per row: one pitch outward from its first seat (where its name goes), in map units. */
  outX: Float64Array;
  outY: Float64Array;
}

export function rowLabels(map: SeatMap, pitch: number): RowLabels {
  const { zoneId, row, number, x, y } = map.seats;
  const n = zoneId.length;
  // The seats of each row with the lowest and highest number, and their neighbours inward: one pass,
  // no sort (50,000 seats are read when an event's map arrives).
  const ends: { first: number; second: number; last: number; beforeLast: number }[] = [];
  const rowsOfZone = new Map<number, Map<string, number>>();
  const rowOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let rows = rowsOfZone.get(zoneId[i]!);
    if (!rows) {
      rows = new Map();
      rowsOfZone.set(zoneId[i]!, rows);
    }
    let r = rows.get(row[i]!);
    if (r === undefined) {
      r = ends.length;
      rows.set(row[i]!, r);
      ends.push({ first: i, second: -1, last: i, beforeLast: -1 });
    } else {
      const e = ends[r]!;
      const k = number[i]!;
      if (k < number[e.first]!) {
        e.second = e.first;
        e.first = i;
      } else if (e.second < 0 || k < number[e.second]!) e.second = i;
      if (k > number[e.last]!) {
        e.beforeLast = e.last;
        e.last = i;
      } else if (e.beforeLast < 0 || k > number[e.beforeLast]!) e.beforeLast = i;
    }
    rowOf[i] = r;
  }
  const outward = (end: number, inward: number): [number, number] => {
    if (inward >= 0) {
      const ux = x[end]! - x[inward]!;
      const uy = y[end]! - y[inward]!;
      const length = Math.hypot(ux, uy);
      if (length > 0) return [(ux / length) * pitch, (uy / length) * pitch];
    }
    return [-pitch, 0];
  };
  const xs: number[] = [];
  const ys: number[] = [];
  const of: number[] = [];
  const outX = new Float64Array(ends.length);
  const outY = new Float64Array(ends.length);
  ends.forEach((e, r) => {
    const [fx, fy] = outward(e.first, e.second);
    outX[r] = fx;
    outY[r] = fy;
    xs.push(x[e.first]! + fx);
    ys.push(y[e.first]! + fy);
    of.push(r);
    if (e.last !== e.first) {
      const [lx, ly] = outward(e.last, e.beforeLast);
      const endX = x[e.last]! + lx;
      const endY = y[e.last]! + ly;
      // A round table's "row" ends where it starts: one name is enough.
      if (Math.hypot(endX - xs.at(-1)!, endY - ys.at(-1)!) >= 2 * pitch) {
        xs.push(endX);
        ys.push(endY);
        of.push(r);
      }
    }
  });
  return {
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    rowOfLabel: Int32Array.from(of),
    names: ends.map((e) => row[e.first]!),
    zoneOfRow: Int32Array.from(ends.map((e) => zoneId[e.first]!)),
    rowOf,
    outX,
    outY,
  };
}

/** The box around some seats (by index); null for none. */
export function seatBounds(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  indexes: readonly number[],
): Bounds | null {
  if (indexes.length === 0) return null;
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const i of indexes) {
    b.minX = Math.min(b.minX, xs[i]!);
    b.maxX = Math.max(b.maxX, xs[i]!);
    b.minY = Math.min(b.minY, ys[i]!);
    b.maxY = Math.max(b.maxY, ys[i]!);
  }
  return b;
}

/** How far apart seats are on screen, in CSS pixels, at a view's scale. */
export function seatPx(pitch: number, scale: number): number {
  return pitch * scale;
}

/** The scale at which seats are `px` CSS pixels apart. */
export function scaleForSeatPx(pitch: number, px: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, px / Math.max(pitch, 1e-6)));
}

/**
 * The view that shows `bounds` whole and centred, within a range of seat sizes: never bigger than
 * `maxSeatPx` (a best-available pick of two seats is shown with the rows around it, not across the
 * whole screen) and never smaller than `minSeatPx` (a kiosk shows seats big enough for a finger;
 * then the view is centred on the bounds and the rest is a drag away).
 */
export function viewOf(
  bounds: Bounds,
  width: number,
  height: number,
  pitch: number,
  options: { margin?: number; minSeatPx?: number; maxSeatPx?: number } = {},
): Viewport {
  // Seats are drawn around their centres: keep half a pitch (and the margin) around the box.
  const pad = pitch / 2;
  const padded = {
    minX: bounds.minX - pad,
    minY: bounds.minY - pad,
    maxX: bounds.maxX + pad,
    maxY: bounds.maxY + pad,
  };
  let scale = fit(padded, width, height, options.margin ?? 24).scale;
  if (options.maxSeatPx !== undefined) scale = Math.min(scale, scaleForSeatPx(pitch, options.maxSeatPx));
  if (options.minSeatPx !== undefined) scale = Math.max(scale, scaleForSeatPx(pitch, options.minSeatPx));
  const cx = (padded.minX + padded.maxX) / 2;
  const cy = (padded.minY + padded.maxY) / 2;
  return { scale, tx: width / 2 - cx * scale, ty: height / 2 - cy * scale };
}

/**
 * A step of the move from view `a` to view `b` (t from 0 to 1): the screen's middle travels in a
 * straight line over the map while the scale changes evenly in ratio, so a zoom reads as a zoom.
 */
export function betweenViews(a: Viewport, b: Viewport, t: number, width: number, height: number): Viewport {
  const k = Math.min(1, Math.max(0, t));
  const ease = k < 0.5 ? 2 * k * k : 1 - (-2 * k + 2) ** 2 / 2;
  const ax = (width / 2 - a.tx) / a.scale;
  const ay = (height / 2 - a.ty) / a.scale;
  const bx = (width / 2 - b.tx) / b.scale;
  const by = (height / 2 - b.ty) / b.scale;
  const scale = Math.exp(Math.log(a.scale) + (Math.log(b.scale) - Math.log(a.scale)) * ease);
  const cx = ax + (bx - ax) * ease;
  const cy = ay + (by - ay) * ease;
  return k >= 1 ? b : { scale, tx: width / 2 - cx * scale, ty: height / 2 - cy * scale };
}

/** Which names the map writes at a given distance between seats on screen (CSS px). */
export interface LabelLevels {
  /** Zone names: while zones are small enough to need them. */
  zones: boolean;
  rows: boolean;
  seats: boolean;
}

export const ROW_LABELS_FROM_PX = 12;
export const SEAT_LABELS_FROM_PX = 20;

export function labelLevels(px: number): LabelLevels {
  return {
    // Once seats carry their numbers, a name over them would hide some: the corner names the zone.
    zones: px < SEAT_LABELS_FROM_PX,
    rows: px >= ROW_LABELS_FROM_PX,
    seats: px >= SEAT_LABELS_FROM_PX,
  };
}

/**
 * A view kept within limits: never zoomed out past `minScale` (zoomed back about the screen's
 * middle), and, with `within`, the screen's middle kept over that box (a kiosk's section: the
 * customer cannot drag it away and get lost).
 */
export function constrainView(
  v: Viewport,
  width: number,
  height: number,
  limits: { minScale?: number; within?: Bounds | null },
): Viewport {
  let view = v;
  if (limits.minScale !== undefined && view.scale < limits.minScale) {
    view = zoomAt(view, limits.minScale / view.scale, width / 2, height / 2);
  }
  const within = limits.within;
  if (within) {
    const [cx, cy] = toWorld(view, width / 2, height / 2);
    const x = Math.min(within.maxX, Math.max(within.minX, cx));
    const y = Math.min(within.maxY, Math.max(within.minY, cy));
    if (x !== cx || y !== cy) view = pan(view, (cx - x) * view.scale, (cy - y) * view.scale);
  }
  return view;
}

/** Everything the map draws: seats (half a pitch around them), standing boxes and landmarks. */
export function mapBounds(map: SeatMap, seats: Bounds, pitch: number): Bounds {
  const b =
    map.seats.id.length > 0
      ? {
          minX: seats.minX - pitch / 2,
          minY: seats.minY - pitch / 2,
          maxX: seats.maxX + pitch / 2,
          maxY: seats.maxY + pitch / 2,
        }
      : { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const boxes = [
    ...map.landmarks,
    ...map.zones.flatMap((z) =>
      z.x !== null && z.y !== null && z.width && z.height
        ? [{ x: z.x, y: z.y, width: z.width, height: z.height }]
        : [],
    ),
  ];
  for (const box of boxes) {
    b.minX = Math.min(b.minX, box.x);
    b.minY = Math.min(b.minY, box.y);
    b.maxX = Math.max(b.maxX, box.x + box.width);
    b.maxY = Math.max(b.maxY, box.y + box.height);
  }
  return Number.isFinite(b.minX) ? b : seats;
}
