import { z } from 'zod';
import { settingsOverrideSchema } from '../config.ts';
import type { TicketView } from '../errors.ts';
import { PAYMENT_METHODS } from './payments.ts';
import { voidReason } from './voids.ts';
import {
  actor,
  blockSeatsInput,
  cancelInput,
  completeInput,
  convertToPartialInput,
  extendHoldsInput,
  holdGeneralInput,
  holdSeatsInput,
  id,
  releaseGeneralInput,
  releaseSeatsInput,
  releaseSessionInput,
  unblockSeatsInput,
} from './reservations.ts';

/**
 * The central hold server's wire contract, shared by the server (server/) and the terminal's sync
 * engine (electron/services/sync/). Hold operations reuse the terminal's own input schemas, so a
 * payload is judged the same way at the counter and at the server.
 */

/** What the server stores per event: just enough inventory to enforce the seat invariant. */
export const serverEventDefinition = z
  .object({
    eventId: id,
    name: z.string().trim().min(1).max(120),
    /** Minutes an offline lease lives before it must be renewed (per event). */
    leaseMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .default(240),
    zones: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({
            kind: z.literal('numbered'),
            zoneId: id,
            name: z.string().min(1).max(60),
            priceCents: z.number().int().min(0),
            seats: z
              .array(z.object({ seatId: id, label: z.string().min(1).max(40) }))
              .min(1)
              .max(200_000),
          }),
          z.object({
            kind: z.literal('general'),
            zoneId: id,
            name: z.string().min(1).max(60),
            priceCents: z.number().int().min(0),
            capacity: z.number().int().min(1),
          }),
        ]),
      )
      .min(1),
  })
  .strict();
export type ServerEventDefinition = z.infer<typeof serverEventDefinition>;

export const createTenantInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    settings: settingsOverrideSchema.default({}),
  })
  .strict();

/** How long a one-time enrolment code may stay usable, in minutes (7 days): `enrol-code --minutes`. */
export const ENROL_CODE_MAX_MINUTES = 7 * 24 * 60;

export const enrolCodeInput = z
  .object({
    minutes: z.number().int().min(1).max(ENROL_CODE_MAX_MINUTES).default(60),
  })
  .strict();
export const enrolInput = z
  .object({
    code: z.string().trim().min(6).max(64),
    terminalName: z.string().trim().min(1).max(64),
  })
  .strict();
export const enrolResult = z.object({
  tenantId: z.number().int(),
  credentialId: z.number().int(),
  /** Shown once: the server keeps only its hash. */
  secret: z.string(),
});
export type EnrolResult = z.infer<typeof enrolResult>;

/** `force`: an admin revoking its own credential (which locks it out of this API) must say so. */
export const revokeInput = z.object({ credentialId: id, force: z.boolean().optional() }).strict();

export const leaseInput = z
  .object({
    eventId: id,
    actor,
    seatIds: z.array(id).max(2000).default([]),
    general: z
      .object({ zoneId: id, quantity: z.number().int().min(1).max(10_000) })
      .strict()
      .optional(),
    ticketNumbers: z.number().int().min(1).max(100_000),
  })
  .strict()
  .refine((l) => l.seatIds.length > 0 || l.general !== undefined, 'lease seats or a general quantity')
  .refine((l) => new Set(l.seatIds).size === l.seatIds.length, 'a seat appears twice in the lease');
export type LeaseInput = z.input<typeof leaseInput>;

export const leaseGrant = z.object({
  leaseId: z.string(),
  eventId: z.number().int(),
  seatIds: z.array(z.number().int()),
  general: z.object({ zoneId: z.number().int(), quantity: z.number().int() }).nullable(),
  ticketFrom: z.number().int(),
  ticketTo: z.number().int(),
  expiresAt: z.number().int(),
  /**
   * The server generation that granted it (issue 14): a sale from it that a server restored from an
   * older backup does not know is re-sent as a recovered sale. Absent from older servers.
   */
  generation: z.string().optional(),
});
export type LeaseGrant = z.infer<typeof leaseGrant>;

/** One ticket as the server reports it in hold and sale replies. */
export const serverTicketView = z.object({
  seatId: z.number().int().nullable(),
  zoneId: z.number().int(),
  label: z.string(),
  quantity: z.number().int().min(1),
  priceCents: z.number().int().min(0),
  reservedUntil: z.number().int(),
  /** The venue's numbers of its places (one per seat, one per standing place), once numbered. */
  ticketNumbers: z.array(z.number().int()).optional(),
}) satisfies z.ZodType<TicketView>;

/** The server's answer to holdSeats / holdGeneral: the tickets this hold added to the session's cart. */
export const serverHoldReply = z.object({
  transactionId: z.string().min(1),
  tickets: z.array(serverTicketView),
  alreadyHeld: z.array(z.number().int()),
});
export type ServerHoldReply = z.infer<typeof serverHoldReply>;

/**
 * The server's answer to complete / convertToPartial / cancel: the transaction with every live ticket
 * (`items`), which terminals copy as it stands. `eventId` and `sessionId` are absent from replies
 * stored before they were added (an idempotent replay returns the stored reply).
 */
export const serverTransactionReply = z.object({
  transactionId: z.string().min(1),
  eventId: z.number().int().optional(),
  sessionId: z.string().optional(),
  status: z.enum(['PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED']),
  reservedUntil: z.number().int().nullable(),
  tickets: z.number().int(),
  totalCents: z.number().int(),
  items: z.array(serverTicketView),
});
export type ServerTransactionReply = z.infer<typeof serverTransactionReply>;

/**
 * One payment as the terminal that took it recorded it: it travels with the sale, deposit or
 * instalment it pays for, and the server stores it in the same transaction, so the server never has
 * a sale without its money (nor money without its sale). Amounts in cents of their currency; USD
 * figures in USD cents.
 */
export const serverPayment = z
  .object({
    paymentId: z.string().min(1).max(64),
    /** MOVED: the money of a refused offline sale, carried to the seats its customer was moved to. */
    kind: z.enum(['SALE', 'DEPOSIT', 'INSTALMENT', 'MOVED']),
    cashier: actor,
    terminal: z.string().max(64).nullable(),
    vesPerUsd: z.string().regex(/^\d+(\.\d+)?$/),
    dueCents: z.number().int().min(0),
    appliedCents: z.number().int().min(0),
    change: z
      .object({
        currency: z.enum(['USD', 'VES']),
        cents: z.number().int().min(1),
        usdCents: z.number().int().min(0),
      })
      .strict()
      .nullable(),
    createdAt: z.number().int(),
    requestId: z.string().max(128).nullable(),
    lines: z
      .array(
        z
          .object({
            method: z.enum(PAYMENT_METHODS),
            currency: z.enum(['USD', 'VES']),
            amountCents: z.number().int().min(1),
            usdCents: z.number().int().min(0),
            reference: z.string().max(64).nullable(),
            phone: z.string().max(32).nullable(),
            bankCode: z.string().max(8).nullable(),
            email: z.string().max(254).nullable(),
            terminalId: z.string().max(40).nullable(),
          })
          .strict(),
      )
      .max(12),
  })
  .strict()
  .refine((p) => p.appliedCents <= p.dueCents, 'a payment applies at most what is due');
export type ServerPayment = z.infer<typeof serverPayment>;

/** A sale at the server: the cart as charged, and the payment that settles it. */
export const serverCompleteInput = completeInput.extend({ payment: serverPayment.optional() }).strict();
/** A deposit at the server: the cart becomes a reservation, with the deposit that holds it. */
export const serverConvertInput = convertToPartialInput
  .extend({ payment: serverPayment.optional() })
  .strict();
/**
 * A later payment on a reservation, from any counter. `expect.paidCents` is what the cashier saw paid
 * (BALANCE_CHANGED if another counter paid meanwhile); paying the balance completes the sale.
 */
export const serverPayInput = z
  .object({
    transactionId: z.string().trim().min(1).max(64),
    actor,
    expect: z.object({ paidCents: z.number().int().min(0) }).strict(),
    payment: serverPayment,
  })
  .strict();
export type ServerPayInput = z.infer<typeof serverPayInput>;

/**
 * A reservation as the server keeps it, for a counter other than the one that took the deposit: the
 * customer, the live tickets and every payment so far. The counter copies it and takes the next payment.
 */
export const serverReservation = z.object({
  transactionId: z.string(),
  eventId: z.number().int(),
  sessionId: z.string(),
  actor: z.string(),
  status: z.enum(['PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED']),
  reservedUntil: z.number().int().nullable(),
  customer: z.object({ name: z.string(), idNumber: z.string().nullable(), phone: z.string().nullable() }),
  items: z.array(serverTicketView),
  payments: z.array(serverPayment),
});
export type ServerReservation = z.infer<typeof serverReservation>;

/** GET /v1/reservations: by name, cédula, phone or sale number (the first 8 characters of its id). */
export const reservationLookup = z
  .object({
    query: z.string().trim().min(2).max(80),
    includeClosed: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .strict();

/** A sale made offline from a lease, reported on reconnect. */
export const leaseSaleInput = z
  .object({
    leaseId: z.string().min(1).max(64),
    saleId: z.string().min(1).max(64),
    actor,
    seatIds: z.array(id).max(100).default([]),
    general: z
      .object({ zoneId: id, quantity: z.number().int().min(1).max(100) })
      .strict()
      .optional(),
    ticketNumbers: z.array(z.number().int().min(1)).max(200),
    soldAt: z.number().int(),
    /** The money taken for it at the counter (stored with the sale). */
    payments: z.array(serverPayment).max(12).optional(),
  })
  .strict();
export type LeaseSaleInput = z.input<typeof leaseSaleInput>;

export const leaseReturnInput = z
  .object({
    leaseId: z.string().min(1).max(64),
    actor,
    /** Renew for this long (at most the event's lease minutes); without it the lease is returned. */
    renewMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .optional(),
    /** Renew for the event's lease policy (its `leaseMinutes`, else the tenant's LEASE_MINUTES). */
    renew: z.literal(true).optional(),
  })
  .strict()
  .refine((r) => !(r.renew && r.renewMinutes !== undefined), 'renew or renewMinutes, not both');

/**
 * A void decided at the server (issue 16): the places of one transaction that go back on sale, by
 * seat (numbered) or zone and count (standing places), with the refund the counter worked out from
 * the sale's payments. A sale's tickets (COMPLETED) or a deposit whole (RESERVED, kind DEPOSIT).
 * Refused when a named place is not live any more (ALREADY_VOIDED) or the refund is more than the
 * server's payments of the sale have left (BALANCE_CHANGED).
 */
export const serverVoidInput = z
  .object({
    transactionId: z.string().trim().min(1).max(64),
    kind: z.enum(['SALE', 'TICKETS', 'DEPOSIT']),
    reason: voidReason,
    actor,
    approvedBy: actor,
    places: z
      .array(
        z.object({ zoneId: id, seatId: id.nullable(), places: z.number().int().min(1).max(10_000) }).strict(),
      )
      .min(1)
      .max(200),
    /** The printed numbers of the voided tickets (revoked at every door); older counters omit it. */
    ticketNumbers: z.array(z.string().trim().min(1).max(40)).max(10_000).optional(),
    refund: z
      .object({
        usdCents: z.number().int().min(0),
        vesPerUsd: z.string().regex(/^\d+(\.\d+)?$/),
        lines: z
          .array(
            z
              .object({
                method: z.enum(PAYMENT_METHODS),
                currency: z.enum(['USD', 'VES']),
                amountCents: z.number().int().min(0),
                usdCents: z.number().int().min(0),
                reference: z.string().max(40).nullable(),
                asPaid: z.boolean(),
              })
              .strict(),
          )
          .max(12),
      })
      .strict(),
  })
  .strict();
export type ServerVoidInput = z.infer<typeof serverVoidInput>;

/** The server's answer to voidTickets: its id of the void and the sale's status after it. */
export const serverVoidReply = z.object({
  voidId: z.string().min(1),
  transactionId: z.string(),
  status: z.enum(['PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED']),
  refundUsdCents: z.number().int(),
});
export type ServerVoidReply = z.infer<typeof serverVoidReply>;

/**
 * A sale the server once acknowledged, re-sent by the counter that made it because the server's
 * generation changed (it was restored from an older backup; issue 14). The counter's own record of
 * it: the transaction id the server knew it by (an online sale's, or the server's id of an offline
 * sale with the counter's `saleId`), its live places with the ticket numbers they print, the money.
 * The server answers `present` when it still has the sale, takes it back otherwise (same seats,
 * same numbers), or refuses it (SEAT_TAKEN, ZONE_FULL: sold to someone else meanwhile), which the
 * counter lists as a conflict.
 */
export const recoverSaleInput = z
  .object({
    transactionId: z.string().min(1).max(64),
    saleId: z.string().min(1).max(64).optional(),
    eventId: id,
    actor,
    soldAt: z.number().int().min(0).max(8_640_000_000_000_000),
    places: z
      .array(
        z
          .object({
            zoneId: id,
            seatId: id.nullable(),
            quantity: z.number().int().min(1).max(10_000),
            ticketNumbers: z.array(z.number().int().min(1).max(2_000_000_000)).max(10_000),
          })
          .strict(),
      )
      .min(1)
      .max(200),
    payments: z.array(serverPayment).max(12).default([]),
  })
  .strict();
export type RecoverSaleInput = z.input<typeof recoverSaleInput>;

/** recoverSale's answer: taken back, or already there; numbers another sale used meanwhile. */
export const recoverSaleReply = z.object({
  transactionId: z.string(),
  outcome: z.enum(['present', 'recovered']),
  numbersInUse: z.array(z.number().int()),
});
export type RecoverSaleReply = z.infer<typeof recoverSaleReply>;

/**
 * A counter's highest ticket number (used, or in a block it carries): the server's counter is raised
 * above it, so a server restored from an older backup never hands a number out twice.
 */
export const raiseTicketFloorInput = z
  .object({ atLeast: z.number().int().min(0).max(2_000_000_000) })
  .strict();
export type RaiseTicketFloorInput = z.input<typeof raiseTicketFloorInput>;

/**
 * What a revoked terminal may still send: the reports of what it sold offline (and the sales it
 * re-sends to a restored server), and its leases back. Revocation stops new work, not the upload of
 * what was already sold.
 */
export const UPLOAD_OPERATIONS: ReadonlySet<string> = new Set(['leaseSale', 'leaseReturn', 'recoverSale']);

export const endLeaseInput = z.object({ leaseId: z.string().min(1).max(64) }).strict();

/** Every operation the server runs under an idempotency key: name -> input schema. */
export const serverOperations = {
  holdSeats: holdSeatsInput,
  holdGeneral: holdGeneralInput,
  releaseSeats: releaseSeatsInput,
  releaseGeneral: releaseGeneralInput,
  releaseSession: releaseSessionInput,
  extendHolds: extendHoldsInput,
  convertToPartial: serverConvertInput,
  complete: serverCompleteInput,
  pay: serverPayInput,
  cancel: cancelInput,
  voidTickets: serverVoidInput,
  lease: leaseInput,
  leaseSale: leaseSaleInput,
  leaseReturn: leaseReturnInput,
  blockSeats: blockSeatsInput,
  unblockSeats: unblockSeatsInput,
  recoverSale: recoverSaleInput,
  raiseTicketFloor: raiseTicketFloorInput,
} as const;
export type ServerOperation = keyof typeof serverOperations;
export const SERVER_OPERATIONS = Object.keys(serverOperations) as ServerOperation[];

/** URL path of each operation under /v1/ops/. */
export function operationPath(op: ServerOperation): string {
  return `/v1/ops/${op}`;
}

/** Every reply carries the server's clock so terminals can track their offset. */
export const errorBody = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export interface OperationReply {
  serverTime: number;
  result?: unknown;
  error?: z.infer<typeof errorBody>;
}

export const seatStateChange = z.object({
  seatId: z.number().int(),
  state: z.enum(['free', 'held', 'reserved', 'sold', 'blocked']),
  /** When a hold or reservation ends (server time): after it the seat is free without a new change. */
  until: z.number().int().nullable().optional(),
});
export const zoneStateChange = z.object({
  zoneId: z.number().int(),
  available: z.number().int(),
});
export const availabilityDelta = z.object({
  eventId: z.number().int(),
  fromVersion: z.number().int(),
  version: z.number().int(),
  seats: z.array(seatStateChange),
  zones: z.array(zoneStateChange),
});
export type AvailabilityDelta = z.infer<typeof availabilityDelta>;

/** Messages on the live channel (server -> terminal). */
export type LiveMessage =
  { type: 'hello'; serverTime: number } | ({ type: 'changes'; serverTime: number } & AvailabilityDelta);

/** Idempotency keys: one per outbox item; printable, bounded. */
export const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'idempotency key of 8-128 chars');

/**
 * Several independent operations in one request (a replay of offline sales). Each item keeps its own
 * idempotency key and is answered as if sent alone; the server may apply them in any order.
 */
export const batchInput = z
  .object({
    items: z
      .array(
        z
          .object({
            op: z.enum(Object.keys(serverOperations) as [ServerOperation, ...ServerOperation[]]),
            key: idempotencyKey,
            body: z.unknown(),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();
export type BatchInput = z.infer<typeof batchInput>;

/**
 * "What happened to these requests?" A terminal that lost the answers asks by idempotency key; with
 * `abandon`, a key the server never saw is settled as never to be applied (a late copy of the request
 * is answered ABANDONED), so the terminal knows the outcome for good either way.
 */
export const outcomesInput = z
  .object({ keys: z.array(idempotencyKey).min(1).max(200), abandon: z.boolean().default(true) })
  .strict();
export type KeyOutcome =
  | {
      key: string;
      outcome: 'applied';
      status: number;
      body: { result?: unknown; error?: z.infer<typeof errorBody> };
    }
  | { key: string; outcome: 'abandoned' }
  | { key: string; outcome: 'unknown' };

/** A stable JSON text (sorted keys) so the same body always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** HTTP status of each domain refusal at the server's edge. */
export function statusOfError(code: string): number {
  switch (code) {
    case 'VALIDATION':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'UNKNOWN_EVENT':
    case 'UNKNOWN_TENANT':
    case 'UNKNOWN_ZONE':
    case 'UNKNOWN_SEAT':
    case 'UNKNOWN_TRANSACTION':
    case 'UNKNOWN_LEASE':
      return 404;
    default:
      return 409;
  }
}
