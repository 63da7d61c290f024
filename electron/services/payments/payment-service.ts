import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { formatRate, parseRate, rateInRange, usdToVes } from '../../../shared/money.ts';
import {
  assertDeposit,
  assertFullPayment,
  assertInstalment,
  DEFAULT_DEPOSIT_MINIMUM_BASIS_POINTS,
  minimumDeposit,
  percentToBasisPoints,
  RATE_CHANGE_CONFIRM_PERCENT,
  rateChangePercent,
  type Settlement,
  settle,
  tenderReference,
} from '../../../shared/payments.ts';
import {
  checkoutInput,
  depositInput,
  type PaymentResult,
  payInput,
  paymentResult,
  paymentSettingsInput,
  type Quote,
  quoteInput,
  type Tender,
} from '../../../shared/schemas/payments.ts';
import type { CartExpectation } from '../../../shared/schemas/reservations.ts';
import type { ServerPayment } from '../../../shared/schemas/sync.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import { Catalog } from '../reservations/catalog.ts';
import type { ReservationService } from '../reservations/reservation-service.ts';
import { transactionNumber } from './payment-references.ts';
import { type TenderClaim, TenderAcceptance } from './tender-acceptance.ts';

export { transactionNumber };

/** A stored rate that parses and is in range (an older store may hold one that is not). */
function knownRate(text: string): boolean {
  try {
    return rateInRange(parseRate(text));
  } catch {
    return false;
  }
}

type PaymentKind = 'SALE' | 'DEPOSIT' | 'INSTALMENT';

interface PayableRow {
  id: string;
  event_id: number;
  status: string;
  reserved_until: number | null;
  customer_name: string | null;
  total_cents: number;
  paid_cents: number;
  tickets: number;
}

/**
 * Who settles sales when the terminal is enrolled with the central server (the SyncEngine fits).
 * Each call carries the payment: the authority stores it with the sale at the server and, in the same
 * local write that copies the server's decision, here (through PaymentBook), so money and sale are
 * never apart, whatever is lost on the way.
 */
export interface SaleAuthority {
  complete(raw: {
    transactionId: string;
    actor: string;
    expect?: CartExpectation;
    payment: ServerPayment;
  }): Promise<unknown>;
  convertToPartial(raw: {
    transactionId: string;
    actor: string;
    expect?: CartExpectation;
    customer: z.output<typeof depositInput>['customer'];
    hours?: number;
    payment: ServerPayment;
  }): Promise<{ reservedUntil: number | null }>;
  /** An instalment that leaves a balance (the one that pays it off is a `complete`). */
  pay(raw: {
    transactionId: string;
    actor: string;
    expect: { paidCents: number };
    payment: ServerPayment;
  }): Promise<unknown>;
}

/** Where payments are written and read as they travel (PaymentService is one). */
export interface PaymentBook {
  /** Writes a payment as recorded; call inside the write that settles its transaction. Idempotent. */
  writePayment(transactionId: string, record: ServerPayment): void;
  /** The payments recorded here for a transaction, as they travel to the server. */
  paymentRecords(transactionId: string): ServerPayment[];
}

type RecordInput = {
  tenders: Tender[];
  actor: string;
  terminal?: string | undefined;
  requestId?: string | undefined;
};

/** What a payment will do, decided before anything is written. */
interface Plan {
  tx: PayableRow;
  kind: PaymentKind;
  s: Settlement;
  settles: {
    complete?: { transactionId: string; actor: string };
    reserve?: Omit<Parameters<SaleAuthority['convertToPartial']>[0], 'payment'>;
  };
}

interface StoredPaymentRow {
  id: string;
  transaction_id: string;
  kind: PaymentKind;
  ves_per_usd: string;
  due_cents: number;
  applied_cents: number;
  change_currency: 'USD' | 'VES' | null;
  change_cents: number;
  change_usd_cents: number;
  reserved_until: number | null;
  paid_before: number;
}

export interface PaymentServiceOptions {
  /** Recorded with every payment: which counter or kiosk took it. */
  terminal?: string;
  newId?: () => string;
}

/** The money part of a receipt (matches the printing capability's receiptPrintData fields). */
export interface ReceiptPayments {
  payments: {
    method: Tender['method'];
    currency: 'USD' | 'VES';
    amountCents: number;
    reference: string | null;
  }[];
  change: { currency: 'USD' | 'VES'; cents: number } | null;
  paidCents: number;
  balanceCents: number;
}

/**
 * Takes money (issue 6). Every payment is written in the same BEGIN IMMEDIATE transaction as the
 * reservation change it causes (ReservationService.complete / convertToPartial run nested, as a
 * savepoint), so money and sale commit together or not at all, on any number of terminals sharing
 * the store.
 */
export class PaymentService implements PaymentBook {
  private readonly catalog: Catalog;
  /** Kiosk payments only as a provider confirmed them; each reference once (issue 11). */
  private readonly acceptance: TenderAcceptance;
  private readonly sql;
  private readonly terminal: string | null;
  private readonly newId: () => string;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly reservations: ReservationService,
    options: PaymentServiceOptions = {},
  ) {
    this.catalog = new Catalog(db);
    this.acceptance = new TenderAcceptance(db, clock);
    this.terminal = options.terminal ?? null;
    this.newId = options.newId ?? randomUUID;
    // What a transaction costs and what has been paid on it. Payable transactions (PENDING,
    // RESERVED) count their ACTIVE tickets: those are what complete() will sell.
    const payable = `SELECT x.id, x.event_id, x.status, x.reserved_until, x.customer_name,
        COALESCE((SELECT SUM(t.price_cents * t.quantity) FROM reserved_tickets t
                  WHERE t.transaction_id = x.id AND t.status = 'ACTIVE'), 0) AS total_cents,
        COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0) AS paid_cents,
        (SELECT COUNT(*) FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.status = 'ACTIVE') AS tickets
      FROM transactions x`;
    this.sql = {
      byRequest: db.prepare<[string], StoredPaymentRow>(
        `SELECT p.id, p.transaction_id, p.kind, p.ves_per_usd, p.due_cents, p.applied_cents, p.change_currency,
           p.change_cents, p.change_usd_cents, x.reserved_until,
           COALESCE((SELECT SUM(q.applied_cents) FROM payments q
                     WHERE q.transaction_id = p.transaction_id AND q.rowid < p.rowid), 0) AS paid_before
         FROM payments p JOIN transactions x ON x.id = p.transaction_id WHERE p.request_id = ?`,
      ),
      linesOf: db.prepare<
        [string],
        {
          method: Tender['method'];
          currency: 'USD' | 'VES';
          amount_cents: number;
          usd_cents: number;
          reference: string | null;
          email: string | null;
        }
      >(
        `SELECT method, currency, amount_cents, usd_cents, reference, email FROM payment_tenders
         WHERE payment_id = ? ORDER BY id`,
      ),
      unpaid: db.prepare<[], { id: string; completed_at: number | null; actor: string }>(
        `SELECT x.id, x.completed_at, x.actor FROM transactions x
         WHERE x.status = 'COMPLETED' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.transaction_id = x.id)
           AND EXISTS (SELECT 1 FROM reserved_tickets t WHERE t.transaction_id = x.id AND t.price_cents > 0)
         ORDER BY x.completed_at`,
      ),
      soldTotal: db.prepare<[string], { total: number }>(
        `SELECT COALESCE(SUM(price_cents * quantity), 0) AS total FROM reserved_tickets
         WHERE transaction_id = ? AND status = 'COMPLETED'`,
      ),
      cart: db.prepare<[number, string], PayableRow>(
        `${payable} WHERE x.event_id = ? AND x.session_id = ? AND x.status = 'PENDING'`,
      ),
      byId: db.prepare<[string], PayableRow>(`${payable} WHERE x.id = ?`),
      liveTickets: db.prepare<[string], { seat_id: number | null; quantity: number }>(
        "SELECT seat_id, quantity FROM reserved_tickets WHERE transaction_id = ? AND status = 'ACTIVE'",
      ),
      depositMinimum: db.prepare<[number], { bp: number }>(
        'SELECT deposit_minimum_basis_points AS bp FROM event_payment_settings WHERE event_id = ?',
      ),
      setDepositMinimum: db.prepare<[{ event: number; bp: number; now: number; actor: string }]>(
        `INSERT INTO event_payment_settings (event_id, deposit_minimum_basis_points, updated_at, updated_by)
         VALUES (@event, @bp, @now, @actor)
         ON CONFLICT (event_id) DO UPDATE SET deposit_minimum_basis_points = @bp, updated_at = @now,
           updated_by = @actor`,
      ),
      setRate: db.prepare<[string, number]>('UPDATE events SET ves_per_usd = ? WHERE id = ?'),
      insertPayment: db.prepare<
        [
          {
            id: string;
            tx: string;
            event: number;
            kind: PaymentKind;
            cashier: string;
            terminal: string | null;
            rate: string;
            due: number;
            applied: number;
            changeCurrency: string | null;
            change: number;
            changeUsd: number;
            now: number;
            requestId: string | null;
          },
        ]
      >(
        `INSERT INTO payments (id, transaction_id, event_id, kind, cashier, terminal, ves_per_usd, due_cents,
           applied_cents, change_currency, change_cents, change_usd_cents, created_at, request_id)
         VALUES (@id, @tx, @event, @kind, @cashier, @terminal, @rate, @due, @applied, @changeCurrency, @change,
           @changeUsd, @now, @requestId)`,
      ),
      insertTender: db.prepare<
        [
          {
            payment: string;
            method: string;
            currency: string;
            amount: number;
            usd: number;
            reference: string | null;
            phone: string | null;
            bank: string | null;
            email: string | null;
            terminalId: string | null;
          },
        ]
      >(
        `INSERT INTO payment_tenders (payment_id, method, currency, amount_cents, usd_cents, reference, phone,
           bank_code, email, terminal_id)
         VALUES (@payment, @method, @currency, @amount, @usd, @reference, @phone, @bank, @email, @terminalId)`,
      ),
      tendersOf: db.prepare<
        [string],
        {
          method: Tender['method'];
          currency: 'USD' | 'VES';
          amount_cents: number;
          reference: string | null;
          email: string | null;
        }
      >(
        `SELECT t.method, t.currency, t.amount_cents, t.reference, t.email
         FROM payment_tenders t JOIN payments p ON p.id = t.payment_id
         WHERE p.transaction_id = ? ORDER BY p.created_at, p.rowid, t.id`,
      ),
      lastChange: db.prepare<[string], { change_currency: 'USD' | 'VES' | null; change_cents: number }>(
        `SELECT change_currency, change_cents FROM payments WHERE transaction_id = ?
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      ),
      paymentExists: db.prepare<[string], { id: string }>('SELECT id FROM payments WHERE id = ?'),
      paymentsOf: db.prepare<
        [string],
        {
          id: string;
          kind: PaymentKind;
          cashier: string;
          terminal: string | null;
          ves_per_usd: string;
          due_cents: number;
          applied_cents: number;
          change_currency: 'USD' | 'VES' | null;
          change_cents: number;
          change_usd_cents: number;
          created_at: number;
          request_id: string | null;
        }
      >(
        `SELECT id, kind, cashier, terminal, ves_per_usd, due_cents, applied_cents, change_currency, change_cents,
           change_usd_cents, created_at, request_id FROM payments WHERE transaction_id = ? ORDER BY created_at, rowid`,
      ),
      tenderRowsOf: db.prepare<
        [string],
        {
          method: Tender['method'];
          currency: 'USD' | 'VES';
          amount_cents: number;
          usd_cents: number;
          reference: string | null;
          phone: string | null;
          bank_code: string | null;
          email: string | null;
          terminal_id: string | null;
        }
      >(
        `SELECT method, currency, amount_cents, usd_cents, reference, phone, bank_code, email, terminal_id
         FROM payment_tenders WHERE payment_id = ? ORDER BY id`,
      ),
    };
  }

  /** The session's cart paid in full (one or many tenders, both currencies): tickets are sold. */
  checkout(raw: unknown): PaymentResult {
    const input = parseInput(checkoutInput, raw);
    return this.write(
      () => this.replay(input.requestId, 'SALE') ?? this.commit(this.planCheckout(input), input),
    );
  }

  /**
   * Checkout with a deposit of at least the event's minimum: the cart becomes a RESERVED
   * transaction in the customer's name for PARTIAL_PAYMENT_HOURS (or `hours`).
   */
  deposit(raw: unknown): PaymentResult {
    const input = parseInput(depositInput, raw);
    return this.write(
      () => this.replay(input.requestId, 'DEPOSIT') ?? this.commit(this.planDeposit(input), input),
    );
  }

  /**
   * A later payment on a reservation, from any terminal. Part of the balance keeps it RESERVED; the
   * rest of it completes the sale (tickets print through onSettled). An expired one is refused.
   */
  pay(raw: unknown): PaymentResult {
    const input = parseInput(payInput, raw);
    return this.write(
      () =>
        this.replay(input.requestId, 'INSTALMENT', input.transactionId) ??
        this.commit(this.planInstalment(input), input),
    );
  }

  /**
   * The same three operations on a terminal enrolled with the central hold server: the `authority`
   * (the SyncEngine: server first, then its local mirror) settles the sale, and the money is recorded
   * right after, in the local store. Every rule is checked before the authority is asked, so a
   * refused payment never sells anything; a crash between the two leaves a sale without its payment
   * row (found by `unpaidSales()`), never money without a sale.
   */
  async checkoutVia(authority: SaleAuthority, raw: unknown): Promise<PaymentResult> {
    const input = parseInput(checkoutInput, raw);
    return this.viaAuthority(authority, input, 'SALE', () => this.planCheckout(input));
  }

  async depositVia(authority: SaleAuthority, raw: unknown): Promise<PaymentResult> {
    const input = parseInput(depositInput, raw);
    return this.viaAuthority(authority, input, 'DEPOSIT', () => this.planDeposit(input));
  }

  async payVia(authority: SaleAuthority, raw: unknown): Promise<PaymentResult> {
    const input = parseInput(payInput, raw);
    return this.viaAuthority(
      authority,
      input,
      'INSTALMENT',
      () => this.planInstalment(input),
      input.transactionId,
    );
  }

  /** Completed sales with no payment recorded (a crash between the authority and the local write). */
  unpaidSales(): { transactionId: string; completedAt: number | null; actor: string }[] {
    return this.sql.unpaid
      .all()
      .map((r) => ({ transactionId: r.id, completedAt: r.completed_at, actor: r.actor }));
  }

  // ---- the three payments: decide (read), then settle and record (write) -------------------------

  private planCheckout(input: z.output<typeof checkoutInput>): Plan {
    const tx = this.cartOrThrow(input.eventId, input.sessionId);
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const s = settle(tx.total_cents - tx.paid_cents, input.tenders, rate, input.changeCurrency);
    assertFullPayment(s);
    this.acceptance.check(input);
    const complete = { transactionId: tx.id, actor: input.actor, expect: this.chargedFor(tx) };
    return { tx, kind: 'SALE', s, settles: { complete } };
  }

  private planDeposit(input: z.output<typeof depositInput>): Plan {
    const tx = this.cartOrThrow(input.eventId, input.sessionId);
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const s = settle(tx.total_cents - tx.paid_cents, input.tenders, rate);
    assertDeposit(s, this.depositMinimumBasisPoints(tx.event_id));
    this.acceptance.check(input);
    const reserve = {
      transactionId: tx.id,
      actor: input.actor,
      expect: this.chargedFor(tx),
      customer: input.customer,
      ...(input.hours !== undefined ? { hours: input.hours } : {}),
    };
    return { tx, kind: 'DEPOSIT', s, settles: { reserve } };
  }

  private planInstalment(input: z.output<typeof payInput>): Plan {
    const tx = this.reservationOrThrow(input.transactionId, this.clock.now());
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const s = settle(tx.total_cents - tx.paid_cents, input.tenders, rate, input.changeCurrency);
    assertInstalment(s);
    this.acceptance.check(input);
    const settles =
      s.balanceCents > 0
        ? {}
        : { complete: { transactionId: tx.id, actor: input.actor, expect: this.chargedFor(tx) } };
    return { tx, kind: 'INSTALMENT', s, settles };
  }

  /**
   * What this payment is for, as the cashier's screen shows it: the sale is refused (CART_CHANGED)
   * if the transaction holds anything else when it settles, here or at the central server.
   */
  private chargedFor(tx: PayableRow): CartExpectation {
    const tickets = this.sql.liveTickets.all(tx.id);
    return {
      totalCents: tx.total_cents,
      seatIds: tickets.filter((t) => t.seat_id !== null).map((t) => t.seat_id!),
      places: tickets.filter((t) => t.seat_id === null).reduce((n, t) => n + t.quantity, 0),
    };
  }

  /** Local engine: money and sale in this one write transaction (the engine's write nests). */
  private commit(plan: Plan, input: RecordInput): PaymentResult {
    // Inside this write (writePayment): another process on the file may have used a reference since the plan.
    const payment = this.recordOf(plan, input, this.clock.now());
    this.writePayment(plan.tx.id, payment, input);
    const paymentId = payment.paymentId;
    if (plan.settles.complete) {
      this.reservations.complete(plan.settles.complete);
      return this.result(paymentId, plan.tx, plan.kind, 'COMPLETED', plan.s, null);
    }
    if (plan.settles.reserve) {
      const reserved = this.reservations.convertToPartial(plan.settles.reserve);
      return this.result(paymentId, plan.tx, plan.kind, 'RESERVED', plan.s, reserved.reservedUntil);
    }
    return this.result(paymentId, plan.tx, plan.kind, 'RESERVED', plan.s, plan.tx.reserved_until);
  }

  private async viaAuthority(
    authority: SaleAuthority,
    input: RecordInput,
    kind: PaymentKind,
    decide: () => Plan,
    transactionId?: string,
  ): Promise<PaymentResult> {
    const first = this.db.transaction(() => this.replay(input.requestId, kind, transactionId))();
    if (first) return first;
    const plan = this.db.transaction(decide)();
    const payment = this.recordOf(plan, input, this.clock.now());
    let status: 'COMPLETED' | 'RESERVED' = 'RESERVED';
    let reservedUntil = plan.tx.reserved_until;
    // The authority writes the payment here, in the write that copies what the server decided.
    if (plan.settles.complete) {
      await authority.complete({ ...plan.settles.complete, payment });
      status = 'COMPLETED';
      reservedUntil = null;
    } else if (plan.settles.reserve) {
      reservedUntil = (await authority.convertToPartial({ ...plan.settles.reserve, payment })).reservedUntil;
    } else {
      await authority.pay({
        transactionId: plan.tx.id,
        actor: input.actor,
        expect: { paidCents: plan.tx.paid_cents },
        payment,
      });
    }
    return this.result(payment.paymentId, plan.tx, plan.kind, status, plan.s, reservedUntil);
  }

  /** What the cashier shows before taking money: total, paid, balance in both currencies, minimum deposit. */
  quote(raw: unknown): Quote {
    const input = parseInput(quoteInput, raw);
    let tx: PayableRow | undefined;
    if ('transactionId' in input) {
      tx = this.sql.byId.get(input.transactionId);
      // Anything but an open cart must be a reservation still in time (else there is nothing to pay).
      if (tx?.status !== 'PENDING') tx = this.reservationOrThrow(input.transactionId, this.clock.now());
    } else {
      tx = this.sql.cart.get(input.eventId, input.sessionId);
      if (!tx) {
        throw new TaquillaError('NOTHING_HELD', 'This session holds nothing', {
          sessionId: input.sessionId,
        });
      }
    }
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const balance = tx.total_cents - tx.paid_cents;
    const bp = this.depositMinimumBasisPoints(tx.event_id);
    const minimum = minimumDeposit(balance, bp);
    return {
      transactionId: tx.id,
      status: tx.status,
      vesPerUsd: formatRate(parseRate(rate)),
      totalCents: tx.total_cents,
      paidCents: tx.paid_cents,
      balanceCents: balance,
      balanceVesCents: usdToVes(balance, rate),
      depositMinimumBasisPoints: bp,
      depositMinimumCents: minimum,
      depositMinimumVesCents: usdToVes(minimum, rate),
      reservedUntil: tx.reserved_until,
    };
  }

  /** Supervisor: the event's minimum deposit and/or exchange rate. Past payments keep their rate. */
  setEventSettings(raw: unknown): {
    eventId: number;
    depositMinimumBasisPoints: number;
    vesPerUsd: string;
  } {
    const input = parseInput(paymentSettingsInput, raw);
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        this.catalog.event(input.eventId);
        if (input.depositMinimumPercent !== undefined) {
          this.sql.setDepositMinimum.run({
            event: input.eventId,
            bp: percentToBasisPoints(input.depositMinimumPercent),
            now,
            actor: input.actor,
          });
        }
        if (input.vesPerUsd !== undefined) {
          // In range already (the schema); far from today's rate only when the supervisor confirms.
          const proposed = parseRate(input.vesPerUsd);
          const current = this.catalog.event(input.eventId).ves_per_usd;
          const changePercent = knownRate(current) ? rateChangePercent(current, proposed) : 0;
          if (changePercent > RATE_CHANGE_CONFIRM_PERCENT && input.confirmRateChange !== true) {
            throw new TaquillaError(
              'RATE_CHANGE_UNCONFIRMED',
              `The rate would change by ${changePercent} % (${current} → ${formatRate(proposed)} Bs./USD): ` +
                'confirm the change',
              {
                eventId: input.eventId,
                current: formatRate(parseRate(current)),
                proposed: formatRate(proposed),
                changePercent,
                confirmAbovePercent: RATE_CHANGE_CONFIRM_PERCENT,
              },
            );
          }
          this.sql.setRate.run(formatRate(proposed), input.eventId);
        }
        return {
          eventId: input.eventId,
          depositMinimumBasisPoints: this.depositMinimumBasisPoints(input.eventId),
          vesPerUsd: this.catalog.event(input.eventId).ves_per_usd,
        };
      })
      .immediate();
  }

  /**
   * What a receipt prints about the money of a transaction: every tender taken so far, the change
   * of the latest payment, paid and balance. Safe to call from an onSettled listener: the payment
   * is already written in the same transaction.
   */
  receiptPayments(transactionId: string): ReceiptPayments {
    const tx = this.sql.byId.get(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    const total =
      tx.status === 'COMPLETED' ? (this.sql.soldTotal.get(transactionId)?.total ?? 0) : tx.total_cents;
    const last = this.sql.lastChange.get(transactionId);
    return {
      payments: this.sql.tendersOf.all(transactionId).map((t) => ({
        method: t.method,
        currency: t.currency,
        amountCents: t.amount_cents,
        reference: t.reference ?? t.email,
      })),
      change:
        last && last.change_currency ? { currency: last.change_currency, cents: last.change_cents } : null,
      paidCents: tx.paid_cents,
      balanceCents: Math.max(0, total - tx.paid_cents),
    };
  }

  depositMinimumBasisPoints(eventId: number): number {
    return this.sql.depositMinimum.get(eventId)?.bp ?? DEFAULT_DEPOSIT_MINIMUM_BASIS_POINTS;
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * synchronous=FULL for the commit: this write records money. The answer is checked against the
   * API's own schema before the commit, so a payment whose answer could not be given is not made:
   * what the cashier is told is final, never "failed" for money that was taken.
   */
  private write(fn: () => PaymentResult): PaymentResult {
    return withDurableCommit(this.db, () => this.db.transaction(() => paymentResult.parse(fn())).immediate());
  }

  private cartOrThrow(eventId: number, sessionId: string): PayableRow {
    this.catalog.event(eventId);
    const tx = this.sql.cart.get(eventId, sessionId);
    if (!tx || tx.tickets === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to pay for', { sessionId });
    }
    return tx;
  }

  private reservationOrThrow(transactionId: string, now: number): PayableRow {
    const tx = this.sql.byId.get(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    // A reservation whose time ran out is expired whether or not cleanup has marked it yet.
    const expired =
      tx.status === 'EXPIRED' ||
      (tx.status === 'RESERVED' && tx.reserved_until !== null && tx.reserved_until <= now);
    if (expired) {
      const who = tx.customer_name ? ` for ${tx.customer_name}` : '';
      throw new TaquillaError(
        'RESERVATION_EXPIRED',
        `Reservation ${transactionNumber(tx.id)}${who} has expired; its seats were released`,
        {
          transactionId: tx.id,
          expiredAt: tx.reserved_until,
          customerName: tx.customer_name,
        },
      );
    }
    if (tx.status !== 'RESERVED') {
      throw new TaquillaError('NOT_PAYABLE', `Transaction ${transactionNumber(tx.id)} is ${tx.status}`, {
        transactionId: tx.id,
        status: tx.status,
      });
    }
    return tx;
  }

  /**
   * The first answer to a request already paid (same idempotency key), rebuilt from the store; null
   * for a new request. The same key on another kind of payment or transaction is refused.
   */
  private replay(
    requestId: string | undefined,
    kind: PaymentKind,
    transactionId?: string,
  ): PaymentResult | null {
    if (requestId === undefined) return null;
    const p = this.sql.byRequest.get(requestId);
    if (!p) return null;
    if (p.kind !== kind || (transactionId !== undefined && p.transaction_id !== transactionId)) {
      throw new TaquillaError(
        'IDEMPOTENCY_MISMATCH',
        `Request ${requestId} was already used for another payment`,
        { key: requestId },
      );
    }
    const total = p.paid_before + p.due_cents;
    const paid = p.paid_before + p.applied_cents;
    const balance = total - paid;
    const status = kind === 'DEPOSIT' || balance > 0 ? 'RESERVED' : 'COMPLETED';
    return {
      paymentId: p.id,
      transactionId: p.transaction_id,
      kind,
      status,
      vesPerUsd: p.ves_per_usd,
      totalCents: total,
      appliedCents: p.applied_cents,
      paidCents: paid,
      balanceCents: balance,
      balanceVesCents: usdToVes(balance, p.ves_per_usd),
      reservedUntil: status === 'RESERVED' ? p.reserved_until : null,
      lines: this.sql.linesOf.all(p.id).map((l) => ({
        method: l.method,
        currency: l.currency,
        amountCents: l.amount_cents,
        usdCents: l.usd_cents,
        reference: l.reference ?? l.email,
      })),
      change:
        p.change_currency === null
          ? null
          : { currency: p.change_currency, cents: p.change_cents, usdCents: p.change_usd_cents },
    };
  }

  /** A payment as it is written here and travels to the server. */
  private recordOf(plan: Plan, input: RecordInput, now: number): ServerPayment {
    const { s } = plan;
    return {
      paymentId: this.newId(),
      kind: plan.kind,
      cashier: input.actor,
      terminal: input.terminal ?? this.terminal,
      vesPerUsd: s.vesPerUsd,
      dueCents: s.dueCents,
      appliedCents: s.appliedCents,
      change: s.change
        ? { currency: s.change.currency, cents: s.change.cents, usdCents: s.excessCents }
        : null,
      createdAt: now,
      requestId: input.requestId ?? null,
      lines: s.lines.map((line, i) => {
        const t = input.tenders[i]!;
        return {
          method: t.method,
          currency: line.currency,
          amountCents: line.amountCents,
          usdCents: line.usdCents,
          reference: t.method === 'ZELLE' ? (t.reference ?? null) : tenderReference(t),
          phone: t.method === 'PAGO_MOVIL' ? t.phone : null,
          bankCode: t.method === 'PAGO_MOVIL' || t.method === 'TRANSFER' ? t.bankCode : null,
          email: t.method === 'ZELLE' ? (t.email ?? null) : null,
          terminalId: t.method === 'CARD' ? (t.terminalId ?? null) : null,
        };
      }),
    };
  }

  /**
   * Writes a payment and its tenders: one taken here (`claim`: what the cashier or kiosk asked to pay,
   * checked again by TenderAcceptance inside this write) or a copy of one the server recorded.
   */
  writePayment(transactionId: string, record: ServerPayment, claim?: TenderClaim): void {
    // MOVED is the server's bookkeeping of a refused offline sale's money; here that money stays
    // with the offline sale it was taken for.
    if (record.kind === 'MOVED' || this.sql.paymentExists.get(record.paymentId)) return;
    const tx = this.sql.byId.get(transactionId);
    if (!tx) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    this.sql.insertPayment.run({
      id: record.paymentId,
      tx: transactionId,
      event: tx.event_id,
      kind: record.kind,
      cashier: record.cashier,
      terminal: record.terminal,
      rate: record.vesPerUsd,
      due: record.dueCents,
      applied: record.appliedCents,
      changeCurrency: record.change?.currency ?? null,
      change: record.change?.cents ?? 0,
      changeUsd: record.change?.usdCents ?? 0,
      now: record.createdAt,
      requestId: record.requestId,
    });
    const tenderIds = record.lines.map((line) =>
      Number(
        this.sql.insertTender.run({
          payment: record.paymentId,
          method: line.method,
          currency: line.currency,
          amount: line.amountCents,
          usd: line.usdCents,
          reference: line.reference,
          phone: line.phone,
          bank: line.bankCode,
          email: line.email,
          terminalId: line.terminalId,
        }).lastInsertRowid,
      ),
    );
    // Taken here: the kiosk's confirmation is used and each reference once, inside this write. A copy
    // of what the server recorded keeps its references too, so this counter refuses them as well.
    if (claim) this.acceptance.record(claim, record.paymentId, tenderIds);
    else this.acceptance.recordCopy(record, tenderIds);
  }

  paymentRecords(transactionId: string): ServerPayment[] {
    return this.sql.paymentsOf.all(transactionId).map((p) => ({
      paymentId: p.id,
      kind: p.kind,
      cashier: p.cashier,
      terminal: p.terminal,
      vesPerUsd: p.ves_per_usd,
      dueCents: p.due_cents,
      appliedCents: p.applied_cents,
      change:
        p.change_currency === null
          ? null
          : { currency: p.change_currency, cents: p.change_cents, usdCents: p.change_usd_cents },
      createdAt: p.created_at,
      requestId: p.request_id,
      lines: this.sql.tenderRowsOf.all(p.id).map((t) => ({
        method: t.method,
        currency: t.currency,
        amountCents: t.amount_cents,
        usdCents: t.usd_cents,
        reference: t.reference,
        phone: t.phone,
        bankCode: t.bank_code,
        email: t.email,
        terminalId: t.terminal_id,
      })),
    }));
  }

  private result(
    paymentId: string,
    tx: PayableRow,
    kind: PaymentKind,
    status: 'COMPLETED' | 'RESERVED',
    s: Settlement,
    reservedUntil: number | null,
  ): PaymentResult {
    const paid = tx.paid_cents + s.appliedCents;
    const balance = tx.total_cents - paid;
    return {
      paymentId,
      transactionId: tx.id,
      kind,
      status,
      vesPerUsd: s.vesPerUsd,
      totalCents: tx.total_cents,
      appliedCents: s.appliedCents,
      paidCents: paid,
      balanceCents: balance,
      balanceVesCents: usdToVes(balance, s.vesPerUsd),
      reservedUntil,
      lines: s.lines.map((l) => ({
        method: l.tender.method,
        currency: l.currency,
        amountCents: l.amountCents,
        usdCents: l.usdCents,
        reference: tenderReference(l.tender),
      })),
      change: s.change,
    };
  }
}
