import { MINUTE_MS } from '../../../shared/clock.ts';
import { DEFAULT_SETTINGS, resolveSettings } from '../../../shared/config.ts';
import type { Db } from '../../store/database.ts';

/**
 * How long until the next cleanup of expired holds: the shortest CLEANUP_INTERVAL_MINUTES among the
 * tenants whose events this store sells (on an enrolled counter, the settings the server sent), read
 * again before every run so a change applies without a restart. Correctness never waits for it: an
 * expired hold blocks nobody before cleanup marks it.
 */
export function cleanupIntervalMs(db: Db): number {
  const rows = db
    .prepare<[], { settings: string }>(
      'SELECT settings FROM tenants WHERE id IN (SELECT DISTINCT tenant_id FROM events)',
    )
    .all();
  let minutes: number = DEFAULT_SETTINGS.CLEANUP_INTERVAL_MINUTES;
  for (const [i, row] of rows.entries()) {
    let tenantMinutes: number = DEFAULT_SETTINGS.CLEANUP_INTERVAL_MINUTES;
    try {
      tenantMinutes = resolveSettings(JSON.parse(row.settings)).CLEANUP_INTERVAL_MINUTES;
    } catch {
      // A tenant whose stored settings no longer resolve keeps the default interval.
    }
    minutes = i === 0 ? tenantMinutes : Math.min(minutes, tenantMinutes);
  }
  return minutes * MINUTE_MS;
}
