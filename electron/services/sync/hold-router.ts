import type { Statement } from 'better-sqlite3';
import type { Clock } from '../../../shared/clock.ts';
import { type ErrorDetails, TaquillaError } from '../../../shared/errors.ts';
import {
  blockSeatsInput,
  cancelInput,
  extendHoldsInput,
  holdGeneralInput,
  holdSeatsInput,
  releaseGeneralInput,
  releaseSeatsInput,
  releaseSessionInput,
  unblockSeatsInput,
  type BlockSeatsResult,
  type UnblockSeatsResult,
} from '../../../shared/schemas/reservations.ts';
import { serverCompleteInput, serverConvertInput, serverPayInput } from '../../../shared/schemas/sync.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import type { PaymentBook } from '../payments/payment-service.ts';
import type {
  HoldResult,
  ReservationService,
  TransactionSummary,
} from '../reservations/reservation-service.ts';
import type { ServerTicket, ServerTransactionState } from '../reservations/server-state.ts';
import type { LeaseDesk } from './lease-desk.ts';
import type { LeaseSales } from './lease-sales.ts';
import type { Outbox } from './outbox.ts';
import type { OutboxReplay } from './outbox-replay.ts';
import { type CompleteBody, type ConvertBody, type ServerCopy, withoutPayment } from './server-copy.ts';
import type { ServerLink } from './server-link.ts';

/**
 * The ReservationService's operations, routed. Online, every hold operation goes to the server
 * first (the authority across terminals) and what it decided is then copied into the local store;
 * a cart that sells from an offline lease stays local and is reported with its sale. Refusals are
 * the server's, as it gave them.
 */
type BlockedSeat = ErrorDetails['SEAT_BLOCKED']['seats'][number];

export class HoldRouter {
  private blockedSeats: Statement<[number, string], BlockedSeat> | undefined;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly reservations: ReservationService,
    private readonly link: ServerLink,
    private readonly outbox: Outbox,
    private readonly replay: OutboxReplay,
    private readonly copy: ServerCopy,
    private readonly leases: LeaseDesk,
    private readonly leaseSales: LeaseSales,
    private readonly book: () => PaymentBook | null,
  ) {}

  private get state() {
    return this.link.state;
  }

  async holdSeats(raw: unknown): Promise<HoldResult> {
    const input = parseInput(holdSeatsInput, raw);
    this.refuseHouseSeats(input.eventId, input.seatIds);
    const leased = this.leaseSales.leasedSeats(input.eventId, input.seatIds);
    const leaseLive = leased.some((l) => this.leases.selling(this.leases.byId(l.lease_id)!));
    // A live lease sells its own seats; once it has run out, online, the server decides again.
    if (leased.length > 0 && (leaseLive || this.state !== 'online'))
      return this.leaseSales.holdSeats(input, leased);
    this.leaseSales.refuseServerHoldInLeaseCart(input.eventId, input.sessionId, { seatIds: input.seatIds });
    return this.copy.copyHold('holdSeats', input, await this.replay.call('holdSeats', input));
  }

  async holdGeneral(raw: unknown): Promise<HoldResult> {
    const input = parseInput(holdGeneralInput, raw);
    const lease = this.leaseSales.generalLease(input.eventId, input.zoneId);
    if (
      lease &&
      (this.state !== 'online' || this.leaseSales.localCartIsLeased(input.eventId, input.sessionId))
    ) {
      return this.leaseSales.holdGeneral(input, lease);
    }
    this.leaseSales.refuseServerHoldInLeaseCart(input.eventId, input.sessionId, {
      seatIds: [],
      zoneId: input.zoneId,
    });
    return this.copy.copyHold('holdGeneral', input, await this.replay.call('holdGeneral', input));
  }

  async releaseSeats(raw: unknown): Promise<{ released: number[]; notHeld: number[] }> {
    const input = parseInput(releaseSeatsInput, raw);
    if (this.leaseSales.localCartIsLeased(input.eventId, input.sessionId))
      return this.reservations.releaseSeats(input);
    const result = await this.replay.call<{ released: number[]; notHeld: number[] }>('releaseSeats', input);
    this.copy.mirror(() => this.reservations.releaseSeats(input));
    return result;
  }

  async releaseGeneral(raw: unknown): Promise<{ released: number }> {
    const input = parseInput(releaseGeneralInput, raw);
    if (this.leaseSales.localCartIsLeased(input.eventId, input.sessionId))
      return this.reservations.releaseGeneral(input);
    const result = await this.replay.call<{ released: number }>('releaseGeneral', input);
    this.copy.mirror(() => this.reservations.releaseGeneral(input));
    return result;
  }

  /** Logout: local carts always; the server's too when it can be reached (they expire anyway). */
  async releaseSession(raw: unknown): Promise<{ released: number; transactions: string[] }> {
    const input = parseInput(releaseSessionInput, raw);
    const local = this.reservations.releaseSession(input);
    if (this.state === 'online') await this.replay.call('releaseSession', input).catch(() => undefined);
    // Offline, the server still holds the session's cart: queue the release, or back online the
    // session's next hold would join that cart and its sale would include the released seats.
    else if (this.state === 'offline') this.outbox.add('releaseSession', input, this.clock.now());
    return local;
  }

  async extendHolds(raw: unknown) {
    const input = parseInput(extendHoldsInput, raw);
    if (this.leaseSales.localCartIsLeased(input.eventId, input.sessionId)) {
      this.leaseSales.assertLeasedCartSells(input.eventId, input.sessionId);
      return this.reservations.extendHolds(input);
    }
    const result = await this.replay.call<{ transactionId: string; tickets: ServerTicket[] }>(
      'extendHolds',
      input,
    );
    // The server's new ends are the ones that count: copy them, and answer with the local tickets.
    const copied = this.copy.mirror(() =>
      this.reservations.adoptServerState({
        transactionId: result.transactionId,
        eventId: input.eventId,
        sessionId: input.sessionId,
        actor: input.actor,
        status: 'PENDING',
        reservedUntil: null,
        tickets: result.tickets,
        scope: 'added',
      }),
    );
    return { transactionId: result.transactionId, tickets: copied?.tickets ?? [] };
  }

  /** A deposit: the cart becomes a reservation at the server, with the money that holds it. */
  async convertToPartial(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(serverConvertInput, raw);
    if (this.leaseSales.isLeaseCart(input.transactionId)) {
      // A deposit keeps seats for days, beyond any lease: only the server can grant that.
      throw new TaquillaError('NOT_LEASED', 'A partial payment needs the server; sell in full offline', {
        seatIds: [],
      });
    }
    const { result, itemId } = await this.settleAtServer('convertToPartial', input);
    this.copy.copySale(itemId, 'convertToPartial', input, result);
    return result;
  }

  /**
   * Full payment, with its money. A cart that sells from a lease completes locally: money, sale and
   * the sale's report (onSettled) in one local write.
   */
  async complete(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(serverCompleteInput, raw);
    if (this.leaseSales.isLeaseCart(input.transactionId)) {
      const result = withDurableCommit(this.db, () =>
        this.db
          .transaction(() => {
            if (input.payment) this.book()?.writePayment(input.transactionId, input.payment);
            return this.reservations.complete(withoutPayment(input));
          })
          .immediate(),
      );
      if (this.state === 'online') void this.replay.flush();
      return result;
    }
    const { result, itemId } = await this.settleAtServer('complete', input);
    this.copy.copySale(itemId, 'complete', input, result);
    return result;
  }

  /** An instalment on a reservation that leaves a balance (the last one is a `complete`). */
  async pay(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(serverPayInput, raw);
    const { result, itemId } = await this.replay.exchange<TransactionSummary>('pay', input);
    this.copy.copySale(itemId, 'pay', input, result);
    return result;
  }

  async cancel(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(cancelInput, raw);
    if (this.leaseSales.isLeaseCart(input.transactionId)) return this.reservations.cancel(input);
    const result = await this.replay.call<TransactionSummary>('cancel', input);
    this.copy.mirror(() => this.reservations.cancel(input));
    return result;
  }

  /**
   * House seats off sale: decided at the server (every counter's holds are refused SEAT_BLOCKED from
   * then on), then copied here as a local decision. Blocking seats is an office task, not a sale a
   * counter makes offline: without the server it is refused (OFFLINE), never blocked here only.
   */
  async blockSeats(raw: unknown): Promise<BlockSeatsResult> {
    const input = parseInput(blockSeatsInput, raw);
    this.refuseHouseSeatsOffline('block');
    const result = await this.replay.call<BlockSeatsResult>('blockSeats', input);
    this.copy.mirror(() => this.reservations.blockSeats(input));
    return result;
  }

  /** House seats back on sale, at the server first (see blockSeats). */
  async unblockSeats(raw: unknown): Promise<UnblockSeatsResult> {
    const input = parseInput(unblockSeatsInput, raw);
    this.refuseHouseSeatsOffline('unblock');
    const result = await this.replay.call<UnblockSeatsResult>('unblockSeats', input);
    this.copy.mirror(() => this.reservations.unblockSeats(input));
    return result;
  }

  /**
   * A house seat is refused here when the server cannot be asked: the server blocked it and its feed
   * blocked it in this store (VenueFeed), so the counter answers as the server would (SEAT_BLOCKED).
   * Online the server answers, with the reason it was blocked for (the feed carries none).
   */
  private refuseHouseSeats(eventId: number, seatIds: number[]): void {
    if (this.state === 'online') return;
    this.blockedSeats ??= this.db.prepare<[number, string], BlockedSeat>(
      `SELECT id AS seatId, label, blocked_reason AS reason FROM seats
       WHERE event_id = ? AND blocked = 1 AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    );
    const seats = this.blockedSeats.all(eventId, JSON.stringify(seatIds));
    if (seats.length > 0) {
      throw new TaquillaError('SEAT_BLOCKED', `Not on sale: ${seats.map((s) => s.label).join(', ')}`, {
        seats,
      });
    }
  }

  private refuseHouseSeatsOffline(what: 'block' | 'unblock'): void {
    if (this.state === 'offline') {
      throw new TaquillaError(
        'OFFLINE',
        `House seats are ${what}ed at the server, which cannot be reached; try again when online`,
        { outbox: this.outbox.length },
      );
    }
  }

  /**
   * A sale or reservation at the server. Refused because the server's cart is not what the cashier
   * charged for (CART_CHANGED), the local cart is brought in line with the server's first, so the
   * screen shows what would really be sold before the cashier charges again.
   */
  private async settleAtServer(
    op: 'complete' | 'convertToPartial',
    input: CompleteBody | ConvertBody,
  ): Promise<{ result: TransactionSummary; itemId: number }> {
    try {
      return await this.replay.exchange<TransactionSummary>(op, input);
    } catch (error) {
      if (error instanceof TaquillaError && error.code === 'CART_CHANGED') {
        const local = this.copy.localTransaction(input.transactionId);
        const details = error.details as { items: ServerTransactionState['tickets'] };
        if (local && (local.status === 'PENDING' || local.status === 'RESERVED')) {
          this.copy.mirror(() =>
            this.reservations.adoptServerState({
              transactionId: input.transactionId,
              eventId: local.event_id,
              sessionId: local.session_id,
              actor: input.actor,
              status: local.status as 'PENDING' | 'RESERVED',
              reservedUntil: local.reserved_until,
              tickets: details.items,
              scope: 'whole',
            }),
          );
        }
      }
      throw error;
    }
  }
}
