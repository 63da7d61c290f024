import type { Clock } from '../../../shared/clock.ts';
import { SEAT_STATE_CODES, type SeatState } from '../../../shared/lifecycle.ts';
import type {
  AvailabilityChanges,
  AvailabilitySnapshot,
  MapLandmark,
  MapPoint,
  SeatHolder,
  SeatMap,
  ZoneAvailability,
  ZoneLayout,
} from '../../../shared/schemas/availability.ts';
import { changesQuery, eventQuery } from '../../../shared/schemas/reservations.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { Catalog } from './catalog.ts';

const CODE: Record<SeatState, number> = {
  free: SEAT_STATE_CODES.free.charCodeAt(0),
  held: SEAT_STATE_CODES.held.charCodeAt(0),
  reserved: SEAT_STATE_CODES.reserved.charCodeAt(0),
  sold: SEAT_STATE_CODES.sold.charCodeAt(0),
  blocked: SEAT_STATE_CODES.blocked.charCodeAt(0),
};

/** Above this many changed seats a rebuild is cheaper than patching. */
const PATCH_LIMIT = 5000;

interface Layout {
  map: SeatMap;
  indexOf: SeatPositions;
  zoneIndexOfSeat: Int32Array;
  zones: ZoneLayout[];
}

interface CachedAvailability {
  version: number;
  states: Uint8Array;
  holders: Map<number, SeatHolder>;
  /** Earliest end of a hold in `holders`: after it, the cache must free that seat. */
  nextExpiry: number;
  /**
   * The snapshot's encoded parts while `states` and `holders` are unchanged (the same version, no
   * hold lapsed since): a screen asking again pays neither the 200,000-byte encoding nor the copy of
   * every holder. Dropped whenever the entry is patched or a hold lapses.
   */
  encoded?: { states: string; taken: SeatHolder[]; freeByZone: Int32Array } | undefined;
}

/** seat_id, sold (1: COMPLETED, 0: ACTIVE), reserved_until, session_id */
type LiveSeatRow = [number, number, number, string];

/**
 * A seat id's position in the map's seat order. An event's seats are created together, so their ids
 * are nearly contiguous: a typed array over the id range is several times faster to ask than a Map
 * (a 200,000-seat snapshot asks it once per live ticket). A sparse range falls back to a Map.
 */
class SeatPositions {
  private readonly base: number;
  private readonly dense: Int32Array | null;
  private readonly sparse: Map<number, number> | null;

  constructor(ids: readonly number[]) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const id of ids) {
      if (id < min) min = id;
      if (id > max) max = id;
    }
    this.base = ids.length > 0 ? min : 0;
    const span = ids.length > 0 ? max - min + 1 : 0;
    if (span <= ids.length * 4 + 1024) {
      this.dense = new Int32Array(span).fill(-1);
      this.sparse = null;
      ids.forEach((id, i) => (this.dense![id - this.base] = i));
    } else {
      this.dense = null;
      this.sparse = new Map(ids.map((id, i) => [id, i]));
    }
  }

  get(seatId: number): number | undefined {
    if (this.sparse) return this.sparse.get(seatId);
    const i = this.dense![seatId - this.base];
    return i === undefined || i < 0 ? undefined : i;
  }
}

/** seat_id, state at the central server, until (server_seat_states) */
type ServerSeatRow = [number, 'held' | 'reserved' | 'sold' | 'blocked', number | null];

/**
 * Availability for the screens: the static seat map, a snapshot of every seat's state, and the
 * changes since a version. Snapshots are cached per event and patched from the change feed
 * (selective invalidation), so a 50,000-seat stadium is not rebuilt for every screen.
 */
export class AvailabilityService {
  private readonly catalog: Catalog;
  private readonly layouts = new Map<number, Layout>();
  private readonly cache = new Map<number, CachedAvailability>();
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.catalog = new Catalog(db);
    this.sql = {
      zones: db.prepare<
        [number],
        {
          id: number;
          code: string;
          name: string;
          kind: 'numbered' | 'general';
          capacity: number;
          price_cents: number;
          color: string | null;
          x: number | null;
          y: number | null;
          width: number | null;
          height: number | null;
        }
      >(
        `SELECT z.id, z.code, z.name, z.kind, z.capacity, p.price_cents, z.color, z.x, z.y, z.width, z.height
         FROM zones z JOIN price_tiers p ON p.id = z.price_tier_id WHERE z.event_id = ? ORDER BY z.sort, z.id`,
      ),
      zoneLabels: db.prepare<[number], { zone_id: number; x: number; y: number }>(
        `SELECT l.zone_id, l.x, l.y FROM zone_labels l JOIN zones z ON z.id = l.zone_id
         WHERE z.event_id = ? ORDER BY l.id`,
      ),
      landmarks: db.prepare<
        [number],
        {
          kind: MapLandmark['kind'];
          name: string | null;
          shape: MapLandmark['shape'];
          x: number;
          y: number;
          width: number;
          height: number;
        }
      >(
        `SELECT kind, name, shape, x, y, width, height FROM map_landmarks
         WHERE event_id = ? ORDER BY sort, id`,
      ),
      seats: db
        .prepare<[number], [number, number, string, string, number, number, number, number]>(
          `SELECT s.id, s.zone_id, s.label, s.row_label, s.number, s.x, s.y, p.price_cents
           FROM seats s JOIN price_tiers p ON p.id = s.price_tier_id WHERE s.event_id = ? ORDER BY s.id`,
        )
        .raw(),
      version: db.prepare<[number], { version: number }>('SELECT version FROM events WHERE id = ?'),
      // Raw rows, no join: 50,000-seat events read tens of thousands of these per rebuild.
      // An event's live seats as four parallel JSON arrays in one row: a 200,000-seat event has
      // tens of thousands, and JSON.parse builds them in about half the time better-sqlite3 takes to
      // hand over as many rows. `sold` is a number: no status string per seat.
      liveSeats: db
        .prepare<[number], [string, string, string, string]>(
          `SELECT json_group_array(seat_id), json_group_array(status = 'COMPLETED'),
                  json_group_array(reserved_until), json_group_array(session_id)
           FROM reserved_tickets
           WHERE event_id = ? AND status IN ('ACTIVE', 'COMPLETED') AND seat_id IS NOT NULL`,
        )
        .raw(),
      liveSeatsIn: db
        .prepare<[string], LiveSeatRow>(
          `SELECT seat_id, status = 'COMPLETED' AS sold, reserved_until, session_id FROM reserved_tickets
           WHERE seat_id IN (SELECT value FROM json_each(?)) AND seat_id IS NOT NULL
             AND status IN ('ACTIVE', 'COMPLETED')`,
        )
        .raw(),
      // Which live tickets belong to partial-payment reservations (few, compared with holds).
      reservedSeats: db
        .prepare<[number], [number]>(
          `SELECT t.seat_id FROM transactions x JOIN reserved_tickets t ON t.transaction_id = x.id
           WHERE x.event_id = ? AND x.status = 'RESERVED' AND t.status = 'ACTIVE' AND t.seat_id IS NOT NULL`,
        )
        .raw(),
      reservedSeatsIn: db
        .prepare<[string], [number]>(
          `SELECT t.seat_id FROM reserved_tickets t JOIN transactions x ON x.id = t.transaction_id
           WHERE t.seat_id IN (SELECT value FROM json_each(?)) AND t.status IN ('ACTIVE', 'COMPLETED')
             AND t.status = 'ACTIVE' AND x.status = 'RESERVED'`,
        )
        .raw(),
      blocked: db.prepare<[number], { id: number }>(
        'SELECT id FROM seats WHERE event_id = ? AND blocked = 1',
      ),
      blockedIn: db.prepare<[string], { id: number }>(
        'SELECT id FROM seats WHERE id IN (SELECT value FROM json_each(?)) AND blocked = 1',
      ),
      gaUsage: db.prepare<[number], { id: number; capacity: number; used: number }>(
        `SELECT id, capacity, used FROM zones WHERE event_id = ? AND kind = 'general'`,
      ),
      gaLapsed: db.prepare<[number, number], { q: number }>(
        `SELECT COALESCE(SUM(quantity), 0) AS q FROM reserved_tickets
         WHERE zone_id = ? AND seat_id IS NULL AND status = 'ACTIVE' AND reserved_until <= ?`,
      ),
      oldestChange: db.prepare<[number], { v: number | null }>(
        'SELECT MIN(version) AS v FROM availability_changes WHERE event_id = ?',
      ),
      changedSeats: db
        .prepare<[number, number], [number]>(
          `SELECT DISTINCT seat_id FROM availability_changes
           WHERE event_id = ? AND version > ? AND seat_id IS NOT NULL`,
        )
        .raw(),
      changeCount: db.prepare<[number, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM availability_changes WHERE event_id = ? AND version > ?`,
      ),
      prune: db.prepare<[number, number]>(
        'DELETE FROM availability_changes WHERE event_id = ? AND version <= ?',
      ),
      events: db.prepare<[], { id: number; version: number }>('SELECT id, version FROM events'),
      // An enrolled terminal's view of the other counters: the server's feed (migration 011).
      serverSeats: db
        .prepare<[number], ServerSeatRow>(
          'SELECT seat_id, state, until FROM server_seat_states WHERE event_id = ?',
        )
        .raw(),
      serverSeatsIn: db
        .prepare<[number, string], ServerSeatRow>(
          `SELECT seat_id, state, until FROM server_seat_states
           WHERE event_id = ? AND seat_id IN (SELECT value FROM json_each(?))`,
        )
        .raw(),
      serverZones: db.prepare<[number], { zone_id: number; available: number }>(
        'SELECT zone_id, available FROM server_zone_states WHERE event_id = ?',
      ),
      // Seats leased to this terminal and not sold yet: here they are free to sell, whatever the
      // server shows the rest of the venue.
      ownLeased: db
        .prepare<[number], [number]>(
          `SELECT ls.seat_id FROM sync_lease_seats ls JOIN sync_leases l ON l.id = ls.lease_id
           WHERE l.status = 'OPEN' AND l.event_id = ? AND ls.sold_at IS NULL`,
        )
        .raw(),
    };
  }

  /** The static seat map; rows are in seat-id order, the order of the snapshot's `states`. */
  seatMap(raw: unknown): SeatMap {
    const { eventId } = parseInput(eventQuery, raw);
    return this.layout(eventId).map;
  }

  snapshot(raw: unknown): AvailabilitySnapshot {
    const { eventId } = parseInput(eventQuery, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const layout = this.layout(eventId);
        const current = this.refresh(eventId, layout, now);
        const encoded = (current.encoded ??= {
          states: Buffer.from(
            current.states.buffer,
            current.states.byteOffset,
            current.states.length,
          ).toString('latin1'),
          taken: [...current.holders.values()],
          freeByZone: this.freeByZone(layout, current),
        });
        return {
          eventId,
          version: current.version,
          at: now,
          states: encoded.states,
          // A copy: the cached list stays as built whatever a caller does with its answer.
          taken: encoded.taken.slice(),
          zones: this.zoneAvailability(eventId, layout, current, now),
        };
      })
      .deferred();
  }

  /** What changed since `sinceVersion`: the current state of each changed seat, or a reset. */
  changesSince(raw: unknown): AvailabilityChanges {
    const { eventId, sinceVersion } = parseInput(changesQuery, raw);
    return this.db
      .transaction((): AvailabilityChanges => {
        const now = this.clock.now();
        const layout = this.layout(eventId);
        const version = this.sql.version.get(eventId)!.version;
        const oldest = this.sql.oldestChange.get(eventId)?.v ?? version + 1;
        if (sinceVersion > version || (sinceVersion < version && sinceVersion < oldest - 1)) {
          return { eventId, reset: true, version };
        }
        const current = this.refresh(eventId, layout, now);
        const seats = this.sql.changedSeats.all(eventId, sinceVersion).map(([seatId]) => {
          return (
            current.holders.get(seatId) ?? { seatId, state: 'free' as const, until: null, sessionId: null }
          );
        });
        return {
          eventId,
          reset: false,
          version: current.version,
          at: now,
          seats,
          zones: this.zoneAvailability(eventId, layout, current, now),
        };
      })
      .deferred();
  }

  /** Drops change rows older than the newest `keep` versions of every event. */
  pruneFeed(keep = 20_000): number {
    let removed = 0;
    for (const { id, version } of this.sql.events.all()) {
      removed += this.sql.prune.run(id, version - keep).changes;
    }
    return removed;
  }

  private layout(eventId: number): Layout {
    const cached = this.layouts.get(eventId);
    if (cached) return cached;
    this.catalog.event(eventId);
    const labels = new Map<number, MapPoint[]>();
    for (const { zone_id, x, y } of this.sql.zoneLabels.all(eventId)) {
      const list = labels.get(zone_id) ?? [];
      list.push({ x, y });
      labels.set(zone_id, list);
    }
    const landmarks: MapLandmark[] = this.sql.landmarks.all(eventId).map((l) => ({ ...l }));
    const zones: ZoneLayout[] = this.sql.zones.all(eventId).map((z) => ({
      id: z.id,
      code: z.code,
      name: z.name,
      kind: z.kind,
      capacity: z.capacity,
      priceCents: z.price_cents,
      color: z.color,
      x: z.x,
      y: z.y,
      width: z.width,
      height: z.height,
      labels: labels.get(z.id) ?? [],
    }));
    const rows = this.sql.seats.all(eventId);
    const seats: SeatMap['seats'] = {
      id: [],
      zoneId: [],
      label: [],
      row: [],
      number: [],
      x: [],
      y: [],
      priceCents: [],
    };
    const zoneIndex = new Map(zones.map((z, i) => [z.id, i]));
    const zoneIndexOfSeat = new Int32Array(rows.length);
    rows.forEach(([id, zoneId, label, row, number, x, y, price], i) => {
      seats.id.push(id);
      seats.zoneId.push(zoneId);
      seats.label.push(label);
      seats.row.push(row);
      seats.number.push(number);
      seats.x.push(x);
      seats.y.push(y);
      seats.priceCents.push(price);
      zoneIndexOfSeat[i] = zoneIndex.get(zoneId) ?? -1;
    });
    const indexOf = new SeatPositions(seats.id);
    const layout = { map: { eventId, zones, landmarks, seats }, indexOf, zoneIndexOfSeat, zones };
    this.layouts.set(eventId, layout);
    return layout;
  }

  /** Brings the cached states to the current version and time: patch when little changed, else rebuild. */
  private refresh(eventId: number, layout: Layout, now: number): CachedAvailability {
    const version = this.sql.version.get(eventId)!.version;
    let entry = this.cache.get(eventId);
    if (entry && entry.version !== version) {
      const oldest = this.sql.oldestChange.get(eventId)?.v ?? version + 1;
      const patchable =
        entry.version >= oldest - 1 &&
        entry.version < version &&
        (this.sql.changeCount.get(eventId, entry.version)?.n ?? 0) <= PATCH_LIMIT;
      if (patchable) {
        const changed = this.sql.changedSeats.all(eventId, entry.version).map(([id]) => id);
        this.apply(eventId, entry, layout, changed, now);
        entry.version = version;
        entry.encoded = undefined;
      } else {
        entry = undefined;
      }
    }
    if (!entry) {
      entry = this.build(eventId, layout, version, now);
      this.cache.set(eventId, entry);
    }
    if (now >= entry.nextExpiry) this.lapse(entry, layout, now);
    return entry;
  }

  private build(eventId: number, layout: Layout, version: number, now: number): CachedAvailability {
    const states = new Uint8Array(layout.map.seats.id.length).fill(CODE.free);
    const entry: CachedAvailability = {
      version,
      states,
      holders: new Map(),
      nextExpiry: Number.POSITIVE_INFINITY,
    };
    for (const { id } of this.sql.blocked.all(eventId)) this.mark(entry, layout, id, 'blocked', null, null);
    const reserved = new Set(this.sql.reservedSeats.all(eventId).map(([id]) => id));
    const [seatIds, sold, until, sessions] = this.sql.liveSeats
      .get(eventId)!
      .map((column) => JSON.parse(column) as unknown[]) as [number[], number[], number[], string[]];
    for (let i = 0; i < seatIds.length; i++) {
      this.markTicket(entry, layout, seatIds[i]!, sold[i] === 1, until[i]!, sessions[i]!, reserved, now);
    }
    this.markServer(eventId, entry, layout, this.sql.serverSeats.all(eventId), now);
    return entry;
  }

  /** Re-reads just the given seats (the change feed's selective invalidation). */
  private apply(
    eventId: number,
    entry: CachedAvailability,
    layout: Layout,
    seatIds: number[],
    now: number,
  ): void {
    for (const id of seatIds) {
      const i = layout.indexOf.get(id);
      if (i === undefined) continue;
      entry.states[i] = CODE.free;
      entry.holders.delete(id);
    }
    const ids = JSON.stringify(seatIds);
    for (const { id } of this.sql.blockedIn.all(ids)) this.mark(entry, layout, id, 'blocked', null, null);
    const reserved = new Set(this.sql.reservedSeatsIn.all(ids).map(([id]) => id));
    for (const [seatId, sold, until, sessionId] of this.sql.liveSeatsIn.all(ids)) {
      this.markTicket(entry, layout, seatId, sold === 1, until, sessionId, reserved, now);
    }
    this.markServer(eventId, entry, layout, this.sql.serverSeatsIn.all(eventId, ids), now);
  }

  /**
   * What the rest of the venue holds and sold, as the central server's feed reported it: every seat
   * this store has no live ticket on takes the server's state. This terminal's own tickets (its cart,
   * its sales, its house seats) and its unsold leased seats stay as the local store has them.
   */
  private markServer(
    eventId: number,
    entry: CachedAvailability,
    layout: Layout,
    rows: ServerSeatRow[],
    now: number,
  ): void {
    if (rows.length === 0) return;
    const leased = new Set(this.sql.ownLeased.all(eventId).map(([id]) => id));
    for (const [seatId, state, until] of rows) {
      if (entry.holders.has(seatId) || leased.has(seatId)) continue;
      if (until !== null && until <= now) continue;
      this.mark(entry, layout, seatId, state, until, null);
      if (until !== null && until < entry.nextExpiry) entry.nextExpiry = until;
    }
  }

  /** Frees seats whose hold ended: no write happened, time alone released them. */
  private lapse(entry: CachedAvailability, layout: Layout, now: number): void {
    entry.encoded = undefined;
    let next = Number.POSITIVE_INFINITY;
    for (const [seatId, holder] of entry.holders) {
      if (holder.until === null) continue;
      if (holder.until <= now) {
        entry.holders.delete(seatId);
        const i = layout.indexOf.get(seatId);
        if (i !== undefined) entry.states[i] = CODE.free;
      } else if (holder.until < next) {
        next = holder.until;
      }
    }
    entry.nextExpiry = next;
  }

  private markTicket(
    entry: CachedAvailability,
    layout: Layout,
    seatId: number,
    sold: boolean,
    until: number,
    sessionId: string,
    reserved: Set<number>,
    now: number,
  ): void {
    if (sold) {
      this.mark(entry, layout, seatId, 'sold', null, sessionId);
    } else if (until > now) {
      this.mark(entry, layout, seatId, reserved.has(seatId) ? 'reserved' : 'held', until, sessionId);
      if (until < entry.nextExpiry) entry.nextExpiry = until;
    }
  }

  private mark(
    entry: CachedAvailability,
    layout: Layout,
    seatId: number,
    state: SeatState,
    until: number | null,
    sessionId: string | null,
  ): void {
    const i = layout.indexOf.get(seatId);
    if (i === undefined) return;
    entry.states[i] = CODE[state];
    entry.holders.set(seatId, { seatId, state, until, sessionId });
  }

  /** Free numbered seats per zone (layout.zones order), counted from the states. */
  private freeByZone(layout: Layout, entry: CachedAvailability): Int32Array {
    const freeByZone = new Int32Array(layout.zones.length);
    const { states } = entry;
    for (let i = 0; i < states.length; i++) {
      if (states[i] === CODE.free) {
        const z = layout.zoneIndexOfSeat[i]!;
        if (z >= 0) freeByZone[z]! += 1;
      }
    }
    return freeByZone;
  }

  private zoneAvailability(
    eventId: number,
    layout: Layout,
    entry: CachedAvailability,
    now: number,
  ): ZoneAvailability[] {
    const freeByZone = entry.encoded?.freeByZone ?? this.freeByZone(layout, entry);
    const ga = new Map(this.sql.gaUsage.all(eventId).map((z) => [z.id, z]));
    const venue = new Map(this.sql.serverZones.all(eventId).map((z) => [z.zone_id, z.available]));
    return layout.zones.map((zone, i) => {
      const usage = ga.get(zone.id);
      if (usage) {
        // `used` still counts holds whose time ran out before cleanup; they block nobody.
        const lapsed = this.sql.gaLapsed.get(zone.id, now)?.q ?? 0;
        const here = usage.capacity - usage.used + lapsed;
        // Enrolled: the venue's places left (this terminal's own holds included, once the feed has
        // them; until then its own count is the smaller).
        const atServer = venue.get(zone.id);
        const free = atServer === undefined ? here : Math.min(here, atServer);
        return { zoneId: zone.id, capacity: usage.capacity, free: Math.max(0, free) };
      }
      return { zoneId: zone.id, capacity: zone.capacity, free: freeByZone[i]! };
    });
  }
}
