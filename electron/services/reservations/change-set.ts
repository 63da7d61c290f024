import type { Db } from '../../store/database.ts';
import { ensureLateTickets } from './late-tickets.ts';

/**
 * Collects what one write transaction changed, then bumps each touched event's version once and
 * records the changed seats/zones under it: the change feed screens follow.
 */
export class ChangeSet {
  private readonly byEvent = new Map<number, ChangedInEvent>();

  seat(eventId: number, zoneId: number, seatId: number | null): void {
    const entry = this.entry(eventId);
    if (seatId === null) entry.zones.add(zoneId);
    else entry.seats.add(seatId);
    // A numbered seat's zone is implied by the seat; zone rows are only for general admission.
  }

  /** Every ticket of this event in the connection's cleanup batch (temp.late_tickets) changed. */
  lateTickets(eventId: number): void {
    this.entry(eventId).late = true;
  }

  private entry(eventId: number): ChangedInEvent {
    let entry = this.byEvent.get(eventId);
    if (!entry) {
      entry = { seats: new Set(), zones: new Set(), late: false };
      this.byEvent.set(eventId, entry);
    }
    return entry;
  }

  get isEmpty(): boolean {
    return this.byEvent.size === 0;
  }

  entries(): IterableIterator<[number, ChangedInEvent]> {
    return this.byEvent.entries();
  }
}

interface ChangedInEvent {
  seats: Set<number>;
  zones: Set<number>;
  /** The event's tickets in temp.late_tickets (HoldWriter.expireLateBatch), written set-based. */
  late: boolean;
}

export class ChangeFeedWriter {
  private readonly bump;
  private readonly insertSeats;
  private readonly insertZone;
  private readonly insertLate;

  constructor(db: Db) {
    ensureLateTickets(db);
    this.bump = db.prepare<[number], { version: number }>(
      'UPDATE events SET version = version + 1 WHERE id = ? RETURNING version',
    );
    this.insertSeats = db.prepare<[number, number, string]>(
      `INSERT INTO availability_changes (event_id, version, seat_id, zone_id)
       SELECT ?, ?, s.id, s.zone_id FROM json_each(?) j JOIN seats s ON s.id = j.value`,
    );
    this.insertZone = db.prepare<[number, number, number]>(
      'INSERT INTO availability_changes (event_id, version, seat_id, zone_id) VALUES (?, ?, NULL, ?)',
    );
    // Seats one row each; a general-admission zone one row however many of its tickets expired.
    this.insertLate = db.prepare<[{ event: number; version: number }]>(
      `INSERT INTO availability_changes (event_id, version, seat_id, zone_id)
       SELECT @event, @version, seat_id, zone_id FROM temp.late_tickets
       WHERE event_id = @event AND seat_id IS NOT NULL
       UNION ALL
       SELECT DISTINCT @event, @version, NULL, zone_id FROM temp.late_tickets
       WHERE event_id = @event AND seat_id IS NULL`,
    );
  }

  /** Call inside the write transaction, after the changes. Returns the new version per event. */
  flush(changes: ChangeSet): Map<number, number> {
    const versions = new Map<number, number>();
    for (const [eventId, { seats, zones, late }] of changes.entries()) {
      const row = this.bump.get(eventId);
      if (!row) continue;
      if (seats.size > 0) this.insertSeats.run(eventId, row.version, JSON.stringify([...seats]));
      for (const zoneId of zones) this.insertZone.run(eventId, row.version, zoneId);
      if (late) this.insertLate.run({ event: eventId, version: row.version });
      versions.set(eventId, row.version);
    }
    return versions;
  }
}
