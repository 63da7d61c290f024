import { z } from 'zod';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { TRANSACTION_PREFIX_LENGTH, ticketPlace } from '../../../shared/printing/ticket-code.ts';
import type { ClosingReport } from '../../../shared/schemas/day-closing.ts';
import {
  type PrintedSale,
  type PrintJobKind,
  type ReceiptPrintData,
  type ReprintResult,
  reprintInput,
  resolveInterruptedInput,
  saleNumber,
  saleNumberOf,
  type SlipPrintData,
  type TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { StoreKey } from '../../store/store-key.ts';
import type { ReservationService, SettledTransaction } from '../reservations/reservation-service.ts';
import { PrinterSettingsStore } from './printer-settings-store.ts';
import { LocalTicketNumbers, type TicketNumberSource } from './ticket-numbers.ts';
import { TicketSigner } from './ticket-signing.ts';

// Moved to their own modules; still exported here, where their callers import them.
export { PrinterSettingsStore };
export { receiptPaymentsFromStore } from './receipt-payments.ts';

interface SaleRow {
  tenant_id: number;
  event_id: number;
  event: string;
  starts_at: number;
  ves_per_usd: string;
  venue: string;
}

interface PlaceRow {
  id: number;
  seat_id: number | null;
  zone_id: number;
  quantity: number;
  price_cents: number;
  zone: string;
  zone_code: string;
  label: string | null;
  row_label: string | null;
  number: number | null;
}

export interface PrintJobsOptions {
  numbers?: TicketNumberSource;
  /**
   * Signs the ticket codes. Default: the store's own key file beside it (`taquilla serve` and the
   * CLI); the terminal passes one built on the key it opened (keychain-wrapped under Electron).
   */
  signer?: TicketSigner;
  /** Called after jobs are queued (still inside the sale's transaction): wake the worker. */
  onEnqueued?: () => void;
}

/**
 * Writes print jobs. On a completed sale it runs INSIDE the sale's write transaction (via
 * ReservationService.onSettled): ticket numbers, signed codes, issued tickets and jobs commit with
 * the sale or not at all, so a crash between "paid" and "printed" leaves jobs waiting, never a sale
 * without tickets.
 */
export class PrintJobs {
  readonly settings: PrinterSettingsStore;
  private readonly numbers: TicketNumberSource;
  private readonly signer: TicketSigner;
  private readonly sql;
  private readonly attached = new Map<ReservationService, () => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: PrintJobsOptions = {},
  ) {
    this.settings = new PrinterSettingsStore(db, clock);
    this.numbers = options.numbers ?? new LocalTicketNumbers(db, () => this.settings.get().terminalCode);
    this.signer = options.signer ?? new TicketSigner(db, clock, StoreKey.open(db, clock));
    this.sql = {
      sale: db.prepare<[string], SaleRow>(
        `SELECT x.tenant_id, x.event_id, e.name AS event, e.starts_at, e.ves_per_usd, v.name AS venue
         FROM transactions x JOIN events e ON e.id = x.event_id JOIN venues v ON v.id = e.venue_id
         WHERE x.id = ?`,
      ),
      // Places already issued are skipped: queuing a sale twice (two listeners) never prints it twice.
      places: db.prepare<[string, string], PlaceRow>(
        `SELECT t.id, t.seat_id, t.zone_id, t.quantity, t.price_cents, z.name AS zone, z.code AS zone_code, s.label,
           s.row_label, s.number
         FROM reserved_tickets t JOIN zones z ON z.id = t.zone_id LEFT JOIN seats s ON s.id = t.seat_id
         WHERE t.transaction_id = ? AND t.id IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM issued_tickets i WHERE i.reserved_ticket_id = t.id)
         ORDER BY t.id`,
      ),
      issue: db.prepare<[string, string, number, number, number, string, string, number]>(
        `INSERT INTO issued_tickets (ticket_number, transaction_id, reserved_ticket_id, place, event_id, code, data,
           issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      job: db.prepare<[string, string, string | null, number, string, number], { id: number }>(
        `INSERT INTO print_jobs (kind, transaction_id, ticket_number, copy, data, status, created_at)
         VALUES (?, ?, ?, ?, ?, 'PENDING', ?) RETURNING id`,
      ),
      issuedOf: db.prepare<[string], { ticket_number: string; copies: number }>(
        'SELECT ticket_number, copies FROM issued_tickets WHERE transaction_id = ? ORDER BY reserved_ticket_id, place',
      ),
      bumpCopies: db.prepare<[string], { copies: number }>(
        'UPDATE issued_tickets SET copies = copies + 1 WHERE ticket_number = ? RETURNING copies',
      ),
      originalReceipt: db.prepare<[string], { data: string }>(
        `SELECT data FROM print_jobs WHERE transaction_id = ? AND kind = 'receipt' AND copy = 0 ORDER BY id DESC LIMIT 1`,
      ),
      copiesOf: db.prepare<[string, 'receipt' | 'slip'], { n: number }>(
        'SELECT COALESCE(MAX(copy), 0) AS n FROM print_jobs WHERE transaction_id = ? AND kind = ?',
      ),
      reportJob: db.prepare<[number, string, number], { id: number }>(
        `INSERT INTO print_jobs (kind, transaction_id, ticket_number, copy, data, status, created_at)
         VALUES ('report', NULL, NULL, ?, ?, 'PENDING', ?) RETURNING id`,
      ),
      reportCopies: db.prepare<[number], { n: number }>(
        `SELECT COUNT(*) AS n FROM print_jobs WHERE kind = 'report' AND json_extract(data, '$.number') = ?`,
      ),
      depositReceipt: db.prepare<[string], { id: number }>(
        `SELECT id FROM print_jobs WHERE transaction_id = ? AND kind = 'receipt' AND copy = 0
           AND json_extract(data, '$.kind') = 'deposit'`,
      ),
      reservedPlaces: db.prepare<
        [string],
        { quantity: number; price_cents: number; zone: string; label: string | null }
      >(
        `SELECT t.quantity, t.price_cents, z.name AS zone, s.label
         FROM reserved_tickets t JOIN zones z ON z.id = t.zone_id LEFT JOIN seats s ON s.id = t.seat_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE' ORDER BY t.id`,
      ),
      customerOf: db.prepare<[string], { customer_name: string | null }>(
        'SELECT customer_name FROM transactions WHERE id = ?',
      ),
      bySaleNumber: db.prepare<[string], { id: string }>(
        `SELECT id FROM transactions WHERE substr(replace(id, '-', ''), 1, 8) = ?
           AND EXISTS (SELECT 1 FROM print_jobs j WHERE j.transaction_id = transactions.id) LIMIT 5`,
      ),
      issuedWithData: db.prepare<[string], { ticket_number: string; copies: number; data: string }>(
        'SELECT ticket_number, copies, data FROM issued_tickets WHERE transaction_id = ? ORDER BY reserved_ticket_id, place',
      ),
      interruptedJob: db.prepare<
        [number],
        {
          id: number;
          kind: PrintJobKind;
          /** Null for a report (X or Z). */
          transaction_id: string | null;
          ticket_number: string | null;
          copy: number;
          interruption: string;
        }
      >(
        `SELECT id, kind, transaction_id, ticket_number, copy, interruption FROM print_jobs
         WHERE id = ? AND status = 'PENDING' AND interrupted_at IS NOT NULL`,
      ),
      cameOut: db.prepare<[number, string, number]>(
        `UPDATE print_jobs SET status = 'DONE', printed_at = ?, last_error = ? WHERE id = ? AND status = 'PENDING'`,
      ),
      didNotComeOut: db.prepare<[string, number]>(
        `UPDATE print_jobs SET status = 'CANCELLED', last_error = ? WHERE id = ? AND status = 'PENDING'`,
      ),
      dataOfJob: db.prepare<[number], { data: string }>('SELECT data FROM print_jobs WHERE id = ?'),
      audit: db.prepare<[number, string, string, string, string | null, string, string]>(
        `INSERT INTO audit_log (at, actor, entity, entity_id, from_state, to_state, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Registers the sale listener (once per service); returns the function that removes it. */
  attach(reservations: ReservationService): () => void {
    const existing = this.attached.get(reservations);
    if (existing) return existing;
    const off = reservations.onSettled((settled) => {
      if (settled.status === 'COMPLETED') this.enqueueSale(settled);
      // A kiosk's "Pagar en taquilla" reservation took no money: its slip is its paper (enqueueSlip).
      else if (settled.reservation === 'deposit') this.enqueueDeposit(settled);
    });
    const detach = () => {
      off();
      this.attached.delete(reservations);
    };
    this.attached.set(reservations, detach);
    return detach;
  }

  /** One ticket job per seat or general-admission place, then the receipt. */
  enqueueSale(settled: SettledTransaction): { ticketNumbers: string[]; receiptJobId: number | null } {
    const sale = this.sql.sale.get(settled.transactionId);
    if (!sale) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', 'No such transaction', {
        transactionId: settled.transactionId,
      });
    }
    const places = this.sql.places.all(
      settled.transactionId,
      JSON.stringify(settled.tickets.map((t) => t.ticketId)),
    );
    if (places.length === 0) return { ticketNumbers: [], receiptJobId: null };
    const now = settled.at;
    const ticketNumbers: string[] = [];
    const lines: ReceiptPrintData['lines'] = [];
    for (const place of places) {
      const seatLabel = place.label;
      lines.push({
        description: seatLabel ? `${place.zone} ${seatLabel}` : `${place.zone} (Admisión general)`,
        quantity: place.quantity,
        unitCents: place.price_cents,
        totalCents: place.price_cents * place.quantity,
      });
      for (let n = 1; n <= place.quantity; n++) {
        const ticketNumber = this.numbers.next({
          transactionId: settled.transactionId,
          seatId: place.seat_id,
          zoneId: place.zone_id,
          place: n,
        });
        const code = this.signer.sign(sale.tenant_id, {
          ticketNumber,
          eventId: sale.event_id,
          place: ticketPlace(seatLabel, place.zone_code),
          transactionPrefix: settled.transactionId.slice(0, TRANSACTION_PREFIX_LENGTH),
        });
        const data: TicketPrintData = {
          ticketNumber,
          venue: sale.venue,
          event: sale.event,
          eventId: sale.event_id,
          startsAt: sale.starts_at,
          zone: place.zone,
          row: seatLabel ? place.row_label : null,
          seat: seatLabel && place.number !== null ? String(place.number) : null,
          seatLabel,
          priceCents: place.price_cents,
          vesPerUsd: sale.ves_per_usd,
          cashier: settled.actor,
          transactionId: settled.transactionId,
          code,
          issuedAt: now,
        };
        this.sql.issue.run(
          ticketNumber,
          settled.transactionId,
          place.id,
          n,
          sale.event_id,
          code,
          JSON.stringify(data),
          now,
        );
        this.sql.job.run('ticket', settled.transactionId, ticketNumber, 0, '{}', now);
        ticketNumbers.push(ticketNumber);
      }
    }
    const receipt: ReceiptPrintData = {
      transactionId: settled.transactionId,
      venue: sale.venue,
      event: sale.event,
      startsAt: sale.starts_at,
      cashier: settled.actor,
      at: now,
      vesPerUsd: sale.ves_per_usd,
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.totalCents, 0),
    };
    const receiptJobId = this.enqueueReceipt(receipt);
    this.options.onEnqueued?.();
    return { ticketNumbers, receiptJobId };
  }

  /**
   * A deposit (abono) reserved the seats: its receipt, with the code to pay the rest, the balance
   * (added at print time from the payments recorded) and until when the seats are kept. Queued in the
   * same transaction as the reservation; never twice for one reservation.
   */
  enqueueDeposit(settled: SettledTransaction): number | null {
    if (this.sql.depositReceipt.get(settled.transactionId)) return null;
    const sale = this.sql.sale.get(settled.transactionId);
    if (!sale) return null;
    const places = this.sql.reservedPlaces.all(settled.transactionId);
    const lines: ReceiptPrintData['lines'] = places.map((place) => ({
      description: place.label ? `${place.zone} ${place.label}` : `${place.zone} (Admisión general)`,
      quantity: place.quantity,
      unitCents: place.price_cents,
      totalCents: place.price_cents * place.quantity,
    }));
    const id = this.enqueueReceipt({
      kind: 'deposit',
      transactionId: settled.transactionId,
      customer: this.sql.customerOf.get(settled.transactionId)?.customer_name ?? null,
      venue: sale.venue,
      event: sale.event,
      startsAt: sale.starts_at,
      cashier: settled.actor,
      at: settled.at,
      vesPerUsd: sale.ves_per_usd,
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.totalCents, 0),
      reservedUntil: settled.reservedUntil,
    });
    this.options.onEnqueued?.();
    return id;
  }

  /**
   * Queues a receipt as given (e.g. the payments capability printing a deposit receipt). Payments
   * recorded in the store are added when it prints (see receiptPaymentsFromStore).
   */
  enqueueReceipt(receipt: ReceiptPrintData, copy = 0): number {
    return this.sql.job.get(
      'receipt',
      receipt.transactionId,
      null,
      copy,
      JSON.stringify(receipt),
      this.clock.now(),
    )!.id;
  }

  /** The transaction a reprint names, by id or by its short number (the one on screen and paper). */
  saleOf(input: { transactionId?: string | undefined; saleNumber?: string | undefined }): string {
    if (input.transactionId !== undefined) return input.transactionId;
    const number = input.saleNumber!;
    const matches = this.sql.bySaleNumber.all(number.toLowerCase());
    if (matches.length === 0) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `No sale ${number} printed here`, {
        transactionId: number,
      });
    }
    if (matches.length > 1) {
      // 8 hex digits collide once in billions of sales; say so rather than copy the wrong sale.
      throw new TaquillaError('VALIDATION', `Sale number ${number} is not unique: give the full id`, {
        issues: [{ path: 'saleNumber', message: `matches ${matches.map((m) => m.id).join(', ')}` }],
      });
    }
    return matches[0]!.id;
  }

  /** What a sale printed (tickets with their copies so far, the receipt), for the reprint screen. */
  printedSale(raw: unknown): PrintedSale {
    const { saleNumber: number } = parseInput(z.object({ saleNumber }).strict(), raw);
    const transactionId = this.saleOf({ saleNumber: number });
    const issued = this.sql.issuedWithData.all(transactionId);
    const receipt = this.sql.originalReceipt.get(transactionId);
    const sale = this.sql.sale.get(transactionId)!;
    const first = issued[0] ? (JSON.parse(issued[0].data) as TicketPrintData) : null;
    const receiptData = receipt ? (JSON.parse(receipt.data) as ReceiptPrintData) : null;
    return {
      transactionId,
      saleNumber: saleNumberOf(transactionId),
      event: sale.event,
      startsAt: sale.starts_at,
      cashier: first?.cashier ?? receiptData?.cashier ?? '',
      issuedAt: first?.issuedAt ?? receiptData?.at ?? 0,
      tickets: issued.map((t) => {
        const data = JSON.parse(t.data) as TicketPrintData;
        return { ticketNumber: t.ticket_number, place: data.seatLabel ?? data.zone, copies: t.copies };
      }),
      receipt: receipt ? { copies: this.sql.copiesOf.get(transactionId, 'receipt')!.n } : null,
    };
  }

  /**
   * Queues a kiosk's "Pagar en taquilla" slip for a reservation (issue 11), inside the caller's write
   * so the slip and the reservation commit together. The venue, event and rate come from the store.
   */
  enqueueSlip(slip: Omit<SlipPrintData, 'venue' | 'event' | 'startsAt' | 'vesPerUsd'>): number {
    const sale = this.sql.sale.get(slip.transactionId);
    if (!sale) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', 'No such transaction', {
        transactionId: slip.transactionId,
      });
    }
    const data: SlipPrintData = {
      ...slip,
      venue: sale.venue,
      event: sale.event,
      startsAt: sale.starts_at,
      vesPerUsd: sale.ves_per_usd,
    };
    const id = this.sql.job.get(
      'slip',
      slip.transactionId,
      null,
      0,
      JSON.stringify(data),
      this.clock.now(),
    )!.id;
    this.options.onEnqueued?.();
    return id;
  }

  /**
   * Queues an X or Z report (issue 16) as issued: a report belongs to no sale. A Z printed again is
   * marked COPIA n (n: how often it was queued before). Returns the job and its copy number.
   */
  enqueueReport(report: ClosingReport): { jobId: number; copy: number } {
    const copy = report.number === null ? 0 : this.sql.reportCopies.get(report.number)!.n;
    const { id } = this.sql.reportJob.get(copy, JSON.stringify(report), this.clock.now())!;
    this.options.onEnqueued?.();
    return { jobId: id, copy };
  }

  /** The report of a job that did not come out, queued again marked COPIA (as every reprint is). */
  private copyReport(data: string, copyBefore: number, now: number): ReprintResult['jobs'][number] {
    const report = JSON.parse(data) as ClosingReport;
    const copy = report.number === null ? copyBefore + 1 : this.sql.reportCopies.get(report.number)!.n;
    const { id } = this.sql.reportJob.get(copy, data, now)!;
    return { jobId: id, kind: 'report', copy };
  }

  /**
   * Queues copies marked "COPIA n" of a sale's tickets and/or its receipt (see reprintInput for which)
   * and writes each to the audit log with who asked and who approved. The approval itself (a
   * supervisor's PIN) is checked by PrintingService.reprint before this runs.
   */
  reprint(raw: unknown, actor: string, approvedBy: string): ReprintResult {
    const input = parseInput(reprintInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const transactionId = this.saleOf(input);
        const issued = this.sql.issuedOf.all(transactionId);
        if (issued.length === 0 && !this.sql.originalReceipt.get(transactionId)) {
          throw new TaquillaError('UNKNOWN_TRANSACTION', 'This sale has nothing printed to copy', {
            transactionId,
          });
        }
        const everything =
          input.ticketNumbers === undefined && input.allTickets === undefined && input.receipt === undefined;
        const wanted = input.ticketNumbers ? new Set(input.ticketNumbers) : null;
        const allTickets = everything || input.allTickets === true;
        if (wanted) {
          const known = new Set(issued.map((i) => i.ticket_number));
          const unknown = [...wanted].filter((n) => !known.has(n));
          if (unknown.length) {
            throw new TaquillaError('VALIDATION', `Tickets ${unknown.join(', ')} are not part of this sale`, {
              issues: [{ path: 'ticketNumbers', message: `not in sale: ${unknown.join(', ')}` }],
            });
          }
        }
        // Tickets a void took back (migration 027): never printed again. Prepared here, not with the
        // others: a store still being upgraded may build this service before it has the table.
        const voided = new Set(
          this.db
            .prepare<[string], { ticket_number: string }>(
              `SELECT v.ticket_number FROM voided_tickets v JOIN issued_tickets i ON i.ticket_number = v.ticket_number
               WHERE i.transaction_id = ?`,
            )
            .all(transactionId)
            .map((v) => v.ticket_number),
        );
        const refused = [...(wanted ?? [])].filter((n) => voided.has(n));
        if (refused.length > 0) {
          throw new TaquillaError('TICKET_VOIDED', `Tickets ${refused.join(', ')} were voided`, {
            ticketNumbers: refused,
          });
        }
        const approval = approvedBy === actor ? '' : `, approved by ${approvedBy}`;
        const reason = `${approval}${input.reason ? `: ${input.reason}` : ''}`;
        const jobs: ReprintResult['jobs'] = [];
        for (const t of issued) {
          if ((!allTickets && !wanted?.has(t.ticket_number)) || voided.has(t.ticket_number)) continue;
          jobs.push(this.copyTicket(transactionId, t.ticket_number, actor, now, reason));
        }
        const original = this.sql.originalReceipt.get(transactionId);
        if ((everything || input.receipt === true) && original) {
          jobs.push(this.copyDocument('receipt', transactionId, original.data, actor, now, reason));
        }
        if (jobs.length === 0) {
          throw new TaquillaError('VALIDATION', 'Choose the tickets or the receipt to copy', {
            issues: [{ path: 'ticketNumbers', message: 'nothing chosen' }],
          });
        }
        this.options.onEnqueued?.();
        return { jobs };
      })
      .immediate();
  }

  /**
   * The cashier's word on jobs the printer stopped on: one that came out whole is done; one that did
   * not is cancelled and a copy marked COPIA n takes its place (never an unmarked second original).
   * Each answer is written to the audit log.
   */
  resolveInterrupted(raw: unknown, actor: string): ReprintResult {
    const input = parseInput(resolveInterruptedInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const jobs: ReprintResult['jobs'] = [];
        for (const answer of input.jobs) {
          const job = this.sql.interruptedJob.get(answer.jobId);
          if (!job) {
            throw new TaquillaError('VALIDATION', `Print job ${answer.jobId} is not waiting for an answer`, {
              issues: [{ path: 'jobs', message: `job ${answer.jobId} is not interrupted` }],
            });
          }
          if (job.kind === 'report') {
            // A report belongs to no sale: its job row says who answered; the Z itself is stored.
            if (answer.cameOut)
              this.sql.cameOut.run(now, `came out (${job.interruption}), said ${actor}`, job.id);
            else {
              this.sql.didNotComeOut.run(`did not come out (${job.interruption}), said ${actor}`, job.id);
              jobs.push(this.copyReport(this.sql.dataOfJob.get(job.id)!.data, job.copy, now));
            }
            continue;
          }
          const entity = job.kind === 'ticket' ? 'ticket' : 'transaction';
          const entityId = job.ticket_number ?? job.transaction_id!;
          const what = job.kind === 'ticket' ? `ticket ${job.ticket_number}` : `the ${job.kind}`;
          const mark = job.copy > 0 ? `COPIA ${job.copy}` : 'ORIGINAL';
          if (answer.cameOut) {
            this.sql.cameOut.run(now, `came out (${job.interruption}), said ${actor}`, job.id);
            this.sql.audit.run(
              now,
              actor,
              entity,
              entityId,
              `INTERRUPTED ${mark}`,
              job.kind === 'ticket' ? 'PRINTED' : `${job.kind.toUpperCase()} PRINTED`,
              `print job ${job.id} (${what}) stopped (${job.interruption}) and came out whole`,
            );
            continue;
          }
          this.sql.didNotComeOut.run(`did not come out (${job.interruption}), said ${actor}`, job.id);
          const reason = `: print job ${job.id} stopped (${job.interruption}) and did not come out`;
          if (job.kind === 'ticket') {
            jobs.push(this.copyTicket(job.transaction_id!, job.ticket_number!, actor, now, reason));
          } else {
            const original = this.sql.dataOfJob.get(job.id)!;
            jobs.push(this.copyDocument(job.kind, job.transaction_id!, original.data, actor, now, reason));
          }
        }
        if (jobs.length) this.options.onEnqueued?.();
        return { jobs };
      })
      .immediate();
  }

  private copyTicket(
    transactionId: string,
    ticketNumber: string,
    actor: string,
    now: number,
    reason: string,
  ): ReprintResult['jobs'][number] {
    const { copies } = this.sql.bumpCopies.get(ticketNumber)!;
    const { id } = this.sql.job.get('ticket', transactionId, ticketNumber, copies, '{}', now)!;
    this.sql.audit.run(
      now,
      actor,
      'ticket',
      ticketNumber,
      copies === 1 ? 'PRINTED' : `COPIA ${copies - 1}`,
      `COPIA ${copies}`,
      `reprint of ticket ${ticketNumber}, print job ${id}${reason}`,
    );
    return { jobId: id, kind: 'ticket', copy: copies };
  }

  /** A copy of a sale's receipt or of a kiosk's slip, marked COPIA n (n counts that kind's copies). */
  private copyDocument(
    kind: 'receipt' | 'slip',
    transactionId: string,
    data: string,
    actor: string,
    now: number,
    reason: string,
  ): ReprintResult['jobs'][number] {
    const copy = this.sql.copiesOf.get(transactionId, kind)!.n + 1;
    const { id } = this.sql.job.get(kind, transactionId, null, copy, data, now)!;
    this.sql.audit.run(
      now,
      actor,
      'transaction',
      transactionId,
      null,
      `${kind.toUpperCase()} COPIA ${copy}`,
      `reprint of the ${kind}, print job ${id}${reason}`,
    );
    return { jobId: id, kind, copy };
  }
}
