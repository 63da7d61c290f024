import type { Db } from '../../store/database.ts';

/**
 * Collects what one write transaction changed, then bumps each touched event's version once and
 * records the changed seats/zones under it: the change feed screens follow.
 */
export class ChangeSet {
  private readonly byEvent = new Map<number, { seats: Set<number>; zones: Set<number> }>();

  seat(eventId: number, zoneId: number, seatId: number | null): void {
    let entry = this.byEvent.get(eventId);
    if (!entry) {
      entry = { seats: new Set(), zones: new Set() };
      this.byEvent.set(eventId, entry);
    }
    if (seatId === null) entry.zones.add(zoneId);
    else entry.seats.add(seatId);
    // A numbered seat's zone is implied by the seat; zone rows are only for general admission.
  }

  get isEmpty(): boolean {
    return this.byEvent.size === 0;
  }

  entries(): IterableIterator<[number, { seats: Set<number>; zones: Set<number> }]> {
    return this.byEvent.entries();
  }
}

export class ChangeFeedWriter {
  private readonly bump;
  private readonly insertSeats;
  private readonly insertZone;

  constructor(db: Db) {
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
  }

  /** Call inside the write transaction, after the changes. Returns the new version per event. */
  flush(changes: ChangeSet): Map<number, number> {
    const versions = new Map<number, number>();
    for (const [eventId, { seats, zones }] of changes.entries()) {
      const row = this.bump.get(eventId);
      if (!row) continue;
      if (seats.size > 0) this.insertSeats.run(eventId, row.version, JSON.stringify([...seats]));
      for (const zoneId of zones) this.insertZone.run(eventId, row.version, zoneId);
      versions.set(eventId, row.version);
    }
    return versions;
  }
}
