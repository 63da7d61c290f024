import type { Clock } from '../../../shared/clock.ts';
import {
  type PrinterSettings,
  type PrintQueueStatus,
  printerUri,
  type ReprintResult,
  type TestPageResult,
} from '../../../shared/schemas/printing.ts';
import type { Db } from '../../store/database.ts';
import type { ReservationService } from '../reservations/reservation-service.ts';
import { buildTestPage, layoutOf } from './layouts.ts';
import { type PrintJobsOptions, PrintJobs, receiptPaymentsFromStore } from './print-jobs.ts';
import { PrintQueue, type PrintQueueOptions } from './print-queue.ts';
import { type PrinterTransport, type TcpOptions, transportFor } from './transports.ts';

export interface PrintingServiceOptions {
  tcp?: TcpOptions;
  queue?: Partial<Omit<PrintQueueOptions, 'transport' | 'layout'>>;
  jobs?: Omit<PrintJobsOptions, 'onEnqueued'>;
  /** A training store: every ticket and receipt is marked as worth nothing (layouts.ts). */
  training?: boolean;
  /** Replaces the transport built from the settings (tests of a printer's edge cases). */
  transport?: (settings: PrinterSettings) => PrinterTransport;
}

const TEST_PAGE_MESSAGES: Record<TestPageResult['outcome'], string> = {
  printed: 'Página de prueba impresa.',
  sent: 'Página de prueba enviada (esta impresora no informa su estado).',
  'paper-out': 'La impresora no tiene papel.',
  unreachable: 'No se pudo conectar con la impresora.',
  unconfirmed: 'Se envió la página pero la impresora no confirmó.',
};

/**
 * Printing as the API sees it: settings, status for the status bar, test page, reprint. It owns the
 * job writer (attached to the sale) and the worker (started by the terminal).
 */
export class PrintingService {
  readonly jobs: PrintJobs;
  readonly queue: PrintQueue;
  private cachedTransport: { key: string; transport: PrinterTransport } | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: PrintingServiceOptions = {},
  ) {
    this.jobs = new PrintJobs(db, clock, { ...options.jobs, onEnqueued: () => this.queue.wake() });
    this.queue = new PrintQueue(db, clock, {
      ...options.queue,
      transport: () => this.transport(),
      layout: () => ({ ...layoutOf(this.jobs.settings.get()), training: options.training === true }),
      receiptPayments: options.queue?.receiptPayments ?? receiptPaymentsFromStore(db),
    });
  }

  private transport(): PrinterTransport {
    const settings = this.jobs.settings.get();
    const key = JSON.stringify(settings);
    if (this.cachedTransport?.key !== key) {
      const transport = this.options.transport?.(settings) ?? transportFor(settings, this.options.tcp);
      this.cachedTransport = { key, transport };
    }
    return this.cachedTransport.transport;
  }

  /** Queue print jobs with every completed sale of `reservations` (inside the sale's transaction). */
  attach(reservations: ReservationService): () => void {
    return this.jobs.attach(reservations);
  }

  start(): void {
    this.queue.start();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  status(): PrintQueueStatus {
    return this.queue.status();
  }

  getSettings(): PrinterSettings {
    return this.jobs.settings.get();
  }

  setSettings(raw: unknown, actor: string): PrinterSettings {
    const saved = this.jobs.settings.set(raw, actor);
    this.queue.retryNow();
    return saved;
  }

  /** Prints a test page directly (not queued): the answer is about the printer, now. */
  async testPage(): Promise<TestPageResult> {
    const settings = this.getSettings();
    const transport = this.transport();
    const result = await transport.send(
      buildTestPage(settings, printerUri(settings.connection), this.clock.now()),
    );
    const outcome = result.outcome === 'paper-out-after' ? 'paper-out' : result.outcome;
    const detail = result.error ? ` (${result.error})` : '';
    return { outcome, message: `${TEST_PAGE_MESSAGES[outcome]}${detail}` };
  }

  reprint(raw: unknown, actor: string): ReprintResult {
    return this.jobs.reprint(raw, actor);
  }
}
