import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../electron/services/demo/demo-venues.ts';
import { createEvent } from '../../../electron/services/events/event-setup.ts';
import { AvailabilityService } from '../../../electron/services/reservations/availability-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { seatMap } from '../../../shared/schemas/availability.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { smallVenue, T0, tempDir } from '../../support/temp-store.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('the seat map says where the stage is and where each zone is written', () => {
  it("the demo theatre has a stage and writes Palcos over each side's boxes; the stadium has its field", () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const db = openDatabase(join(dir, 'demo.db'));
    cleanups.push(() => db.close());
    const ids = seedDemo(db, T0);
    const availability = new AvailabilityService(db, new ManualClock(T0));

    const theatre = seatMap.parse(availability.seatMap({ eventId: ids.theatreEventId }));
    expect(theatre.landmarks).toEqual([
      { kind: 'stage', name: null, shape: 'rect', x: 200, y: 14, width: 500, height: 44 },
    ]);
    const boxes = theatre.zones.find((z) => z.code === 'PAL')!;
    expect(boxes.labels).toHaveLength(2);
    // One label on each side of the hall.
    expect(boxes.labels[0]!.x).toBeLessThan(100);
    expect(boxes.labels[1]!.x).toBeGreaterThan(800);
    expect(theatre.zones.find((z) => z.code === 'PLA')!.labels).toEqual([]);
    // The stage is in front: every seat is behind (below) it.
    const stageBottom = 14 + 44;
    expect(Math.min(...theatre.seats.y)).toBeGreaterThan(stageBottom);

    const stadium = seatMap.parse(availability.seatMap({ eventId: ids.stadiumEventId }));
    expect(stadium.landmarks).toHaveLength(1);
    const field = stadium.landmarks[0]!;
    expect(field).toMatchObject({ kind: 'field', name: 'Terreno de juego', shape: 'ellipse' });
    // The field lies inside the bowl: no seat within its ellipse, and the standing area on it.
    const cx = field.x + field.width / 2;
    const cy = field.y + field.height / 2;
    const inside = (x: number, y: number) =>
      ((x - cx) / (field.width / 2)) ** 2 + ((y - cy) / (field.height / 2)) ** 2 < 1;
    expect(stadium.seats.x.some((x, i) => inside(x, stadium.seats.y[i]!))).toBe(false);
    const standing = stadium.zones.find((z) => z.kind === 'general')!;
    expect(inside(standing.x!, standing.y!)).toBe(true);
    expect(inside(standing.x! + standing.width!, standing.y! + standing.height!)).toBe(true);
  });

  it('an event set up without landmarks or labels has none (the screen places the names itself)', () => {
    const v = smallVenue();
    cleanups.push(v.close);
    const map = seatMap.parse(v.availability.seatMap({ eventId: v.eventId }));
    expect(map.landmarks).toEqual([]);
    expect(map.zones.map((z) => z.labels)).toEqual([[], []]);
  });

  it('a landmark without a size is refused and nothing is written', () => {
    const v = smallVenue();
    cleanups.push(v.close);
    const count = () => v.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events').get()!.n;
    const before = count();
    expect(() =>
      createEvent(
        v.db,
        {
          tenantId: v.tenantId,
          venueId: 1,
          name: 'Sin tamaño',
          startsAt: T0,
          vesPerUsd: '36.5',
          zones: [{ kind: 'general', code: 'GEN', name: 'General', priceCents: 100, capacity: 5 }],
          landmarks: [{ kind: 'stage', x: 0, y: 0, width: 0, height: 10 }],
        },
        T0,
      ),
    ).toThrow(TaquillaError);
    expect(count()).toBe(before);
  });
});
