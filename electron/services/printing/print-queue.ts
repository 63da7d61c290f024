import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import type { ClosingReport } from '../../../shared/schemas/day-closing.ts';
import type {
  PrintQueueStatus,
  ReceiptPrintData,
  SlipPrintData,
  TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import type { Db } from '../../store/database.ts';
import { buildReceipt, buildReport, buildSlip, buildTicket, type LayoutOptions } from './layouts.ts';
import type { PrinterTransport, SendResult } from './transports.ts';

export interface PrintQueueOptions {
  /** The transport of the current settings; asked before every job so a settings change applies. */
  transport: () => PrinterTransport;
  layout: () => LayoutOptions;
  /** Payments to add to a receipt at print time (receiptPaymentsFromStore). */
  receiptPayments?: (transactionId: string, totalCents: number) => Partial<ReceiptPrintData>;
  /** First retry delay after a failure; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often a paused queue asks the printer whether paper is back. */
  pausedPollMs?: number;
  /** How often an idle worker looks for jobs another process queued. */
  idlePollMs?: number;
  /** How often an idle worker asks the printer for its status (paper, cable) for the status bar. */
  statusPollMs?: number;
  /** How long a worker's claim on a job lasts if it dies mid-send (then another may take it). */
  claimMs?: number;
}

export type RunOutcome = 'printed' | 'idle' | 'paused' | 'failed' | 'waiting';

interface JobRow {
  id: number;
  kind: 'ticket' | 'receipt' | 'slip' | 'report';
  /** Null for a report (X or Z), which belongs to no sale. */
  transaction_id: string | null;
  ticket_number: string | null;
  copy: number;
  data: string;
  attempts: number;
  uncertain: number;
  ticket_data: string | null;
}

/**
 * The worker that empties the durable queue, one job at a time and in order. A job leaves the queue
 * only when the printer confirms it (or, for transports that cannot answer, when the bytes were
 * handed over). Paper-out pauses the queue without counting an attempt; a failure backs off
 * exponentially; an attempt that may have printed marks the next one as a reprint on paper.
 */
export class PrintQueue {
  private readonly o: Required<Omit<PrintQueueOptions, 'receiptPayments'>> &
    Pick<PrintQueueOptions, 'receiptPayments'>;
  private readonly sql;
  private state: PrintQueueStatus['state'] = 'unknown';
  private lastError: string | null = null;
  private retryAt: number | null = null;
  private failures = 0;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private busy: Promise<RunOutcome> | null = null;
  private lastProbe = Number.NEGATIVE_INFINITY;
  private readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: PrintQueueOptions,
  ) {
    this.o = {
      backoffMs: 1000,
      maxBackoffMs: 30_000,
      pausedPollMs: 2000,
      idlePollMs: 1000,
      claimMs: 120_000,
      statusPollMs: 5000,
      ...options,
    };
    this.sql = {
      head: db.prepare<[], JobRow & { claimed_by: string | null; claimed_until: number | null }>(
        `SELECT j.id, j.kind, j.transaction_id, j.ticket_number, j.copy, j.data, j.attempts, j.uncertain,
                j.claimed_by, j.claimed_until, i.data AS ticket_data
         FROM print_jobs j LEFT JOIN issued_tickets i ON i.ticket_number = j.ticket_number
         WHERE j.status = 'PENDING' ORDER BY j.id LIMIT 1`,
      ),
      // Compare-and-set: only one worker (process) holds a job's claim at a time.
      claim: db.prepare<[{ me: string; until: number; now: number; id: number }]>(
        `UPDATE print_jobs SET claimed_by = @me, claimed_until = @until
         WHERE id = @id AND status = 'PENDING'
           AND (claimed_by IS NULL OR claimed_by = @me OR claimed_until <= @now)`,
      ),
      takeOver: db.prepare<[{ me: string; until: number; dead: string; id: number }]>(
        `UPDATE print_jobs SET claimed_by = @me, claimed_until = @until, uncertain = 1
         WHERE id = @id AND status = 'PENDING' AND claimed_by = @dead`,
      ),
      done: db.prepare<[number, number]>(
        `UPDATE print_jobs SET status = 'DONE', printed_at = ?, attempts = attempts + 1, claimed_by = NULL,
           claimed_until = NULL WHERE id = ? AND status = 'PENDING'`,
      ),
      failed: db.prepare<[number, string, number]>(
        `UPDATE print_jobs SET attempts = attempts + 1, uncertain = MAX(uncertain, ?), last_error = ?,
           claimed_by = NULL, claimed_until = NULL WHERE id = ?`,
      ),
      note: db.prepare<[string, number]>(
        'UPDATE print_jobs SET last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?',
      ),
      cancel: db.prepare<[string, number]>(
        "UPDATE print_jobs SET status = 'CANCELLED', last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
      ),
      pending: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM print_jobs WHERE status = 'PENDING'"),
    };
  }

  /** Bytes for a job, with its marks: COPIA n for reprints, a retry note after an uncertain attempt. */
  bytesFor(job: JobRow): Buffer {
    const marks = { copy: job.copy, retry: job.uncertain === 1 };
    if (job.kind === 'ticket') {
      return buildTicket(JSON.parse(job.ticket_data!) as TicketPrintData, this.o.layout(), marks);
    }
    if (job.kind === 'slip') return buildSlip(JSON.parse(job.data) as SlipPrintData, this.o.layout(), marks);
    if (job.kind === 'report')
      return buildReport(JSON.parse(job.data) as ClosingReport, this.o.layout(), marks);
    const receipt = JSON.parse(job.data) as ReceiptPrintData;
    const paid = this.o.receiptPayments?.(receipt.transactionId, receipt.totalCents) ?? {};
    return buildReceipt({ ...receipt, ...paid }, this.o.layout(), marks);
  }

  /** Tries the oldest pending job once. Never runs two jobs at a time, even if called concurrently. */
  runOnce(): Promise<RunOutcome> {
    if (!this.busy) this.busy = this.attempt().finally(() => (this.busy = null));
    return this.busy;
  }

  private async attempt(): Promise<RunOutcome> {
    if (this.retryAt !== null && this.clock.now() < this.retryAt) return 'waiting';
    const job = this.sql.head.get();
    if (!job) {
      if (this.state !== 'offline' && this.state !== 'paused-paper-out') this.state = 'ready';
      return 'idle';
    }
    const claimed = this.sql.claim.run({
      me: this.workerId,
      until: this.clock.now() + this.o.claimMs,
      now: this.clock.now(),
      id: job.id,
    });
    if (claimed.changes === 0) {
      // Another worker holds it. If that process died mid-send (a crash), take over at once, and
      // mark the job: its bytes may have reached the printer.
      if (!job.claimed_by || workerAlive(job.claimed_by)) return 'waiting';
      const taken = this.sql.takeOver.run({
        me: this.workerId,
        until: this.clock.now() + this.o.claimMs,
        dead: job.claimed_by,
        id: job.id,
      });
      if (taken.changes === 0) return 'waiting';
      job.uncertain = 1;
    }
    let bytes: Buffer;
    try {
      bytes = this.bytesFor(job);
    } catch (e) {
      // A job that cannot be laid out would block every sale behind it: set it aside, visibly.
      this.sql.cancel.run(`cannot build the job: ${(e as Error).message}`, job.id);
      this.lastError = `job ${job.id} set aside: ${(e as Error).message}`;
      return 'failed';
    }
    const transport = this.o.transport();
    this.state = 'printing';
    let result: SendResult;
    try {
      result = await transport.send(bytes);
    } catch (e) {
      result = { outcome: 'unconfirmed', error: (e as Error).message };
    }
    // The terminal may have closed the store while the printer was answering.
    if (!this.db.open) return 'idle';
    const now = this.clock.now();
    switch (result.outcome) {
      case 'printed':
      case 'sent':
        this.sql.done.run(now, job.id);
        this.failures = 0;
        this.retryAt = null;
        this.lastError = null;
        this.state = 'ready';
        return 'printed';
      case 'paper-out':
        // Nothing was sent: not an attempt. Ask again on the next poll.
        this.sql.note.run('paper out', job.id);
        this.state = 'paused-paper-out';
        this.lastError = 'paper out';
        this.retryAt = null;
        return 'paused';
      case 'paper-out-after':
        this.sql.failed.run(1, 'paper ran out while printing', job.id);
        this.state = 'paused-paper-out';
        this.lastError = 'paper ran out while printing';
        this.retryAt = null;
        return 'paused';
      default: {
        const uncertain = result.outcome === 'unconfirmed' ? 1 : 0;
        this.lastError = result.error ?? result.outcome;
        this.sql.failed.run(uncertain, this.lastError, job.id);
        this.failures += 1;
        const delay = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (this.failures - 1));
        this.retryAt = now + delay;
        this.state = 'offline';
        return 'failed';
      }
    }
  }

  status(): PrintQueueStatus {
    const pending = this.sql.pending.get()!.n;
    const printer = this.o.transport().description;
    const waiting = pending === 1 ? '1 trabajo en espera' : `${pending} trabajos en espera`;
    let message: string | null = null;
    if (this.state === 'paused-paper-out') {
      message =
        pending === 0
          ? 'Impresora sin papel: cargue un rollo nuevo.'
          : `Impresora sin papel: cargue un rollo nuevo. ${waiting}; se imprimirán solos.`;
    } else if (this.state === 'offline') {
      const seconds =
        this.retryAt === null ? 0 : Math.max(0, Math.ceil((this.retryAt - this.clock.now()) / 1000));
      message =
        this.retryAt === null
          ? `Impresora desconectada (${printer}). ${waiting}.`
          : `Impresora desconectada (${printer}): reintento en ${seconds} s. ${waiting}.`;
    }
    return { state: this.state, pending, message, lastError: this.lastError, retryAt: this.retryAt, printer };
  }

  /**
   * Asks the printer how it is without printing (for the status bar while the queue is empty).
   * Transports that cannot answer leave the state as it was.
   */
  async probe(): Promise<PrintQueueStatus> {
    const report = await this.o.transport().status();
    this.lastProbe = this.clock.now();
    if (!this.db.open || this.busy) return this.status();
    if (!report.reachable) {
      this.state = 'offline';
      this.lastError = report.error ?? 'unreachable';
    } else if (report.paperOut === true) {
      this.state = 'paused-paper-out';
      this.lastError = 'paper out';
    } else if (report.paperOut === false) {
      this.state = 'ready';
      this.lastError = null;
      // The printer is back: no reason to sit out the backoff.
      this.retryAt = null;
      this.failures = 0;
    }
    return this.status();
  }

  /** Prints until nothing is due: returns why it stopped (idle, paused, failed or waiting). */
  async drain(): Promise<RunOutcome> {
    for (;;) {
      const outcome = await this.runOnce();
      if (outcome !== 'printed') return outcome;
    }
  }

  /** Runs the worker in the background until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    this.loopDone = null;
  }

  /** New jobs were queued (or paper was loaded): try now instead of at the next poll. */
  wake(): void {
    if (this.state === 'paused-paper-out') this.retryAt = null;
    // A wake while a job is running must not be lost: the loop checks the flag before sleeping.
    this.woken = true;
    this.wakeUp?.();
  }

  /** Forget the backoff and try at once (the cashier pressed "retry"). */
  retryNow(): void {
    this.retryAt = null;
    this.wake();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const outcome = await this.runOnce();
      if (outcome === 'printed') continue;
      if (outcome === 'idle' && this.clock.now() - this.lastProbe >= this.o.statusPollMs) {
        await this.probe().catch(() => undefined);
        if (!this.running) break;
      }
      if (this.woken && outcome !== 'waiting') {
        this.woken = false;
        continue;
      }
      const delay =
        outcome === 'paused'
          ? this.o.pausedPollMs
          : outcome === 'idle'
            ? this.o.idlePollMs
            : Math.max(5, (this.retryAt ?? this.clock.now()) - this.clock.now());
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.wakeUp = null;
          resolve();
        };
        const timer = setTimeout(done, delay);
        this.wakeUp = done;
      });
    }
  }
}

/** Whether the process that owns a claim (`<pid>-<random>`, on this PC) is still running. */
function workerAlive(workerId: string): boolean {
  const pid = Number(workerId.split('-')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
