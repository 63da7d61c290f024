import { z } from 'zod';
import { id } from './schemas/reservations.ts';

/**
 * A venue's lease policy for one event (issue 14): what each counter carries to sell offline, for how
 * long, when it renews and when it gives unsold places back. Set by a supervisor at the server, for
 * every counter (the default) or for one counter; each counter keeps its lease by it while online
 * (electron/services/sync/lease-keeper.ts). Every decision is made here, from facts passed in.
 */
export const leasePolicySpec = z
  .object({
    /** Seats of numbered zones each counter carries: the first `count` free seats of each zone. */
    seats: z
      .array(z.object({ zoneId: id, count: z.number().int().min(1).max(2000) }).strict())
      .max(50)
      .default([]),
    /** Standing places of one general-admission zone (a lease carries one such zone). */
    general: z
      .object({ zoneId: id, quantity: z.number().int().min(1).max(10_000) })
      .strict()
      .nullable()
      .default(null),
    /** Ticket numbers each lease carries; default one per place plus half again. */
    ticketNumbers: z.number().int().min(1).max(100_000).optional(),
    /** How long a lease (and each renewal) lasts, in minutes. */
    durationMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60),
    /**
     * Renewed while online once this little of it is left, in minutes (less than the duration);
     * default a quarter of the duration.
     */
    renewBeforeMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
    /** A lease smaller than this many places is not worth taking (the event is short: none is taken). */
    minPlaces: z.number().int().min(1).max(12_000).default(1),
    /**
     * Nearly sold out: while fewer places than this are free for everyone, counters online give their
     * unsold leased places back and take no new lease. 0: never.
     */
    soldOutBelow: z.number().int().min(0).max(1_000_000).default(0),
    /** Back online after an outage, a counter gives its leases back and takes a fresh one. */
    returnOnReconnect: z.boolean().default(false),
  })
  .strict()
  .transform((p) => ({
    ...p,
    renewBeforeMinutes: p.renewBeforeMinutes ?? Math.max(1, Math.floor(p.durationMinutes / 4)),
  }))
  .refine((p) => p.seats.length > 0 || p.general !== null, {
    message: 'a lease policy carries seats (seats: [{zoneId, count}]) or standing places (general)',
  })
  .refine((p) => p.renewBeforeMinutes < p.durationMinutes, {
    message: 'renewBeforeMinutes must be less than durationMinutes',
    path: ['renewBeforeMinutes'],
  })
  .refine((p) => new Set(p.seats.map((s) => s.zoneId)).size === p.seats.length, {
    message: 'a zone appears twice in seats',
    path: ['seats'],
  })
  .refine((p) => policyPlaces(p) >= p.minPlaces, {
    message: 'minPlaces is more than the policy carries',
    path: ['minPlaces'],
  })
  .superRefine((p, ctx) => {
    // One number per ticket: a lease with fewer numbers than places could not number its tickets.
    const places = policyPlaces(p);
    if (p.ticketNumbers !== undefined && p.ticketNumbers < places) {
      ctx.addIssue({
        code: 'custom',
        path: ['ticketNumbers'],
        message: `ticketNumbers must be at least ${places}, the places the policy carries (one number per ticket)`,
      });
    }
  });
export type LeasePolicy = z.output<typeof leasePolicySpec>;
export type LeasePolicyInput = z.input<typeof leasePolicySpec>;

/** A policy as stored at the server: for one event, for one counter or (credentialId null) every one. */
export const leasePolicyEntry = z.object({
  eventId: z.number().int(),
  /** The counter it is for; null: every counter without its own. */
  credentialId: z.number().int().nullable(),
  policy: leasePolicySpec,
  /** Server time it was set (a recall before this no longer holds back new leases). */
  setAt: z.number().int(),
  setBy: z.string(),
});
export type LeasePolicyEntry = z.infer<typeof leasePolicyEntry>;

/** What the heartbeat tells a counter about its leases: its policies, and what was recalled. */
export const leaseInstructions = z.object({
  /** The policy in force for this counter, per event (its own, else the default). */
  policies: z.array(leasePolicyEntry),
  /** Its open leases the supervisor took back (rebalance): given back once their sales are reported. */
  recalledLeases: z.array(z.string()),
  /** Per event, the last recall: no new lease is taken for it until the policy is set again. */
  recalledEvents: z.array(z.object({ eventId: z.number().int(), at: z.number().int() })),
});
export type LeaseInstructions = z.infer<typeof leaseInstructions>;

/** Places a full lease of this policy carries. */
export function policyPlaces(policy: {
  seats: readonly { count: number }[];
  general: { quantity: number } | null;
}): number {
  return policy.seats.reduce((n, s) => n + s.count, 0) + (policy.general?.quantity ?? 0);
}

/** The policy in force for one counter: its own for the event, else the event's default. */
export function policyFor(
  entries: readonly LeasePolicyEntry[],
  eventId: number,
  credentialId: number,
): LeasePolicyEntry | null {
  const ofEvent = entries.filter((e) => e.eventId === eventId);
  return (
    ofEvent.find((e) => e.credentialId === credentialId) ??
    ofEvent.find((e) => e.credentialId === null) ??
    null
  );
}

/** What the event has free for everyone now (leased and held places are not free). */
export interface EventFree {
  /** Free seats of each numbered zone, in the order to lease them (seat order). */
  seatsByZone: ReadonlyMap<number, readonly number[]>;
  /** Free standing places of each general-admission zone. */
  generalByZone: ReadonlyMap<number, number>;
}

export function freePlaces(free: EventFree): number {
  let n = 0;
  for (const seats of free.seatsByZone.values()) n += seats.length;
  for (const places of free.generalByZone.values()) n += places;
  return n;
}

/** Nearly sold out by the policy: fewer places free for everyone than `soldOutBelow`. */
export function nearlySoldOut(policy: LeasePolicy, free: EventFree): boolean {
  return policy.soldOutBelow > 0 && freePlaces(free) < policy.soldOutBelow;
}

/** A lease to ask the server for (the `lease` operation's body, less its actor). */
export interface LeasePlan {
  eventId: number;
  seatIds: number[];
  general?: { zoneId: number; quantity: number };
  ticketNumbers: number;
}

export type AcquireDecision =
  { take: true; plan: LeasePlan } | { take: false; reason: 'nearly-sold-out' | 'too-few-free' | 'recalled' };

/**
 * What a counter with no selling lease for the event takes: the policy's seats and places, fewer
 * where fewer are free, never so many that the event falls below `soldOutBelow` (it would give them
 * straight back), and nothing when that leaves less than `minPlaces` or a recall since the policy was
 * set holds new leases back.
 */
export function planAcquire(
  eventId: number,
  entry: Pick<LeasePolicyEntry, 'policy' | 'setAt'>,
  free: EventFree,
  recalledAt: number | null,
): AcquireDecision {
  const policy = entry.policy;
  if (recalledAt !== null && recalledAt >= entry.setAt) return { take: false, reason: 'recalled' };
  if (nearlySoldOut(policy, free)) return { take: false, reason: 'nearly-sold-out' };
  let budget = freePlaces(free) - policy.soldOutBelow;
  const seatIds: number[] = [];
  for (const want of policy.seats) {
    const take = (free.seatsByZone.get(want.zoneId) ?? []).slice(
      0,
      Math.min(want.count, Math.max(0, budget)),
    );
    seatIds.push(...take);
    budget -= take.length;
  }
  const general =
    policy.general === null
      ? undefined
      : {
          zoneId: policy.general.zoneId,
          quantity: Math.min(
            policy.general.quantity,
            free.generalByZone.get(policy.general.zoneId) ?? 0,
            Math.max(0, budget),
          ),
        };
  const places = seatIds.length + (general?.quantity ?? 0);
  if (places < policy.minPlaces || places === 0) return { take: false, reason: 'too-few-free' };
  return {
    take: true,
    plan: {
      eventId,
      seatIds,
      ...(general && general.quantity > 0 ? { general } : {}),
      ticketNumbers: policy.ticketNumbers ?? Math.min(100_000, Math.ceil(places * 1.5)),
    },
  };
}

/** Whether a lease ending at `expiresAt` is renewed now (`now` on the counter's lease clock). */
export function renewDue(policy: LeasePolicy, expiresAt: number, now: number): boolean {
  return expiresAt - now <= policy.renewBeforeMinutes * 60_000;
}

export type ReturnReason = 'recalled' | 'nearly-sold-out' | 'reconnected';

/**
 * Whether a counter online gives an open lease back (once every sale from it is reported): the
 * supervisor recalled it, the night is nearly sold out and it still holds unsold places, or it is
 * back from an outage and the policy returns leases on reconnect. Null: it keeps it.
 */
export function returnReason(
  policy: LeasePolicy | null,
  facts: { recalled: boolean; unsoldPlaces: number; free: EventFree | null; reconnected: boolean },
): ReturnReason | null {
  if (facts.recalled) return 'recalled';
  if (policy === null) return null;
  if (facts.unsoldPlaces > 0 && facts.free !== null && nearlySoldOut(policy, facts.free)) {
    return 'nearly-sold-out';
  }
  if (facts.reconnected && policy.returnOnReconnect) return 'reconnected';
  return null;
}

/** One open lease as the server's rebalance weighs it. */
export interface RebalanceLease {
  leaseId: string;
  credentialId: number;
  /** Seats and standing places it still holds unsold. */
  unsoldPlaces: number;
}

/**
 * The server's rebalance of one event: every open lease still holding unsold places is recalled
 * (its counter gives it back once its sales are reported: at once when online, on reconnect
 * otherwise), largest first; the places that flow back are the sum.
 */
export function planRebalance(leases: readonly RebalanceLease[]): {
  recall: RebalanceLease[];
  places: number;
} {
  const recall = leases.filter((l) => l.unsoldPlaces > 0).sort((a, b) => b.unsoldPlaces - a.unsoldPlaces);
  return { recall, places: recall.reduce((n, l) => n + l.unsoldPlaces, 0) };
}
