import { z } from 'zod';
import { currency, PAYMENT_METHODS, requestId } from './payments.ts';
import { saleNumber } from './printing.ts';
import { actor, transactionId } from './reservations.ts';

/** Why a sale is voided: required, said in words (at least 3 characters). */
export const voidReason = z.string().trim().min(3, 'say why (at least 3 characters)').max(200);

/** A refund sent by a bank (Pago Móvil, transfer, Zelle): its reference, when the cashier has it. */
const refundReference = z.string().trim().min(1).max(40);

/**
 * Void a sale (COMPLETED: all of it, or the tickets named by their printed numbers) or cancel a
 * deposit (RESERVED: all of it), before the event starts. What was paid for what is voided is given
 * back: in the methods the sale was paid with (default), or all of it in `refundMethod`.
 * `approvedBy`: the supervisor who approved (the API checks their PIN; a supervisor may approve
 * themself). `requestId`: a retried void answers as the first and refunds nothing twice.
 */
export const voidInput = z
  .object({
    transactionId,
    ticketNumbers: z.array(z.string().trim().min(1).max(40)).min(1).max(200).optional(),
    reason: voidReason,
    refundMethod: z.enum(PAYMENT_METHODS).optional(),
    /** Only for a TRANSFER refund: the account's currency (bolívares unless said). */
    refundCurrency: currency.optional(),
    refundReference: refundReference.optional(),
    actor,
    approvedBy: actor,
    terminal: z.string().max(64).optional(),
    requestId: requestId.optional(),
  })
  .strict();
export type VoidInput = z.input<typeof voidInput>;

/** Which sale a void screen looks at: its short number (as printed) or its id. */
export const voidPreviewInput = z.union([
  z.object({ saleNumber }).strict(),
  z.object({ transactionId }).strict(),
]);

const refundLine = z.object({
  method: z.enum(PAYMENT_METHODS),
  currency,
  amountCents: z.number().int(),
  usdCents: z.number().int(),
  reference: z.string().nullable(),
  /** True when the sale was paid with this method; false when the cashier chose another. */
  asPaid: z.boolean(),
});
export type RefundLine = z.output<typeof refundLine>;

/** A sale as the void screen shows it: what can still be voided and what was paid. */
export const voidPreview = z.object({
  transactionId: z.string(),
  number: z.string(),
  status: z.string(),
  eventId: z.number().int(),
  eventName: z.string(),
  startsAt: z.number().int(),
  /** False once the event has started (then a void is refused: EVENT_STARTED). */
  voidable: z.boolean(),
  customerName: z.string().nullable(),
  vesPerUsd: z.string(),
  tickets: z.array(
    z.object({
      /** The printed number; null for a deposit's tickets (not printed yet). */
      ticketNumber: z.string().nullable(),
      label: z.string(),
      /** Places (general admission) this line stands for; 1 for a seat. */
      places: z.number().int(),
      priceCents: z.number().int(),
      voided: z.boolean(),
    }),
  ),
  paidCents: z.number().int(),
  refundedCents: z.number().int(),
  /** The methods the sale was paid with, net of change, in USD cents. */
  paidWith: z.array(z.object({ method: z.enum(PAYMENT_METHODS), currency, usdCents: z.number().int() })),
});
export type VoidPreview = z.output<typeof voidPreview>;

export const voidResult = z.object({
  voidId: z.string(),
  transactionId: z.string(),
  number: z.string(),
  kind: z.enum(['SALE', 'TICKETS', 'DEPOSIT']),
  /** The transaction after the void: CANCELLED when nothing of it is left, else COMPLETED. */
  status: z.string(),
  ticketNumbers: z.array(z.string()),
  places: z.number().int(),
  refundUsdCents: z.number().int(),
  vesPerUsd: z.string(),
  refunds: z.array(refundLine),
  reason: z.string(),
  actor: z.string(),
  approvedBy: z.string(),
  at: z.number().int(),
});
export type VoidResult = z.output<typeof voidResult>;
