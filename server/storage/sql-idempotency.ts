import { TaquillaError } from '../../shared/errors.ts';
import {
  UPLOAD_OPERATIONS,
  type KeyOutcome,
  type ServerOperation,
  statusOfError,
} from '../../shared/schemas/sync.ts';
import type { Idempotency, StoredReply } from './hold-store.ts';
import { type SqlDb, type SqlTx } from './sql-tx.ts';

/**
 * Stored answers by idempotency key: a retried request hears what the first one was told.
 */

/** The request hash of a key settled by resolveKeys as never to be applied. */
export const ABANDONED = 'abandoned';

export async function saveReply(
  tx: SqlTx,
  tenantId: number,
  credentialId: number,
  idem: Idempotency,
  reply: StoredReply,
  now: number,
): Promise<void> {
  // A concurrent twin with the same key makes this a unique violation: the write retries and reads it.
  await tx.run(
    'INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [tenantId, credentialId, idem.key, idem.requestHash, reply.status, JSON.stringify(reply.body), now],
  );
}

/**
 * What became of requests whose answers a terminal lost, by idempotency key. With `abandon`, a key
 * never seen is stored as ABANDONED in the same table the operations answer from, in one write:
 * a copy of the request still on its way is then answered ABANDONED and changes nothing.
 */
export async function resolveKeys(
  db: SqlDb,
  tenantId: number,
  credentialId: number,
  keys: string[],
  abandon: boolean,
  now: number,
): Promise<KeyOutcome[]> {
  return db.write(async (tx) => {
    const outcomes: KeyOutcome[] = [];
    for (const key of keys) {
      // The credential's own key (or one stored before keys were scoped: credential 0).
      const [row] = await tx.all<{ request_hash: string; status: number; body: string }>(
        `SELECT request_hash, status, body FROM idempotency
         WHERE tenant_id = ? AND credential_id IN (?, 0) AND key = ? ORDER BY credential_id DESC LIMIT 1`,
        [tenantId, credentialId, key],
      );
      if (row) {
        outcomes.push(
          row.request_hash === ABANDONED
            ? { key, outcome: 'abandoned' }
            : { key, outcome: 'applied', status: Number(row.status), body: JSON.parse(row.body) },
        );
        continue;
      }
      if (!abandon) {
        outcomes.push({ key, outcome: 'unknown' });
        continue;
      }
      const refusal = new TaquillaError('ABANDONED', 'This request was given up for lost by its terminal', {
        key,
      });
      await tx.run(
        'INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          tenantId,
          credentialId,
          key,
          ABANDONED,
          statusOfError('ABANDONED'),
          JSON.stringify({ error: refusal.toJSON() }),
          now,
        ],
      );
      outcomes.push({ key, outcome: 'abandoned' });
    }
    return outcomes;
  });
}

/**
 * The stored answer to this key, if any, read in one statement with the credential's revocation
 * (one round trip on PostgreSQL). A revoked credential is refused before anything is replayed.
 */
export async function storedReply(
  tx: SqlTx,
  tenantId: number,
  credentialId: number,
  idem: Idempotency | null,
  op: ServerOperation,
): Promise<StoredReply | null> {
  const [row] = await tx.all<StoredRow>(
    // A key is its credential's own (two terminals may choose the same one); a row stored before
    // keys were scoped (credential 0, server migration 1) still answers for the whole tenant.
    `SELECT c.revoked_at, i.request_hash, i.status, i.body FROM (SELECT 1 AS one) AS one
     LEFT JOIN credentials c ON c.id = ? AND c.tenant_id = ?
     LEFT JOIN idempotency i ON i.tenant_id = ? AND i.credential_id IN (?, 0) AND i.key = ?
     ORDER BY i.credential_id DESC LIMIT 1`,
    [credentialId, tenantId, tenantId, credentialId, idem?.key ?? null],
  );
  return answerFromStored(row ?? null, idem, op);
}

/** A key's stored row (with its credential's revocation) as read by storedReply or a store's own read. */
export interface StoredRow {
  revoked_at: number | null;
  request_hash: string | null;
  status: number | null;
  body: string | null;
}

/**
 * What a stored row means for this request: UNAUTHORIZED (revoked, not an upload),
 * IDEMPOTENCY_MISMATCH (the key was used for another request), the stored answer, or null (new).
 */
export function answerFromStored(
  row: StoredRow | null,
  idem: Idempotency | null,
  op: ServerOperation,
): StoredReply | null {
  // Revocation stops new work, not the upload of what was already sold: a revoked terminal still
  // reports its offline sales and gives its leases back (never renews them).
  const revoked = row?.revoked_at !== null && row?.revoked_at !== undefined;
  if (revoked && !UPLOAD_OPERATIONS.has(op)) {
    throw new TaquillaError('UNAUTHORIZED', 'Unknown or revoked credential', {});
  }
  if (!row || !idem || row.request_hash === null) return null;
  if (row.request_hash !== idem.requestHash && row.request_hash !== ABANDONED) {
    throw new TaquillaError('IDEMPOTENCY_MISMATCH', `Key ${idem.key} was used for a different request`, {
      key: idem.key,
    });
  }
  return {
    status: Number(row.status),
    body: JSON.parse(row.body!),
    replayed: true,
  };
}
