import { Worker } from 'node:worker_threads';

/**
 * Node-only SQLite upkeep shared by the terminal's store and the hold server's SQLite database (both
 * import it; neither imports the other, and shared/ stays pure).
 */

/** What the checkpoint worker is told at start; `walLimitBytes` may be changed later by message. */
export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  walLimitBytes: number;
  /** The selling connection empties an oversized WAL itself; the worker then steps aside. */
  sellerTruncates: boolean;
}

/**
 * Starts the worker thread that checkpoints `file`'s WAL on its own connection. It runs from
 * checkpoint-worker.js beside this module, or beside the bundle that inlines it (build:electron
 * copies it there). Stop it by posting 'stop' and waiting for 'stopped'.
 */
export function startCheckpointWorker(data: CheckpointWorkerData): Worker {
  return new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: data });
}
