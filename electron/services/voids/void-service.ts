import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { planRefund, type PlannedRefund, refundAmount } from '../../../shared/refunds.ts';
import type { PaymentMethod } from '../../../shared/schemas/payments.ts';
import { saleNumberOf } from '../../../shared/schemas/printing.ts';
import type { ServerVoidInput, ServerVoidReply } from '../../../shared/schemas/sync.ts';
import {
  type RefundLine,
  voidInput,
  type VoidPreview,
  voidPreviewInput,
  type VoidResult,
  voidResult,
} from '../../../shared/schemas/voids.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import type { CashDrawer } from '../day-closing/cash-drawer.ts';
import type { StaffDirectory } from '../day-closing/staff-directory.ts';
import type { ReservationService } from '../reservations/reservation-service.ts';
import { type SoldTicketRelease, SoldTicketVoids } from '../reservations/sold-ticket-voids.ts';
import { type Place, type SaleRow, VoidableSales } from './voidable-sales.ts';

type Currency = 'USD' | 'VES';
type VoidKind = VoidResult['kind'];

interface VoidRow {
  id: string;
  transaction_id: string;
  kind: VoidKind;
  reason: string;
  actor: string;
  approved_by: string;
  ves_per_usd: string;
  refund_usd_cents: number;
  created_at: number;
}

export interface VoidServiceOptions {
  /** Recorded with every void: which counter took it. */
  terminal?: string;
  newId?: () => string;
  /**
   * True on a counter enrolled with the central server: the seat must free at the server, venue-wide,
   * so the void is decided there first (`server`); without a link to it (the command line on an
   * enrolled store) it is refused (VOID_NEEDS_SERVER) rather than freeing seats only locally.
   */
  enrolled?: () => boolean;
  /** The central server's side of a void (the sync engine's voidAtServer). */
  server?: VoidServer;
  /** With both: a cash refund never takes more than the voider's open drawer should hold. */
  drawer?: CashDrawer;
  staff?: StaffDirectory;
}

/** Decides a void at the central server, under the void's own idempotency key. */
export interface VoidServer {
  void(body: ServerVoidInput, key: string): Promise<ServerVoidReply>;
}

/** What a void takes and gives back, decided from the local store before anything is written. */
interface VoidDecision {
  sale: SaleRow;
  kind: VoidKind;
  chosen: Place[];
  refundUsd: number;
  rate: string;
  plan: PlannedRefund[];
}

/**
 * Voids and refunds (issue 16). A sale (COMPLETED) — all of it, or the tickets named by their
 * printed numbers — or a deposit (RESERVED) is voided before its event starts, with a reason and a
 * supervisor's approval (checked at the API by PIN). What was paid for what is voided goes back:
 * a whole sale or deposit refunds everything paid and not yet refunded; some tickets refund their
 * prices (change given at the sale is never refunded: refunds come from what was applied), in the
 * methods the sale was paid with (shared/refunds.ts) or one the cashier chose, recorded as such.
 *
 * One write: the void, its refund lines and the voided tickets (the revocation list verify-ticket
 * and reprint read) are recorded, then the seats go back on sale (SoldTicketVoids, or the
 * reservation's cancel for a deposit), with the audit trail and the change feed. A retried request
 * (same requestId) answers as the first and refunds nothing twice.
 *
 * On a counter enrolled with the central server the server decides first (voidTickets: the seats
 * free there, venue-wide, in its write); only its yes is written here, in the write that copies it,
 * with the server's void id. Offline: OFFLINE, nothing done. The server is asked under a key derived
 * from the requestId, so a void retried after the server said yes and the local write failed is
 * answered as the first there and written once here.
 */
export class VoidService {
  private readonly released: SoldTicketVoids;
  /** The sale being voided, as read before anything is written. */
  private readonly sales: VoidableSales;
  private readonly terminal: string | null;
  private readonly newId: () => string;
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly reservations: ReservationService,
    private readonly options: VoidServiceOptions = {},
  ) {
    this.released = new SoldTicketVoids(db);
    this.sales = new VoidableSales(db);
    this.terminal = options.terminal ?? null;
    this.newId = options.newId ?? randomUUID;
    this.sql = {
      byRequest: db.prepare<[string], VoidRow>(
        `SELECT id, transaction_id, kind, reason, actor, approved_by, ves_per_usd, refund_usd_cents, created_at
         FROM voids WHERE request_id = ?`,
      ),
      insertVoid: db.prepare<
        [
          {
            id: string;
            tx: string;
            event: number;
            kind: VoidKind;
            reason: string;
            actor: string;
            approvedBy: string;
            terminal: string | null;
            rate: string;
            refund: number;
            now: number;
            requestId: string | null;
          },
        ]
      >(
        `INSERT INTO voids (id, transaction_id, event_id, kind, reason, actor, approved_by, terminal, ves_per_usd,
           refund_usd_cents, created_at, request_id)
         VALUES (@id, @tx, @event, @kind, @reason, @actor, @approvedBy, @terminal, @rate, @refund, @now, @requestId)`,
      ),
      insertRefund: db.prepare<
        [
          {
            void: string;
            method: string;
            currency: string;
            amount: number;
            usd: number;
            reference: string | null;
            asPaid: number;
          },
        ]
      >(
        `INSERT INTO refund_tenders (void_id, method, currency, amount_cents, usd_cents, reference, as_paid)
         VALUES (@void, @method, @currency, @amount, @usd, @reference, @asPaid)`,
      ),
      insertVoided: db.prepare<
        [{ void: string; ticket: number; number: string | null; places: number; price: number }]
      >(
        `INSERT INTO voided_tickets (void_id, reserved_ticket_id, ticket_number, places, price_cents)
         VALUES (@void, @ticket, @number, @places, @price)`,
      ),
      refundsOf: db.prepare<
        [string],
        {
          method: PaymentMethod;
          currency: Currency;
          amount_cents: number;
          usd_cents: number;
          reference: string | null;
          as_paid: number;
        }
      >(
        `SELECT method, currency, amount_cents, usd_cents, reference, as_paid FROM refund_tenders
         WHERE void_id = ? ORDER BY id`,
      ),
      voidedOf: db.prepare<[string], { ticket_number: string | null; places: number }>(
        'SELECT ticket_number, places FROM voided_tickets WHERE void_id = ? ORDER BY id',
      ),
      status: db.prepare<[string], { status: string }>('SELECT status FROM transactions WHERE id = ?'),
      voidsOf: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM voids WHERE transaction_id = ?',
      ),
      // A voided ticket's original still waiting for the printer must not come out.
      cancelPrinting: db.prepare<[string, string]>(
        `UPDATE print_jobs SET status = 'CANCELLED', last_error = ?
         WHERE kind = 'ticket' AND status = 'PENDING' AND ticket_number IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  /** A sale as the void screen shows it, by its printed number or id. */
  preview(raw: unknown): VoidPreview {
    const input = parseInput(voidPreviewInput, raw);
    const transactionId =
      'transactionId' in input ? input.transactionId : this.sales.saleOf(input.saleNumber);
    const sale = this.sales.saleOrThrow(transactionId);
    const places = this.sales.places(sale);
    return {
      transactionId: sale.id,
      number: saleNumberOf(sale.id),
      status: sale.status,
      eventId: sale.event_id,
      eventName: sale.event_name,
      startsAt: sale.starts_at,
      voidable:
        (sale.status === 'COMPLETED' || sale.status === 'RESERVED') && this.clock.now() < sale.starts_at,
      customerName: sale.customer_name,
      vesPerUsd: this.sales.rateOf(sale),
      tickets: places.map((p) => ({
        ticketNumber: p.ticketNumber,
        label: p.ticket.label,
        places: p.places,
        priceCents: p.ticket.price_cents * p.places,
        voided: p.voided,
      })),
      paidCents: this.sales.paidCents(sale.id),
      refundedCents: this.sales.refundedCents(sale.id),
      paidWith: this.sales.paidWith(sale.id),
    };
  }

  /** Voids (see the class comment). The answer is checked against its schema before the commit. */
  async void(raw: unknown): Promise<VoidResult> {
    const input = parseInput(voidInput, raw);
    if (!this.options.enrolled?.()) return this.writeVoid(input, null);
    const server = this.options.server;
    if (!server) {
      throw new TaquillaError(
        'VOID_NEEDS_SERVER',
        'This counter sells for the central server: a void must be decided there, so the seats free venue-wide',
        { transactionId: input.transactionId },
      );
    }
    const first = this.firstAnswer(input);
    if (first) return first;
    // Refusals found here (already voided, event started, drawer short) never reach the server.
    const decision = this.decide(input);
    const requestId = input.requestId ?? this.newId();
    const reply = await server.void(this.serverBody(input, decision), voidKey(requestId));
    return this.writeVoid({ ...input, requestId }, reply);
  }

  /**
   * Voids a whole sale the central server refused (a conflict, issue 14): decided and written here
   * alone, since the server never held it (its seats are not this sale's there). `refund: true`
   * refunds what was paid in the tenders used, as any void (the X and Z reports show it); false when
   * its money went to the seats the customer was moved to. Its tickets join the revocation list.
   */
  voidRefusedSale(raw: unknown, options: { refund: boolean }): VoidResult {
    const input = parseInput(voidInput, raw);
    return this.writeVoid(input, null, options.refund);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The local void in one write; with the server's yes, under its void id. */
  private writeVoid(input: VoidInputParsed, server: ServerVoidReply | null, refund = true): VoidResult {
    const write = () =>
      this.db
        .transaction(() => {
          const first = this.firstAnswer(input);
          if (first) return first;
          const decided = this.decide(input, refund);
          const decision = refund ? decided : { ...decided, refundUsd: 0, plan: [] };
          return voidResult.parse(this.write(input, decision, server?.voidId ?? this.newId()));
        })
        .immediate();
    return withDurableCommit(this.db, write);
  }

  /** The answer already given to this requestId, if any. */
  private firstAnswer(input: VoidInputParsed): VoidResult | null {
    if (input.requestId === undefined) return null;
    const first = this.sql.byRequest.get(input.requestId);
    if (!first) return null;
    if (first.transaction_id !== input.transactionId) {
      throw new TaquillaError('IDEMPOTENCY_MISMATCH', `Request ${input.requestId} voided another sale`, {
        key: input.requestId,
      });
    }
    return voidResult.parse(this.resultOf(first));
  }

  /** The server's request: the places by seat or zone and count, and the refund as planned here. */
  private serverBody(input: VoidInputParsed, d: VoidDecision): ServerVoidInput {
    const places = new Map<string, ServerVoidInput['places'][number]>();
    for (const p of d.chosen) {
      const key = `${p.ticket.zone_id}:${p.ticket.seat_id ?? ''}`;
      const line = places.get(key) ?? { zoneId: p.ticket.zone_id, seatId: p.ticket.seat_id, places: 0 };
      line.places += p.places;
      places.set(key, line);
    }
    return {
      transactionId: d.sale.id,
      kind: d.kind,
      reason: input.reason,
      actor: input.actor,
      approvedBy: input.approvedBy,
      places: [...places.values()],
      ticketNumbers: d.chosen.flatMap((p) => (p.ticketNumber ? [p.ticketNumber] : [])),
      refund: {
        usdCents: d.refundUsd,
        vesPerUsd: d.rate,
        lines: d.plan.map((line) => ({
          method: line.method,
          currency: line.currency,
          amountCents: line.amountCents,
          usdCents: line.usdCents,
          reference: refundReferenceOf(line, input),
          asPaid: line.asPaid,
        })),
      },
    };
  }

  /** Judges a void against the local store (refusals thrown), writing nothing. */
  private decide(input: VoidInputParsed, refund = true): VoidDecision {
    const now = this.clock.now();
    const sale = this.sales.saleOrThrow(input.transactionId);
    const places = this.sales.places(sale);
    if (sale.status === 'CANCELLED' && this.sql.voidsOf.get(sale.id)!.n > 0) {
      throw alreadyVoided(
        sale.id,
        places.filter((p) => p.voided && p.ticketNumber !== null).map((p) => p.ticketNumber!),
      );
    }
    if (sale.status !== 'COMPLETED' && sale.status !== 'RESERVED') {
      throw new TaquillaError('NOT_VOIDABLE', `Transaction ${saleNumberOf(sale.id)} is ${sale.status}`, {
        transactionId: sale.id,
        status: sale.status,
      });
    }
    if (now >= sale.starts_at) {
      throw new TaquillaError(
        'EVENT_STARTED',
        `${sale.event_name} has started: its sales can no longer be voided`,
        {
          transactionId: sale.id,
          eventId: sale.event_id,
          startsAt: sale.starts_at,
        },
      );
    }
    const live = places.filter((p) => !p.voided);
    let chosen = live;
    if (input.ticketNumbers !== undefined) {
      if (sale.status === 'RESERVED') {
        throw new TaquillaError('VALIDATION', 'A deposit is cancelled whole: name no tickets', {
          issues: [{ path: 'ticketNumbers', message: 'a deposit is cancelled whole' }],
        });
      }
      const wanted = new Set(input.ticketNumbers.map((n) => n.toUpperCase()));
      const known = new Map(
        places.filter((p) => p.ticketNumber).map((p) => [p.ticketNumber!.toUpperCase(), p]),
      );
      const unknown = [...wanted].filter((n) => !known.has(n));
      if (unknown.length > 0) {
        throw new TaquillaError('VALIDATION', `Tickets ${unknown.join(', ')} are not part of this sale`, {
          issues: [{ path: 'ticketNumbers', message: `not in sale: ${unknown.join(', ')}` }],
        });
      }
      const again = [...wanted].filter((n) => known.get(n)!.voided);
      if (again.length > 0)
        throw alreadyVoided(
          sale.id,
          again.map((n) => known.get(n)!.ticketNumber!),
        );
      chosen = live.filter((p) => p.ticketNumber !== null && wanted.has(p.ticketNumber.toUpperCase()));
    }
    if (chosen.length === 0) throw alreadyVoided(sale.id, []);
    const whole = chosen.length === live.length;
    const kind: VoidKind = sale.status === 'RESERVED' ? 'DEPOSIT' : whole ? 'SALE' : 'TICKETS';
    const refundUsd = refundAmount({
      paidCents: this.sales.paidCents(sale.id),
      refundedCents: this.sales.refundedCents(sale.id),
      chosenPriceCents: chosen.reduce((sum, p) => sum + p.ticket.price_cents * p.places, 0),
      whole,
    });
    const rate = this.sales.rateOf(sale);
    const plan = planRefund(
      refundUsd,
      this.sales.paidWith(sale.id),
      rate,
      input.refundMethod === undefined
        ? undefined
        : { method: input.refundMethod, ...(input.refundCurrency ? { currency: input.refundCurrency } : {}) },
    );
    if (refund) this.assertDrawerCovers(input.actor, plan);
    return { sale, kind, chosen, refundUsd, rate, plan };
  }

  /** Writes a decided void: the void, its refund lines, the voided tickets, the seats back on sale. */
  private write(input: VoidInputParsed, d: VoidDecision, voidId: string): VoidResult {
    const { sale, kind, chosen, refundUsd, rate, plan } = d;
    const now = this.clock.now();
    this.sql.insertVoid.run({
      id: voidId,
      tx: sale.id,
      event: sale.event_id,
      kind,
      reason: input.reason,
      actor: input.actor,
      approvedBy: input.approvedBy,
      terminal: input.terminal ?? this.terminal,
      rate,
      refund: refundUsd,
      now,
      requestId: input.requestId ?? null,
    });
    for (const line of plan) {
      this.sql.insertRefund.run({
        void: voidId,
        method: line.method,
        currency: line.currency,
        amount: line.amountCents,
        usd: line.usdCents,
        reference: refundReferenceOf(line, input),
        asPaid: line.asPaid ? 1 : 0,
      });
    }
    for (const p of chosen) {
      this.sql.insertVoided.run({
        void: voidId,
        ticket: p.ticket.id,
        number: p.ticketNumber,
        places: p.places,
        price: p.ticket.price_cents * p.places,
      });
    }
    const approval = input.approvedBy === input.actor ? '' : `, approved by ${input.approvedBy}`;
    const why = `void ${saleNumberOf(voidId)}: ${input.reason}${approval}`;
    if (kind === 'DEPOSIT') {
      // The reservation's own cancel releases its seats (nested: one commit with the refund).
      this.reservations.cancel({ transactionId: sale.id, actor: input.actor, reason: why.slice(0, 200) });
    } else {
      const byTicket = new Map<number, SoldTicketRelease>();
      for (const p of chosen) {
        const r = byTicket.get(p.ticket.id) ?? {
          ticketId: p.ticket.id,
          eventId: p.ticket.event_id,
          zoneId: p.ticket.zone_id,
          seatId: p.ticket.seat_id,
          quantity: p.ticket.quantity,
          places: 0,
        };
        r.places += p.places;
        byTicket.set(p.ticket.id, r);
      }
      this.released.release(sale.id, [...byTicket.values()], now, input.actor, why);
      const numbers = chosen.filter((p) => p.ticketNumber !== null).map((p) => p.ticketNumber!);
      this.sql.cancelPrinting.run(`voided (${saleNumberOf(voidId)})`, JSON.stringify(numbers));
    }
    return this.resultOf({
      id: voidId,
      transaction_id: sale.id,
      kind,
      reason: input.reason,
      actor: input.actor,
      approved_by: input.approvedBy,
      ves_per_usd: rate,
      refund_usd_cents: refundUsd,
      created_at: now,
    });
  }

  private resultOf(row: VoidRow): VoidResult {
    const voided = this.sql.voidedOf.all(row.id);
    return {
      voidId: row.id,
      transactionId: row.transaction_id,
      number: saleNumberOf(row.transaction_id),
      kind: row.kind,
      status: this.sql.status.get(row.transaction_id)!.status,
      ticketNumbers: voided.filter((v) => v.ticket_number !== null).map((v) => v.ticket_number!),
      places: voided.reduce((n, v) => n + v.places, 0),
      refundUsdCents: row.refund_usd_cents,
      vesPerUsd: row.ves_per_usd,
      refunds: this.sql.refundsOf.all(row.id).map((r): RefundLine => ({
        method: r.method,
        currency: r.currency,
        amountCents: r.amount_cents,
        usdCents: r.usd_cents,
        reference: r.reference,
        asPaid: r.as_paid === 1,
      })),
      reason: row.reason,
      actor: row.actor,
      approvedBy: row.approved_by,
      at: row.created_at,
    };
  }

  /** A cash refund leaves the voider's open drawer: never more than it should hold (INSUFFICIENT_CASH). */
  private assertDrawerCovers(actor: string, plan: PlannedRefund[]): void {
    const { drawer, staff } = this.options;
    if (!drawer || !staff) return;
    const cash = plan.filter((l) => l.method === 'CASH_USD' || l.method === 'CASH_VES');
    if (cash.length === 0) return;
    let staffId: number | null;
    try {
      staffId = staff.resolve({ name: actor }).staffId;
    } catch {
      return; // not a staff member with a drawer (the CLI's operator): the Z shows the cash outside drawers
    }
    if (staffId === null) return;
    const shift = drawer.state({ staffId }).shift;
    if (!shift || shift.status !== 'OPEN') return;
    for (const line of cash) {
      const held = shift.drawer.find((d) => d.currency === line.currency)!.expectedCents;
      if (line.amountCents > held) {
        throw new TaquillaError(
          'INSUFFICIENT_CASH',
          `The drawer should hold ${held} ${line.currency} cents, less than the ${line.amountCents} to refund`,
          { currency: line.currency, requestedCents: line.amountCents, availableCents: Math.max(0, held) },
        );
      }
    }
  }
}

type VoidInputParsed = ReturnType<typeof voidInput.parse>;

/** The bank reference belongs to a refund sent by a bank, not to cash. */
function refundReferenceOf(line: PlannedRefund, input: VoidInputParsed): string | null {
  return line.method === 'CASH_USD' || line.method === 'CASH_VES' ? null : (input.refundReference ?? null);
}

/** The server's idempotency key of a void: printable and bounded whatever the requestId holds. */
function voidKey(requestId: string): string {
  return `void-${createHash('sha256').update(requestId).digest('hex').slice(0, 40)}`;
}

function alreadyVoided(transactionId: string, ticketNumbers: string[]): TaquillaError<'ALREADY_VOIDED'> {
  return new TaquillaError(
    'ALREADY_VOIDED',
    ticketNumbers.length > 0
      ? `Already voided: ${ticketNumbers.join(', ')}`
      : `Sale ${saleNumberOf(transactionId)} has nothing left to void`,
    { transactionId, ticketNumbers },
  );
}
