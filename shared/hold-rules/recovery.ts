import { allow, type Decision, refuse } from './decision.ts';
import type {
  HeldTicketFact,
  HoldSettings,
  LateZoneHold,
  SeatFact,
  SeatTicketFact,
  ZoneFact,
} from './facts.ts';
import { decideGeneralHold, decideSeatHold, type TicketMove } from './holds.ts';

/**
 * A sale re-sent to a server restored from an older backup (issue 14, "a server that lost data is
 * noticed"): the counter that made it names its places and numbers; the server takes it back, finds
 * it still there, or refuses it because someone else has a place now.
 */

/** The reason the audit trail records for what a recovery writes. */
export const RECOVERED = 'sale re-sent after a server restore';

export interface RecoverSaleFacts {
  now: number;
  settings: HoldSettings;
  /** The transaction the backup has under the sale's id (or its offline sale id); null: none. */
  existing: { transactionId: string; status: string } | null;
  /** The seats the sale names, as asked. */
  requested: readonly number[];
  seats: readonly SeatFact[];
  /** Every live-indexed ticket on those seats. */
  onSeats: readonly SeatTicketFact[];
  /**
   * Transactions whose ACTIVE places step aside for the sale: the sale's own (the backup caught it
   * as a cart or a deposit) and the reporting counter's leases (they held the seats for it).
   */
  own: ReadonlySet<string>;
  /**
   * The highest ticket id the backup brought back (the server's generation mark). A hold or a lease
   * among them in the sale's way had ended before the sale was made (the server sold the place
   * after the backup), so it steps aside too; a deposit (money on it) does not.
   */
  restoredUpTo: number;
  /** The existing transaction's ACTIVE tickets (they step aside whatever their seats). */
  ownTickets: readonly HeldTicketFact[];
  /**
   * Each general zone the sale names (once, with the places it takes in all), its late holds and the
   * places that may step aside (ACTIVE): those of `own` transactions and the holds and leases the
   * backup brought back (`broughtBackHold`'s test), as many as the sale needs.
   */
  zones: readonly {
    zone: ZoneFact;
    quantity: number;
    late: readonly LateZoneHold[];
    placesAside: readonly HeldTicketFact[];
  }[];
  /** The sale's numbers another transaction already has. */
  numbersInUse: readonly number[];
}

export type RecoverSaleEffects =
  | { kind: 'present'; transactionId: string }
  | {
      kind: 'recovered';
      /** The own places in the way, CANCELLED first (standing places back on their zone's count). */
      stepAside: TicketMove[];
      /** Late holds on the seats or zones, EXPIRED. */
      expire: TicketMove[];
      /** The seats sold again, in the order named. */
      seats: SeatFact[];
      /** Standing places sold again. */
      general: { zoneId: number; quantity: number; priceCents: number }[];
      /** The existing cart or deposit becomes the sale (else a new COMPLETED transaction). */
      reuse: boolean;
      numbersInUse: number[];
    };

/**
 * The id of every lease's transaction begins so (server/storage/sql-leases.ts). The server names
 * these transactions itself, unlike sessions, which counters name.
 */
export const LEASE_TRANSACTION_PREFIX = 'lease-';

/** A lease's place (its transaction is a lease's). */
export function isLeasePlace(t: { transactionId: string }): boolean {
  return t.transactionId.startsWith(LEASE_TRANSACTION_PREFIX);
}

/**
 * A live place the backup brought back that gives way to a re-sent sale: a hold (its cart still
 * PENDING) or a lease's place, with a ticket id up to the generation's mark. A deposit keeps its
 * place (a customer paid part of it at the server).
 */
export function broughtBackHold(
  t: Pick<SeatTicketFact, 'ticketId' | 'status' | 'transactionStatus' | 'transactionId'>,
  restoredUpTo: number,
): boolean {
  return (
    t.status === 'ACTIVE' &&
    t.ticketId <= restoredUpTo &&
    (t.transactionStatus === 'PENDING' || isLeasePlace(t))
  );
}

/**
 * What a re-sent sale does. Present when the backup has it sold; otherwise every place is taken
 * again by the hold rules (UNKNOWN_SEAT, SEAT_BLOCKED, SEAT_TAKEN; WRONG_ZONE_KIND, ZONE_FULL) once
 * the sale's own places, this counter's leased places and the holds and leases the backup brought
 * back stepped aside, or the whole sale is refused. No session limit applies (it was sold already).
 */
export function decideRecoverSale(f: RecoverSaleFacts): Decision<RecoverSaleEffects> {
  if (f.existing?.status === 'COMPLETED') {
    return allow({ kind: 'present', transactionId: f.existing.transactionId });
  }
  const settings = { ...f.settings, MAX_RESERVATIONS_PER_USER: Number.MAX_SAFE_INTEGER };
  const session = { sessionId: 'recovery', cartId: null, held: 0 };
  const stepAside = new Map<number, TicketMove>();
  const aside = (ticketId: number, transactionId: string) =>
    stepAside.set(ticketId, { ticketId, transactionId, to: 'CANCELLED', reason: RECOVERED });
  for (const t of f.ownTickets) aside(t.ticketId, t.transactionId);
  const others: SeatTicketFact[] = [];
  for (const t of f.onSeats) {
    if ((t.status === 'ACTIVE' && f.own.has(t.transactionId)) || broughtBackHold(t, f.restoredUpTo)) {
      aside(t.ticketId, t.transactionId);
    } else others.push(t);
  }
  const expire: TicketMove[] = [];
  let seats: SeatFact[] = [];
  if (f.requested.length > 0) {
    const decided = decideSeatHold({
      now: f.now,
      settings,
      requested: f.requested,
      seats: f.seats,
      onSeats: others,
      session,
    });
    if (!decided.ok) return refuse(decided.refusal);
    expire.push(...decided.effects.expire);
    seats = decided.effects.hold;
  }
  const general: { zoneId: number; quantity: number; priceCents: number }[] = [];
  for (const z of f.zones) {
    const freed = decideZoneStepAside(f, z, settings, session);
    if (!freed.ok) return refuse(freed.refusal);
    for (const t of freed.effects.aside) aside(t.ticketId, t.transactionId);
    expire.push(...freed.effects.expire);
    general.push({ zoneId: z.zone.zoneId, quantity: z.quantity, priceCents: z.zone.priceCents });
  }
  return allow({
    kind: 'recovered',
    stepAside: [...stepAside.values()],
    expire: expire.filter((e) => !stepAside.has(e.ticketId)),
    seats,
    general,
    reuse: f.existing !== null,
    numbersInUse: [...f.numbersInUse].sort((a, b) => a - b),
  });
}

/**
 * Which standing places give way in one zone. The sale's own cart or deposit always does. The others
 * (holds, then leases the backup brought back, then this counter's leases taken since; each oldest
 * first) only as far as the sale needs them: the zone had room for the sale when it was made, so no
 * more than that had ended. Taken in that order until the sale fits, then any the sale turns out not to need
 * is kept. Places give way whole (a ticket of several places is not split).
 */
function decideZoneStepAside(
  f: RecoverSaleFacts,
  z: RecoverSaleFacts['zones'][number],
  settings: HoldSettings,
  session: { sessionId: string; cartId: null; held: number },
): Decision<{ aside: HeldTicketFact[]; expire: TicketMove[] }> {
  const mine = z.placesAside.filter((t) => t.transactionId === f.existing?.transactionId);
  // A lease this counter took after the restore is one it sells from now: it gives way last.
  const rank = (t: HeldTicketFact) => (t.ticketId > f.restoredUpTo ? 3 : isLeasePlace(t) ? 2 : 1);
  const others = z.placesAside
    .filter((t) => t.transactionId !== f.existing?.transactionId)
    .sort((a, b) => rank(a) - rank(b) || a.ticketId - b.ticketId);
  const fits = (freeing: readonly HeldTicketFact[]) =>
    decideGeneralHold({
      now: f.now,
      settings,
      zone: { ...z.zone, used: z.zone.used - freeing.reduce((n, t) => n + t.quantity, 0) },
      quantity: z.quantity,
      late: z.late.filter((l) => !freeing.some((t) => t.ticketId === l.ticketId)),
      session,
    });
  const taken: HeldTicketFact[] = [];
  let decided = fits(mine);
  while (!decided.ok && decided.refusal.code === 'ZONE_FULL' && taken.length < others.length) {
    taken.push(others[taken.length]!);
    decided = fits([...mine, ...taken]);
  }
  if (!decided.ok) return refuse(decided.refusal);
  // Keep whichever of them the sale turns out not to need (a later, larger one may have sufficed).
  for (let i = taken.length - 2; i >= 0; i--) {
    const without = taken.filter((_, j) => j !== i);
    const again = fits([...mine, ...without]);
    if (again.ok) {
      taken.splice(i, 1);
      decided = again;
    }
  }
  return allow({ aside: [...mine, ...taken], expire: decided.effects.expire });
}
