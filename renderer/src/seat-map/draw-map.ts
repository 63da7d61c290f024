import type { SeatView } from '../state/availability.ts';
import type { SeatMapModel } from '../state/seat-map-model.ts';
import {
  FADED_SEAT,
  FOCUS_COLOR,
  FREE_FALLBACK,
  HIGHLIGHT_COLOR,
  LANDMARK_COLORS,
  MINE_RING,
  SEAT_COLORS,
} from './colors.ts';
import { labelLevels, seatPx } from './map-geometry.ts';
import { paintSeatPixels, pixelColor } from './pixel-painter.ts';
import type { Viewport } from './viewport.ts';

/** Seats up to this many device pixels wide are painted as pixels, not paths. */
const PIXEL_MODE_MAX_PX = 7;
/** How much of the distance between seat centres a seat fills (the rest is the gap between seats). */
export const SEAT_FILL = 0.84;

export interface MapFrame {
  model: SeatMapModel;
  view: Viewport;
  width: number;
  height: number;
  dpr: number;
  seatViews: (index: number) => SeatView;
  /** Free places of each general-admission zone. */
  freeOf: (zoneId: number) => number;
  /** Texts in the cashier's language. */
  text: {
    stage: string;
    field: string;
    free: (zoneName: string, free: number) => string;
  };
  pending: readonly number[];
  /** Seats best-available just took: ringed so the eye finds them. */
  highlight: readonly number[];
  hover: number;
  focus: number;
  /** Larger type on a kiosk. */
  textScale: number;
  /** Names written: all that fit, or only zones' (a kiosk's overview, where a zone is chosen). */
  names: 'all' | 'zones';
  /** A kiosk's chosen zone: the other zones' seats are drawn faded and unnamed. */
  onlyZone: number | null;
  /** Reused between frames (the pixel buffer of zoomed-out frames). */
  cache: { image: ImageData | null; visible: Int32Array | null };
}

/** What a frame drew, for the canvas's data- attributes (tests and the benchmark read them). */
export interface FrameFacts {
  /** Drawn size of a seat, CSS px. */
  seatPx: number;
  zoneLabels: number;
  rowLabels: number;
  seatLabels: number;
  landmarks: number;
}

/**
 * Draws one frame of the seat map: landmarks under the seats, the seats (pixels when tiny, one path
 * per colour otherwise, only those on screen), general-admission boxes, then the names that fit at
 * this zoom (zones from afar; rows, then seat numbers close up), then rings for what needs the eye.
 */
export function drawMap(ctx: CanvasRenderingContext2D, canvas: HTMLCanvasElement, f: MapFrame): FrameFacts {
  const { model, view: v, width, height, dpr } = f;
  const { map, grid } = model;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const apart = seatPx(grid.pitch, v.scale);
  const size = Math.max(1.5, apart * SEAT_FILL);
  const half = size / 2;
  const levels = labelLevels(apart);
  if (f.names === 'zones') {
    levels.rows = false;
    levels.seats = false;
  }
  const xs = map.seats.x;
  const ys = map.seats.y;
  const zoneIds = map.seats.zoneId;
  const zoneIndex = new Map(map.zones.map((z, i) => [z.id, i]));
  const mine = new Path2D();
  const facts: FrameFacts = { seatPx: size, zoneLabels: 0, rowLabels: 0, seatLabels: 0, landmarks: 0 };
  let visibleCount = 0;
  const visible =
    f.cache.visible && f.cache.visible.length >= xs.length ? f.cache.visible : new Int32Array(xs.length);
  f.cache.visible = visible;
  const rounded = size >= 12;
  const seatShape = (path: Path2D, sx: number, sy: number) => {
    if (rounded) path.roundRect(sx - half, sy - half, size, size, size * 0.22);
    else path.rect(sx - half, sy - half, size, size);
  };

  if (size * dpr <= PIXEL_MODE_MAX_PX) {
    // Zoomed out: seats are a few pixels; write them straight into an image buffer.
    const freeColors = map.zones.map((z) => pixelColor(z.color ?? FREE_FALLBACK));
    const stateColors = {
      held: pixelColor(SEAT_COLORS.held),
      reserved: pixelColor(SEAT_COLORS.reserved),
      sold: pixelColor(SEAT_COLORS.sold),
      blocked: pixelColor(SEAT_COLORS.blocked),
      leased: pixelColor(SEAT_COLORS.leased),
    };
    let image = f.cache.image;
    if (!image || image.width !== canvas.width || image.height !== canvas.height) {
      image = ctx.createImageData(canvas.width, canvas.height);
      f.cache.image = image;
    }
    paintSeatPixels(
      new Uint32Array(image.data.buffer),
      image.width,
      image.height,
      xs,
      ys,
      v,
      dpr,
      size * dpr,
      (i) => {
        const state = f.seatViews(i);
        if (state === 'free') return freeColors[zoneIndex.get(zoneIds[i]!) ?? 0]!;
        if (state === 'mine') {
          mine.rect(xs[i]! * v.scale + v.tx - half, ys[i]! * v.scale + v.ty - half, size, size);
          return 0;
        }
        return stateColors[state];
      },
    );
    ctx.putImageData(image, 0, 0);
  } else {
    // Zoomed in: one path per colour, only for seats on screen.
    const freePaths = map.zones.map(() => new Path2D());
    const paths = {
      held: new Path2D(),
      reserved: new Path2D(),
      sold: new Path2D(),
      blocked: new Path2D(),
      leased: new Path2D(),
    };
    const faded = new Path2D();
    for (let i = 0; i < xs.length; i++) {
      const sx = xs[i]! * v.scale + v.tx;
      const sy = ys[i]! * v.scale + v.ty;
      if (sx < -size || sy < -size || sx > width + size || sy > height + size) continue;
      if (f.onlyZone !== null && zoneIds[i] !== f.onlyZone) {
        seatShape(faded, sx, sy);
        continue;
      }
      const state = f.seatViews(i);
      // Seats on screen and whether their number is written light (on a zone's strong colour).
      visible[visibleCount++] = state === 'free' || state === 'blocked' || state === 'leased' ? i : ~i;
      const path =
        state === 'free'
          ? freePaths[zoneIndex.get(zoneIds[i]!) ?? 0]!
          : state === 'mine'
            ? mine
            : paths[state];
      seatShape(path, sx, sy);
    }
    map.zones.forEach((zone, i) => {
      ctx.fillStyle = zone.color ?? FREE_FALLBACK;
      ctx.fill(freePaths[i]!);
    });
    for (const state of ['sold', 'blocked', 'reserved', 'held', 'leased'] as const) {
      ctx.fillStyle = SEAT_COLORS[state];
      ctx.fill(paths[state]);
    }
    ctx.fillStyle = FADED_SEAT;
    ctx.fill(faded);
  }
  ctx.fillStyle = SEAT_COLORS.mine;
  ctx.fill(mine);
  ctx.strokeStyle = MINE_RING;
  ctx.lineWidth = Math.max(1, Math.min(2.5, size / 6));
  ctx.stroke(mine);

  // Landmarks go under what is already drawn (putImageData above replaced everything under it).
  ctx.globalCompositeOperation = 'destination-over';
  for (const mark of map.landmarks) {
    const x = mark.x * v.scale + v.tx;
    const y = mark.y * v.scale + v.ty;
    const w = mark.width * v.scale;
    const h = mark.height * v.scale;
    if (x > width || y > height || x + w < 0 || y + h < 0) continue;
    const colors = LANDMARK_COLORS[mark.kind];
    const shape = new Path2D();
    if (mark.shape === 'ellipse') shape.ellipse(x + w / 2, y + h / 2, w / 2, h / 2, 0, 0, 2 * Math.PI);
    else shape.roundRect(x, y, w, h, Math.min(12, h / 4));
    ctx.strokeStyle = colors.line;
    ctx.lineWidth = 1.5;
    ctx.stroke(shape);
    ctx.fillStyle = colors.fill;
    ctx.fill(shape);
  }
  ctx.globalCompositeOperation = 'source-over';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const mark of map.landmarks) {
    const x = (mark.x + mark.width / 2) * v.scale + v.tx;
    const y = (mark.y + mark.height / 2) * v.scale + v.ty;
    if (x < 0 || y < 0 || x > width || y > height) continue;
    const name = (mark.name ?? (mark.kind === 'stage' ? f.text.stage : f.text.field)).toUpperCase();
    ctx.font = `700 ${Math.round(13 * f.textScale)}px system-ui, sans-serif`;
    ctx.fillStyle = LANDMARK_COLORS[mark.kind].ink;
    ctx.fillText(name, x, y, Math.max(40, mark.width * v.scale - 8));
    facts.landmarks += 1;
  }

  // General admission areas (drawn after the seats: putImageData replaces what is under it).
  for (const zone of map.zones) {
    if (zone.kind !== 'general' || zone.x === null || zone.y === null || !zone.width || !zone.height)
      continue;
    const x = zone.x * v.scale + v.tx;
    const y = zone.y * v.scale + v.ty;
    const w = zone.width * v.scale;
    const h = zone.height * v.scale;
    ctx.fillStyle = `${zone.color ?? FREE_FALLBACK}33`;
    ctx.strokeStyle = zone.color ?? FREE_FALLBACK;
    ctx.lineWidth = 1.5;
    ctx.fillRect(x, y, w, h);
    ctx.strokeRect(x, y, w, h);
    ctx.fillStyle = '#0f172a';
    ctx.font = `600 ${Math.round(13 * f.textScale)}px system-ui, sans-serif`;
    ctx.fillText(f.text.free(zone.name, f.freeOf(zone.id)), x + w / 2, y + h / 2, Math.max(40, w - 8));
  }

  // Names: of zones from afar, then of rows and seats close up.
  if (levels.zones) {
    ctx.font = `700 ${Math.round(13 * f.textScale)}px system-ui, sans-serif`;
    ctx.lineJoin = 'round';
    ctx.lineWidth = 4;
    ctx.strokeStyle = 'rgb(255 255 255 / 0.9)';
    ctx.fillStyle = '#0f172a';
    for (const zone of map.zones) {
      if (zone.kind === 'general') continue; // its box already says its name
      const shape = model.shapes.get(zone.id);
      if (!shape) continue;
      for (const point of shape.labels) {
        const x = point.x * v.scale + v.tx;
        const y = point.y * v.scale + v.ty;
        if (x < -60 || y < -20 || x > width + 60 || y > height + 20) continue;
        ctx.strokeText(zone.name, x, y);
        ctx.fillText(zone.name, x, y);
        facts.zoneLabels += 1;
      }
    }
  }
  if (levels.seats && visibleCount > 0) {
    ctx.font = `600 ${Math.round(Math.min(18, Math.max(8, size * 0.42)))}px system-ui, sans-serif`;
    const numbers = model.numberText;
    // Two passes, one colour each: white on the zones' strong colours and on black, dark on the pale ones.
    for (const light of [true, false]) {
      ctx.fillStyle = light ? '#ffffff' : '#0f172a';
      for (let k = 0; k < visibleCount; k++) {
        const entry = visible[k]!;
        if (entry >= 0 !== light) continue;
        const i = light ? entry : ~entry;
        ctx.fillText(numbers[i]!, xs[i]! * v.scale + v.tx, ys[i]! * v.scale + v.ty + 0.5);
        facts.seatLabels += 1;
      }
    }
  }

  // Row names after seat numbers: a row named at the screen's edge covers the seat it lies on.
  if (levels.rows) {
    const rows = model.rows;
    ctx.font = `600 ${Math.round(Math.min(14 * f.textScale, Math.max(9, apart * 0.5)))}px system-ui, sans-serif`;
    ctx.fillStyle = '#475569';
    const named = new Uint8Array(rows.names.length);
    for (let k = 0; k < rows.x.length; k++) {
      const x = rows.x[k]! * v.scale + v.tx;
      const y = rows.y[k]! * v.scale + v.ty;
      if (x < 0 || y < 0 || x > width || y > height) continue;
      if (f.onlyZone !== null && rows.zoneOfRow[rows.rowOfLabel[k]!] !== f.onlyZone) continue;
      ctx.fillText(rows.names[rows.rowOfLabel[k]!]!, x, y);
      named[rows.rowOfLabel[k]!] = 1;
      facts.rowLabels += 1;
    }
    // A row whose ends are both off screen is named at the edge it comes in from (its lowest seat
    // in view), so a cashier zoomed into the middle of a long row still reads which row it is.
    const entry = new Int32Array(rows.names.length).fill(-1);
    const numbers = map.seats.number;
    for (let k = 0; k < visibleCount; k++) {
      const i = visible[k]! < 0 ? ~visible[k]! : visible[k]!;
      const r = rows.rowOf[i]!;
      if (named[r] === 0 && (entry[r]! < 0 || numbers[i]! < numbers[entry[r]!]!)) entry[r] = i;
    }
    const pad = 14 * f.textScale;
    for (let r = 0; r < entry.length; r++) {
      const i = entry[r]!;
      if (i < 0) continue;
      const name = rows.names[r]!;
      const x = Math.min(width - pad, Math.max(pad, (xs[i]! + rows.outX[r]!) * v.scale + v.tx));
      const y = Math.min(height - pad, Math.max(pad, (ys[i]! + rows.outY[r]!) * v.scale + v.ty));
      const w = ctx.measureText(name).width + 10;
      const h = Math.round(Math.min(14 * f.textScale, Math.max(9, apart * 0.5))) + 6;
      ctx.fillStyle = '#ffffff';
      ctx.strokeStyle = '#94a3b8';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.roundRect(x - w / 2, y - h / 2, w, h, h / 2);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = '#334155';
      ctx.fillText(name, x, y);
      facts.rowLabels += 1;
    }
  }
  // The Shift-picked group: dashed outlines until it is held.
  if (f.pending.length > 0) {
    ctx.setLineDash([3, 2]);
    ctx.strokeStyle = SEAT_COLORS.mine;
    ctx.lineWidth = 2;
    for (const index of f.pending) {
      ctx.strokeRect(
        xs[index]! * v.scale + v.tx - half - 2,
        ys[index]! * v.scale + v.ty - half - 2,
        size + 4,
        size + 4,
      );
    }
    ctx.setLineDash([]);
  }
  // What best-available just took: a ring around each seat, large enough to see from afar.
  if (f.highlight.length > 0) {
    const ring = Math.max(size / 2 + 4, 9);
    ctx.strokeStyle = HIGHLIGHT_COLOR;
    ctx.lineWidth = 3;
    const rings = new Path2D();
    for (const index of f.highlight) {
      const x = xs[index]! * v.scale + v.tx;
      const y = ys[index]! * v.scale + v.ty;
      rings.moveTo(x + ring, y);
      rings.arc(x, y, ring, 0, 2 * Math.PI);
    }
    ctx.stroke(rings);
  }
  for (const [index, color, widthPx] of [
    [f.hover, '#64748b', 1.5],
    [f.focus, FOCUS_COLOR, 2.5],
  ] as const) {
    if (index < 0) continue;
    ctx.strokeStyle = color;
    ctx.lineWidth = widthPx;
    ctx.strokeRect(
      xs[index]! * v.scale + v.tx - half - 3,
      ys[index]! * v.scale + v.ty - half - 3,
      size + 6,
      size + 6,
    );
  }
  return facts;
}
