import { DAY_MS } from '../../../shared/clock.ts';
import type { Db } from '../../store/database.ts';
import {
  createEvent,
  createTenant,
  createVenue,
  type LandmarkDefinition,
  type ZoneDefinition,
} from '../events/event-setup.ts';

type SeatSpec = { row: string; number: number; x: number; y: number };

const ROW_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function rowName(i: number): string {
  return i < 26 ? ROW_LETTERS[i]! : `${ROW_LETTERS[Math.floor(i / 26) - 1]}${ROW_LETTERS[i % 26]}`;
}

/** A block of straight rows, centred on `cx`, with an aisle in the middle. */
function rows(first: number, count: number, perRow: number, cx: number, y0: number, pitch = 12): SeatSpec[] {
  const seats: SeatSpec[] = [];
  for (let r = 0; r < count; r++) {
    for (let n = 1; n <= perRow; n++) {
      const aisle = n > perRow / 2 ? pitch : 0;
      seats.push({
        row: rowName(first + r),
        number: n,
        x: cx + (n - 1 - perRow / 2) * pitch + aisle,
        y: y0 + r * pitch,
      });
    }
  }
  return seats;
}

/** The theatre: 2,400 numbered seats (stalls, boxes, tables, mezzanine, balcony) and a standing area. */
export function theatreZones(): ZoneDefinition[] {
  const boxes: SeatSpec[] = [];
  for (let b = 0; b < 10; b++) {
    const left = b < 5;
    for (let n = 1; n <= 6; n++) {
      boxes.push({
        row: `P${b + 1}`,
        number: n,
        x: left ? 40 + (n % 2) * 12 : 860 - (n % 2) * 12,
        y: 120 + (b % 5) * 70 + Math.floor((n - 1) / 2) * 12,
      });
    }
  }
  const tables: SeatSpec[] = [];
  for (let t = 0; t < 10; t++) {
    for (let n = 1; n <= 5; n++) {
      const angle = (2 * Math.PI * n) / 5;
      tables.push({
        row: `M${t + 1}`,
        number: n,
        x: 150 + (t % 5) * 150 + Math.cos(angle) * 16,
        y: 90 + Math.floor(t / 5) * 45 + Math.sin(angle) * 14,
      });
    }
  }
  return [
    {
      kind: 'numbered',
      code: 'VIP',
      name: 'Platea VIP',
      color: '#b45309',
      priceCents: 8000,
      seats: rows(0, 5, 30, 450, 200),
    },
    {
      kind: 'numbered',
      code: 'PLA',
      name: 'Platea',
      color: '#1d4ed8',
      priceCents: 4500,
      seats: rows(5, 20, 40, 450, 270),
    },
    {
      kind: 'numbered',
      code: 'PAL',
      name: 'Palcos',
      color: '#7c3aed',
      priceCents: 6000,
      seats: boxes,
      // Boxes line both side walls: the name goes above each line, not in the middle of the stalls.
      labels: [
        { x: 46, y: 100 },
        { x: 854, y: 100 },
      ],
    },
    { kind: 'numbered', code: 'MES', name: 'Mesas', color: '#be185d', priceCents: 7000, seats: tables },
    {
      kind: 'numbered',
      code: 'MEZ',
      name: 'Mezzanina',
      color: '#047857',
      priceCents: 3000,
      seats: rows(0, 12, 45, 450, 540),
    },
    {
      kind: 'numbered',
      code: 'BAL',
      name: 'Balcón',
      color: '#0e7490',
      priceCents: 2000,
      seats: rows(0, 16, 50, 450, 700),
    },
    {
      kind: 'general',
      code: 'GEN',
      name: 'General de pie',
      color: '#64748b',
      priceCents: 1500,
      capacity: 300,
      box: { x: 120, y: 920, width: 660, height: 80 },
    },
  ];
}

/** The theatre's stage, in front of the tables and the stalls. */
export function theatreLandmarks(): LandmarkDefinition[] {
  return [{ kind: 'stage', shape: 'rect', x: 200, y: 14, width: 500, height: 44 }];
}

/** Where the stadium's bowl starts (the innermost row, vertical half-axis) and how far rows are apart. */
const BOWL_INNER = 700;
const BOWL_ROW_PITCH = 6;
/** The bowl is an ellipse 1.3 times wider than tall. */
const BOWL_ASPECT = 1.3;

/**
 * The stadium: 20 sections x 50 rows x 50 seats = 50,000 numbered seats in a bowl around the field,
 * and a standing area on the field. Seats are about 5 to 7 units apart along a row and rows 6 apart,
 * so seats are drawn as seats (not stripes) and a section zoomed to finger size stays a section.
 */
export function stadiumZones(): ZoneDefinition[] {
  const zones: ZoneDefinition[] = [];
  const sections = 20;
  for (let s = 0; s < sections; s++) {
    const seats: SeatSpec[] = [];
    const start = (2 * Math.PI * s) / sections;
    const span = (2 * Math.PI) / sections - 0.02;
    for (let r = 0; r < 50; r++) {
      const radius = BOWL_INNER + r * BOWL_ROW_PITCH;
      for (let n = 1; n <= 50; n++) {
        const angle = start + (span * (n - 0.5)) / 50;
        seats.push({
          row: String(r + 1),
          number: n,
          x: 1000 + Math.cos(angle) * radius * BOWL_ASPECT,
          y: 1000 + Math.sin(angle) * radius,
        });
      }
    }
    const code = `S${String(s + 1).padStart(2, '0')}`;
    const lower = s % 5 === 0;
    zones.push({
      kind: 'numbered',
      code,
      name: `Sección ${s + 1}`,
      color: lower ? '#b45309' : '#1d4ed8',
      priceCents: lower ? 6000 : 3500,
      seats,
    });
  }
  zones.push({
    kind: 'general',
    code: 'CAN',
    name: 'Cancha',
    color: '#15803d',
    priceCents: 2500,
    capacity: 5000,
    // On the field, below its name.
    box: { x: 650, y: 1080, width: 700, height: 400 },
  });
  return zones;
}

/** The playing field inside the bowl's first row. */
export function stadiumLandmarks(): LandmarkDefinition[] {
  const ry = BOWL_INNER - 60;
  const rx = BOWL_INNER * BOWL_ASPECT - 60;
  return [
    {
      kind: 'field',
      name: 'Terreno de juego',
      shape: 'ellipse',
      x: 1000 - rx,
      y: 1000 - ry,
      width: 2 * rx,
      height: 2 * ry,
    },
  ];
}

export interface DemoIds {
  tenantId: number;
  theatreEventId: number;
  stadiumEventId: number;
}

/** The demo database: one tenant, a ~2,400-seat theatre and a 50,000-seat stadium. */
export function seedDemo(db: Db, now: number, vesPerUsd = '236.4500'): DemoIds {
  const tenantId = createTenant(db, 'Taquilla Demo', now);
  const theatre = createVenue(db, tenantId, 'Teatro Municipal', 'Caracas');
  const stadium = createVenue(db, tenantId, 'Estadio Monumental', 'Caracas');
  // 20:00 in Caracas (UTC-4) is 00:00 UTC the next day.
  const inDays = (days: number) => Math.floor(now / DAY_MS) * DAY_MS + (days + 1) * DAY_MS;
  const theatreEvent = createEvent(
    db,
    {
      tenantId,
      venueId: theatre,
      name: 'Gala de Zarzuela',
      startsAt: inDays(7),
      vesPerUsd,
      zones: theatreZones(),
      landmarks: theatreLandmarks(),
    },
    now,
  );
  const stadiumEvent = createEvent(
    db,
    {
      tenantId,
      venueId: stadium,
      name: 'Clásico: Leones vs. Magallanes',
      startsAt: inDays(14),
      vesPerUsd,
      zones: stadiumZones(),
      landmarks: stadiumLandmarks(),
    },
    now,
  );
  return { tenantId, theatreEventId: theatreEvent.eventId, stadiumEventId: stadiumEvent.eventId };
}
