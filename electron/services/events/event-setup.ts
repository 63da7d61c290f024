import { z } from 'zod';
import { settingsOverrideSchema } from '../../../shared/config.ts';
import { LANDMARK_KINDS } from '../../../shared/schemas/availability.ts';
import {
  generalZoneDefinition,
  numberedZoneDefinition,
  seatLabel,
  vesPerUsd,
} from '../../../shared/schemas/venue.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';

/**
 * Where a zone's name is written on this terminal's map: at most a few places (boxes on both sides
 * of a hall). A terminal's own events only: the server's catalogue does not carry them yet, so an
 * event delivered from it has none and the map writes each name in the middle of its seats.
 */
const labels = z
  .array(z.object({ x: z.number(), y: z.number() }))
  .max(8)
  .optional();

/** The stage or the field, drawn under the seats so the map has a front. */
const landmark = z.object({
  kind: z.enum(LANDMARK_KINDS),
  name: z.string().min(1).max(40).optional(),
  shape: z.enum(['rect', 'ellipse']).default('rect'),
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});

/** The venue's zone definitions (shared/schemas/venue.ts), with where their names go. */
const zoneWithLabels = z.discriminatedUnion('kind', [
  numberedZoneDefinition.extend({ labels }),
  generalZoneDefinition.extend({ labels }),
]);

/** Defines tenants, venues and events with their zones and seats (the catalogue the engine sells). */
export const eventDefinition = z.object({
  tenantId: z.number().int().positive(),
  venueId: z.number().int().positive(),
  name: z.string().min(1).max(120),
  startsAt: z.number().int(),
  vesPerUsd,
  zones: z.array(zoneWithLabels).min(1),
  landmarks: z.array(landmark).max(10).optional(),
});

export type EventDefinition = z.infer<typeof eventDefinition>;
export type ZoneDefinition = z.input<typeof eventDefinition>['zones'][number];
export type LandmarkDefinition = z.input<typeof landmark>;
export { seatLabel };

export function createTenant(db: Db, name: string, now: number, settings: unknown = {}): number {
  const parsed = settingsOverrideSchema.parse(settings);
  return Number(
    db
      .prepare('INSERT INTO tenants (name, settings, created_at) VALUES (?, ?, ?)')
      .run(name, JSON.stringify(parsed), now).lastInsertRowid,
  );
}

export function setTenantSettings(db: Db, tenantId: number, settings: unknown): void {
  const parsed = settingsOverrideSchema.parse(settings);
  db.prepare('UPDATE tenants SET settings = ? WHERE id = ?').run(JSON.stringify(parsed), tenantId);
}

export function createVenue(db: Db, tenantId: number, name: string, city: string | null = null): number {
  return Number(
    db.prepare('INSERT INTO venues (tenant_id, name, city) VALUES (?, ?, ?)').run(tenantId, name, city)
      .lastInsertRowid,
  );
}

export interface CreatedEvent {
  eventId: number;
  zones: { id: number; code: string; kind: 'numbered' | 'general'; seatIds: number[] }[];
}

/** Creates an event with its zones and seats in one transaction (a 50,000-seat stadium included). */
export function createEvent(db: Db, raw: unknown, now: number): CreatedEvent {
  const def = parseInput(eventDefinition, raw);
  const insertEvent = db.prepare(
    'INSERT INTO events (tenant_id, venue_id, name, starts_at, ves_per_usd, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertTier = db.prepare('INSERT INTO price_tiers (event_id, name, price_cents) VALUES (?, ?, ?)');
  const insertZone = db.prepare(
    `INSERT INTO zones (event_id, code, name, kind, capacity, price_tier_id, color, x, y, width, height, sort)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Prepared only when the event has them: an event without (most) sets up on any schema version.
  const insertLabel = () => db.prepare('INSERT INTO zone_labels (zone_id, x, y) VALUES (?, ?, ?)');
  const insertLandmark = () =>
    db.prepare(
      `INSERT INTO map_landmarks (event_id, kind, name, shape, x, y, width, height, sort)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  const insertSeat = db.prepare(
    `INSERT INTO seats (event_id, zone_id, label, row_label, number, x, y, price_tier_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db
    .transaction((): CreatedEvent => {
      const eventId = Number(
        insertEvent.run(def.tenantId, def.venueId, def.name, def.startsAt, def.vesPerUsd, now)
          .lastInsertRowid,
      );
      const zones = def.zones.map((zone, sort) => {
        const tierId = Number(insertTier.run(eventId, zone.name, zone.priceCents).lastInsertRowid);
        const capacity = zone.kind === 'numbered' ? zone.seats.length : zone.capacity;
        const area = zone.kind === 'general' ? zone.box : undefined;
        const zoneId = Number(
          insertZone.run(
            eventId,
            zone.code,
            zone.name,
            zone.kind,
            capacity,
            tierId,
            zone.color ?? null,
            area?.x ?? null,
            area?.y ?? null,
            area?.width ?? null,
            area?.height ?? null,
            sort,
          ).lastInsertRowid,
        );
        if (zone.labels?.length) {
          const label = insertLabel();
          for (const point of zone.labels) label.run(zoneId, point.x, point.y);
        }
        const seatIds =
          zone.kind === 'numbered'
            ? zone.seats.map((s) =>
                Number(
                  insertSeat.run(
                    eventId,
                    zoneId,
                    seatLabel(zone.code, s.row, s.number),
                    s.row,
                    s.number,
                    s.x,
                    s.y,
                    tierId,
                  ).lastInsertRowid,
                ),
              )
            : [];
        return { id: zoneId, code: zone.code, kind: zone.kind, seatIds };
      });
      if (def.landmarks?.length) {
        const landmark = insertLandmark();
        def.landmarks.forEach((mark, sort) =>
          landmark.run(
            eventId,
            mark.kind,
            mark.name ?? null,
            mark.shape,
            mark.x,
            mark.y,
            mark.width,
            mark.height,
            sort,
          ),
        );
      }
      return { eventId, zones };
    })
    .immediate();
}

/** Resolves seat labels (e.g. PLA-F-12) of an event to ids, for the CLI and supervisors. */
export function seatIdsByLabel(
  db: Db,
  eventId: number,
  labels: string[],
): { ids: number[]; unknown: string[] } {
  const rows = db
    .prepare<[number, string], { id: number; label: string }>(
      'SELECT id, label FROM seats WHERE event_id = ? AND label IN (SELECT value FROM json_each(?))',
    )
    .all(eventId, JSON.stringify(labels));
  const byLabel = new Map(rows.map((r) => [r.label, r.id]));
  return {
    ids: labels.flatMap((l) => (byLabel.has(l) ? [byLabel.get(l)!] : [])),
    unknown: labels.filter((l) => !byLabel.has(l)),
  };
}
