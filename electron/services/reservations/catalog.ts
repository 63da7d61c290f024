import { type ReservationSettings, resolveSettings } from '../../../shared/config.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { Db } from '../../store/database.ts';

export interface EventRow {
  id: number;
  tenant_id: number;
  venue_id: number;
  name: string;
  starts_at: number;
  ves_per_usd: string;
  version: number;
}

export interface ZoneRow {
  id: number;
  event_id: number;
  code: string;
  name: string;
  kind: 'numbered' | 'general';
  capacity: number;
  used: number;
  price_cents: number;
}

/** Read-side lookups shared by the services: events, zones and the tenant's resolved settings. */
export class Catalog {
  private readonly eventById;
  private readonly eventAndSettingsById;
  private readonly zoneById;
  private readonly tenantSettings;
  private readonly settingsCache = new Map<number, { raw: string; settings: ReservationSettings }>();

  constructor(db: Db) {
    this.eventById = db.prepare<[number], EventRow>(
      'SELECT id, tenant_id, venue_id, name, starts_at, ves_per_usd, version FROM events WHERE id = ?',
    );
    // The hold's first read: the event and its tenant's settings text in one statement. Read each
    // time, not cached: other processes (kiosks, the sync engine) may change settings in the file.
    this.eventAndSettingsById = db.prepare<[number], EventRow & { settings: string | null }>(
      `SELECT e.id, e.tenant_id, e.venue_id, e.name, e.starts_at, e.ves_per_usd, e.version, t.settings
       FROM events e LEFT JOIN tenants t ON t.id = e.tenant_id WHERE e.id = ?`,
    );
    this.zoneById = db.prepare<[number], ZoneRow>(
      `SELECT z.id, z.event_id, z.code, z.name, z.kind, z.capacity, z.used, p.price_cents
       FROM zones z JOIN price_tiers p ON p.id = z.price_tier_id WHERE z.id = ?`,
    );
    this.tenantSettings = db.prepare<[number], { settings: string }>(
      'SELECT settings FROM tenants WHERE id = ?',
    );
  }

  event(eventId: number): EventRow {
    const event = this.eventById.get(eventId);
    if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
    return event;
  }

  /** The event and its tenant's resolved settings, read together (one statement per hold). */
  eventWithSettings(eventId: number): { event: EventRow; settings: ReservationSettings } {
    const row = this.eventAndSettingsById.get(eventId);
    if (!row) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
    const { settings, ...event } = row;
    return { event, settings: this.resolve(event.tenant_id, settings ?? '{}') };
  }

  zone(eventId: number, zoneId: number): ZoneRow {
    const zone = this.zoneById.get(zoneId);
    if (!zone || zone.event_id !== eventId) {
      throw new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, { zoneId });
    }
    return zone;
  }

  /** Tenant override -> defaults. Parsed once per distinct settings text. */
  settings(tenantId: number): ReservationSettings {
    return this.resolve(tenantId, this.tenantSettings.get(tenantId)?.settings ?? '{}');
  }

  private resolve(tenantId: number, raw: string): ReservationSettings {
    const cached = this.settingsCache.get(tenantId);
    if (cached && cached.raw === raw) return cached.settings;
    const settings = resolveSettings(JSON.parse(raw));
    this.settingsCache.set(tenantId, { raw, settings });
    return settings;
  }
}
