import { type SettingsOverride } from '../../shared/config.ts';
import { TaquillaError } from '../../shared/errors.ts';
import { type ServerEventDefinition } from '../../shared/schemas/sync.ts';
import {
  type CatalogEvent,
  type CatalogReply,
  type EventFile,
  inventoryOf,
} from '../../shared/schemas/venue.ts';
import * as stored from './sql-catalog.ts';
import { type SqlDb, type SqlTx } from './sql-tx.ts';

/**
 * The inventory the hold rules run on (events, zones, seats), written with the catalogue.
 */

export async function putEvent(
  db: SqlDb,
  tenantId: number,
  event: ServerEventDefinition,
  now: number,
): Promise<void> {
  await db.write((tx) => putInventory(tx, tenantId, event, now));
}

export async function defineEvent(
  db: SqlDb,
  tenantId: number,
  file: EventFile,
  now: number,
  eventId?: number,
): Promise<CatalogEvent> {
  const settings = await db.tenantSettings(tenantId);
  return db.write(async (tx) => {
    let existing: CatalogEvent | null = null;
    if (eventId !== undefined) {
      existing = await stored.storedEvent(tx, tenantId, eventId);
      if (!existing) {
        throw new TaquillaError(
          'UNKNOWN_EVENT',
          `There is no event ${eventId} in the catalogue to redefine`,
          {
            eventId,
          },
        );
      }
    }
    const event = await stored.assignIds(tx, tenantId, file, existing, settings.LEASE_MINUTES);
    await stored.saveEvent(tx, tenantId, event, now);
    await putInventory(tx, tenantId, inventoryOf(event), now);
    return event;
  });
}

export async function publishEvent(
  db: SqlDb,
  tenantId: number,
  event: CatalogEvent,
  now: number,
): Promise<void> {
  await db.write(async (tx) => {
    await stored.assertIdsFree(tx, tenantId, event);
    await stored.saveEvent(tx, tenantId, event, now);
    await putInventory(tx, tenantId, inventoryOf(event), now);
  });
}

export async function catalog(db: SqlDb, tenantId: number, sinceRevision: number): Promise<CatalogReply> {
  return db.read(async (tx) => {
    const [tenant] = await tx.all<{ name: string; settings: string }>(
      'SELECT name, settings FROM tenants WHERE id = ?',
      [tenantId],
    );
    if (!tenant) throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
    // The revision first: an event saved while this runs is sent again next time, never skipped.
    const revision = await stored.currentRevision(tx, tenantId);
    const events = await stored.eventsSince(tx, tenantId, sinceRevision);
    return {
      revision,
      tenant: { tenantId, name: tenant.name, settings: JSON.parse(tenant.settings) as SettingsOverride },
      events,
    };
  });
}

export async function catalogRevision(db: SqlDb, tenantId: number): Promise<number> {
  return db.read((tx) => stored.currentRevision(tx, tenantId));
}

/** The inventory part of an event, inside a write; its ids are noted as taken in the catalogue. */
export async function putInventory(
  tx: SqlTx,
  tenantId: number,
  event: ServerEventDefinition,
  now: number,
): Promise<void> {
  {
    const existing = await tx.all<{ id: number }>('SELECT id FROM events WHERE tenant_id = ? AND id = ?', [
      tenantId,
      event.eventId,
    ]);
    if (existing.length === 0) {
      await tx.run(
        'INSERT INTO events (tenant_id, id, name, lease_minutes, version, created_at) VALUES (?, ?, ?, ?, 0, ?)',
        [tenantId, event.eventId, event.name, event.leaseMinutes, now],
      );
    } else {
      await tx.run('UPDATE events SET name = ?, lease_minutes = ? WHERE tenant_id = ? AND id = ?', [
        event.name,
        event.leaseMinutes,
        tenantId,
        event.eventId,
      ]);
    }
    for (const zone of event.zones) {
      const capacity = zone.kind === 'general' ? zone.capacity : zone.seats.length;
      await tx.run(
        `INSERT INTO zones (tenant_id, event_id, id, kind, name, price_cents, capacity, used)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT (tenant_id, event_id, id) DO UPDATE SET name = excluded.name,
           price_cents = excluded.price_cents, capacity = excluded.capacity`,
        [tenantId, event.eventId, zone.zoneId, zone.kind, zone.name, zone.priceCents, capacity],
      );
      if (zone.kind !== 'numbered') continue;
      for (let i = 0; i < zone.seats.length; i += 500) {
        const chunk = zone.seats.slice(i, i + 500);
        await tx.run(
          `INSERT INTO seats (tenant_id, event_id, id, zone_id, label) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT (tenant_id, event_id, id) DO UPDATE SET label = excluded.label`,
          chunk.flatMap((s) => [tenantId, event.eventId, s.seatId, zone.zoneId, s.label]),
        );
      }
    }
    await stored.noteIds(tx, tenantId, 'event', event.eventId);
    await stored.noteIds(tx, tenantId, 'zone', Math.max(...event.zones.map((z) => z.zoneId)));
    const seatIds = event.zones.flatMap((z) => (z.kind === 'numbered' ? z.seats.map((s) => s.seatId) : []));
    if (seatIds.length > 0)
      await stored.noteIds(
        tx,
        tenantId,
        'seat',
        seatIds.reduce((a, b) => Math.max(a, b), 0),
      );
  }
}
