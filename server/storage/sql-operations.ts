import { TaquillaError } from '../../shared/errors.ts';
import type {
  BlockSeatsInput,
  CancelInput,
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseGeneralInput,
  ReleaseSeatsInput,
  ReleaseSessionInput,
  UnblockSeatsInput,
} from '../../shared/schemas/reservations.ts';
import {
  type ServerOperation,
  type ServerPayInput,
  type ServerVoidInput,
  statusOfError,
} from '../../shared/schemas/sync.ts';
import type { Idempotency, StoredReply } from './hold-store.ts';
import { operationInput } from './operation-input.ts';
import { flushChanges } from './sql-availability.ts';
import {
  extendHolds,
  holdGeneral,
  holdSeats,
  releaseGeneral,
  releaseSeats,
  releaseSession,
} from './sql-holds.ts';
import { blockSeats, unblockSeats } from './sql-house-seats.ts';
import { saveReply, storedReply } from './sql-idempotency.ts';
import {
  type LeaseInput,
  type LeaseReturnInput,
  type LeaseSaleInput,
  lease,
  leaseReturn,
  leaseSale,
} from './sql-leases.ts';
import {
  type ServerCompleteInput,
  type ServerConvertInput,
  cancel,
  complete,
  convertToPartial,
  pay,
} from './sql-sales.ts';
import {
  type RaiseTicketFloorInput,
  type RecoverSaleInput,
  raiseTicketFloor,
  recoverSale,
} from './sql-recovery.ts';
import { backstopRefusal, type OpContext, opContext, type SqlDb } from './sql-tx.ts';
import { voidTickets } from './sql-voids.ts';

/**
 * One terminal operation, applied once: idempotency, revocation, the rules, the reply and the change
 * feed in one write.
 */

export const RELAXED_OPS: ReadonlySet<ServerOperation> = new Set([
  'holdSeats',
  'holdGeneral',
  'releaseSeats',
  'releaseGeneral',
  'releaseSession',
  'extendHolds',
]);

export function refusal(error: TaquillaError): StoredReply {
  return {
    status: statusOfError(error.code),
    body: { error: { code: error.code, message: error.message, details: error.details } },
    replayed: false,
  };
}

/** The operation's input as its schema reads it, or the refusal to answer (VALIDATION and the like). */
export function inputOrRefusal(
  op: ServerOperation,
  raw: unknown,
): { input: unknown } | { refused: StoredReply } {
  try {
    return { input: operationInput(op, raw) };
  } catch (error) {
    if (error instanceof TaquillaError) return { refused: refusal(error) };
    throw error;
  }
}

export async function execute(
  db: SqlDb,
  tenantId: number,
  credentialId: number,
  op: ServerOperation,
  raw: unknown,
  now: number,
  idempotency: Idempotency | null,
): Promise<StoredReply> {
  const parsed = inputOrRefusal(op, raw);
  if ('refused' in parsed) return parsed.refused;
  const { input } = parsed;
  try {
    return await db.write(async (tx) => {
      // The credential's revocation is read in the write itself: no instance applies a revoked
      // terminal's operation, whatever it has cached.
      const stored = await storedReply(tx, tenantId, credentialId, idempotency, op);
      if (stored) return stored;
      const settings = await db.tenantSettings(tenantId, tx);
      // A refusal undoes the operation's writes but keeps the transaction, which then stores the
      // refusal as this key's answer: one write either way. (COMMIT releases the savepoint.)
      await tx.run('SAVEPOINT op');
      try {
        const ctx = opContext(db, tx, tenantId, credentialId, now, settings);
        const result = await dispatch(ctx, op, input);
        const reply: StoredReply = { status: 200, body: { result }, replayed: false };
        if (idempotency) await saveReply(tx, tenantId, credentialId, idempotency, reply, now);
        await flushChanges(ctx); // last: it locks the event row until commit
        return reply;
      } catch (error) {
        const refused = asRefusal(db, error);
        if (!refused) throw error;
        await tx.run('ROLLBACK TO SAVEPOINT op');
        const reply = refusal(refused);
        // The refusal is an answer too: a retry of the same request must hear the same thing.
        if (idempotency) await saveReply(tx, tenantId, credentialId, idempotency, reply, now);
        return reply;
      }
    }, RELAXED_OPS.has(op));
  } catch (error) {
    if (error instanceof TaquillaError) return refusal(error);
    throw error;
  }
}

/** A domain refusal (thrown by the rules, or the schema's backstop) as a TaquillaError; else null. */
export function asRefusal(db: SqlDb, error: unknown): TaquillaError | null {
  if (error instanceof TaquillaError) return error;
  return backstopRefusal(db.classify(error));
}

export function dispatch(ctx: OpContext, op: ServerOperation, input: unknown): Promise<unknown> {
  switch (op) {
    case 'holdSeats':
      return holdSeats(ctx, input as HoldSeatsInput);
    case 'holdGeneral':
      return holdGeneral(ctx, input as HoldGeneralInput);
    case 'releaseSeats':
      return releaseSeats(ctx, input as ReleaseSeatsInput);
    case 'releaseGeneral':
      return releaseGeneral(ctx, input as ReleaseGeneralInput);
    case 'releaseSession':
      return releaseSession(ctx, input as ReleaseSessionInput);
    case 'extendHolds':
      return extendHolds(ctx, input as ExtendHoldsInput);
    case 'convertToPartial':
      return convertToPartial(ctx, input as ServerConvertInput);
    case 'complete':
      return complete(ctx, input as ServerCompleteInput);
    case 'pay':
      return pay(ctx, input as ServerPayInput);
    case 'cancel':
      return cancel(ctx, input as CancelInput);
    case 'voidTickets':
      return voidTickets(ctx, input as ServerVoidInput);
    case 'lease':
      return lease(ctx, input as LeaseInput);
    case 'leaseSale':
      return leaseSale(ctx, input as LeaseSaleInput);
    case 'leaseReturn':
      return leaseReturn(ctx, input as LeaseReturnInput);
    case 'blockSeats':
      return blockSeats(ctx, input as BlockSeatsInput);
    case 'unblockSeats':
      return unblockSeats(ctx, input as UnblockSeatsInput);
    case 'recoverSale':
      return recoverSale(ctx, input as RecoverSaleInput);
    case 'raiseTicketFloor':
      return raiseTicketFloor(ctx, input as RaiseTicketFloorInput);
  }
}
