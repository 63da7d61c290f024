import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { formatRate, parseRate, usdToVes } from '../../../shared/money.ts';
import {
  assertDeposit,
  assertFullPayment,
  assertInstalment,
  minimumDeposit,
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
import { type PayableRow, Payables } from './payables.ts';
import { PaymentLedger, type PaymentKind, type ReceiptPayments } from './payment-ledger.ts';
import { transactionNumber } from './payment-references.ts';
import { PaymentSettings } from './payment-settings.ts';
import { type TenderClaim, TenderAcceptance } from './tender-acceptance.ts';

export { transactionNumber };
export type { ReceiptPayments } from './payment-ledger.ts';

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

export interface PaymentServiceOptions {
  /** Recorded with every payment: which counter or kiosk took it. */
  terminal?: string;
  newId?: () => string;
}

/**
 * Takes money (issue 6). Every payment is written in the same BEGIN IMMEDIATE transaction as the
 * reservation change it causes (ReservationService.complete / convertToPartial run nested, as a
 * savepoint), so money and sale commit together or not at all, on any number of terminals sharing
 * the store.
 *
 * This class decides and settles the three payments (checkout, deposit, instalment; here or through
 * a SaleAuthority); what it reads and writes is split by job: `Payables` (the transactions to pay),
 * `PaymentLedger` (payments and tenders), `PaymentSettings` (minimum deposit, exchange rate).
 */
export class PaymentService implements PaymentBook {
  private readonly catalog: Catalog;
  /** Kiosk payments only as a provider confirmed them; each reference once (issue 11). */
  private readonly acceptance: TenderAcceptance;
  private readonly payables: Payables;
  private readonly ledger: PaymentLedger;
  private readonly settings: PaymentSettings;
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
    this.payables = new Payables(db, this.catalog);
    this.ledger = new PaymentLedger(db, this.payables, this.acceptance);
    this.settings = new PaymentSettings(db, clock, this.catalog);
  }

  /** The session's cart paid in full (one or many tenders, both currencies): tickets are sold. */
  checkout(raw: unknown): PaymentResult {
    const input = parseInput(checkoutInput, raw);
    return this.write(
      () => this.ledger.replay(input.requestId, 'SALE') ?? this.commit(this.planCheckout(input), input),
    );
  }

  /**
   * Checkout with a deposit of at least the event's minimum: the cart becomes a RESERVED
   * transaction in the customer's name for PARTIAL_PAYMENT_HOURS (or `hours`).
   */
  deposit(raw: unknown): PaymentResult {
    const input = parseInput(depositInput, raw);
    return this.write(
      () => this.ledger.replay(input.requestId, 'DEPOSIT') ?? this.commit(this.planDeposit(input), input),
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
        this.ledger.replay(input.requestId, 'INSTALMENT', input.transactionId) ??
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
    return this.ledger.unpaidSales();
  }

  // ---- the three payments: decide (read), then settle and record (write) -------------------------

  private planCheckout(input: z.output<typeof checkoutInput>): Plan {
    const tx = this.payables.cartOrThrow(input.eventId, input.sessionId);
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const s = settle(tx.total_cents - tx.paid_cents, input.tenders, rate, input.changeCurrency);
    assertFullPayment(s);
    this.acceptance.check(input);
    const complete = { transactionId: tx.id, actor: input.actor, expect: this.payables.chargedFor(tx) };
    return { tx, kind: 'SALE', s, settles: { complete } };
  }

  private planDeposit(input: z.output<typeof depositInput>): Plan {
    const tx = this.payables.cartOrThrow(input.eventId, input.sessionId);
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const s = settle(tx.total_cents - tx.paid_cents, input.tenders, rate);
    assertDeposit(s, this.depositMinimumBasisPoints(tx.event_id));
    this.acceptance.check(input);
    const reserve = {
      transactionId: tx.id,
      actor: input.actor,
      expect: this.payables.chargedFor(tx),
      customer: input.customer,
      ...(input.hours !== undefined ? { hours: input.hours } : {}),
    };
    return { tx, kind: 'DEPOSIT', s, settles: { reserve } };
  }

  private planInstalment(input: z.output<typeof payInput>): Plan {
    const tx = this.payables.reservationOrThrow(input.transactionId, this.clock.now());
    const rate = this.catalog.event(tx.event_id).ves_per_usd;
    const s = settle(tx.total_cents - tx.paid_cents, input.tenders, rate, input.changeCurrency);
    assertInstalment(s);
    this.acceptance.check(input);
    const settles =
      s.balanceCents > 0
        ? {}
        : { complete: { transactionId: tx.id, actor: input.actor, expect: this.payables.chargedFor(tx) } };
    return { tx, kind: 'INSTALMENT', s, settles };
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
    const first = this.db.transaction(() => this.ledger.replay(input.requestId, kind, transactionId))();
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
      tx = this.payables.byId(input.transactionId);
      // Anything but an open cart must be a reservation still in time (else there is nothing to pay).
      if (tx?.status !== 'PENDING')
        tx = this.payables.reservationOrThrow(input.transactionId, this.clock.now());
    } else {
      tx = this.payables.cart(input.eventId, input.sessionId);
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
  setEventSettings(raw: unknown): ReturnType<PaymentSettings['setEventSettings']> {
    return this.settings.setEventSettings(raw);
  }

  /**
   * What a receipt prints about the money of a transaction: every tender taken so far, the change
   * of the latest payment, paid and balance. Safe to call from an onSettled listener: the payment
   * is already written in the same transaction.
   */
  receiptPayments(transactionId: string): ReceiptPayments {
    return this.ledger.receiptPayments(transactionId);
  }

  depositMinimumBasisPoints(eventId: number): number {
    return this.settings.depositMinimumBasisPoints(eventId);
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
    this.ledger.writePayment(transactionId, record, claim);
  }

  paymentRecords(transactionId: string): ServerPayment[] {
    return this.ledger.paymentRecords(transactionId);
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
