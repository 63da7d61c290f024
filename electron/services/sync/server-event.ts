import { TaquillaError } from '../../../shared/errors.ts';
import type { ServerEventDefinition } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';

/** The server's view of a local event: what an admin publishes before terminals sell it. */
export function serverEventFromStore(db: Db, eventId: number, leaseMinutes = 240): ServerEventDefinition {
  const event = db.prepare<[number], { name: string }>('SELECT name FROM events WHERE id = ?').get(eventId);
  if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
  const zones = db
    .prepare<
      [number],
      { id: number; name: string; kind: 'numbered' | 'general'; capacity: number; price_cents: number }
    >(
      `SELECT z.id, z.name, z.kind, z.capacity, p.price_cents FROM zones z JOIN price_tiers p ON p.id = z.price_tier_id
       WHERE z.event_id = ? ORDER BY z.sort, z.id`,
    )
    .all(eventId);
  const seats = db.prepare<[number], { id: number; label: string }>(
    'SELECT id, label FROM seats WHERE zone_id = ? ORDER BY id',
  );
  return {
    eventId,
    name: event.name,
    leaseMinutes,
    zones: zones.map((z) =>
      z.kind === 'general'
        ? { kind: 'general', zoneId: z.id, name: z.name, priceCents: z.price_cents, capacity: z.capacity }
        : {
            kind: 'numbered',
            zoneId: z.id,
            name: z.name,
            priceCents: z.price_cents,
            seats: seats.all(z.id).map((s) => ({ seatId: s.id, label: s.label })),
          },
    ),
  };
}
