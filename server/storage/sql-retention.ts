import type { HistoryRetention } from './hold-store.ts';
import { decideEmptied, decideExpiry, expiry, HOLD_TIME_RAN_OUT } from '../../shared/hold-rules/index.ts';
import { flushChanges } from './sql-availability.ts';
import { closeTransactions, moveTickets, touchedFacts } from './sql-effects.ts';
import { opContext, type SqlDb } from './sql-tx.ts';

/**
 * Time-based cleanup: expiring temporary holds and pruning the change feed and idempotency keys.
 */

/** Who the audit trail names for what time alone did. */
const SWEEPER = 'system';

export async function expireHolds(db: SqlDb, tenantId: number, now: number, limit = 500): Promise<number> {
  const settings = await db.tenantSettings(tenantId);
  return db.write(async (tx) => {
    // Holds and reservations whose time ran out (as the terminal's sweep); a lease's end is decided by
    // its own flow (its grace, its return).
    const candidates = await tx.all<{ id: number; transaction_id: string; reserved_until: number }>(
      `SELECT t.id, t.transaction_id, t.reserved_until FROM tickets t
       JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
       WHERE t.tenant_id = ? AND t.status = 'ACTIVE' AND t.reserved_until <= ?
         AND x.status IN ('PENDING', 'RESERVED') AND x.session_id NOT LIKE 'lease:%'
       ORDER BY t.reserved_until LIMIT ?`,
      [tenantId, now, limit],
    );
    const late = decideExpiry(
      now,
      candidates.map((c) => ({
        ticketId: Number(c.id),
        transactionId: c.transaction_id,
        reservedUntil: Number(c.reserved_until),
      })),
    );
    if (late.length === 0) return 0;
    const ctx = opContext(db, tx, tenantId, 0, now, settings);
    const moved = await moveTickets(
      ctx,
      late.map((t) => expiry(t.ticketId, t.transactionId)),
      SWEEPER,
    );
    const touched = await touchedFacts(
      ctx,
      moved.map((t) => t.transactionId),
    );
    const eventOf = new Map(touched.map((t) => [t.transactionId, t.eventId]));
    const closing = decideEmptied(touched, 'EXPIRED').map((c) => ({
      ...c,
      eventId: eventOf.get(c.transactionId)!,
    }));
    await closeTransactions(ctx, closing, SWEEPER, HOLD_TIME_RAN_OUT);
    await flushChanges(ctx);
    return moved.length;
  });
}

/**
 * The tenant's audit entries from before its first one newer than the cutoff, in id order, and only
 * those at or before the cutoff: no index on `at` (server migration 13), so the walk stops at the
 * first entry kept and visits only what goes. An entry written under a clock set back is kept until a
 * later prune; none newer than the cutoff is ever deleted. A new entry's id is above every entry
 * present (SQLite: MAX(id) + 1 since server migration 15; PostgreSQL: BIGSERIAL).
 * `+tenant_id`: walk the ids, not audit_by_event (which would read every entry of the tenant).
 */
const PRUNE_AUDIT = `DELETE FROM audit_log WHERE +tenant_id = ? AND at <= ? AND id < COALESCE(
  (SELECT id FROM audit_log WHERE +tenant_id = ? AND at > ? ORDER BY id LIMIT 1),
  (SELECT MAX(id) + 1 FROM audit_log))`;

/**
 * The feed is pruned by version, not by a time on every change row (which would cost an index
 * entry per change): each call notes every event's version with `now`; versions noted before the
 * retention are deleted, and feed_floors keeps from which version on the feed is whole.
 */
export async function pruneHistory(
  db: SqlDb,
  tenantId: number,
  now: number,
  retention: HistoryRetention,
): Promise<{ changes: number; keys: number; audit: number }> {
  return db.write(async (tx) => {
    await tx.run(
      'INSERT INTO feed_marks (tenant_id, event_id, version, at) SELECT tenant_id, id, version, ? FROM events WHERE tenant_id = ?',
      [now, tenantId],
    );
    const cutoff = now - retention.feedMs;
    const floors = await tx.all<{ event_id: number; version: number }>(
      'SELECT event_id, MAX(version) AS version FROM feed_marks WHERE tenant_id = ? AND at <= ? GROUP BY event_id',
      [tenantId, cutoff],
    );
    let changes = 0;
    for (const f of floors) {
      const [eventId, version] = [Number(f.event_id), Number(f.version)];
      changes += await tx.run('DELETE FROM changes WHERE tenant_id = ? AND event_id = ? AND version <= ?', [
        tenantId,
        eventId,
        version,
      ]);
      // The floor only rises (two instances may prune together).
      await tx.run(
        `INSERT INTO feed_floors (tenant_id, event_id, version) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id, event_id) DO UPDATE SET version = excluded.version
         WHERE feed_floors.version < excluded.version`,
        [tenantId, eventId, version],
      );
      await tx.run(
        'DELETE FROM feed_marks WHERE tenant_id = ? AND event_id = ? AND at <= ? AND version < ?',
        [tenantId, eventId, cutoff, version],
      );
    }
    // The audit trail is kept as long as the change feed (see sql-audit.ts).
    const audit = await tx.run(PRUNE_AUDIT, [tenantId, cutoff, tenantId, cutoff]);
    const keys = await tx.run('DELETE FROM idempotency WHERE tenant_id = ? AND created_at < ?', [
      tenantId,
      now - retention.keysMs,
    ]);
    return { changes, keys, audit };
  });
}
