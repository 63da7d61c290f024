import type { EventSummary } from '../../../shared/api/counter.ts';
import type { Db } from '../../store/database.ts';

/** The events a cashier can pick, with venue, rate and number of places. */
export class EventList {
  private readonly all;

  constructor(db: Db) {
    this.all = db.prepare<[], EventSummary>(
      `SELECT e.id, e.name, v.name AS venue, e.starts_at AS startsAt, e.ves_per_usd AS vesPerUsd,
         (SELECT COALESCE(SUM(capacity), 0) FROM zones z WHERE z.event_id = e.id) AS seats
       FROM events e JOIN venues v ON v.id = e.venue_id ORDER BY e.starts_at, e.id`,
    );
  }

  list(): EventSummary[] {
    return this.all.all();
  }
}
