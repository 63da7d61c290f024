import { z } from 'zod';
import { SEAT_STATES } from '../lifecycle.ts';

/** Outputs the screens consume: the static seat map, a versioned availability snapshot, and changes. */
export const seatState = z.enum(SEAT_STATES);

/** A point on the seat map, in the map's own units (the seats' x and y). */
export const mapPoint = z.object({ x: z.number(), y: z.number() });

export const zoneLayout = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(['numbered', 'general']),
  capacity: z.number(),
  priceCents: z.number(),
  color: z.string().nullable(),
  /** General admission: where to draw the zone's box on the map. */
  x: z.number().nullable(),
  y: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  /**
   * Where the zone's name is written on the map (a zone in two places, like boxes on both sides of
   * a hall, has two). Empty: in the middle of its seats, or of its box.
   */
  labels: z.array(mapPoint),
});

/** What a cashier finds their way by: the stage of a theatre, the field of a stadium. */
export const LANDMARK_KINDS = ['stage', 'field'] as const;
export type LandmarkKind = (typeof LANDMARK_KINDS)[number];

export const mapLandmark = z.object({
  kind: z.enum(LANDMARK_KINDS),
  /** The venue's own name for it ("Terreno de juego"); null: the screen's word for the kind. */
  name: z.string().nullable(),
  shape: z.enum(['rect', 'ellipse']),
  /** The box it fills (an ellipse fills it too), in map units. */
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
});

export const seatMap = z.object({
  eventId: z.number(),
  zones: z.array(zoneLayout),
  /** Drawn under the seats; an event set up before landmarks existed has none. */
  landmarks: z.array(mapLandmark),
  /** Column-wise so 50,000 seats stay small and fast: index i describes one seat, in seat-id order. */
  seats: z.object({
    id: z.array(z.number()),
    zoneId: z.array(z.number()),
    label: z.array(z.string()),
    row: z.array(z.string()),
    number: z.array(z.number()),
    x: z.array(z.number()),
    y: z.array(z.number()),
    priceCents: z.array(z.number()),
  }),
});

export const seatHolder = z.object({
  seatId: z.number(),
  state: seatState,
  until: z.number().nullable(),
  sessionId: z.string().nullable(),
});

export const zoneAvailability = z.object({
  zoneId: z.number(),
  capacity: z.number(),
  free: z.number(),
});

export const availabilitySnapshot = z.object({
  eventId: z.number(),
  version: z.number(),
  /** Server time the snapshot was taken; holds with until <= at are already free in it. */
  at: z.number(),
  /** One character per seat, in the seat map's order (see SEAT_STATE_CODES). */
  states: z.string(),
  /** Every seat that is not free, with who holds it and until when. */
  taken: z.array(seatHolder),
  zones: z.array(zoneAvailability),
});

export const availabilityChanges = z.union([
  z.object({ eventId: z.number(), reset: z.literal(true), version: z.number() }),
  z.object({
    eventId: z.number(),
    reset: z.literal(false),
    version: z.number(),
    at: z.number(),
    seats: z.array(seatHolder),
    zones: z.array(zoneAvailability),
  }),
]);

export type SeatMap = z.infer<typeof seatMap>;
export type ZoneLayout = z.infer<typeof zoneLayout>;
export type MapPoint = z.infer<typeof mapPoint>;
export type MapLandmark = z.infer<typeof mapLandmark>;
export type SeatHolder = z.infer<typeof seatHolder>;
export type ZoneAvailability = z.infer<typeof zoneAvailability>;
export type AvailabilitySnapshot = z.infer<typeof availabilitySnapshot>;
export type AvailabilityChanges = z.infer<typeof availabilityChanges>;
