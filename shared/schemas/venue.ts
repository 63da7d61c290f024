import { z } from 'zod';
import { settingsOverrideSchema } from '../config.ts';
import { rateProblem } from '../money.ts';
import type { ServerEventDefinition } from './sync.ts';

/**
 * A venue's catalogue as the central server keeps it and every counter receives it: events with
 * their venue, price tiers, zones and seats, under the same ids everywhere (a seat id names the same
 * seat on the server and on every terminal).
 *
 * Two forms: `eventFile` is what an operator writes (no ids; `taquilla-server define-event` assigns
 * them), `catalogEvent` is the event with its ids, as stored and delivered. Zones are described the
 * same way a terminal's own `createEvent` reads them.
 */

const id = z.number().int().positive();
const zoneCode = z.string().regex(/^[A-Z0-9]{1,6}$/, 'zone code of 1-6 capital letters or digits');
const zoneName = z.string().trim().min(1).max(60);
const color = z.string().max(32);
const priceCents = z.number().int().min(0);

/** Where a general-admission zone is drawn on the map. */
export const zoneBox = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});

export const seatPosition = z.object({
  row: z.string().min(1).max(8),
  number: z.number().int().min(0),
  x: z.number(),
  y: z.number(),
});

export const numberedZoneDefinition = z.object({
  kind: z.literal('numbered'),
  code: zoneCode,
  name: zoneName,
  color: color.optional(),
  priceCents,
  seats: z.array(seatPosition).min(1).max(200_000),
});

export const generalZoneDefinition = z.object({
  kind: z.literal('general'),
  code: zoneCode,
  name: zoneName,
  color: color.optional(),
  priceCents,
  capacity: z.number().int().min(1),
  box: zoneBox.optional(),
});

export const zoneDefinition = z.discriminatedUnion('kind', [numberedZoneDefinition, generalZoneDefinition]);
export type ZoneDefinition = z.infer<typeof zoneDefinition>;

/** Bolívares per US dollar as a decimal string ('36.50'); converted only in shared/money.ts. */
/** Bolívares per dollar, like '36.50': from 1 to 1,000,000 (shared/money.ts). */
export const vesPerUsd = z
  .string()
  .regex(/^\d{1,9}(\.\d{1,4})?$/, 'rate like 36.50')
  .superRefine((text, ctx) => {
    const problem = rateProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Epoch ms, or an ISO 8601 time with its offset ("2026-12-05T20:00:00-04:00"). */
export const startsAt = z.union([
  z.number().int(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** The label printed on a ticket and typed at the CLI: zone code, row, number (PLA-F-12). */
export function seatLabel(zoneCode: string, row: string, number: number): string {
  return `${zoneCode}-${row}-${number}`;
}

/** An event as an operator writes it for `taquilla-server define-event --file`. */
export const eventFile = z
  .object({
    name: z.string().trim().min(1).max(120),
    startsAt,
    vesPerUsd,
    venue: z
      .object({ name: z.string().trim().min(1).max(120), city: z.string().max(120).optional() })
      .strict(),
    /** Minutes an offline lease lives; the tenant's LEASE_MINUTES when absent. */
    leaseMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .optional(),
    zones: z.array(zoneDefinition).min(1),
  })
  .strict()
  .superRefine((event, ctx) => {
    const codes = new Set<string>();
    event.zones.forEach((zone, i) => {
      if (codes.has(zone.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['zones', i, 'code'],
          message: `zone code ${zone.code} appears twice`,
        });
      }
      codes.add(zone.code);
      if (zone.kind !== 'numbered') return;
      const labels = new Set<string>();
      zone.seats.forEach((seat, j) => {
        const label = seatLabel(zone.code, seat.row, seat.number);
        if (labels.has(label)) {
          ctx.addIssue({
            code: 'custom',
            path: ['zones', i, 'seats', j],
            message: `seat ${label} appears twice`,
          });
        }
        labels.add(label);
      });
    });
  });
export type EventFile = z.infer<typeof eventFile>;

export const priceTier = z.object({ tierId: id, name: z.string().min(1).max(60), priceCents });

const catalogSeat = seatPosition.extend({ seatId: id, label: z.string().min(1).max(40) });

/** An event with its ids, as the server stores it and every counter receives it. */
export const catalogEvent = z
  .object({
    eventId: id,
    name: z.string().trim().min(1).max(120),
    startsAt: z.number().int(),
    vesPerUsd,
    leaseMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60),
    venue: z.object({ venueId: id, name: z.string().min(1).max(120), city: z.string().max(120).nullable() }),
    zones: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({
            kind: z.literal('numbered'),
            zoneId: id,
            code: zoneCode,
            name: zoneName,
            color: color.nullable(),
            sort: z.number().int(),
            tier: priceTier,
            seats: z.array(catalogSeat).min(1).max(200_000),
          }),
          z.object({
            kind: z.literal('general'),
            zoneId: id,
            code: zoneCode,
            name: zoneName,
            color: color.nullable(),
            sort: z.number().int(),
            tier: priceTier,
            capacity: z.number().int().min(1),
            box: zoneBox.nullable(),
          }),
        ]),
      )
      .min(1),
  })
  .strict();
export type CatalogEvent = z.infer<typeof catalogEvent>;
export type CatalogZone = CatalogEvent['zones'][number];

/**
 * What a terminal receives (`GET /v1/catalog?since=R`): its tenant with the settings it must honour,
 * and every event changed after revision R. `revision` only grows; a terminal stores the last one
 * applied and asks again when the heartbeat (`/v1/whoami`) names a newer one.
 */
export const catalogReply = z.object({
  revision: z.number().int().min(0),
  tenant: z.object({ tenantId: id, name: z.string(), settings: settingsOverrideSchema }),
  events: z.array(catalogEvent),
});
export type CatalogReply = z.infer<typeof catalogReply>;

export const catalogQuery = z.object({ since: z.coerce.number().int().min(0).default(0) });

/** The tenant's settings as the admin API and the server command show them. */
export const tenantSettingsReply = z.object({
  tenantId: id,
  /** Only what the tenant overrides. */
  overrides: settingsOverrideSchema,
  /** What is in force: overrides over the defaults. */
  effective: z.record(z.string(), z.number()),
});

/** A credential as `taquilla-server terminals` lists it (never its secret). */
export const credentialListing = z.object({
  credentialId: z.number().int(),
  role: z.enum(['admin', 'terminal']),
  name: z.string(),
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
});
export type CredentialListing = z.infer<typeof credentialListing>;

/** The inventory the server enforces holds on: what `putEvent` stores, derived from the catalogue. */
export function inventoryOf(event: CatalogEvent): ServerEventDefinition {
  return {
    eventId: event.eventId,
    name: event.name,
    leaseMinutes: event.leaseMinutes,
    zones: event.zones.map((zone) =>
      zone.kind === 'general'
        ? {
            kind: 'general',
            zoneId: zone.zoneId,
            name: zone.name,
            priceCents: zone.tier.priceCents,
            capacity: zone.capacity,
          }
        : {
            kind: 'numbered',
            zoneId: zone.zoneId,
            name: zone.name,
            priceCents: zone.tier.priceCents,
            seats: zone.seats.map((s) => ({ seatId: s.seatId, label: s.label })),
          },
    ),
  };
}
