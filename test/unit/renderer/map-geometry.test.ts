import { describe, expect, it } from 'vitest';
import { stadiumLandmarks, stadiumZones, theatreZones } from '../../../electron/services/demo/demo-venues.ts';
import { buildGrid } from '../../../renderer/src/seat-map/hit-test.ts';
import {
  betweenViews,
  constrainView,
  labelLevels,
  mapBounds,
  rowLabels,
  scaleForSeatPx,
  seatBounds,
  seatPx,
  viewOf,
  zoneShapes,
} from '../../../renderer/src/seat-map/map-geometry.ts';
import { toScreen, toWorld } from '../../../renderer/src/seat-map/viewport.ts';
import type { SeatMap, ZoneLayout } from '../../../shared/schemas/availability.ts';

type Seat = { zoneId: number; row: string; number: number; x: number; y: number };

function zone(id: number, patch: Partial<ZoneLayout> = {}): ZoneLayout {
  return {
    id,
    code: `Z${id}`,
    name: `Zona ${id}`,
    kind: 'numbered',
    capacity: 0,
    priceCents: 1000,
    color: null,
    x: null,
    y: null,
    width: null,
    height: null,
    labels: [],
    ...patch,
  };
}

function seatMap(zones: ZoneLayout[], seats: Seat[], landmarks: SeatMap['landmarks'] = []): SeatMap {
  return {
    eventId: 1,
    zones,
    landmarks,
    seats: {
      id: seats.map((_, i) => i + 1),
      zoneId: seats.map((s) => s.zoneId),
      label: seats.map((s) => `Z${s.zoneId}-${s.row}-${s.number}`),
      row: seats.map((s) => s.row),
      number: seats.map((s) => s.number),
      x: seats.map((s) => s.x),
      y: seats.map((s) => s.y),
      priceCents: seats.map(() => 1000),
    },
  };
}

/** Rows A and B of ten seats, 12 units apart, from (100, 200); listed out of order on purpose. */
function stall(zoneId = 1, x0 = 100, y0 = 200): Seat[] {
  const seats: Seat[] = [];
  for (const row of ['B', 'A']) {
    for (let n = 10; n >= 1; n--) {
      seats.push({ zoneId, row, number: n, x: x0 + (n - 1) * 12, y: y0 + (row === 'A' ? 0 : 12) });
    }
  }
  return seats;
}

/** The demo's zone definitions as the seat map the screen gets (ids from 1, in order). */
function demoMap(zones: ReturnType<typeof theatreZones>, landmarks: SeatMap['landmarks'] = []): SeatMap {
  const layouts: ZoneLayout[] = [];
  const seats: Seat[] = [];
  zones.forEach((z, i) => {
    const id = i + 1;
    const box = z.kind === 'general' ? z.box : undefined;
    layouts.push(
      zone(id, {
        kind: z.kind,
        name: z.name,
        x: box?.x ?? null,
        y: box?.y ?? null,
        width: box?.width ?? null,
        height: box?.height ?? null,
        labels: z.labels ?? [],
      }),
    );
    if (z.kind === 'numbered') for (const s of z.seats) seats.push({ zoneId: id, ...s });
  });
  return seatMap(layouts, seats, landmarks);
}

describe('zones on the map', () => {
  it("a zone's box is its seats' box; its name goes in the middle of its seats unless the event says where", () => {
    const map = seatMap(
      [
        zone(1),
        zone(2, {
          labels: [
            { x: 0, y: 0 },
            { x: 500, y: 0 },
          ],
        }),
      ],
      [...stall(1), ...stall(2, 400, 200)],
    );
    const shapes = zoneShapes(map);
    expect(shapes.get(1)!.bounds).toEqual({ minX: 100, minY: 200, maxX: 208, maxY: 212 });
    expect(shapes.get(1)!.labels).toEqual([{ x: 154, y: 206 }]);
    expect(shapes.get(2)!.labels).toEqual([
      { x: 0, y: 0 },
      { x: 500, y: 0 },
    ]);
  });

  it('a standing zone is its box, named in its middle; a zone with neither seats nor box has no shape', () => {
    const map = seatMap(
      [zone(1, { kind: 'general', x: 10, y: 20, width: 100, height: 40 }), zone(2, { kind: 'general' })],
      [],
    );
    const shapes = zoneShapes(map);
    expect(shapes.get(1)).toEqual({
      zoneId: 1,
      bounds: { minX: 10, minY: 20, maxX: 110, maxY: 60 },
      labels: [{ x: 60, y: 40 }],
    });
    expect(shapes.has(2)).toBe(false);
  });

  it("each curved stadium section's name lies among its own seats, not in the field", () => {
    const map = demoMap(stadiumZones());
    const shapes = zoneShapes(map);
    const grid = buildGrid(map.seats.x, map.seats.y);
    for (const z of map.zones.filter((z) => z.kind === 'numbered')) {
      const [point] = shapes.get(z.id)!.labels;
      // The seat nearest the label belongs to the same section, within a couple of seats.
      let nearest = -1;
      let best = Infinity;
      map.seats.x.forEach((x, i) => {
        const d = Math.hypot(x - point!.x, map.seats.y[i]! - point!.y);
        if (d < best) {
          best = d;
          nearest = i;
        }
      });
      expect(map.seats.zoneId[nearest]).toBe(z.id);
      expect(best).toBeLessThan(grid.pitch * 2);
    }
  });

  it('what "show all" frames takes in the stage and standing boxes beyond the seats', () => {
    const map = seatMap(
      [zone(1), zone(2, { kind: 'general', x: 90, y: 300, width: 50, height: 20 })],
      stall(1),
      [{ kind: 'stage', name: null, shape: 'rect', x: 120, y: 150, width: 60, height: 20 }],
    );
    const seats = buildGrid(map.seats.x, map.seats.y);
    expect(mapBounds(map, seats.bounds, seats.pitch)).toEqual({ minX: 90, minY: 150, maxX: 214, maxY: 320 });
    const stadium = demoMap(
      stadiumZones(),
      stadiumLandmarks().map((l) => ({ ...l, name: null, shape: 'ellipse' })),
    );
    const grid = buildGrid(stadium.seats.x, stadium.seats.y);
    // The field is inside the bowl: it does not widen the frame.
    expect(mapBounds(stadium, grid.bounds, grid.pitch).minX).toBeCloseTo(grid.bounds.minX - grid.pitch / 2);
  });
});

describe('row names', () => {
  it('sit one pitch beyond both ends of a straight row, and every seat knows its row', () => {
    const map = seatMap([zone(1)], stall(1));
    const rows = rowLabels(map, 12);
    const places = Array.from(
      rows.x,
      (x, k) => `${rows.names[rows.rowOfLabel[k]!]}@${x},${rows.y[k]}`,
    ).sort();
    expect(places).toEqual(['A@220,200', 'A@88,200', 'B@220,212', 'B@88,212']);
    const seatA5 = map.seats.row.findIndex((r, i) => r === 'A' && map.seats.number[i] === 5);
    expect(rows.names[rows.rowOf[seatA5]!]).toBe('A');
    expect(rows.zoneOfRow[rows.rowOf[seatA5]!]).toBe(1);
    // Outward from the first seat is towards lower x here.
    expect([rows.outX[rows.rowOf[seatA5]!], rows.outY[rows.rowOf[seatA5]!]]).toEqual([-12, 0]);
  });

  it('rows of the same name in two zones are two rows; a one-seat row is named once', () => {
    const map = seatMap(
      [zone(1), zone(2)],
      [...stall(1), ...stall(2, 400), { zoneId: 2, row: 'C', number: 1, x: 400, y: 230 }],
    );
    const rows = rowLabels(map, 12);
    expect(rows.names).toHaveLength(5);
    expect(Array.from(rows.rowOfLabel).filter((r) => rows.names[r] === 'C')).toHaveLength(1);
  });

  it('follow a curved row outwards along its ends (stadium sections)', () => {
    const map = demoMap(stadiumZones());
    const grid = buildGrid(map.seats.x, map.seats.y);
    const rows = rowLabels(map, grid.pitch);
    expect(rows.names).toHaveLength(20 * 50);
    expect(rows.x).toHaveLength(2 * 20 * 50);
    // Every row name is in the gap beside its row: no seat closer than half a pitch to it.
    for (let k = 0; k < rows.x.length; k += 37) {
      let nearest = Infinity;
      for (let i = 0; i < map.seats.x.length; i++) {
        nearest = Math.min(nearest, Math.hypot(map.seats.x[i]! - rows.x[k]!, map.seats.y[i]! - rows.y[k]!));
      }
      expect(nearest).toBeGreaterThan(grid.pitch / 2);
    }
  });

  it('appear as the map is zoomed in: zones from afar, rows from 12 px between seats, seat numbers from 20 px', () => {
    expect(labelLevels(4)).toEqual({ zones: true, rows: false, seats: false });
    expect(labelLevels(12)).toEqual({ zones: true, rows: true, seats: false });
    // Seat numbers take over from the zone's name, which would cover some of them.
    expect(labelLevels(24)).toEqual({ zones: false, rows: true, seats: true });
  });

  it('a round table (its seats in a ring) is named once, not at both of its touching ends', () => {
    const table = Array.from({ length: 5 }, (_, k) => {
      const angle = (2 * Math.PI * (k + 1)) / 5;
      return {
        zoneId: 1,
        row: 'M1',
        number: k + 1,
        x: 100 + Math.cos(angle) * 16,
        y: 100 + Math.sin(angle) * 14,
      };
    });
    const rows = rowLabels(seatMap([zone(1)], table), 12);
    expect(rows.x).toHaveLength(1);
  });
});

describe('moving the view to what matters', () => {
  const W = 1000;
  const H = 700;

  it('a zone is framed whole and centred', () => {
    const bounds = { minX: 100, minY: 200, maxX: 500, maxY: 400 };
    const v = viewOf(bounds, W, H, 10, { margin: 20 });
    const [x0, y0] = toScreen(v, bounds.minX, bounds.minY);
    const [x1, y1] = toScreen(v, bounds.maxX, bounds.maxY);
    expect(x0).toBeGreaterThanOrEqual(20);
    expect(x1).toBeLessThanOrEqual(W - 20);
    expect((x0 + x1) / 2).toBeCloseTo(W / 2);
    expect((y0 + y1) / 2).toBeCloseTo(H / 2);
  });

  it('a best-available pick of two seats is shown with its neighbours, not blown up to fill the screen', () => {
    const pitch = 12;
    const picked = seatBounds([100, 112], [200, 200], [0, 1])!;
    const v = viewOf(picked, W, H, pitch, { margin: 80, maxSeatPx: 28 });
    expect(seatPx(pitch, v.scale)).toBeCloseTo(28);
    const [sx, sy] = toScreen(v, 106, 200);
    expect([sx, sy]).toEqual([W / 2, H / 2]);
  });

  it("a kiosk never shows a zone's seats smaller than a finger: the view is centred on the zone instead", () => {
    const pitch = 12;
    const wide = { minX: 0, minY: 0, maxX: 40 * pitch, maxY: 20 * pitch };
    const v = viewOf(wide, 1080, 1200, pitch, { minSeatPx: 54 });
    expect(seatPx(pitch, v.scale)).toBeCloseTo(54);
    expect(toWorld(v, 540, 600)).toEqual([240, 120]);
    expect(scaleForSeatPx(pitch, 54) * pitch * 0.84).toBeGreaterThanOrEqual(44);
  });

  it('a glide starts and ends exactly on its views and zooms by ratio on the way', () => {
    const a = { scale: 1, tx: 0, ty: 0 };
    const b = { scale: 4, tx: -1000, ty: -500 };
    expect(betweenViews(a, b, 0, W, H)).toEqual(a);
    expect(betweenViews(a, b, 1, W, H)).toEqual(b);
    expect(betweenViews(a, b, 0.5, W, H).scale).toBeCloseTo(2);
  });

  it("zooming out stops at the kiosk's seat size, and a drag cannot take the zone off screen", () => {
    const within = { minX: 100, minY: 100, maxX: 300, maxY: 200 };
    const far = constrainView({ scale: 0.5, tx: 0, ty: 0 }, W, H, { minScale: 2, within });
    expect(far.scale).toBe(2);
    const [cx, cy] = toWorld(far, W / 2, H / 2);
    expect(cx).toBeGreaterThanOrEqual(100);
    expect(cx).toBeLessThanOrEqual(300);
    expect(cy).toBeGreaterThanOrEqual(100);
    expect(cy).toBeLessThanOrEqual(200);
    const inside = { scale: 3, tx: W / 2 - 200 * 3, ty: H / 2 - 150 * 3 };
    expect(constrainView(inside, W, H, { minScale: 2, within })).toEqual(inside);
  });
});

describe('the demo theatre', () => {
  it('writes "Palcos" over each side of the hall, not over the stalls', () => {
    const map = demoMap(theatreZones());
    const boxes = map.zones.find((z) => z.name === 'Palcos')!;
    const labels = zoneShapes(map).get(boxes.id)!.labels;
    expect(labels.map((l) => l.x < 450)).toEqual([true, false]);
  });
});
