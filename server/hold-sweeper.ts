import { MINUTE_MS } from '../shared/clock.ts';
import type { Clock } from '../shared/clock.ts';
import { DEFAULT_RETENTION, type HistoryRetention, type HoldStore } from './storage/hold-store.ts';

export interface HoldSweeperOptions {
  /** How often (real time) the sweeper looks for a tenant whose cleanup is due. */
  checkEveryMs?: number;
  /** Holds marked per write. */
  batch?: number;
  /** How long the change feed and idempotency records are kept (default DEFAULT_RETENTION). */
  retention?: HistoryRetention;
}

/**
 * The server's cleanup job: each tenant's expired temporary holds are marked EXPIRED every
 * CLEANUP_INTERVAL_MINUTES of that tenant (server time), so every live map frees those seats.
 * Correctness never waits for it (an expired hold blocks nobody before cleanup); several instances
 * on one PostgreSQL may sweep together, each hold is marked once. The same visit prunes the tenant's
 * history past its retention (the change feed, idempotency records), so the database stays bounded.
 */
export class HoldSweeper {
  private readonly lastRun = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private readonly startedAt: number;

  constructor(
    private readonly store: HoldStore,
    private readonly clock: Clock,
    private readonly options: HoldSweeperOptions = {},
  ) {
    this.startedAt = clock.now();
  }

  start(): void {
    this.timer = setInterval(() => void this.runDue(), this.options.checkEveryMs ?? 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sweeps every tenant whose interval has passed since its last sweep (or since start). */
  runDue(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const tenantId of await this.store.tenantIds()) {
          const now = this.clock.now();
          const every = (await this.store.tenantSettings(tenantId)).CLEANUP_INTERVAL_MINUTES * MINUTE_MS;
          if (now - (this.lastRun.get(tenantId) ?? this.startedAt) < every) continue;
          const batch = this.options.batch ?? 500;
          while ((await this.store.expireHolds(tenantId, now, batch)) === batch) {
            // a backlog: keep going in batches, each its own short write
          }
          await this.store.pruneHistory(tenantId, now, this.options.retention ?? DEFAULT_RETENTION);
          this.lastRun.set(tenantId, now);
        }
      } catch {
        // The database is unreachable: the next check tries again.
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
