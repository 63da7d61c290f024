import type { AvailabilityDelta } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import { ChangeFeedWriter, ChangeSet } from '../reservations/change-set.ts';
import type { ServerReply } from './hold-server-client.ts';
import { type LiveEndpoint, LiveAvailability } from './live-availability.ts';

/** What the feed needs from the terminal's link to the server (the SyncEngine provides it). */
export interface VenueLink {
  /** The live feed's endpoint now: the server the terminal talks to, and its credential. */
  endpoint(): LiveEndpoint | null;
  /** A GET through the terminal's own client (its deadline, its failover). */
  get(path: string): Promise<ServerReply>;
  online(): boolean;
  /** Called when the link goes up or down (the heartbeat's verdict). */
  onLinkChange(listener: (online: boolean) => void): () => void;
}

export interface VenueFeedOptions {
  /** Ping interval of the live sockets: a stalled feed is noticed in about two of these. */
  pingMs?: number;
  reconnectMs?: number;
  /** How often events not (yet) published at the server are asked about again. */
  probeMs?: number;
}

export type VenueFeedState = 'live' | 'down';

/**
 * Keeps this terminal's copy of the venue's map: follows the central server's change feed
 * (WebSocket, server/live.ts) for every event it sells, and writes what other counters hold and sold
 * into `server_seat_states` in the same transaction as the local change-feed rows that announce it,
 * so the screens' live channel pushes it like any local change. A reconnect resumes from the last
 * version applied, so nothing changed meanwhile is missed.
 */
export class VenueFeed {
  private readonly follows = new Map<number, LiveAvailability>();
  /** Events the server does not know: asked again at this time. */
  private readonly unpublished = new Map<number, number>();
  private readonly listeners = new Set<(eventId: number) => void>();
  private readonly writer: ChangeFeedWriter;
  private readonly sql;
  private readonly options: Required<VenueFeedOptions>;
  private running = false;
  private scanning: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private offLink: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly link: VenueLink,
    options: VenueFeedOptions = {},
  ) {
    this.options = {
      pingMs: options.pingMs ?? 700,
      reconnectMs: options.reconnectMs ?? 300,
      probeMs: options.probeMs ?? 15_000,
    };
    this.writer = new ChangeFeedWriter(db);
    this.sql = {
      events: db.prepare<[], { id: number }>('SELECT id FROM events ORDER BY id'),
      version: db.prepare<[number], { version: number }>(
        'SELECT version FROM server_feed_versions WHERE event_id = ?',
      ),
      setVersion: db.prepare<[number, number]>(
        `INSERT INTO server_feed_versions (event_id, version) VALUES (?, ?)
         ON CONFLICT (event_id) DO UPDATE SET version = excluded.version`,
      ),
      dropSeat: db.prepare<[number, number]>(
        'DELETE FROM server_seat_states WHERE event_id = ? AND seat_id = ?',
      ),
      putSeat: db.prepare<[number, number, string, number | null]>(
        `INSERT INTO server_seat_states (event_id, seat_id, state, until) VALUES (?, ?, ?, ?)
         ON CONFLICT (event_id, seat_id) DO UPDATE SET state = excluded.state, until = excluded.until`,
      ),
      putZone: db.prepare<[number, number, number]>(
        `INSERT INTO server_zone_states (event_id, zone_id, available) VALUES (?, ?, ?)
         ON CONFLICT (event_id, zone_id) DO UPDATE SET available = excluded.available`,
      ),
      knownSeats: db.prepare<[number, string], { id: number }>(
        'SELECT id FROM seats WHERE event_id = ? AND id IN (SELECT value FROM json_each(?))',
      ),
      // House seats are the server's decision: its feed blocks and unblocks them in this store too, so
      // this counter's own hold rules refuse them (SEAT_BLOCKED), with or without the server. The feed
      // carries no reason: a seat blocked at another counter keeps none here (its label is shown).
      houseSeat: db.prepare<{ blocked: 0 | 1; eventId: number; seatId: number }>(
        `UPDATE seats SET blocked = @blocked, blocked_reason = CASE WHEN @blocked = 1 THEN blocked_reason END
         WHERE event_id = @eventId AND id = @seatId AND blocked <> @blocked`,
      ),
      resetEvent: db.prepare<[number]>('DELETE FROM server_seat_states WHERE event_id = ?'),
      resetZones: db.prepare<[number]>('DELETE FROM server_zone_states WHERE event_id = ?'),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.offLink = this.link.onLinkChange((online) => {
      if (!online) return;
      // The link is back: every socket reconnects now (from its last version), not at its next try.
      for (const follow of this.follows.values()) follow.reconnectNow();
      void this.scan();
    });
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.options.probeMs);
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    this.offLink?.();
    for (const follow of this.follows.values()) follow.close();
    this.follows.clear();
  }

  /** 'live' only while the server is reachable and every published event's socket is up. */
  state(): VenueFeedState {
    if (!this.link.online() || this.follows.size === 0) return 'down';
    for (const follow of this.follows.values()) if (!follow.isUp) return 'down';
    return 'live';
  }

  /** Called after each applied delta has committed (the screens' live channel pushes at once). */
  onApplied(listener: (eventId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts following every local event the server knows (and asks again about the others later). */
  private scan(): Promise<void> {
    // Cleared in .finally (a later microtask), never before the field is set.
    this.scanning ??= this.scanNow().finally(() => {
      this.scanning = null;
    });
    return this.scanning;
  }

  private async scanNow(): Promise<void> {
    for (const { id } of this.sql.events.all()) {
      if (!this.running) return;
      if (this.follows.has(id) || (this.unpublished.get(id) ?? 0) > Date.now()) continue;
      await this.follow(id);
    }
  }

  private async follow(eventId: number): Promise<void> {
    const since = this.sql.version.get(eventId)?.version ?? 0;
    let reply: ServerReply;
    try {
      reply = await this.link.get(`/v1/events/${eventId}/changes?since=${since}`);
    } catch {
      return; // unreachable: the next scan (or the link coming back) tries again
    }
    if (reply.error) {
      // Not published at the server (yet): this terminal's map of it is its own.
      if (reply.error.code === 'UNKNOWN_EVENT') {
        this.unpublished.set(eventId, Date.now() + this.options.probeMs);
      }
      return;
    }
    if (!this.running || this.follows.has(eventId)) return;
    const delta = reply.result as AvailabilityDelta;
    // The server's feed is behind this copy (its database was replaced): start the copy again.
    if (delta.version < since) {
      this.db.transaction(() => {
        this.sql.resetEvent.run(eventId);
        this.sql.resetZones.run(eventId);
        this.sql.setVersion.run(eventId, 0);
      })();
      return this.follow(eventId);
    }
    this.apply(delta);
    this.follows.set(
      eventId,
      new LiveAvailability({
        endpoint: () => this.link.endpoint(),
        eventId,
        since: delta.version,
        onDelta: (d) => this.apply(d),
        pingMs: this.options.pingMs,
        reconnectMs: this.options.reconnectMs,
      }),
    );
  }

  /** Writes one delta of the server's feed; the screens hear of it through the local change feed. */
  private apply(delta: AvailabilityDelta): void {
    const { eventId } = delta;
    const applied = this.db
      .transaction(() => {
        let at = this.sql.version.get(eventId)?.version ?? 0;
        if (delta.version < at && delta.fromVersion === 0) {
          // The whole event at a lower version: the server's database was restored from an older
          // backup. Its map as it is now replaces this copy.
          this.sql.resetEvent.run(eventId);
          this.sql.resetZones.run(eventId);
          this.sql.setVersion.run(eventId, 0);
          at = 0;
        }
        if (delta.version <= at) return false;
        const changes = new ChangeSet();
        const known = new Set(
          this.sql.knownSeats.all(eventId, JSON.stringify(delta.seats.map((s) => s.seatId))).map((s) => s.id),
        );
        for (const seat of delta.seats) {
          if (!known.has(seat.seatId)) continue;
          if (seat.state === 'free') this.sql.dropSeat.run(eventId, seat.seatId);
          else this.sql.putSeat.run(eventId, seat.seatId, seat.state, seat.until ?? null);
          this.sql.houseSeat.run({ blocked: seat.state === 'blocked' ? 1 : 0, eventId, seatId: seat.seatId });
          changes.seat(eventId, 0, seat.seatId);
        }
        for (const zone of delta.zones) {
          this.sql.putZone.run(eventId, zone.zoneId, zone.available);
          changes.seat(eventId, zone.zoneId, null);
        }
        this.sql.setVersion.run(eventId, Math.max(at, delta.version));
        this.writer.flush(changes);
        return !changes.isEmpty;
      })
      .immediate();
    if (applied) for (const listener of this.listeners) listener(eventId);
  }
}
