import { z } from 'zod';
import { idNumber } from '../venezuelan-id.ts';

/** zod schemas of every reservation operation's input: the single source of truth on every transport. */
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const sessionId = z.string().trim().min(1).max(128);
export const actor = z.string().trim().min(1).max(64);
export const transactionId = z.string().trim().min(1).max(64);

const seatIds = z
  .array(id)
  .min(1, 'choose at least one seat')
  .max(100, 'at most 100 seats in one request')
  .refine((ids) => new Set(ids).size === ids.length, 'a seat appears twice in the request');

const reason = z.string().trim().min(1).max(200);

export const holdSeatsInput = z.object({ eventId: id, sessionId, actor, seatIds }).strict();
export const holdGeneralInput = z
  .object({ eventId: id, sessionId, actor, zoneId: id, quantity: z.number().int().min(1).max(100) })
  .strict();
export const releaseSeatsInput = z.object({ eventId: id, sessionId, actor, seatIds }).strict();
export const releaseGeneralInput = z.object({ eventId: id, sessionId, actor, zoneId: id }).strict();
export const releaseSessionInput = z.object({ sessionId, actor }).strict();
export const extendHoldsInput = z
  .object({ eventId: id, sessionId, actor, minutes: z.number().int().min(1).max(60).optional() })
  .strict();

export const customer = z
  .object({
    name: z.string().trim().min(1).max(120),
    /** Cédula (V-12345678), RIF (J-40123456-9, check digit verified) or passport (P-…), normalised. */
    idNumber: idNumber.optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s-]{7,20}$/, 'phone has 7 to 20 digits')
      .optional(),
  })
  .strict();

/**
 * What the cashier charged for. With it, a sale or reservation is refused (CART_CHANGED) when the
 * transaction holds anything else by then, so nobody is sold a seat they did not pay for.
 */
export const cartExpectation = z
  .object({
    totalCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    seatIds: z.array(id).max(1000),
    places: z.number().int().min(0).max(100_000),
  })
  .strict();
export type CartExpectation = z.infer<typeof cartExpectation>;

export const convertToPartialInput = z
  .object({
    transactionId,
    actor,
    hours: z.number().int().min(1).max(72).optional(),
    /** Instead of hours: a kiosk's "Pagar en taquilla" reservation lasts minutes (issue 11). */
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    customer: customer.optional(),
    expect: cartExpectation.optional(),
  })
  .strict();
export const completeInput = z.object({ transactionId, actor, expect: cartExpectation.optional() }).strict();
export const cancelInput = z.object({ transactionId, actor, reason }).strict();
export const extendReservationsInput = z
  .object({ hours: z.number().int().min(1).max(168), eventId: id.optional(), actor })
  .strict();
export const blockSeatsInput = z.object({ eventId: id, seatIds, actor, reason: reason.optional() }).strict();
export const unblockSeatsInput = z.object({ eventId: id, seatIds, actor }).strict();
export const cleanupInput = z.object({ batchSize: z.number().int().min(1).max(50_000).optional() }).strict();
export const eventQuery = z.object({ eventId: id }).strict();
export const changesQuery = z.object({ eventId: id, sinceVersion: z.number().int().min(0) }).strict();
export const cartQuery = z.object({ eventId: id, sessionId }).strict();

export type HoldSeatsInput = z.infer<typeof holdSeatsInput>;
export type HoldGeneralInput = z.infer<typeof holdGeneralInput>;
export type ReleaseSeatsInput = z.infer<typeof releaseSeatsInput>;
export type ReleaseGeneralInput = z.infer<typeof releaseGeneralInput>;
export type ReleaseSessionInput = z.infer<typeof releaseSessionInput>;
export type ExtendHoldsInput = z.infer<typeof extendHoldsInput>;
export type Customer = z.infer<typeof customer>;
export type ConvertToPartialInput = z.infer<typeof convertToPartialInput>;
export type CompleteInput = z.infer<typeof completeInput>;
export type CancelInput = z.infer<typeof cancelInput>;
export type ExtendReservationsInput = z.infer<typeof extendReservationsInput>;
export type BlockSeatsInput = z.infer<typeof blockSeatsInput>;
export type UnblockSeatsInput = z.infer<typeof unblockSeatsInput>;

/** What block-seats changed: the seats it took off sale, and those already off sale (unchanged). */
export interface BlockSeatsResult {
  blocked: number[];
  alreadyBlocked: number[];
}

/** What unblock-seats changed: the seats it put back on sale, and those already on sale (unchanged). */
export interface UnblockSeatsResult {
  unblocked: number[];
  alreadyOnSale: number[];
}
