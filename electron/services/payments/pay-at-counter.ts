import { randomInt } from 'node:crypto';
import { describeCart } from '../../../shared/cart-expectation.ts';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type CounterSlip,
  counterSlip,
  payAtCounterInput,
} from '../../../shared/schemas/payment-providers.ts';
import type { CartExpectation } from '../../../shared/schemas/reservations.ts';
import { newSlipCode } from '../../../shared/slip-code.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import type { PrintJobs } from '../printing/print-jobs.ts';
import { Catalog } from '../reservations/catalog.ts';
import type { ReservationService } from '../reservations/reservation-service.ts';
import type { CartReader } from '../session/cart.ts';
import { transactionNumber } from './payment-references.ts';

/** Who reserves at the central server on an enrolled terminal (the SyncEngine fits). */
export interface ReservingAuthority {
  convertToPartial(raw: {
    transactionId: string;
    actor: string;
    expect: CartExpectation;
    minutes: number;
  }): Promise<{ reservedUntil: number | null }>;
}

export interface PayAtCounterOptions {
  /** Enrolled: the central server reserves first, its local mirror after. */
  authority?: ReservingAuthority | null;
  /** Which counter or kiosk printed the slip. */
  terminal?: string;
  /** An integer in [0, n): the slip code's randomness (tests fix it). */
  random?: (n: number) => number;
}

interface SlipRow {
  transaction_id: string;
  code: string;
  minutes: number;
  reserved_until: number | null;
  ves_per_usd: string;
}

/**
 * "Pagar en taquilla" (issue 11): a kiosk with no payment provider takes no money. Instead the
 * customer's holds become a short reservation — the deposit lifecycle (RESERVED, then COMPLETED when
 * paid or EXPIRED when its time runs out) with nothing paid yet — for PAY_AT_COUNTER_MINUTES (30 by
 * default). A slip with a six-character code prints through the normal queue; the cashier finds the
 * reservation by that code (reservations.search), takes the money with the normal payment dialog
 * (payments.pay) and the tickets print. An unpaid slip expires and frees its seats like any
 * reservation.
 */
export class PayAtCounter {
  private readonly catalog: Catalog;
  private readonly sql;
  private readonly random: (n: number) => number;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly reservations: ReservationService,
    private readonly carts: Pick<CartReader, 'cart'>,
    private readonly printer: Pick<PrintJobs, 'enqueueSlip'>,
    private readonly options: PayAtCounterOptions = {},
  ) {
    this.catalog = new Catalog(db);
    this.random = options.random ?? ((n) => randomInt(n));
    this.sql = {
      byRequest: db.prepare<[string], SlipRow>(
        `SELECT c.transaction_id, c.code, c.minutes, x.reserved_until, e.ves_per_usd
         FROM counter_slips c JOIN transactions x ON x.id = c.transaction_id JOIN events e ON e.id = x.event_id
         WHERE c.request_id = ?`,
      ),
      codeTaken: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM counter_slips WHERE code = ?',
      ),
      insert: db.prepare<
        [
          {
            tx: string;
            code: string;
            request: string | null;
            minutes: number;
            now: number;
            actor: string;
            terminal: string | null;
          },
        ]
      >(
        `INSERT INTO counter_slips (transaction_id, code, request_id, minutes, created_at, created_by, terminal)
         VALUES (@tx, @code, @request, @minutes, @now, @actor, @terminal)`,
      ),
      labels: db.prepare<[string], { label: string; quantity: number; seat_id: number | null }>(
        `SELECT COALESCE(s.label, z.name) AS label, t.quantity, t.seat_id
         FROM reserved_tickets t JOIN zones z ON z.id = t.zone_id LEFT JOIN seats s ON s.id = t.seat_id
         WHERE t.transaction_id = ? AND t.status = 'ACTIVE' ORDER BY t.id`,
      ),
      until: db.prepare<[string], { reserved_until: number | null }>(
        'SELECT reserved_until FROM transactions WHERE id = ?',
      ),
      // Unpaid slips this kiosk has open now (a slip paid, cancelled or run out no longer counts).
      openAtTerminal: db.prepare<[string | null, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM counter_slips c JOIN transactions x ON x.id = c.transaction_id
         WHERE c.terminal IS ? AND x.status = 'RESERVED' AND x.reserved_until > ?`,
      ),
      bySession: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM counter_slips c JOIN transactions x ON x.id = c.transaction_id
         WHERE x.session_id = ?`,
      ),
      total: db.prepare<[string], { total: number }>(
        `SELECT COALESCE(SUM(price_cents * quantity), 0) AS total FROM reserved_tickets
         WHERE transaction_id = ? AND status = 'ACTIVE'`,
      ),
    };
  }

  /** How long a slip keeps the seats for this event's tenant, in minutes. */
  minutesFor(eventId: number): number {
    return this.catalog.settings(this.catalog.event(eventId).tenant_id).PAY_AT_COUNTER_MINUTES;
  }

  /** The session's cart becomes a reservation paid at the counter; its slip is queued for printing. */
  async reserve(raw: unknown): Promise<CounterSlip> {
    const input = parseInput(payAtCounterInput, raw);
    const replayed = input.requestId === undefined ? undefined : this.sql.byRequest.get(input.requestId);
    if (replayed) return this.slip(replayed);

    const cart = this.carts.cart(input.eventId, input.sessionId);
    if (!cart.transactionId || cart.tickets.length === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to reserve', {
        sessionId: input.sessionId,
      });
    }
    const transactionId = cart.transactionId;
    const minutes = this.minutesFor(input.eventId);
    // Before the central server is asked, and again inside the write (another kiosk process).
    this.assertWithinLimits(input.eventId, input.sessionId);
    // Only what the customer saw is reserved (CART_CHANGED otherwise), here and at the server.
    const reserve = { transactionId, actor: input.actor, expect: describeCart(cart.tickets), minutes };
    const authority = this.options.authority ?? null;
    if (authority) await authority.convertToPartial(reserve);
    const write = () => {
      const now = this.clock.now();
      if (!authority) {
        this.assertWithinLimits(input.eventId, input.sessionId);
        this.reservations.convertToPartial(reserve);
      }
      const code = this.freeCode();
      this.sql.insert.run({
        tx: transactionId,
        code,
        request: input.requestId ?? null,
        minutes,
        now,
        actor: input.actor,
        terminal: this.options.terminal ?? null,
      });
      const slip = this.slip({
        transaction_id: transactionId,
        code,
        minutes,
        reserved_until: this.reservedUntil(transactionId),
        ves_per_usd: cart.vesPerUsd,
      });
      this.printer.enqueueSlip({
        transactionId,
        code,
        seats: slip.seats,
        totalCents: slip.totalCents,
        reservedUntil: slip.reservedUntil,
        issuedAt: now,
      });
      return slip;
    };
    // The reservation, its code and its slip commit together (the engine's write nests), and only
    // with an answer that fits its schema: a slip is never made and then reported as failed.
    return withDurableCommit(this.db, () =>
      this.db.transaction(() => counterSlip.parse(write())).immediate(),
    );
  }

  /**
   * PAY_AT_COUNTER_MAX_OPEN_SLIPS unpaid slips per kiosk at once, PAY_AT_COUNTER_SLIPS_PER_SESSION per
   * customer session: refused (PAY_AT_COUNTER_LIMIT) before anything is reserved. Kiosk sessions cost
   * nothing to start, so the kiosk-wide bound is the one that keeps seats on sale.
   */
  private assertWithinLimits(eventId: number, sessionId: string): void {
    const settings = this.catalog.settings(this.catalog.event(eventId).tenant_id);
    const mine = this.sql.bySession.get(sessionId)!.n;
    if (mine >= settings.PAY_AT_COUNTER_SLIPS_PER_SESSION) {
      throw new TaquillaError(
        'PAY_AT_COUNTER_LIMIT',
        `This session already made ${mine} pay-at-counter slip(s); pay at the counter first`,
        { scope: 'session', limit: settings.PAY_AT_COUNTER_SLIPS_PER_SESSION, open: mine },
      );
    }
    const open = this.sql.openAtTerminal.get(this.options.terminal ?? null, this.clock.now())!.n;
    if (open >= settings.PAY_AT_COUNTER_MAX_OPEN_SLIPS) {
      throw new TaquillaError(
        'PAY_AT_COUNTER_LIMIT',
        `This kiosk has ${open} unpaid pay-at-counter slips open, its limit; buy at the counter`,
        { scope: 'kiosk', limit: settings.PAY_AT_COUNTER_MAX_OPEN_SLIPS, open },
      );
    }
  }

  private reservedUntil(transactionId: string): number {
    return this.sql.until.get(transactionId)?.reserved_until ?? this.clock.now();
  }

  /** A code no other slip of this store has (47 million codes: a retry is rare, a third rarer). */
  private freeCode(): string {
    for (;;) {
      const code = newSlipCode(this.random);
      if (this.sql.codeTaken.get(code)!.n === 0) return code;
    }
  }

  private slip(row: SlipRow): CounterSlip {
    const tickets = this.sql.labels.all(row.transaction_id);
    return {
      transactionId: row.transaction_id,
      number: transactionNumber(row.transaction_id),
      code: row.code,
      reservedUntil: row.reserved_until ?? 0,
      minutes: row.minutes,
      totalCents: this.sql.total.get(row.transaction_id)!.total,
      vesPerUsd: row.ves_per_usd,
      seats: tickets.map((t) =>
        t.seat_id === null && t.quantity > 1 ? `${t.quantity} × ${t.label}` : t.label,
      ),
    };
  }
}
