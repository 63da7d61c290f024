import { z } from 'zod';
import { voidReason } from './voids.ts';
import { actor, id } from './reservations.ts';

/**
 * Conflicts (issue 14): an offline sale the central server refused, and what a supervisor does about
 * it. One set of schemas for the terminal's API (shared/api/conflicts.ts), its command line and the
 * server's record of each resolution (POST /v1/conflicts/resolutions).
 */

export const CONFLICT_ACTIONS = ['move', 'refund', 'override'] as const;
export type ConflictActionName = (typeof CONFLICT_ACTIONS)[number];

/** How a conflict ended: the customer moved to other seats, refunded, or the sale accepted as it is. */
export const conflictResolution = z.enum(['moved', 'refunded', 'override']);
export type ConflictResolution = z.infer<typeof conflictResolution>;

/** A conflict as the supervisor's screen and `taquilla sync-conflicts` show it. */
export const conflictView = z.object({
  id: z.number().int(),
  op: z.string(),
  errorCode: z.string(),
  error: z.string(),
  createdAt: z.number().int(),
  /** The refused sale here (its transaction id), when the conflict is a sale. */
  saleId: z.string().nullable(),
  seatIds: z.array(z.number().int()),
  /** The seats' labels as the map shows them ('BAL-A-4'), in the order of seatIds. */
  seatLabels: z.array(z.string()),
  /** The venue's numbers printed on its tickets. */
  ticketNumbers: z.array(z.number().int()),
  resolvedAt: z.number().int().nullable(),
  resolution: conflictResolution.nullable(),
  resolutionNote: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  /** When the central server recorded the resolution (null: not yet; the next resolve sends it again). */
  recordedAtServer: z.number().int().nullable(),
});
export type ConflictView = z.infer<typeof conflictView>;

/**
 * What a supervisor decides. A refund and an override say why (a reason, like a void's: at least 3
 * characters); a move may name the seats, else the first free seats of the same zone are taken.
 */
export const conflictDecisionFields = {
  action: z.enum(CONFLICT_ACTIONS),
  seatIds: z.array(id).min(1).max(100).optional(),
  note: z.string().trim().max(200).optional(),
};

/** The rules across fields of a decision (a reason to refund or override; seats only to move). */
export function checkDecision(
  d: { action: ConflictActionName; seatIds?: number[] | undefined; note?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (d.action !== 'move' && !voidReason.safeParse(d.note ?? '').success) {
    ctx.addIssue({ code: 'custom', path: ['note'], message: `say why (required to ${d.action})` });
  }
  if (d.action !== 'move' && d.seatIds !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['seatIds'], message: 'only a move takes seats' });
  }
}

export const conflictDecision = z.object(conflictDecisionFields).strict().superRefine(checkDecision);
export type ConflictDecision = z.input<typeof conflictDecision>;

/** What was done, only once it is done: the new sale and seats of a move, the void of the old sale. */
export const conflictOutcome = z.object({
  conflictId: z.number().int(),
  resolution: conflictResolution,
  /** Move: the seats the customer now has, and their sale. */
  seatIds: z.array(z.number().int()).optional(),
  seatLabels: z.array(z.string()).optional(),
  transactionId: z.string().optional(),
  /** Move and refund: the void of the refused sale (its tickets are revoked here). */
  voidId: z.string().optional(),
  refundUsdCents: z.number().int().optional(),
  /** Override: seats the server has sold to another customer as well (both tickets stand). */
  soldElsewhere: z.array(z.number().int()).optional(),
  recordedAtServer: z.boolean(),
});
export type ConflictOutcome = z.infer<typeof conflictOutcome>;

/** The server's record of a resolution, sent by the counter under the refused sale's id. */
export const serverConflictResolution = z
  .object({
    saleId: z.string().trim().min(1).max(64),
    /** null when the counter cannot tell (a sale it never copied). */
    eventId: id.nullable(),
    resolution: conflictResolution,
    reason: z.string().trim().min(1).max(200),
    actor,
    approvedBy: actor,
    seatIds: z.array(id).max(100),
    ticketNumbers: z.array(z.number().int().min(1)).max(200),
    /** Move: the seats and sale the customer was moved to. */
    movedTo: z
      .object({ transactionId: z.string().min(1).max(64), seatIds: z.array(id).max(100) })
      .strict()
      .nullable(),
    /** Override: the server's sale that keeps the seats the server still had free. */
    keptBy: z.string().min(1).max(64).nullable(),
    soldElsewhere: z.array(id).max(100),
    resolvedAt: z.number().int(),
  })
  .strict();
export type ServerConflictResolution = z.infer<typeof serverConflictResolution>;

/** A resolution as the server keeps it (what the operator's `conflicts` command lists). */
export const serverConflictRecord = serverConflictResolution.extend({
  terminal: z.string(),
  recordedAt: z.number().int(),
});
export type ServerConflictRecord = z.infer<typeof serverConflictRecord>;
