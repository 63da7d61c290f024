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
   * places that may step aside (ACTIVE): those of `own` transactions (they do), and the holds and
   * leases the backup brought back (`broughtBackHold`'s test; as many as the sale needs).
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

/** The session of a lease's places (server/storage/sql-leases.ts). */
export const LEASE_SESSION_PREFIX = 'lease:';

/**
 * A live place the backup brought back that gives way to a re-sent sale: a hold (its cart still
 * PENDING) or a lease's place, with a ticket id up to the generation's mark. A deposit keeps its
 * place (a customer paid part of it at the server).
 */
export function broughtBackHold(
  t: Pick<SeatTicketFact, 'ticketId' | 'status' | 'transactionStatus' | 'sessionId'>,
  restoredUpTo: number,
): boolean {
  return (
    t.status === 'ACTIVE' &&
    t.ticketId <= restoredUpTo &&
    (t.transactionStatus === 'PENDING' || t.sessionId.startsWith(LEASE_SESSION_PREFIX))
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
    // Own places always step aside; places the backup brought back only as far as the sale needs
    // them, oldest first: the zone had room for the sale when it was made, so at most those had ended.
    const back = z.placesAside
      .filter((t) => !f.own.has(t.transactionId))
      .sort((a, b) => a.ticketId - b.ticketId);
    const freeing = z.placesAside.filter((t) => f.own.has(t.transactionId));
    for (;;) {
      const decided = decideGeneralHold({
        now: f.now,
        settings,
        zone: { ...z.zone, used: z.zone.used - freeing.reduce((n, t) => n + t.quantity, 0) },
        quantity: z.quantity,
        late: z.late.filter((l) => !freeing.some((t) => t.ticketId === l.ticketId)),
        session,
      });
      if (decided.ok) {
        for (const t of freeing) aside(t.ticketId, t.transactionId);
        expire.push(...decided.effects.expire);
        break;
      }
      if (decided.refusal.code !== 'ZONE_FULL' || back.length === 0) return refuse(decided.refusal);
      freeing.push(back.shift()!);
    }
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
