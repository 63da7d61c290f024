import type { Clock } from '../../../shared/clock.ts';
import {
  type PrintedSale,
  type PrinterSettings,
  type PrintQueueStatus,
  printerUri,
  type ReprintResult,
  reprintInput,
  type TestPageResult,
} from '../../../shared/schemas/printing.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import type { ReservationService } from '../reservations/reservation-service.ts';
import { TerminalModeStore } from '../terminal-mode/terminal-mode.ts';
import { buildTestPage, layoutOf } from './layouts.ts';
import { type PrintJobsOptions, PrintJobs, receiptPaymentsFromStore } from './print-jobs.ts';
import { PrintQueue, type PrintQueueOptions } from './print-queue.ts';
import { stateOf } from './printer-status.ts';
import { checkPrinterTarget, type TargetRules } from './printer-target.ts';
import { type PrinterTransport, type TcpOptions, transportFor } from './transports.ts';

/** Who asks for a copy, and how to check a supervisor's PIN (SessionService.verifySupervisor). */
export interface ReprintRequester {
  actor: string;
  /** The one asking is a supervisor (or the operator of the command line). */
  supervisor: boolean;
  verifySupervisor: (pin: string) => Promise<{ name: string }>;
}

export interface PrintingServiceOptions {
  tcp?: TcpOptions;
  queue?: Partial<Omit<PrintQueueOptions, 'transport' | 'layout' | 'cashDrawer'>>;
  jobs?: Omit<PrintJobsOptions, 'onEnqueued'>;
  /**
   * A training store: every ticket and receipt is marked as worth nothing (layouts.ts), and the
   * printer may be a capture file. Defaults to the store's own mode (terminal-mode.ts).
   */
  training?: boolean;
  /** Replaces the transport built from the settings (tests of a printer's edge cases). */
  transport?: (settings: PrinterSettings) => PrinterTransport;
}

const TEST_PAGE_MESSAGES: Record<TestPageResult['outcome'], string> = {
  printed: 'Página de prueba impresa.',
  sent: 'Página de prueba enviada (esta conexión no informa el estado de la impresora).',
  'not-ready': 'La impresora no está lista: no se envió nada.',
  'no-reply': 'La impresora no responde a la consulta de estado: no se envió nada.',
  unreachable: 'No se pudo conectar con la impresora.',
  interrupted: 'La impresora se detuvo mientras imprimía la página.',
  unconfirmed: 'Se envió la página pero la impresora no confirmó.',
};

const DRAWER_PIN = { none: null, pin2: 2, pin5: 5 } as const;

const STATE_TEXT: Partial<Record<ReturnType<typeof stateOf>, string>> = {
  'paper-out': 'sin papel',
  'cover-open': 'tapa abierta',
  'cutter-error': 'error de cuchilla',
  error: 'error de la impresora',
};

/**
 * Printing as the API sees it: settings, status for the status bar, test page, reprint. It owns the
 * job writer (attached to the sale) and the worker (started by the terminal).
 */
export class PrintingService {
  readonly jobs: PrintJobs;
  readonly queue: PrintQueue;
  private cachedTransport: { key: string; transport: PrinterTransport } | null = null;
  private readonly rules: TargetRules;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: PrintingServiceOptions = {},
  ) {
    const training = options.training ?? new TerminalModeStore(db, clock).mode() === 'training';
    this.rules = { training };
    this.jobs = new PrintJobs(db, clock, { ...options.jobs, onEnqueued: () => this.queue.wake() });
    this.queue = new PrintQueue(db, clock, {
      ...options.queue,
      transport: () => this.transport(),
      layout: () => ({ ...layoutOf(this.jobs.settings.get()), training }),
      cashDrawer: () => DRAWER_PIN[this.jobs.settings.get().cashDrawer],
      receiptPayments: options.queue?.receiptPayments ?? receiptPaymentsFromStore(db),
    });
  }

  private transport(): PrinterTransport {
    const settings = this.jobs.settings.get();
    const key = JSON.stringify(settings);
    if (this.cachedTransport?.key !== key) {
      const transport =
        this.options.transport?.(settings) ?? transportFor(settings, this.options.tcp, this.rules);
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

  /** Saves a change; a device path or capture file the terminal would not print to is PRINTER_TARGET. */
  setSettings(raw: unknown, actor: string): PrinterSettings {
    const saved = this.jobs.settings.set(raw, actor, (next) => {
      const c = next.connection;
      if (c.kind === 'device' || c.kind === 'file') checkPrinterTarget(c, this.rules);
    });
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
    const state = result.condition ? stateOf(result.condition) : null;
    const why =
      state && STATE_TEXT[state] ? ` (${STATE_TEXT[state]})` : result.error ? ` (${result.error})` : '';
    return { outcome: result.outcome, state, message: `${TEST_PAGE_MESSAGES[result.outcome]}${why}` };
  }

  /**
   * Copies of a sale's tickets and/or receipt, marked COPIA n. A copy is a second valid ticket in
   * someone's hand, so it needs a supervisor: the one signed in, or a supervisor's PIN typed at the
   * cashier's screen (SUPERVISOR_APPROVAL otherwise; BAD_PIN for a wrong one).
   */
  async reprint(raw: unknown, who: ReprintRequester): Promise<ReprintResult> {
    const input = parseInput(reprintInput, raw);
    let approvedBy = who.supervisor ? who.actor : null;
    if (!approvedBy && input.supervisorPin !== undefined) {
      approvedBy = (await who.verifySupervisor(input.supervisorPin)).name;
    }
    if (!approvedBy) {
      throw new TaquillaError('SUPERVISOR_APPROVAL', 'A copy needs a supervisor', { action: 'reprint' });
    }
    return this.jobs.reprint(input, who.actor, approvedBy);
  }

  /** What a sale printed, found by its short number (the reprint screen). */
  printedSale(raw: unknown): PrintedSale {
    return this.jobs.printedSale(raw);
  }

  /** The cashier says which interrupted jobs came out; the others are reprinted marked COPIA. */
  resolveInterrupted(raw: unknown, actor: string): ReprintResult {
    return this.jobs.resolveInterrupted(raw, actor);
  }
}
