import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import type { ClosingReport } from '../../../shared/schemas/day-closing.ts';
import {
  type InterruptedJob,
  type Interruption,
  type PrinterState,
  type PrintJobKind,
  type PrintQueueStatus,
  type ReceiptPrintData,
  type SlipPrintData,
  saleNumberOf,
  type TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import type { Db } from '../../store/database.ts';
import { buildReceipt, buildReport, buildSlip, buildTicket, type LayoutOptions } from './layouts.ts';
import { type PrinterCondition, stateOf } from './printer-status.ts';
import type { PrinterTransport, SendResult } from './transports.ts';

export interface PrintQueueOptions {
  /** The transport of the current settings; asked before every job so a settings change applies. */
  transport: () => PrinterTransport;
  layout: () => LayoutOptions;
  /** The cash drawer's connector pin (2 or 5), or null: opened by an original receipt with cash. */
  cashDrawer?: () => 2 | 5 | null;
  /** Payments to add to a receipt at print time (receiptPaymentsFromStore). */
  receiptPayments?: (transactionId: string, totalCents: number) => Partial<ReceiptPrintData>;
  /** First retry delay after a failure; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often a stopped queue (paper out, cover open, error, silent printer) asks again. */
  pausedPollMs?: number;
  /** How often an idle worker looks for jobs another process queued. */
  idlePollMs?: number;
  /** How often an idle worker asks the printer for its status (paper, cable) for the status bar. */
  statusPollMs?: number;
  /** How long a worker's claim on a job lasts if it dies mid-send (then another may take it). */
  claimMs?: number;
}

/**
 * printed: a job was confirmed (or sent). paused: the printer is not ready, or stopped on a job (it
 * is interrupted): nothing more until the printer says it is back. failed: cannot reach the printer
 * (backing off). waiting: in a backoff, or another worker holds the job. idle: nothing to print.
 */
export type RunOutcome = 'printed' | 'idle' | 'paused' | 'failed' | 'waiting';

interface JobRow {
  id: number;
  kind: PrintJobKind;
  /** Null for a report (X or Z), which belongs to no sale. */
  transaction_id: string | null;
  ticket_number: string | null;
  copy: number;
  data: string;
  attempts: number;
  ticket_data: string | null;
}

/**
 * The worker that empties the durable queue, one job at a time and in order. A job leaves the queue
 * only when the printer confirms it (or, for transports that cannot answer, when the bytes were
 * handed over). A printer that is not ready (paper out, cover open, cutter jam) or does not answer
 * stops the queue without counting an attempt, and is asked again every pausedPollMs; an unreachable
 * one backs off exponentially. A job the printer stopped on is never sent again by itself: it is set
 * aside as interrupted until the cashier says whether it came out (PrintJobs.resolveInterrupted).
 */
export class PrintQueue {
  private readonly o: Required<Omit<PrintQueueOptions, 'receiptPayments' | 'cashDrawer'>> &
    Pick<PrintQueueOptions, 'receiptPayments' | 'cashDrawer'>;
  private readonly sql;
  private state: PrinterState = 'unknown';
  private condition: PrinterCondition | null = null;
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
        `SELECT j.id, j.kind, j.transaction_id, j.ticket_number, j.copy, j.data, j.attempts,
                j.claimed_by, j.claimed_until, i.data AS ticket_data
         FROM print_jobs j LEFT JOIN issued_tickets i ON i.ticket_number = j.ticket_number
         WHERE j.status = 'PENDING' AND j.interrupted_at IS NULL ORDER BY j.id LIMIT 1`,
      ),
      // Compare-and-set: only one worker (process) holds a job's claim at a time.
      claim: db.prepare<[{ me: string; until: number; now: number; id: number }]>(
        `UPDATE print_jobs SET claimed_by = @me, claimed_until = @until
         WHERE id = @id AND status = 'PENDING'
           AND (claimed_by IS NULL OR claimed_by = @me OR claimed_until <= @now)`,
      ),
      // The dead process may have sent it: it waits for the cashier like any interrupted job.
      takeOver: db.prepare<[{ now: number; dead: string; id: number }]>(
        `UPDATE print_jobs SET claimed_by = NULL, claimed_until = NULL, interrupted_at = @now,
           interruption = 'crashed', last_error = 'the process printing it stopped'
         WHERE id = @id AND status = 'PENDING' AND claimed_by = @dead`,
      ),
      done: db.prepare<[number, number]>(
        `UPDATE print_jobs SET status = 'DONE', printed_at = ?, attempts = attempts + 1, claimed_by = NULL,
           claimed_until = NULL WHERE id = ? AND status = 'PENDING'`,
      ),
      failed: db.prepare<[string, number]>(
        `UPDATE print_jobs SET attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL
         WHERE id = ?`,
      ),
      interrupted: db.prepare<[number, Interruption, string, number]>(
        `UPDATE print_jobs SET attempts = attempts + 1, interrupted_at = ?, interruption = ?, last_error = ?,
           claimed_by = NULL, claimed_until = NULL WHERE id = ? AND status = 'PENDING'`,
      ),
      note: db.prepare<[string, number]>(
        'UPDATE print_jobs SET last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?',
      ),
      cancel: db.prepare<[string, number]>(
        "UPDATE print_jobs SET status = 'CANCELLED', last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
      ),
      pending: db.prepare<[], { n: number }>(
        "SELECT COUNT(*) AS n FROM print_jobs WHERE status = 'PENDING' AND interrupted_at IS NULL",
      ),
      waitingTickets: db.prepare<[], { ticket_number: string }>(
        `SELECT ticket_number FROM print_jobs WHERE status = 'PENDING' AND interrupted_at IS NULL
           AND kind = 'ticket' ORDER BY id LIMIT 50`,
      ),
      interruptedJobs: db.prepare<
        [],
        {
          id: number;
          kind: PrintJobKind;
          transaction_id: string | null;
          ticket_number: string | null;
          copy: number;
          interruption: Interruption;
          interrupted_at: number;
          ticket_data: string | null;
        }
      >(
        `SELECT j.id, j.kind, j.transaction_id, j.ticket_number, j.copy, j.interruption, j.interrupted_at,
                i.data AS ticket_data
         FROM print_jobs j LEFT JOIN issued_tickets i ON i.ticket_number = j.ticket_number
         WHERE j.status = 'PENDING' AND j.interrupted_at IS NOT NULL ORDER BY j.id LIMIT 200`,
      ),
    };
  }

  /**
   * Bytes for a job, with its mark: COPIA n for reprints. An original receipt of a sale or deposit
   * paid (partly) in cash opens the cash drawer, if one is configured; a copy never does.
   */
  bytesFor(job: Pick<JobRow, 'kind' | 'copy' | 'data' | 'ticket_data'>): Buffer {
    const marks = { copy: job.copy };
    if (job.kind === 'ticket') {
      return buildTicket(JSON.parse(job.ticket_data!) as TicketPrintData, this.o.layout(), marks);
    }
    if (job.kind === 'slip') return buildSlip(JSON.parse(job.data) as SlipPrintData, this.o.layout(), marks);
    if (job.kind === 'report')
      return buildReport(JSON.parse(job.data) as ClosingReport, this.o.layout(), marks);
    const receipt = JSON.parse(job.data) as ReceiptPrintData;
    const paid = this.o.receiptPayments?.(receipt.transactionId, receipt.totalCents) ?? {};
    const full = { ...receipt, ...paid };
    const drawer = this.o.cashDrawer?.() ?? null;
    const cash = full.payments?.some((p) => p.method === 'CASH_USD' || p.method === 'CASH_VES') === true;
    return buildReceipt(full, this.o.layout(), marks, drawer && cash && job.copy === 0 ? { drawer } : {});
  }

  /** Tries the oldest pending job once. Never runs two jobs at a time, even if called concurrently. */
  runOnce(): Promise<RunOutcome> {
    if (!this.busy) this.busy = this.attempt().finally(() => (this.busy = null));
    return this.busy;
  }

  private async attempt(): Promise<RunOutcome> {
    if (this.retryAt !== null && this.clock.now() < this.retryAt) return 'waiting';
    const job = this.sql.head.get();
    if (!job) return 'idle';
    const now = this.clock.now();
    const claimed = this.sql.claim.run({ me: this.workerId, until: now + this.o.claimMs, now, id: job.id });
    if (claimed.changes === 0) {
      // Another worker holds it. If that process died mid-send (a crash), its bytes may have reached
      // the printer: set the job aside for the cashier and go on with the next one.
      if (!job.claimed_by || workerAlive(job.claimed_by)) return 'waiting';
      this.sql.takeOver.run({ now, dead: job.claimed_by, id: job.id });
      return this.attempt();
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
    const stateBefore = this.state;
    this.state = 'printing';
    let result: SendResult;
    try {
      result = await transport.send(bytes);
    } catch (e) {
      result = { outcome: 'unconfirmed', error: (e as Error).message };
    }
    // The terminal may have closed the store while the printer was answering.
    if (!this.db.open) return 'idle';
    return this.record(job, result, stateBefore);
  }

  private record(job: JobRow, result: SendResult, stateBefore: PrinterState): RunOutcome {
    const now = this.clock.now();
    if (result.condition) this.condition = result.condition;
    switch (result.outcome) {
      case 'printed':
      case 'sent':
        this.sql.done.run(now, job.id);
        this.failures = 0;
        this.retryAt = null;
        this.lastError = null;
        this.state = 'ready';
        return 'printed';
      case 'not-ready': {
        // Nothing was sent: not an attempt. Asked again at the next poll.
        const state = result.condition ? stateOf(result.condition) : 'error';
        this.state = state === 'ready' ? 'error' : state;
        this.lastError = this.state;
        this.sql.note.run(this.state, job.id);
        this.retryAt = null;
        return 'paused';
      }
      case 'no-reply':
        // Silence is not "ready": nothing was sent, and nothing will be until the printer answers.
        this.state = 'no-reply';
        this.lastError = result.error ?? 'the printer does not answer status';
        this.sql.note.run(this.lastError, job.id);
        this.retryAt = null;
        return 'paused';
      case 'interrupted': {
        const state = result.condition ? stateOf(result.condition) : 'error';
        const reason: Interruption = state === 'ready' ? 'error' : state;
        this.sql.interrupted.run(now, reason, `the printer stopped during the job: ${reason}`, job.id);
        this.state = reason;
        this.lastError = `job ${job.id} interrupted: ${reason}`;
        this.retryAt = null;
        return 'paused';
      }
      case 'unconfirmed': {
        this.lastError = result.error ?? 'the printer did not confirm the job';
        this.sql.interrupted.run(now, 'unconfirmed', this.lastError, job.id);
        return this.backOff(now, stateBefore === 'no-reply' ? 'no-reply' : 'offline');
      }
      default:
        this.lastError = result.error ?? result.outcome;
        this.sql.failed.run(this.lastError, job.id);
        return this.backOff(now, 'offline');
    }
  }

  private backOff(now: number, state: PrinterState): RunOutcome {
    this.failures += 1;
    this.retryAt = now + Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (this.failures - 1));
    this.state = state;
    return 'failed';
  }

  /** Jobs the printer stopped on, waiting for the cashier's word (oldest first). */
  interrupted(): InterruptedJob[] {
    return this.sql.interruptedJobs.all().map((j) => {
      const ticket = j.ticket_data ? (JSON.parse(j.ticket_data) as TicketPrintData) : null;
      return {
        jobId: j.id,
        kind: j.kind,
        transactionId: j.transaction_id,
        saleNumber: j.transaction_id === null ? null : saleNumberOf(j.transaction_id),
        ticketNumber: j.ticket_number,
        place: ticket ? (ticket.seatLabel ?? ticket.zone) : null,
        copy: j.copy,
        reason: j.interruption,
        at: j.interrupted_at,
      };
    });
  }

  status(): PrintQueueStatus {
    const pending = this.sql.pending.get()!.n;
    const interrupted = this.interrupted();
    const printer = this.o.transport().description;
    return {
      state: this.state,
      paperNearEnd: this.condition?.paperNearEnd === true,
      confirms: this.o.transport().confirms,
      pending,
      waitingTickets: this.sql.waitingTickets.all().map((r) => r.ticket_number),
      interrupted,
      message: statusMessage(this.state, {
        pending,
        interrupted: interrupted.length,
        printer,
        nearEnd: this.condition?.paperNearEnd === true,
        retryInSeconds:
          this.retryAt === null ? null : Math.max(0, Math.ceil((this.retryAt - this.clock.now()) / 1000)),
      }),
      lastError: this.lastError,
      retryAt: this.retryAt,
      printer,
    };
  }

  /** Asks the printer how it is without printing (for the status bar while the queue is empty). */
  async probe(): Promise<PrintQueueStatus> {
    const transport = this.o.transport();
    const report = await transport.status();
    this.lastProbe = this.clock.now();
    if (!this.db.open || this.busy) return this.status();
    if (!report.reachable) {
      this.state = 'offline';
      this.lastError = report.error ?? 'unreachable';
      return this.status();
    }
    if (report.silent) {
      this.state = 'no-reply';
      this.lastError = report.error ?? 'the printer does not answer status';
      return this.status();
    }
    if (report.condition) this.condition = report.condition;
    const state = report.condition ? stateOf(report.condition) : 'ready';
    this.state = state;
    this.lastError = state === 'ready' ? null : state;
    if (state === 'ready') {
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
      // An empty queue still asks the printer now and then, so a fault shows before the next sale.
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

const STOPPED: Record<Exclude<PrinterState, 'ready' | 'printing' | 'unknown' | 'offline'>, string> = {
  'paper-out': 'Impresora sin papel: cargue un rollo nuevo y cierre la tapa.',
  'cover-open': 'La tapa de la impresora está abierta: ciérrela.',
  'cutter-error': 'Error de cuchilla: abra la tapa, retire el papel atascado y ciérrela.',
  error: 'Error de la impresora: apáguela y vuelva a encenderla; si sigue, llame a soporte.',
  'no-reply': 'La impresora no responde',
};

/** The Spanish sentence for the CLI and logs; the renderer builds its own from the same fields. */
function statusMessage(
  state: PrinterState,
  f: {
    pending: number;
    interrupted: number;
    printer: string;
    nearEnd: boolean;
    retryInSeconds: number | null;
  },
): string | null {
  const waiting = f.pending === 1 ? '1 trabajo en espera' : `${f.pending} trabajos en espera`;
  const parts: string[] = [];
  if (state === 'offline') {
    parts.push(
      f.retryInSeconds === null
        ? `Impresora desconectada (${f.printer}).`
        : `Impresora desconectada (${f.printer}): reintento en ${f.retryInSeconds} s.`,
    );
    parts.push(`${waiting}.`);
  } else if (state === 'no-reply') {
    parts.push(`${STOPPED['no-reply']} (${f.printer}): no se imprime nada hasta que responda.`);
    parts.push(`${waiting}.`);
  } else if (state in STOPPED) {
    parts.push(STOPPED[state as keyof typeof STOPPED]);
    if (f.pending > 0) parts.push(`${waiting}; se imprimirán solos.`);
  } else if (f.nearEnd) {
    parts.push('Papel por acabarse: tenga un rollo nuevo a mano.');
  }
  if (f.interrupted > 0) {
    parts.push(
      f.interrupted === 1
        ? 'La impresora se detuvo en 1 trabajo: indique si salió completo.'
        : `La impresora se detuvo en ${f.interrupted} trabajos: indique cuáles salieron completos.`,
    );
  }
  return parts.length ? parts.join(' ') : null;
}
