import type { ReservationSettings } from '../../shared/config.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type {
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseSeatsInput,
} from '../../shared/schemas/reservations.ts';
import { type ServerOperation } from '../../shared/schemas/sync.ts';
import type { Idempotency, StoredReply } from './hold-store.ts';
import { planExtendHolds, planHoldGeneral, planHoldSeats, planReleaseSeats } from './pg-hold-plans.ts';
import { inputOrRefusal, refusal } from './sql-operations.ts';
import type { FailureKind } from './sql-tx.ts';

/**
 * Holds (of seats or standing places), releases of seats and extensions on PostgreSQL in two
 * statements, each one round trip: one read of every fact the hold rules decide on (with the
 * key's stored answer and the credential's revocation), then one guarded write that commits on
 * its own (autocommit, the connection's synchronous_commit off): the key's answer, the tickets,
 * the cart, the audit and change-feed rows, the event's version and NOTIFY.
 *
 * The rules are decided once, in TypeScript (shared/hold-rules); SQL only re-checks that the
 * facts the decision used still hold: the unique partial index (a seat another counter took in
 * between), the zone's CHECK (places left), the cart still PENDING and the seats not blocked
 * (hold), the tickets still ACTIVE in the cart (release) with the end they had (extension). A
 * guard that finds them changed writes nothing; the operation reads and decides again
 * (OPTIMISTIC_ATTEMPTS), then goes the locked transactional way, which is also taken for the
 * rare decision with more to write (late holds on the requested seats to expire first).
 *
 * This file drives it: the read-decide-write attempts, the fall back to the locked path, and a
 * refusal stored as the key's answer. The reads are in pg-hold-facts.ts, the decisions in
 * pg-hold-plans.ts, the guarded writes in pg-hold-writes.ts.
 */

export type FastOperation = 'holdSeats' | 'holdGeneral' | 'releaseSeats' | 'extendHolds';

export const FAST_OPERATIONS: ReadonlySet<ServerOperation> = new Set<FastOperation>([
  'holdSeats',
  'holdGeneral',
  'releaseSeats',
  'extendHolds',
]);

const OPTIMISTIC_ATTEMPTS = 3;

/** What the one-statement path needs of the PostgreSQL store. */
export interface PgStatements {
  /** One statement on its own (autocommit), `$n` placeholders; its rows. */
  statement<R>(sql: string, params: unknown[]): Promise<R[]>;
  /** True when the connection was lost with the statement possibly applied. */
  connectionLost(error: unknown): boolean;
  classify(error: unknown): FailureKind;
  tenantSettings(tenantId: number): Promise<ReservationSettings>;
  /** The NOTIFY channel of this store's schema. */
  readonly channel: string;
  /** The transactional path (operations.execute), for what this one leaves to it. */
  locked(): Promise<StoredReply>;
}

/** One operation's request, as every plan and facts read of the path sees it. */
export interface Request {
  tenantId: number;
  credentialId: number;
  now: number;
  idempotency: Idempotency | null;
  settings: ReservationSettings;
}

/** A decided write, or the answer (a refusal to store, or the locked path's). */
export type Plan =
  | { write: { sql: string; params: unknown[] }; reply: StoredReply }
  | { refused: TaquillaError }
  | { answer: StoredReply }
  | { locked: true };

/** Runs a FAST_OPERATIONS operation; the same answers, refusals and rows as operations.execute. */
export async function executeInOneStatement(
  db: PgStatements,
  tenantId: number,
  credentialId: number,
  op: FastOperation,
  raw: unknown,
  now: number,
  idempotency: Idempotency | null,
): Promise<StoredReply> {
  const parsed = inputOrRefusal(op, raw);
  if ('refused' in parsed) return parsed.refused;
  const { input } = parsed;
  const req: Request = {
    tenantId,
    credentialId,
    now,
    idempotency,
    settings: await db.tenantSettings(tenantId),
  };
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    let plan: Plan;
    try {
      plan =
        op === 'holdSeats'
          ? await planHoldSeats(db, req, input as HoldSeatsInput)
          : op === 'holdGeneral'
            ? await planHoldGeneral(db, req, input as HoldGeneralInput)
            : op === 'releaseSeats'
              ? await planReleaseSeats(db, req, input as ReleaseSeatsInput)
              : await planExtendHolds(db, req, input as ExtendHoldsInput);
    } catch (error) {
      if (error instanceof TaquillaError) return refusal(error); // revoked, or a reused key
      if (db.connectionLost(error)) continue; // a read: nothing was written
      throw error;
    }
    if ('answer' in plan) return plan.answer; // the key's stored answer
    if ('locked' in plan) break;
    if ('refused' in plan) {
      // The refusal is an answer too: a retry of the same request must hear the same thing.
      try {
        if (await storeRefusal(db, req, plan.refused)) return refusal(plan.refused);
      } catch (error) {
        if (!db.connectionLost(error)) throw error; // stored or not, the next read tells
      }
      continue; // a twin request stored its answer first: read it
    }
    try {
      const [row] = await db.statement<{ ok: boolean }>(plan.write.sql, plan.write.params);
      if (row?.ok) return plan.reply;
    } catch (error) {
      // A seat another counter took in between, a twin cart or a twin key: read and decide again.
      if (db.classify(error) !== null) continue;
      // Lost while the write was in flight: it may have committed. With a key the next read finds
      // its answer; without one the outcome is unknown, and says so.
      if (db.connectionLost(error) && idempotency !== null) continue;
      throw error;
    }
  }
  return db.locked();
}

/** Stores a refusal as the key's answer; false when a twin request stored one first. */
async function storeRefusal(db: PgStatements, req: Request, refused: TaquillaError): Promise<boolean> {
  if (req.idempotency === null) return true;
  const reply = refusal(refused);
  const rows = await db.statement(
    `INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1`,
    [
      req.tenantId,
      req.credentialId,
      req.idempotency.key,
      req.idempotency.requestHash,
      reply.status,
      JSON.stringify(reply.body),
      req.now,
    ],
  );
  return rows.length > 0;
}
