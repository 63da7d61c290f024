import type { Clock } from '../../../shared/clock.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import type { Db } from '../../store/database.ts';

export interface ContestedSeat {
  seatId: number;
  label: string;
  refused: number;
  lastAt: number;
}

export interface EventReservationStats {
  eventId: number;
  name: string;
  startsAt: number;
  /** The event's availability version (the live feed's), for a screen that follows changes after it. */
  version: number;
  /** Seats and general-admission places currently in temporary holds (time not yet run out). */
  activeHolds: number;
  /** Places kept by partial-payment reservations still in time. */
  reserved: number;
  reservationsOpen: number;
  sold: number;
  /** Live holds and reservations whose time runs out within the next hour. */
  expiringWithinHour: number;
  expired: number;
  cancelled: number;
  /** sold / (sold + expired + cancelled) by places; null before anything has settled. */
  conversionRate: number | null;
  /** Carts that ended without a sale (expired or released before checkout). */
  abandonedCarts: number;
  contested: ContestedSeat[];
}

export interface ReservationStats {
  at: number;
  events: EventReservationStats[];
}

/** The figures of the seed's reservation_stats and of the supervisor dashboard, from one place. */
export class ReservationStatsService {
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      events: db.prepare<
        [{ event: number | null }],
        { id: number; name: string; starts_at: number; version: number }
      >(
        'SELECT id, name, starts_at, version FROM events WHERE (@event IS NULL OR id = @event) ORDER BY starts_at, id',
      ),
      tickets: db.prepare<
        [{ event: number; now: number; soon: number }],
        { tx_status: string; status: string; q: number; live: number; expiring: number }
      >(
        `SELECT x.status AS tx_status, t.status, SUM(t.quantity) AS q,
           SUM(CASE WHEN t.status = 'ACTIVE' AND t.reserved_until > @now THEN t.quantity ELSE 0 END) AS live,
           SUM(CASE WHEN t.status = 'ACTIVE' AND t.reserved_until > @now AND t.reserved_until <= @soon
                    THEN t.quantity ELSE 0 END) AS expiring
         FROM transactions x CROSS JOIN reserved_tickets t ON t.transaction_id = x.id
         WHERE x.event_id = @event AND t.event_id = @event
           -- Every status, stated: the event's transactions by transactions_by_status, then their
           -- tickets (tickets_by_event_status holds live tickets only, migration 035).
           AND x.status IN ('PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED')
         GROUP BY x.status, t.status`,
      ),
      openReservations: db.prepare<[number, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM transactions WHERE event_id = ? AND status = 'RESERVED' AND reserved_until > ?`,
      ),
      abandoned: db.prepare<[number], { n: number }>(
        `SELECT COUNT(*) AS n FROM audit_log a JOIN transactions x ON x.id = a.entity_id
         WHERE a.entity = 'transaction' AND a.from_state = 'PENDING' AND a.to_state IN ('EXPIRED', 'CANCELLED')
           AND x.event_id = ?`,
      ),
      contested: db.prepare<[number, number], ContestedSeat>(
        `SELECT c.seat_id AS seatId, s.label, c.refused, c.last_at AS lastAt
         FROM seat_contention c JOIN seats s ON s.id = c.seat_id
         WHERE c.event_id = ? ORDER BY c.refused DESC, c.last_at DESC LIMIT ?`,
      ),
    };
  }

  stats(options: { eventId?: number; contestedLimit?: number } = {}): ReservationStats {
    const now = this.clock.now();
    const events = this.sql.events.all({ event: options.eventId ?? null }).map((event) => {
      let activeHolds = 0;
      let reserved = 0;
      let sold = 0;
      let expiring = 0;
      let expired = 0;
      let cancelled = 0;
      for (const row of this.sql.tickets.all({ event: event.id, now, soon: now + HOUR_MS })) {
        if (row.status === 'ACTIVE') {
          if (row.tx_status === 'RESERVED') reserved += row.live;
          else activeHolds += row.live;
          expiring += row.expiring;
          expired += row.q - row.live; // time ran out, cleanup not yet run
        } else if (row.status === 'COMPLETED') sold += row.q;
        else if (row.status === 'EXPIRED') expired += row.q;
        else if (row.status === 'CANCELLED') cancelled += row.q;
      }
      const settled = sold + expired + cancelled;
      return {
        eventId: event.id,
        name: event.name,
        startsAt: event.starts_at,
        version: event.version,
        activeHolds,
        reserved,
        reservationsOpen: this.sql.openReservations.get(event.id, now)?.n ?? 0,
        sold,
        expiringWithinHour: expiring,
        expired,
        cancelled,
        conversionRate: settled === 0 ? null : sold / settled,
        abandonedCarts: this.sql.abandoned.get(event.id)?.n ?? 0,
        contested: this.sql.contested.all(event.id, options.contestedLimit ?? 10),
      };
    });
    return { at: now, events };
  }
}
