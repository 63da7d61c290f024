import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { TRANSACTION_PREFIX_LENGTH, ticketPlace } from '../../../shared/printing/ticket-code.ts';
import {
  defaultPrinterSettings,
  type PrinterSettings,
  printerSettings,
  printerSettingsPatch,
  type ReceiptPrintData,
  type ReprintResult,
  reprintInput,
  type TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import type { ReservationService, SettledTransaction } from '../reservations/reservation-service.ts';
import { LocalTicketNumbers, type TicketNumberSource } from './ticket-numbers.ts';
import { TicketSigner } from './ticket-signing.ts';

/** The printer settings row, with defaults (the virtual printer on 127.0.0.1:9100) until set. */
export class PrinterSettingsStore {
  private readonly read;
  private readonly write;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.read = db.prepare<[], { settings: string }>('SELECT settings FROM printer_settings WHERE id = 1');
    this.write = db.prepare<[string, number, string]>(
      `INSERT INTO printer_settings (id, settings, updated_at, updated_by) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by`,
    );
  }

  get(): PrinterSettings {
    const row = this.read.get();
    if (!row) return defaultPrinterSettings;
    return printerSettings.parse({ ...defaultPrinterSettings, ...JSON.parse(row.settings) });
  }

  set(raw: unknown, actor: string): PrinterSettings {
    const patch = parseInput(printerSettingsPatch, raw);
    const next = parseInput(printerSettings, { ...this.get(), ...patch });
    this.write.run(JSON.stringify(next), this.clock.now(), actor);
    return next;
  }
}

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
    this.signer = options.signer ?? new TicketSigner(db, clock);
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
      receiptCopies: db.prepare<[string], { n: number }>(
        `SELECT COALESCE(MAX(copy), 0) AS n FROM print_jobs WHERE transaction_id = ? AND kind = 'receipt'`,
      ),
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

  /**
   * Queues copies marked "COPIA n" of a sale's tickets (all, or the ones named) and, by default, its
   * receipt; each copy is written to the audit log.
   */
  reprint(raw: unknown, actor: string): ReprintResult {
    const input = parseInput(reprintInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const issued = this.sql.issuedOf.all(input.transactionId);
        if (issued.length === 0 && !this.sql.originalReceipt.get(input.transactionId)) {
          throw new TaquillaError('UNKNOWN_TRANSACTION', 'This sale has nothing printed to copy', {
            transactionId: input.transactionId,
          });
        }
        const wanted = input.ticketNumbers ? new Set(input.ticketNumbers) : null;
        if (wanted) {
          const known = new Set(issued.map((i) => i.ticket_number));
          const unknown = [...wanted].filter((n) => !known.has(n));
          if (unknown.length) {
            throw new TaquillaError('VALIDATION', `Tickets ${unknown.join(', ')} are not part of this sale`, {
              issues: [{ path: 'ticketNumbers', message: `not in sale: ${unknown.join(', ')}` }],
            });
          }
        }
        const reason = input.reason ? `: ${input.reason}` : '';
        const jobs: ReprintResult['jobs'] = [];
        for (const t of issued) {
          if (wanted && !wanted.has(t.ticket_number)) continue;
          const { copies } = this.sql.bumpCopies.get(t.ticket_number)!;
          const { id } = this.sql.job.get('ticket', input.transactionId, t.ticket_number, copies, '{}', now)!;
          this.sql.audit.run(
            now,
            actor,
            'ticket',
            t.ticket_number,
            copies === 1 ? 'PRINTED' : `COPIA ${copies - 1}`,
            `COPIA ${copies}`,
            `reprint of ticket ${t.ticket_number}, print job ${id}${reason}`,
          );
          jobs.push({ jobId: id, kind: 'ticket', copy: copies });
        }
        const original = this.sql.originalReceipt.get(input.transactionId);
        if ((input.receipt ?? !wanted) && original) {
          const copy = this.sql.receiptCopies.get(input.transactionId)!.n + 1;
          const id = this.enqueueReceipt(JSON.parse(original.data) as ReceiptPrintData, copy);
          this.sql.audit.run(
            now,
            actor,
            'transaction',
            input.transactionId,
            null,
            `RECEIPT COPIA ${copy}`,
            `reprint of the receipt, print job ${id}${reason}`,
          );
          jobs.push({ jobId: id, kind: 'receipt', copy });
        }
        this.options.onEnqueued?.();
        return { jobs };
      })
      .immediate();
  }
}

/**
 * What the payments capability recorded for a sale (migration 004's tables), shaped for the receipt.
 * Returns nothing when those tables are absent, so printing never depends on payments being there.
 */
export function receiptPaymentsFromStore(
  db: Db,
): (transactionId: string, totalCents: number) => Partial<ReceiptPrintData> {
  const hasPayments =
    db
      .prepare<[], { n: number }>(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('payments', 'payment_tenders')",
      )
      .get()!.n === 2;
  if (!hasPayments) return () => ({});
  const tenders = db.prepare<
    [string],
    { method: string; currency: 'USD' | 'VES'; amount_cents: number; reference: string | null }
  >(
    `SELECT t.method, t.currency, t.amount_cents, t.reference FROM payment_tenders t
     JOIN payments p ON p.id = t.payment_id WHERE p.transaction_id = ? ORDER BY p.created_at, t.id`,
  );
  const totals = db.prepare<[string], { applied: number; n: number }>(
    'SELECT COALESCE(SUM(applied_cents), 0) AS applied, COUNT(*) AS n FROM payments WHERE transaction_id = ?',
  );
  const lastChange = db.prepare<[string], { change_currency: 'USD' | 'VES' | null; change_cents: number }>(
    'SELECT change_currency, change_cents FROM payments WHERE transaction_id = ? ORDER BY created_at DESC LIMIT 1',
  );
  return (transactionId, totalCents) => {
    const { applied, n } = totals.get(transactionId)!;
    if (n === 0) return {};
    const change = lastChange.get(transactionId);
    return {
      payments: tenders.all(transactionId).map((t) => ({
        method: t.method as NonNullable<ReceiptPrintData['payments']>[number]['method'],
        currency: t.currency,
        amountCents: t.amount_cents,
        reference: t.reference,
      })),
      change: change?.change_currency
        ? { currency: change.change_currency, cents: change.change_cents }
        : null,
      balanceCents: Math.max(0, totalCents - applied),
    };
  };
}
