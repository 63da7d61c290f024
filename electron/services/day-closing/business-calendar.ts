import {
  businessDayEnd,
  businessDayOf,
  businessDayStart,
  BUSINESS_TIME_ZONE,
} from '../../../shared/business-day.ts';
import type { Clock } from '../../../shared/clock.ts';
import { DEFAULT_SETTINGS, resolveSettings } from '../../../shared/config.ts';
import type { Db } from '../../store/database.ts';

/**
 * The terminal's business day: its tenant's BUSINESS_DAY_CUTOFF_HOUR (read again on every call, so
 * a setting the central server delivers applies at once) in America/Caracas. The terminal's tenant
 * is the one it is enrolled with; unenrolled, the tenant of its events (a terminal serves one).
 */
export class BusinessCalendar {
  private readonly settings;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.settings = db.prepare<[], { settings: string }>(
      `SELECT settings FROM tenants WHERE id = COALESCE(
         (SELECT tenant_id FROM sync_credentials WHERE id = 1),
         (SELECT MIN(tenant_id) FROM events),
         (SELECT MIN(id) FROM tenants))`,
    );
  }

  readonly timeZone = BUSINESS_TIME_ZONE;

  cutoffHour(): number {
    const row = this.settings.get();
    if (!row) return DEFAULT_SETTINGS.BUSINESS_DAY_CUTOFF_HOUR;
    try {
      return resolveSettings(JSON.parse(row.settings)).BUSINESS_DAY_CUTOFF_HOUR;
    } catch {
      // Settings that no longer resolve keep the default day rather than stopping the closing.
      return DEFAULT_SETTINGS.BUSINESS_DAY_CUTOFF_HOUR;
    }
  }

  /** The business day `epochMs` belongs to ('YYYY-MM-DD'). */
  dayOf(epochMs: number, cutoffHour = this.cutoffHour()): string {
    return businessDayOf(epochMs, cutoffHour);
  }

  today(cutoffHour = this.cutoffHour()): string {
    return this.dayOf(this.clock.now(), cutoffHour);
  }

  /** When `day` begins and ends (epoch ms, end exclusive). */
  bounds(day: string, cutoffHour = this.cutoffHour()): { start: number; end: number } {
    return { start: businessDayStart(day, cutoffHour), end: businessDayEnd(day, cutoffHour) };
  }
}
