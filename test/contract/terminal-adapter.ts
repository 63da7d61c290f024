import { TaquillaError } from '../../shared/errors.ts';
import { smallVenue } from '../support/temp-store.ts';
import { CONTRACT_SETTINGS, type HoldRulesStore, type Outcome } from './hold-rules.contract.ts';

/** The terminal engine (ReservationService) on a real SQLite file, as the contract's store. */
export async function openTerminalStore(): Promise<HoldRulesStore> {
  const v = smallVenue({ settings: CONTRACT_SETTINGS, gaCapacity: 5 });
  const r = v.reservations;
  const actor = 'cajera';
  const eventId = v.eventId;
  const status = v.db.prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?');
  return {
    seatIds: v.seatIds.slice(0, 10),
    gaZoneId: v.gaZoneId,
    advance: (ms) => v.clock.advance(ms),
    holdSeats: async (sessionId, seatIds) =>
      outcome(() => r.holdSeats({ eventId, sessionId, actor, seatIds })),
    holdGeneral: async (sessionId, quantity) =>
      outcome(() => r.holdGeneral({ eventId, sessionId, actor, zoneId: v.gaZoneId, quantity })),
    releaseSeats: async (sessionId, seatIds) =>
      outcome(() => r.releaseSeats({ eventId, sessionId, actor, seatIds })),
    releaseGeneral: async (sessionId) =>
      outcome(() => r.releaseGeneral({ eventId, sessionId, actor, zoneId: v.gaZoneId })),
    extendHolds: async (sessionId, minutes) =>
      outcome(() => r.extendHolds({ eventId, sessionId, actor, ...(minutes ? { minutes } : {}) })),
    convertToPartial: async (transactionId, _total, hours) =>
      outcome(() => r.convertToPartial({ transactionId, actor, hours })),
    complete: async (transactionId) => outcome(() => r.complete({ transactionId, actor })),
    cancel: async (transactionId) => outcome(() => r.cancel({ transactionId, actor, reason: 'contract' })),
    blockSeats: async (seatIds) => outcome(() => r.blockSeats({ eventId, seatIds, actor })),
    sweep: async () => void r.cleanupExpired(),
    transactionStatus: async (id) => status.get(id)?.status ?? null,
    close: async () => v.close(),
  };
}

function outcome(op: () => unknown): Outcome {
  try {
    return { code: null, result: op() as Record<string, unknown> };
  } catch (error) {
    if (error instanceof TaquillaError) {
      return { code: error.code, details: error.details as Record<string, unknown> };
    }
    throw error;
  }
}
