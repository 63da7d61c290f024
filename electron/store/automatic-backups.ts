import type { Clock } from '../../shared/clock.ts';
import { automaticBackupFile, type BackupInfo, backupStore, pruneBackups } from './backup.ts';
import type { Db } from './database.ts';

export interface AutomaticBackupOptions {
  /** How often, in ms (default: hourly). */
  everyMs?: number;
  /** How many rotating backups to keep (default 24: a day of hourly copies). */
  keep?: number;
  log?: (line: string) => void;
}

export interface AutomaticBackupStatus {
  last: BackupInfo | null;
  /** The last attempt's failure (disk full, folder not writable), until a backup succeeds again. */
  error: string | null;
}

/**
 * Hourly rotating copies of a terminal's store in `backups/` beside it, taken with the online backup
 * API while the terminal sells; the newest `keep` are kept. A failed backup never stops selling: it
 * is logged and reported in the status until the next one succeeds.
 */
export class AutomaticBackups {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private state: AutomaticBackupStatus = { last: null, error: null };
  private readonly everyMs: number;
  private readonly keep: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly db: Db,
    private readonly storeFile: string,
    private readonly clock: Clock,
    options: AutomaticBackupOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 3_600_000;
    this.keep = options.keep ?? 24;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  /** Takes one backup now (also what the timer calls); never throws. */
  runOnce(): Promise<void> {
    this.running ??= this.take().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  status(): AutomaticBackupStatus {
    return { ...this.state };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async take(): Promise<void> {
    const now = this.clock.now();
    try {
      const last = await backupStore(this.db, automaticBackupFile(this.storeFile, 'auto', now), now);
      pruneBackups(this.storeFile, this.keep);
      this.state = { last, error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.state = { ...this.state, error: message };
      this.log(`taquilla backup: ${message}`);
    }
  }
}
