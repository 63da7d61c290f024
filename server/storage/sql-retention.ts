import type { HistoryRetention } from './hold-store.ts';
import { changed, flushChanges } from './sql-availability.ts';
import { type OpContext, type SqlDb } from './sql-tx.ts';

/**
 * Time-based cleanup: expiring temporary holds and pruning the change feed and idempotency keys.
 */

export async function expireHolds(db: SqlDb, tenantId: number, now: number, limit = 500): Promise<number> {
  const settings = await db.tenantSettings(tenantId);
  return db.write(async (tx) => {
    // Only temporary holds: a deposit's or a lease's end is decided by its own flow.
    const moved = await tx.all<{
      event_id: number;
      zone_id: number;
      seat_id: number | null;
      quantity: number;
    }>(
      `UPDATE tickets SET status = 'EXPIRED', updated_at = ?
       WHERE status = 'ACTIVE' AND id IN (
         SELECT t.id FROM tickets t JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
         WHERE t.tenant_id = ? AND t.status = 'ACTIVE' AND t.reserved_until <= ? AND x.status = 'PENDING'
         ORDER BY t.reserved_until LIMIT ?)
       RETURNING event_id, zone_id, seat_id, quantity`,
      [now, tenantId, now, limit],
    );
    if (moved.length === 0) return 0;
    const ctx: OpContext = { tx, tenantId, credentialId: 0, now, settings, changes: new Map(), db };
    const standing = new Map<string, number>();
    for (const m of moved) {
      changed(ctx, Number(m.event_id), m.zone_id, m.seat_id);
      if (m.seat_id === null) {
        const key = `${m.event_id}:${m.zone_id}`;
        standing.set(key, (standing.get(key) ?? 0) + Number(m.quantity));
      }
    }
    for (const [key, quantity] of standing) {
      const [eventId, zoneId] = key.split(':').map(Number);
      await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
        quantity,
        tenantId,
        eventId,
        zoneId,
      ]);
    }
    await flushChanges(ctx);
    return moved.length;
  });
}

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
): Promise<{ changes: number; keys: number }> {
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
    const keys = await tx.run('DELETE FROM idempotency WHERE tenant_id = ? AND created_at < ?', [
      tenantId,
      now - retention.keysMs,
    ]);
    return { changes, keys };
  });
}
