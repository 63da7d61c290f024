import { z } from 'zod';
import { leasePolicyEntry } from '../lease-policy.ts';
import { id } from '../schemas/reservations.ts';
import { leaseGrant } from '../schemas/sync.ts';
import { defineMethod } from './define.ts';

/**
 * Offline leases as a supervisor runs them at a counter (issue 14): what this counter carries, taking
 * more while online, giving a lease back. The actor is the signed-in supervisor, never the payload.
 */
export const leaseView = z.object({
  leaseId: z.string(),
  eventId: z.number().int(),
  status: z.enum(['OPEN', 'RETURNED']),
  /** The lease's end at the server (epoch ms, server time). */
  expiresAt: z.number().int(),
  /** This counter sells from it until here: the end less a safety margin, on a monotonic clock. */
  sellsUntil: z.number().int(),
  selling: z.boolean(),
  seatIds: z.array(z.number().int()),
  soldSeatIds: z.array(z.number().int()),
  general: z
    .object({ zoneId: z.number().int(), quantity: z.number().int(), sold: z.number().int() })
    .nullable(),
  ticketFrom: z.number().int(),
  ticketTo: z.number().int(),
  nextTicket: z.number().int(),
});
export type LeaseViewMessage = z.infer<typeof leaseView>;

/** What to lease: seats by id, or the first `count` free seats of a numbered zone, and/or standing places. */
export const leaseRequest = z
  .object({
    eventId: id,
    seatIds: z.array(id).max(2000).optional(),
    /** A numbered zone: lease `count` of its seats the server shows free now. */
    zoneId: id.optional(),
    count: z.number().int().min(1).max(2000).optional(),
    /** A standing zone's places. */
    general: z
      .object({ zoneId: id, quantity: z.number().int().min(1).max(10_000) })
      .strict()
      .optional(),
    /** Ticket numbers to carry; default one per leased place plus half again. */
    ticketNumbers: z.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .refine(
    (r) => (r.seatIds?.length ?? 0) > 0 || (r.zoneId !== undefined && r.count !== undefined) || r.general,
    'lease seats (seatIds, or zoneId and count) or standing places (general)',
  );
export type LeaseRequest = z.input<typeof leaseRequest>;

export const leasesApi = {
  'leases.list': defineMethod({
    summary: "This counter's offline leases (open ones; all: returned too)",
    roles: ['supervisor'],
    input: z.object({ all: z.boolean().default(false) }).strict(),
    output: z.array(leaseView),
  }),
  'leases.acquire': defineMethod({
    summary: 'Lease seats, standing places and ticket numbers to this counter for offline selling',
    roles: ['supervisor'],
    input: leaseRequest,
    output: leaseGrant,
  }),
  'leases.seats': defineMethod({
    summary:
      "Seats of an event this counter sells from its leases now (the map shows them as this counter's)",
    roles: ['cashier', 'supervisor'],
    input: z.object({ eventId: id }).strict(),
    output: z.object({ seatIds: z.array(z.number().int()) }),
  }),
  'leases.policies': defineMethod({
    summary: "The event lease policies this counter keeps its leases by (from the server's last heartbeat)",
    roles: ['supervisor'],
    input: z.object({}).strict(),
    output: z.array(leasePolicyEntry),
  }),
  'leases.return': defineMethod({
    summary: 'Give a lease back once every sale from it is reported (OFFLINE while some are not)',
    roles: ['supervisor'],
    input: z.object({ leaseId: z.string().min(1).max(64) }).strict(),
    output: z.object({ returned: z.number().int() }),
  }),
} as const;
