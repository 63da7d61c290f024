import { userInfo } from 'node:os';
import { type AuditEntry, type SqlDb, type SqlTx, textByCount } from './sql-tx.ts';

/**
 * The server's audit trail (server migration 6): one row for every state change of a transaction,
 * ticket, seat, lease or void, written in the same transaction as the change (as the terminal's
 * audit_log). Pruned with the change feed (HistoryRetention.feedMs): it is the record of the recent
 * nights a supervisor asks about; the sales themselves are kept for good.
 */

export const AUDIT_INSERT = `INSERT INTO audit_log
  (tenant_id, event_id, at, actor, credential_id, entity, entity_id, from_state, to_state, reason) VALUES `;
export const AUDIT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** The INSERT of n entries. */
export const auditInsert = textByCount(
  (n) => AUDIT_INSERT + Array.from({ length: n }, () => AUDIT_ROW).join(', '),
);

/** Who did it: an operator on the server's command line (credential 0), an admin or a counter. */
export interface AuditBy {
  actor: string;
  credentialId: number;
}

/**
 * The operator of a `taquilla-server` command: whoever can open the database, named by the account
 * that ran it (credential 0).
 */
export function cliOperator(): AuditBy {
  let account = 'unknown';
  try {
    account = userInfo().username;
  } catch {
    // No account name on this system (a container without a passwd entry): still the operator.
  }
  return { actor: `operator:${account}`, credentialId: 0 };
}

/** An admin credential acting through the HTTP API. */
export function adminBy(credential: { id: number; name: string }): AuditBy {
  return { actor: `admin:${credential.name}`, credentialId: credential.id };
}

/** Writes entries in the caller's transaction (the write of the change they record). */
export async function writeAudit(
  tx: SqlTx,
  tenantId: number,
  by: AuditBy,
  at: number,
  entries: Omit<AuditEntry, 'actor'>[],
): Promise<void> {
  if (entries.length === 0) return;
  await tx.run(
    auditInsert(entries.length),
    auditParams(
      tenantId,
      by.credentialId,
      at,
      entries.map((e) => ({ ...e, actor: by.actor })),
    ),
  );
}

export function auditParams(
  tenantId: number,
  credentialId: number,
  at: number,
  entries: AuditEntry[],
): unknown[] {
  return entries.flatMap((e) => [
    tenantId,
    e.eventId,
    at,
    e.actor,
    credentialId,
    e.entity,
    String(e.entityId),
    e.from,
    e.to,
    e.reason,
  ]);
}

/** One entry as an admin reads it. */
export interface AuditRecord {
  id: number;
  at: number;
  eventId: number | null;
  actor: string;
  credentialId: number;
  entity: AuditEntry['entity'];
  entityId: string;
  from: string | null;
  to: string;
  reason: string;
}

/** The newest `limit` entries of a tenant's event (or of every event), oldest first. */
export async function readAudit(
  db: SqlDb,
  tenantId: number,
  filter: { eventId?: number | undefined; entityId?: string | undefined; limit: number },
): Promise<AuditRecord[]> {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (filter.eventId !== undefined) {
    where.push('event_id = ?');
    params.push(filter.eventId);
  }
  if (filter.entityId !== undefined) {
    where.push('entity_id = ?');
    params.push(filter.entityId);
  }
  const rows = await db.read((tx) =>
    tx.all<Record<string, string | number | null>>(
      `SELECT id, at, event_id, actor, credential_id, entity, entity_id, from_state, to_state, reason
       FROM audit_log WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
      [...params, filter.limit],
    ),
  );
  return rows.reverse().map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    eventId: r.event_id === null ? null : Number(r.event_id),
    actor: String(r.actor),
    credentialId: Number(r.credential_id),
    entity: r.entity as AuditEntry['entity'],
    entityId: String(r.entity_id),
    from: r.from_state === null ? null : String(r.from_state),
    to: String(r.to_state),
    reason: String(r.reason),
  }));
}
