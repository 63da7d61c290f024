import { bestAvailable, type ZoneSeat } from '../../../shared/best-available.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { SEAT_STATE_CODES } from '../../../shared/lifecycle.ts';
import type { AvailabilityService } from './availability-service.ts';
import type { HoldResult, ReservationService } from './reservation-service.ts';

export interface BestAvailableRequest {
  eventId: number;
  zoneId: number;
  quantity: number;
  sessionId: string;
  actor: string;
}

const FREE = SEAT_STATE_CODES.free;

/**
 * Picks the best N adjacent free seats of a zone and holds them in one all-or-nothing write. If a
 * competing session took one of them between the pick and the write, it picks again once from a
 * fresh snapshot; a second loss is reported as it is.
 */
export class BestAvailableService {
  constructor(
    private readonly reservations: ReservationService,
    private readonly availability: AvailabilityService,
  ) {}

  hold(request: BestAvailableRequest): HoldResult {
    for (let attempt = 1; ; attempt++) {
      const seatIds = this.pick(request);
      try {
        return this.reservations.holdSeats({
          eventId: request.eventId,
          sessionId: request.sessionId,
          actor: request.actor,
          seatIds,
        });
      } catch (error) {
        const raced = error instanceof TaquillaError && error.code === 'SEAT_TAKEN';
        if (!raced || attempt >= 2) throw error;
      }
    }
  }

  private pick({ eventId, zoneId, quantity }: BestAvailableRequest): number[] {
    const map = this.availability.seatMap({ eventId });
    const zone = map.zones.find((z) => z.id === zoneId);
    if (!zone)
      throw new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, { zoneId });
    if (zone.kind !== 'numbered') {
      throw new TaquillaError('WRONG_ZONE_KIND', `${zone.name} is general admission: choose a quantity`, {
        zoneId,
        kind: zone.kind,
      });
    }
    const { states } = this.availability.snapshot({ eventId });
    const seats: ZoneSeat[] = [];
    const stateOf = new Map<number, string>();
    const s = map.seats;
    for (let i = 0; i < s.id.length; i++) {
      if (s.zoneId[i] !== zoneId) continue;
      seats.push({ id: s.id[i]!, row: s.row[i]!, number: s.number[i]! });
      stateOf.set(s.id[i]!, states[i]!);
    }
    const best = bestAvailable(seats, (id) => stateOf.get(id) === FREE, quantity);
    if (!best) {
      const free = [...stateOf.values()].filter((c) => c === FREE).length;
      throw new TaquillaError('ZONE_FULL', `${zone.name}: no ${quantity} seats together`, {
        zoneId,
        zoneName: zone.name,
        requested: quantity,
        available: free,
      });
    }
    return best.seatIds;
  }
}
