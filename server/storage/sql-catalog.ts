import { TaquillaError } from '../../shared/errors.ts';
import {
  type CatalogEvent,
  type CatalogZone,
  type EventFile,
  seatLabel,
} from '../../shared/schemas/venue.ts';
import type { SqlTx } from './sql-tx.ts';

/**
 * The catalogue tables (catalog_events, catalog_revisions, catalog_ids, venues), in plain functions
 * over one transaction: the only code that writes them. SqlHoldStore calls these inside its writes.
 */

export type IdKind = 'venue' | 'event' | 'tier' | 'zone' | 'seat';

/** Ids already used in the enforcement tables: handed-out ids start above them. */
const USED_IDS: Record<IdKind, string | null> = {
  venue: 'SELECT COALESCE(MAX(id), 0) AS m FROM venues WHERE tenant_id = ?',
  event: 'SELECT COALESCE(MAX(id), 0) AS m FROM events WHERE tenant_id = ?',
  zone: 'SELECT COALESCE(MAX(id), 0) AS m FROM zones WHERE tenant_id = ?',
  seat: 'SELECT COALESCE(MAX(id), 0) AS m FROM seats WHERE tenant_id = ?',
  tier: null,
};

/** Records that ids up to `maxUsed` are taken (an event published with a terminal's own ids). */
export async function noteIds(tx: SqlTx, tenantId: number, kind: IdKind, maxUsed: number): Promise<void> {
  await tx.run(
    `INSERT INTO catalog_ids (tenant_id, kind, last_id) VALUES (?, ?, ?)
     ON CONFLICT (tenant_id, kind) DO UPDATE SET
       last_id = CASE WHEN excluded.last_id > catalog_ids.last_id THEN excluded.last_id ELSE catalog_ids.last_id END`,
    [tenantId, kind, maxUsed],
  );
}

/** Takes `n` consecutive new ids of one kind; returns the first. */
export async function takeIds(tx: SqlTx, tenantId: number, kind: IdKind, n: number): Promise<number> {
  const used = USED_IDS[kind];
  const floor = used ? Number((await tx.all<{ m: number }>(used, [tenantId]))[0]?.m ?? 0) : 0;
  await noteIds(tx, tenantId, kind, floor);
  const [row] = await tx.all<{ last_id: number }>(
    'UPDATE catalog_ids SET last_id = last_id + ? WHERE tenant_id = ? AND kind = ? RETURNING last_id',
    [n, tenantId, kind],
  );
  return Number(row!.last_id) - n + 1;
}

/** The tenant's next catalogue revision (settings or an event changed). */
export async function bumpRevision(tx: SqlTx, tenantId: number): Promise<number> {
  const [row] = await tx.all<{ revision: number }>(
    `INSERT INTO catalog_revisions (tenant_id, revision) VALUES (?, 1)
     ON CONFLICT (tenant_id) DO UPDATE SET revision = catalog_revisions.revision + 1 RETURNING revision`,
    [tenantId],
  );
  return Number(row!.revision);
}

export async function currentRevision(tx: SqlTx, tenantId: number): Promise<number> {
  const [row] = await tx.all<{ revision: number }>(
    'SELECT revision FROM catalog_revisions WHERE tenant_id = ?',
    [tenantId],
  );
  return Number(row?.revision ?? 0);
}

export async function storedEvent(
  tx: SqlTx,
  tenantId: number,
  eventId: number,
): Promise<CatalogEvent | null> {
  const [row] = await tx.all<{ definition: string }>(
    'SELECT definition FROM catalog_events WHERE tenant_id = ? AND event_id = ?',
    [tenantId, eventId],
  );
  return row ? (JSON.parse(row.definition) as CatalogEvent) : null;
}

export async function eventsSince(tx: SqlTx, tenantId: number, revision: number): Promise<CatalogEvent[]> {
  const rows = await tx.all<{ definition: string }>(
    'SELECT definition FROM catalog_events WHERE tenant_id = ? AND revision > ? ORDER BY event_id',
    [tenantId, revision],
  );
  return rows.map((r) => JSON.parse(r.definition) as CatalogEvent);
}

/** Stores the event under a new revision, with its venue; notes its ids as taken. */
export async function saveEvent(
  tx: SqlTx,
  tenantId: number,
  event: CatalogEvent,
  now: number,
): Promise<number> {
  await tx.run(
    `INSERT INTO venues (tenant_id, id, name, city) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, city = excluded.city`,
    [tenantId, event.venue.venueId, event.venue.name, event.venue.city],
  );
  await noteIds(tx, tenantId, 'venue', event.venue.venueId);
  await noteIds(tx, tenantId, 'event', event.eventId);
  await noteIds(tx, tenantId, 'tier', Math.max(...event.zones.map((z) => z.tier.tierId)));
  await noteIds(tx, tenantId, 'zone', Math.max(...event.zones.map((z) => z.zoneId)));
  const seatIds = event.zones.flatMap((z) => (z.kind === 'numbered' ? z.seats.map((s) => s.seatId) : []));
  if (seatIds.length > 0)
    await noteIds(
      tx,
      tenantId,
      'seat',
      seatIds.reduce((a, b) => Math.max(a, b), 0),
    );
  const revision = await bumpRevision(tx, tenantId);
  await tx.run(
    `INSERT INTO catalog_events (tenant_id, event_id, revision, definition, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, event_id) DO UPDATE SET revision = excluded.revision,
       definition = excluded.definition, updated_at = excluded.updated_at`,
    [tenantId, event.eventId, revision, JSON.stringify(event), now],
  );
  return revision;
}

/**
 * Refuses an event whose ids another event of the tenant already uses: every terminal keeps zones,
 * seats and tiers of all events in one id space, so one id must name one thing.
 */
export async function assertIdsFree(tx: SqlTx, tenantId: number, event: CatalogEvent): Promise<void> {
  const clash = (what: string, ids: number[], otherEvent: number) =>
    new TaquillaError('VALIDATION', `${what} ${ids.join(', ')} already belong to event ${otherEvent}`, {
      issues: [{ path: what, message: `ids already used by event ${otherEvent}` }],
    });
  const zoneIds = event.zones.map((z) => z.zoneId);
  // Publishing over a stored event may change names, prices and add seats, never what an id names:
  // a zone keeps its code and kind, a seat its label and zone. Otherwise it is another event (a
  // terminal set up apart from the server), and taking it would rewrite every counter's event.
  const stored = await storedEvent(tx, tenantId, event.eventId);
  if (stored) {
    const renamed: string[] = [];
    const zonesNow = new Map(event.zones.map((z) => [z.zoneId, z]));
    const seatsNow = new Map(
      event.zones.flatMap((z) =>
        z.kind === 'numbered' ? z.seats.map((s) => [s.seatId, { ...s, zoneId: z.zoneId }] as const) : [],
      ),
    );
    for (const zone of stored.zones) {
      const now = zonesNow.get(zone.zoneId);
      if (now && (now.code !== zone.code || now.kind !== zone.kind))
        renamed.push(`zone ${zone.zoneId} (${zone.code})`);
      if (zone.kind !== 'numbered') continue;
      for (const seat of zone.seats) {
        const s = seatsNow.get(seat.seatId);
        if (s && (s.label !== seat.label || s.zoneId !== zone.zoneId))
          renamed.push(`seat ${seat.seatId} (${seat.label})`);
      }
    }
    if (renamed.length > 0) {
      throw new TaquillaError(
        'VALIDATION',
        `Event ${event.eventId} at the server is another event (${stored.name}): ${renamed.slice(0, 3).join(', ')}` +
          `${renamed.length > 3 ? ` and ${renamed.length - 3} more` : ''} would name something else; define this one with define-event`,
        { issues: [{ path: 'eventId', message: `event ${event.eventId} is another event at the server` }] },
      );
    }
  }
  const zones = await tx.all<{ event_id: number; id: number }>(
    `SELECT event_id, id FROM zones WHERE tenant_id = ? AND event_id <> ? AND id IN (${zoneIds.map(() => '?').join(', ')})`,
    [tenantId, event.eventId, ...zoneIds],
  );
  if (zones[0])
    throw clash(
      'zones',
      zones.map((z) => Number(z.id)),
      Number(zones[0].event_id),
    );
  const seatIds = event.zones.flatMap((z) => (z.kind === 'numbered' ? z.seats.map((s) => s.seatId) : []));
  for (let i = 0; i < seatIds.length; i += 500) {
    const chunk = seatIds.slice(i, i + 500);
    const seats = await tx.all<{ event_id: number; id: number }>(
      `SELECT event_id, id FROM seats WHERE tenant_id = ? AND event_id <> ? AND id IN (${chunk.map(() => '?').join(', ')}) LIMIT 5`,
      [tenantId, event.eventId, ...chunk],
    );
    if (seats[0])
      throw clash(
        'seats',
        seats.map((s) => Number(s.id)),
        Number(seats[0].event_id),
      );
  }
  const others = await tx.all<{ definition: string }>(
    'SELECT definition FROM catalog_events WHERE tenant_id = ? AND event_id <> ?',
    [tenantId, event.eventId],
  );
  const tiers = new Set(event.zones.map((z) => z.tier.tierId));
  for (const row of others) {
    const other = JSON.parse(row.definition) as CatalogEvent;
    const shared = other.zones.filter((z) => tiers.has(z.tier.tierId)).map((z) => z.tier.tierId);
    if (shared.length > 0) throw clash('price tiers', shared, other.eventId);
  }
}

/**
 * Gives an operator's event file its ids. Redefining an existing event keeps what it can: its venue,
 * each zone (matched by code) with its price tier, each seat (matched by label); everything new takes
 * fresh ids of the tenant.
 */
export async function assignIds(
  tx: SqlTx,
  tenantId: number,
  file: EventFile,
  existing: CatalogEvent | null,
  defaultLeaseMinutes: number,
): Promise<CatalogEvent> {
  const eventId = existing?.eventId ?? (await takeIds(tx, tenantId, 'event', 1));
  const [venue] = await tx.all<{ id: number }>('SELECT id FROM venues WHERE tenant_id = ? AND name = ?', [
    tenantId,
    file.venue.name,
  ]);
  const venueId = venue ? Number(venue.id) : await takeIds(tx, tenantId, 'venue', 1);
  const oldZones = new Map((existing?.zones ?? []).map((z) => [z.code, z]));
  const newZones = file.zones.filter((z) => !oldZones.has(z.code)).length;
  let nextZone = newZones > 0 ? await takeIds(tx, tenantId, 'zone', newZones) : 0;
  let nextTier = newZones > 0 ? await takeIds(tx, tenantId, 'tier', newZones) : 0;
  const oldSeats = new Map<string, number>();
  for (const z of existing?.zones ?? [])
    if (z.kind === 'numbered') for (const s of z.seats) oldSeats.set(s.label, s.seatId);
  const newSeats = file.zones.reduce(
    (n, z) =>
      z.kind === 'numbered'
        ? n + z.seats.filter((s) => !oldSeats.has(seatLabel(z.code, s.row, s.number))).length
        : n,
    0,
  );
  let nextSeat = newSeats > 0 ? await takeIds(tx, tenantId, 'seat', newSeats) : 0;
  const zones = file.zones.map((zone, sort): CatalogZone => {
    const old = oldZones.get(zone.code);
    if (old && old.kind !== zone.kind) {
      throw new TaquillaError(
        'VALIDATION',
        `Zone ${zone.code} cannot change from ${old.kind} to ${zone.kind}`,
        {
          issues: [{ path: `zones.${sort}.kind`, message: `zone ${zone.code} is ${old.kind}` }],
        },
      );
    }
    const zoneId = old?.zoneId ?? nextZone++;
    const tier = { tierId: old?.tier.tierId ?? nextTier++, name: zone.name, priceCents: zone.priceCents };
    const common = { zoneId, code: zone.code, name: zone.name, color: zone.color ?? null, sort, tier };
    if (zone.kind === 'general') {
      return { kind: 'general', ...common, capacity: zone.capacity, box: zone.box ?? null };
    }
    return {
      kind: 'numbered',
      ...common,
      seats: zone.seats.map((s) => {
        const label = seatLabel(zone.code, s.row, s.number);
        return {
          seatId: oldSeats.get(label) ?? nextSeat++,
          label,
          row: s.row,
          number: s.number,
          x: s.x,
          y: s.y,
        };
      }),
    };
  });
  return {
    eventId,
    name: file.name,
    startsAt: file.startsAt,
    vesPerUsd: file.vesPerUsd,
    leaseMinutes: file.leaseMinutes ?? existing?.leaseMinutes ?? defaultLeaseMinutes,
    venue: { venueId, name: file.venue.name, city: file.venue.city ?? null },
    zones,
  };
}
