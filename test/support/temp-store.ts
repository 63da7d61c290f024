import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, createTenant, createVenue } from '../../electron/services/events/event-setup.ts';
import { AvailabilityService } from '../../electron/services/reservations/availability-service.ts';
import { ReservationService } from '../../electron/services/reservations/reservation-service.ts';
import { SessionService } from '../../electron/services/session/session-service.ts';
import { type Db, openDatabase } from '../../electron/store/database.ts';
import { ManualClock } from '../../shared/clock.ts';

/** A real SQLite file in a fresh temp folder; `remove()` deletes it. */
export function tempDir(prefix = 'taquilla-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const T0 = Date.UTC(2026, 10, 24, 14, 0, 0);

export interface SmallVenue {
  db: Db;
  file: string;
  clock: ManualClock;
  reservations: ReservationService;
  availability: AvailabilityService;
  tenantId: number;
  eventId: number;
  /** Numbered zone "PLA": rows A and B, 10 seats each; ids in row order. */
  seatIds: number[];
  numberedZoneId: number;
  /** General admission "GEN", capacity 5. */
  gaZoneId: number;
  close: () => void;
}

/** A small event on a real database file: 20 numbered seats and a standing zone for 5. */
export function smallVenue(options: { settings?: unknown; gaCapacity?: number } = {}): SmallVenue {
  const { dir, remove } = tempDir();
  const file = join(dir, 'terminal.db');
  const db = openDatabase(file);
  const clock = new ManualClock(T0);
  const tenantId = createTenant(db, 'Prueba', T0, options.settings ?? {});
  const venueId = createVenue(db, tenantId, 'Sala Prueba');
  const seats = ['A', 'B'].flatMap((row, r) =>
    Array.from({ length: 10 }, (_, i) => ({ row, number: i + 1, x: i * 10, y: r * 10 })),
  );
  const created = createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Concierto de prueba',
      startsAt: T0 + 86_400_000,
      vesPerUsd: '36.50',
      zones: [
        { kind: 'numbered', code: 'PLA', name: 'Platea', priceCents: 2500, seats },
        {
          kind: 'general',
          code: 'GEN',
          name: 'General',
          priceCents: 1000,
          capacity: options.gaCapacity ?? 5,
        },
      ],
    },
    T0,
  );
  const [numbered, ga] = created.zones;
  return {
    db,
    file,
    clock,
    reservations: new ReservationService(db, clock),
    availability: new AvailabilityService(db, clock),
    tenantId,
    eventId: created.eventId,
    seatIds: numbered!.seatIds,
    numberedZoneId: numbered!.id,
    gaZoneId: ga!.id,
    close: () => {
      db.close();
      remove();
    },
  };
}

/**
 * A staff member on a test store (PIN 1234; the pepper is a test constant). Returns their id; their
 * payments are recorded under the actor `role:name`, as a signed-in session's.
 */
export async function addStaff(
  db: Db,
  name: string,
  role: 'cashier' | 'supervisor',
  clock = new ManualClock(T0),
): Promise<number> {
  return new SessionService(db, clock, { pepper: Buffer.alloc(32, 7) }).createUser(name, role, '1234');
}
