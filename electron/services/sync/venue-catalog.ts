import type { Clock } from '../../../shared/clock.ts';
import { SETTING_KEYS, type SettingsOverride, settingsProblems } from '../../../shared/config.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type CatalogEvent, type CatalogReply, catalogReply } from '../../../shared/schemas/venue.ts';
import type { Db } from '../../store/database.ts';
import type { HoldServerClient } from './hold-server-client.ts';

/** An event the server defined that this terminal could not take as it is (its ids clash here). */
export interface CatalogProblem {
  eventId: number;
  reason: string;
}

export interface CatalogDelivery {
  revision: number;
  /** Events written or updated by this delivery. */
  events: number[];
  problems: CatalogProblem[];
}

/**
 * The venue's catalogue as the central server defines it, copied into this terminal's store: the
 * tenant's settings (which the local engine then honours: hold minutes, deposit hours, the per-session
 * limit, the cleanup interval) and every event with its venue, price tiers, zones and seats, under the
 * server's ids, so a seat id names the same seat at the server and at every counter.
 *
 * Asked for on enrolment and whenever the heartbeat names a newer revision than the one applied.
 * Upserts only: a counter's holds, sales and blocked seats are never touched, and nothing is deleted.
 */
export class VenueCatalog {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      getState: db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?'),
      setState: db.prepare<[string, string]>(
        'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      tenant: db.prepare<[number], { name: string; settings: string }>(
        'SELECT name, settings FROM tenants WHERE id = ?',
      ),
      upsertTenant: db.prepare<[number, string, string, number]>(
        `INSERT INTO tenants (id, name, settings, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, settings = excluded.settings`,
      ),
      audit: db.prepare<[number, string, string, string, string]>(
        `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
         VALUES (?, 'sync', 'tenant', ?, ?, ?, ?)`,
      ),
      localEvent: db.prepare<[number], { id: number; origin: string | null }>(
        `SELECT e.id, c.origin FROM events e LEFT JOIN catalog_events c ON c.event_id = e.id WHERE e.id = ?`,
      ),
      noteEvent: db.prepare<[number, string, number, number]>(
        `INSERT INTO catalog_events (event_id, origin, revision, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET revision = excluded.revision, received_at = excluded.received_at`,
      ),
      zoneOwners: db.prepare<[string], { id: number; event_id: number; kind: string }>(
        'SELECT id, event_id, kind FROM zones WHERE id IN (SELECT value FROM json_each(?))',
      ),
      seatOwners: db.prepare<[string, number], { id: number; event_id: number }>(
        'SELECT id, event_id FROM seats WHERE id IN (SELECT value FROM json_each(?)) AND event_id <> ? LIMIT 5',
      ),
      tierOwners: db.prepare<[string, number], { id: number; event_id: number }>(
        'SELECT id, event_id FROM price_tiers WHERE id IN (SELECT value FROM json_each(?)) AND event_id <> ? LIMIT 5',
      ),
      venue: db.prepare<[number, number, string, string | null]>(
        `INSERT INTO venues (id, tenant_id, name, city) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, name = excluded.name, city = excluded.city`,
      ),
      event: db.prepare<[number, number, number, string, number, string, number]>(
        `INSERT INTO events (id, tenant_id, venue_id, name, starts_at, ves_per_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, venue_id = excluded.venue_id,
           name = excluded.name, starts_at = excluded.starts_at, ves_per_usd = excluded.ves_per_usd`,
      ),
      tier: db.prepare<[number, number, string, number]>(
        `INSERT INTO price_tiers (id, event_id, name, price_cents) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents`,
      ),
      zone: db.prepare<
        [
          number,
          number,
          string,
          string,
          string,
          number,
          number,
          string | null,
          number | null,
          number | null,
          number | null,
          number | null,
          number,
        ]
      >(
        `INSERT INTO zones (id, event_id, code, name, kind, capacity, price_tier_id, color, x, y, width, height, sort)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, capacity = excluded.capacity,
           price_tier_id = excluded.price_tier_id, color = excluded.color, x = excluded.x, y = excluded.y,
           width = excluded.width, height = excluded.height, sort = excluded.sort`,
      ),
      seat: db.prepare<[number, number, number, string, string, number, number, number, number]>(
        `INSERT INTO seats (id, event_id, zone_id, label, row_label, number, x, y, price_tier_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET zone_id = excluded.zone_id, label = excluded.label,
           row_label = excluded.row_label, number = excluded.number, x = excluded.x, y = excluded.y,
           price_tier_id = excluded.price_tier_id`,
      ),
    };
  }

  /** The last catalogue revision applied here; 0 before the first delivery. */
  revision(): number {
    return Number(this.sql.getState.get('catalog_revision')?.value ?? 0);
  }

  /** Events of the server this terminal could not take, from the last delivery that had any. */
  problems(): CatalogProblem[] {
    return JSON.parse(this.sql.getState.get('catalog_problems')?.value ?? '[]') as CatalogProblem[];
  }

  /**
   * Pulls what changed since the applied revision: when `advertised` (the heartbeat's
   * catalogRevision) is newer, or always without it (enrolment). A failed or unreadable pull changes
   * nothing and is asked again at the next heartbeat; returns null then, and when there was nothing
   * to pull.
   */
  async follow(client: HoldServerClient, advertised?: number): Promise<CatalogDelivery | null> {
    const applied = this.revision();
    if (advertised !== undefined && advertised <= applied) return null;
    let reply;
    try {
      reply = await client.get(`/v1/catalog?since=${applied}`);
    } catch {
      return null;
    }
    const parsed = catalogReply.safeParse(reply.result);
    if (reply.status !== 200 || !parsed.success) return null;
    return this.apply(parsed.data);
  }

  /** Writes a delivery in one transaction; an event that cannot be taken is skipped and reported. */
  apply(delivery: CatalogReply): CatalogDelivery {
    return this.db
      .transaction((): CatalogDelivery => {
        const problems: CatalogProblem[] = [];
        this.applyTenant(delivery.tenant);
        const events: number[] = [];
        for (const event of delivery.events) {
          try {
            // Nested: a savepoint, so one event's failure undoes only that event.
            this.db.transaction(() => {
              this.applyEvent(delivery.tenant.tenantId, event);
              this.sql.noteEvent.run(event.eventId, 'server', delivery.revision, this.clock.now());
            })();
            events.push(event.eventId);
          } catch (error) {
            problems.push({
              eventId: event.eventId,
              reason: error instanceof Error ? error.message : String(error),
            });
          }
        }
        // The revision moves on: a refused event is reported, and comes again when the server redefines it.
        this.sql.setState.run('catalog_revision', String(Math.max(delivery.revision, this.revision())));
        if (problems.length > 0 || delivery.events.length > 0) {
          this.sql.setState.run('catalog_problems', JSON.stringify(problems));
        }
        return { revision: delivery.revision, events, problems };
      })
      .immediate();
  }

  /**
   * The tenant's row carries the settings the local engine reads. A key this terminal does not know
   * (a newer server) is left out rather than refusing every setting.
   */
  private applyTenant(tenant: CatalogReply['tenant']): void {
    const known: SettingsOverride = {};
    for (const key of SETTING_KEYS) {
      const value = (tenant.settings as Record<string, unknown>)[key];
      if (typeof value === 'number') (known as Record<string, number>)[key] = value;
    }
    const settings = settingsProblems(known).length === 0 ? known : {};
    const next = JSON.stringify(settings);
    const before = this.sql.tenant.get(tenant.tenantId);
    this.sql.upsertTenant.run(tenant.tenantId, tenant.name, next, this.clock.now());
    if (before?.settings !== next) {
      this.sql.audit.run(
        this.clock.now(),
        String(tenant.tenantId),
        before?.settings ?? '(none)',
        next,
        'settings from the central server',
      );
    }
  }

  private applyEvent(tenantId: number, event: CatalogEvent): void {
    this.assertIdsFree(event);
    const now = this.clock.now();
    this.sql.venue.run(event.venue.venueId, tenantId, event.venue.name, event.venue.city);
    this.sql.event.run(
      event.eventId,
      tenantId,
      event.venue.venueId,
      event.name,
      event.startsAt,
      event.vesPerUsd,
      now,
    );
    for (const zone of event.zones) {
      this.sql.tier.run(zone.tier.tierId, event.eventId, zone.tier.name, zone.tier.priceCents);
      const box = zone.kind === 'general' ? zone.box : null;
      this.sql.zone.run(
        zone.zoneId,
        event.eventId,
        zone.code,
        zone.name,
        zone.kind,
        zone.kind === 'general' ? zone.capacity : zone.seats.length,
        zone.tier.tierId,
        zone.color,
        box?.x ?? null,
        box?.y ?? null,
        box?.width ?? null,
        box?.height ?? null,
        zone.sort,
      );
      if (zone.kind !== 'numbered') continue;
      for (const s of zone.seats) {
        this.sql.seat.run(
          s.seatId,
          event.eventId,
          zone.zoneId,
          s.label,
          s.row,
          s.number,
          s.x,
          s.y,
          zone.tier.tierId,
        );
      }
    }
  }

  /** Records that a local event is now the venue's (publish-event): its deliveries may update it. */
  markPublished(eventId: number): void {
    this.sql.noteEvent.run(eventId, 'published', this.revision(), this.clock.now());
  }

  /**
   * One id names one thing here too: a delivered event may update only an event the server sent or
   * this terminal published, and none of its ids may belong to another local event.
   */
  private assertIdsFree(event: CatalogEvent): void {
    const local = this.sql.localEvent.get(event.eventId);
    if (local && local.origin === null) {
      throw new Error(
        `local event ${event.eventId} was set up on this terminal, not received from the server; ` +
          'publish it (taquilla publish-event) or enrol a fresh store',
      );
    }
    const clash = (what: string, rows: { id: number; event_id: number }[]) =>
      new Error(
        `${what} ${rows.map((r) => r.id).join(', ')} already belong to local event ${rows[0]!.event_id}; ` +
          'this terminal was set up apart from the server (re-enrol it on a fresh store)',
      );
    const zones = this.sql.zoneOwners.all(JSON.stringify(event.zones.map((z) => z.zoneId)));
    const foreign = zones.filter((z) => z.event_id !== event.eventId);
    if (foreign.length > 0) throw clash('zones', foreign);
    for (const z of zones) {
      const delivered = event.zones.find((d) => d.zoneId === z.id)!;
      if (delivered.kind !== z.kind)
        throw new Error(`zone ${z.id} is ${z.kind} here, ${delivered.kind} at the server`);
    }
    const tiers = this.sql.tierOwners.all(
      JSON.stringify(event.zones.map((z) => z.tier.tierId)),
      event.eventId,
    );
    if (tiers.length > 0) throw clash('price tiers', tiers);
    const seatIds = event.zones.flatMap((z) => (z.kind === 'numbered' ? z.seats.map((s) => s.seatId) : []));
    const seats = this.sql.seatOwners.all(JSON.stringify(seatIds), event.eventId);
    if (seats.length > 0) throw clash('seats', seats);
  }
}

/**
 * A local event as the server's catalogue takes it, with this terminal's ids (publish-event: an event
 * set up on one counter becomes the venue's, and every other counter receives it under these ids).
 */
export function catalogEventFromStore(db: Db, eventId: number, leaseMinutes: number): CatalogEvent {
  const event = db
    .prepare<
      [number],
      {
        name: string;
        starts_at: number;
        ves_per_usd: string;
        venue_id: number;
        venue: string;
        city: string | null;
      }
    >(
      `SELECT e.name, e.starts_at, e.ves_per_usd, e.venue_id, v.name AS venue, v.city
       FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ?`,
    )
    .get(eventId);
  if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
  const zones = db
    .prepare<
      [number],
      {
        id: number;
        code: string;
        name: string;
        kind: 'numbered' | 'general';
        capacity: number;
        color: string | null;
        x: number | null;
        y: number | null;
        width: number | null;
        height: number | null;
        sort: number;
        tier_id: number;
        tier_name: string;
        price_cents: number;
      }
    >(
      `SELECT z.id, z.code, z.name, z.kind, z.capacity, z.color, z.x, z.y, z.width, z.height, z.sort,
              p.id AS tier_id, p.name AS tier_name, p.price_cents
       FROM zones z JOIN price_tiers p ON p.id = z.price_tier_id WHERE z.event_id = ? ORDER BY z.sort, z.id`,
    )
    .all(eventId);
  const seats = db.prepare<
    [number],
    { id: number; label: string; row_label: string; number: number; x: number; y: number }
  >('SELECT id, label, row_label, number, x, y FROM seats WHERE zone_id = ? ORDER BY id');
  return {
    eventId,
    name: event.name,
    startsAt: event.starts_at,
    vesPerUsd: event.ves_per_usd,
    leaseMinutes,
    venue: { venueId: event.venue_id, name: event.venue, city: event.city },
    zones: zones.map((z) => {
      const common = {
        zoneId: z.id,
        code: z.code,
        name: z.name,
        color: z.color,
        sort: z.sort,
        tier: { tierId: z.tier_id, name: z.tier_name, priceCents: z.price_cents },
      };
      if (z.kind === 'general') {
        const box =
          z.x !== null && z.y !== null && z.width !== null && z.height !== null
            ? { x: z.x, y: z.y, width: z.width, height: z.height }
            : null;
        return { kind: 'general' as const, ...common, capacity: z.capacity, box };
      }
      return {
        kind: 'numbered' as const,
        ...common,
        seats: seats
          .all(z.id)
          .map((s) => ({ seatId: s.id, label: s.label, row: s.row_label, number: s.number, x: s.x, y: s.y })),
      };
    }),
  };
}
