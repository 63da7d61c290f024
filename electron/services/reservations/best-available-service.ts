import { bestAvailable, type ZoneSeat } from '../../../shared/best-available.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { SEAT_STATE_CODES } from '../../../shared/lifecycle.ts';
import type { AvailabilityService } from './availability-service.ts';
import type { HoldResult } from './reservation-service.ts';

/** Whoever takes the hold: the local engine, or the central server on an enrolled terminal. */
export interface SeatHolder {
  holdSeats(raw: {
    eventId: number;
    sessionId: string;
    actor: string;
    seatIds: number[];
  }): HoldResult | Promise<HoldResult>;
}

export interface BestAvailableRequest {
  eventId: number;
  zoneId: number;
  quantity: number;
  sessionId: string;
  actor: string;
}

const FREE = SEAT_STATE_CODES.free;

const ATTEMPTS = 3;

/**
 * Picks the best N adjacent free seats of a zone and holds them in one all-or-nothing request to
 * whoever decides (the local engine, or the central server on an enrolled terminal). If a competing
 * session took one of them between the pick and the hold, it picks again without the seats the
 * refusal named (this terminal's map may not show them taken yet); a third loss is reported as it is.
 */
export class BestAvailableService {
  constructor(
    private readonly holds: SeatHolder,
    private readonly availability: AvailabilityService,
  ) {}

  async hold(request: BestAvailableRequest): Promise<HoldResult> {
    const taken = new Set<number>();
    for (let attempt = 1; ; attempt++) {
      const seatIds = this.pick(request, taken);
      try {
        return await this.holds.holdSeats({
          eventId: request.eventId,
          sessionId: request.sessionId,
          actor: request.actor,
          seatIds,
        });
      } catch (error) {
        const raced = error instanceof TaquillaError && error.code === 'SEAT_TAKEN';
        if (!raced || attempt >= ATTEMPTS) throw error;
        const named = (error as TaquillaError<'SEAT_TAKEN'>).details.seats.map((s) => s.seatId);
        // A refusal that names no seat (the database's backstop) makes every picked seat suspect.
        for (const id of named.length > 0 ? named : seatIds) taken.add(id);
      }
    }
  }

  private pick({ eventId, zoneId, quantity }: BestAvailableRequest, taken: ReadonlySet<number>): number[] {
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
    const isFree = (id: number) => stateOf.get(id) === FREE && !taken.has(id);
    const best = bestAvailable(seats, isFree, quantity);
    if (!best) {
      const free = seats.filter((s) => isFree(s.id)).length;
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
