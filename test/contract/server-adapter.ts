import type { HoldStore } from '../../server/storage/hold-store.ts';
import type { ServerEventDefinition, ServerOperation } from '../../shared/schemas/sync.ts';
import { cash } from '../support/cash-payment.ts';
import { T0 } from '../support/temp-store.ts';
import {
  CONTRACT_SETTINGS,
  GA_CENTS,
  type HoldRulesStore,
  type Outcome,
  SEAT_CENTS,
} from './hold-rules.contract.ts';

const EVENT_ID = 7;
const GA_ZONE = 12;
const SEATS = Array.from({ length: 10 }, (_, i) => 101 + i);

/** The contract's event as a terminal publishes it to the server. */
const EVENT: ServerEventDefinition = {
  eventId: EVENT_ID,
  name: 'Concierto',
  leaseMinutes: 60,
  zones: [
    {
      kind: 'numbered',
      zoneId: 11,
      name: 'Platea',
      priceCents: SEAT_CENTS,
      seats: SEATS.map((seatId, i) => ({ seatId, label: `PLA-A-${i + 1}` })),
    },
    { kind: 'general', zoneId: GA_ZONE, name: 'General', priceCents: GA_CENTS, capacity: 5 },
  ],
};

export interface ServerBackend {
  store: HoldStore;
  /** A transaction's status read straight from the server's database. */
  status(transactionId: string): Promise<string | null>;
  close(): Promise<void>;
}

/** The central server's HoldStore (any backend) as the contract's store, through `execute` as the HTTP API calls it. */
export async function openServerStore(backend: ServerBackend): Promise<HoldRulesStore> {
  const { store } = backend;
  const tenant = await store.createTenant('Contrato', CONTRACT_SETTINGS, T0);
  await store.putEvent(tenant, EVENT, T0);
  let now = T0;
  const actor = 'cajera';
  const eventId = EVENT_ID;
  const run = async (op: ServerOperation, input: Record<string, unknown>): Promise<Outcome> => {
    const reply = await store.execute(tenant, 1, op, input, now, null);
    const { error, result } = reply.body;
    if (error) return { code: error.code, details: (error.details ?? {}) as Record<string, unknown> };
    return { code: null, result: result as Record<string, unknown> };
  };
  return {
    seatIds: SEATS,
    gaZoneId: GA_ZONE,
    advance: (ms) => {
      now += ms;
    },
    holdSeats: (sessionId, seatIds) => run('holdSeats', { eventId, sessionId, actor, seatIds }),
    holdGeneral: (sessionId, quantity) =>
      run('holdGeneral', { eventId, sessionId, actor, zoneId: GA_ZONE, quantity }),
    releaseSeats: (sessionId, seatIds) => run('releaseSeats', { eventId, sessionId, actor, seatIds }),
    releaseGeneral: (sessionId) => run('releaseGeneral', { eventId, sessionId, actor, zoneId: GA_ZONE }),
    extendHolds: (sessionId, minutes) =>
      run('extendHolds', { eventId, sessionId, actor, ...(minutes ? { minutes } : {}) }),
    convertToPartial: (transactionId, total, hours) =>
      run('convertToPartial', {
        transactionId,
        actor,
        hours,
        payment: cash(total, Math.floor(total / 2), 'DEPOSIT'),
      }),
    complete: (transactionId, total) => run('complete', { transactionId, actor, payment: cash(total) }),
    cancel: (transactionId) => run('cancel', { transactionId, actor, reason: 'contract' }),
    blockSeats: (seatIds) => run('blockSeats', { eventId, actor, seatIds }),
    sweep: async () => void (await store.expireHolds(tenant, now)),
    transactionStatus: (id) => backend.status(id),
    close: () => backend.close(),
  };
}
