import type { CaseName } from './hold-rules.contract.ts';

/**
 * Cases the central server (both backends) still fails: the differences issue 13 lists, until the
 * server stores decide through shared/hold-rules. Remove a pin when its case passes.
 */
export const SERVER_PINS: Partial<Record<CaseName, string>> = {
  // holdGeneral checks the session limit before capacity: LIMIT_REACHED where the terminal says ZONE_FULL.
  gaOrder: 'server checks the session limit before capacity',
  // A reservation's tickets expire (another session's hold) but the empty RESERVED transaction stays RESERVED.
  emptiedReservation: 'server closes only empty PENDING carts, never an empty reservation',
  // expireHolds moves tickets to EXPIRED but closes no transaction: the emptied cart stays PENDING.
  sweepCart: 'server sweeper closes no emptied cart',
  // expireHolds touches only PENDING carts' tickets: a deposit whose time ran out stays RESERVED.
  sweepReservation: 'server sweeper never expires a reservation',
  // No block-seats operation: house seats blocked at a counter are unknown to the server.
  houseSeats: 'server has no block-seats operation',
};
