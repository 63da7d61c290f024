import type { Clock } from '../../../shared/clock.ts';
import { z } from 'zod';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  type LeaseGrant,
  serverCompleteInput,
  serverConvertInput,
  serverHoldReply,
  serverPayInput,
  serverReservation,
  serverTransactionReply,
} from '../../../shared/schemas/sync.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import type { PaymentBook } from '../payments/payment-service.ts';
import type { HoldResult, ReservationService } from '../reservations/reservation-service.ts';
import type { ServerTransactionState } from '../reservations/server-state.ts';
import type { ServerReply } from './hold-server-client.ts';
import type { Outbox, OutboxItem } from './outbox.ts';
import type { ServerLink } from './server-link.ts';
import type { SyncConflicts } from './sync-conflicts.ts';

export type CompleteBody = z.output<typeof serverCompleteInput>;
export type ConvertBody = z.output<typeof serverConvertInput>;
export type PayBody = z.output<typeof serverPayInput>;

/** The local engine's own input (it knows nothing of payments). */
export function withoutPayment<T extends { payment?: unknown }>(input: T): Omit<T, 'payment'> {
  const { payment: _payment, ...rest } = input;
  return rest;
}

/** The conflict code of a sale the server recorded that this terminal could not copy into its store. */
export const LOCAL_COPY_FAILED = 'LOCAL_COPY_FAILED';

/** A transaction as the local store has it (what a copy of the server's decision starts from). */
export interface LocalTransaction {
  event_id: number;
  session_id: string;
  status: string;
  reserved_until: number | null;
}

/**
 * The local copy of what the server decided: holds it granted, sales, deposits and payments it
 * recorded (with their money and ticket numbers), orphaned replies found by the replay, and
 * reservations taken at other counters. Screens, printing and payments keep reading one database.
 * A copy runs `asMirror`, so the settle listener does not queue it back to the server; a sale the
 * server recorded that cannot be copied goes on the conflict list, never silently.
 */
export class ServerCopy {
  /** True while a server-confirmed change is copied locally: the settle listener must not queue it. */
  mirroring = false;
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly reservations: ReservationService,
    private readonly link: ServerLink,
    private readonly outbox: Outbox,
    private readonly conflicts: SyncConflicts,
    /** Where payments are written, with each sale copied, in the same local write. */
    private readonly book: () => PaymentBook | null,
    /** Sends what was queued (a hold the copy could not follow is given back). */
    private readonly flush: () => Promise<void>,
  ) {
    this.sql = {
      transactionState: db.prepare<[string], LocalTransaction>(
        'SELECT event_id, session_id, status, reserved_until FROM transactions WHERE id = ?',
      ),
      eventOfZone: db.prepare<[number], { event_id: number }>('SELECT event_id FROM zones WHERE id = ?'),
      eventVersion: db.prepare<[number], { version: number }>('SELECT version FROM events WHERE id = ?'),
      putNumber: db.prepare<[number, string, number | null, number, number]>(
        `INSERT OR IGNORE INTO venue_ticket_numbers (number, transaction_id, seat_id, zone_id, place)
         VALUES (?, ?, ?, ?, ?)`,
      ),
    };
  }

  private get client() {
    return this.link.client;
  }

  private get state() {
    return this.link.state;
  }

  /** The local store's state of a transaction (undefined when it has none). */
  localTransaction(transactionId: string): LocalTransaction | undefined {
    return this.sql.transactionState.get(transactionId);
  }

  /**
   * The caller of this request gave up (the network dropped mid-request, or the terminal restarted)
   * and the replay found it applied: copy what the server did, so the local store agrees with it.
   */
  applyOrphan(item: OutboxItem, reply: ServerReply): void {
    const body = item.body as never;
    switch (item.op) {
      case 'complete':
      case 'convertToPartial':
      case 'pay':
        this.copySale(item.id, item.op, body, reply.result);
        break;
      case 'cancel':
        this.mirror(() => this.reservations.cancel(body));
        break;
      case 'releaseSeats':
        this.mirror(() => this.reservations.releaseSeats(body));
        break;
      case 'releaseGeneral':
        this.mirror(() => this.reservations.releaseGeneral(body));
        break;
      case 'extendHolds':
        this.mirror(() => this.reservations.extendHolds(body));
        break;
      case 'blockSeats':
        this.mirror(() => this.reservations.blockSeats(body));
        break;
      case 'unblockSeats':
        this.mirror(() => this.reservations.unblockSeats(body));
        break;
      case 'lease': {
        // A lease nobody recorded would keep seats from everyone until it expires: give it back.
        const grant = reply.result as LeaseGrant;
        this.outbox.add('leaseReturn', { leaseId: grant.leaseId, actor: 'sync' }, this.clock.now());
        break;
      }
      default:
        break;
    }
  }

  /** Copies a server-confirmed change into the local store (screens, printing, payments read it). */
  mirror<T>(apply: () => T): T | null {
    try {
      return this.asMirror(apply);
    } catch {
      // The server decided; a local copy that cannot follow (e.g. already released) is not a refusal.
      return null;
    }
  }

  /** Runs a copy of the server's decision: the settle listener must not queue it back to the server. */
  asMirror<T>(apply: () => T): T {
    this.mirroring = true;
    try {
      return apply();
    } finally {
      this.mirroring = false;
    }
  }

  /**
   * Copies the holds the server just granted and answers as the local engine would (local ticket ids
   * and labels, the local feed's version), so the API's reply is the same online and unenrolled. The
   * local store follows the server as it stands (a cart its cleanup closed is reopened, a stale local
   * hold on the seat gives way). A copy that cannot follow (this terminal sold the seat offline) is
   * refused to the cashier, and the server's hold is given back.
   */
  copyHold(
    op: 'holdSeats' | 'holdGeneral',
    input: { eventId: number; sessionId: string; actor: string; seatIds?: number[]; zoneId?: number },
    raw: unknown,
  ): HoldResult {
    const reply = serverHoldReply.parse(raw);
    try {
      const copied = this.asMirror(() =>
        this.reservations.adoptServerState({
          transactionId: reply.transactionId,
          eventId: input.eventId,
          sessionId: input.sessionId,
          actor: input.actor,
          status: 'PENDING',
          reservedUntil: null,
          tickets: reply.tickets,
          scope: 'added',
        }),
      );
      return {
        transactionId: reply.transactionId,
        tickets: copied.tickets,
        alreadyHeld: reply.alreadyHeld,
        version: this.sql.eventVersion.get(input.eventId)?.version ?? 0,
      };
    } catch (error) {
      const release =
        op === 'holdSeats'
          ? {
              op: 'releaseSeats' as const,
              body: {
                eventId: input.eventId,
                sessionId: input.sessionId,
                actor: input.actor,
                seatIds: input.seatIds,
              },
            }
          : {
              op: 'releaseGeneral' as const,
              body: {
                eventId: input.eventId,
                sessionId: input.sessionId,
                actor: input.actor,
                zoneId: input.zoneId,
              },
            };
      this.outbox.add(release.op, release.body, this.clock.now());
      void this.flush();
      throw error;
    }
  }

  /**
   * Copies a sale, reservation or payment the server recorded, with exactly the tickets the server
   * sold, and writes the payment that came with it in the same local write, so the terminal can print
   * it and its money is in the day's reports. A copy that cannot follow (this terminal sold one of
   * those seats itself, offline) goes on the supervisor's conflict list: never silently.
   */
  copySale(itemId: number, op: 'complete' | 'convertToPartial' | 'pay', body: unknown, raw: unknown): void {
    const reply = serverTransactionReply.safeParse(raw);
    const input = this.saleInput(op, body);
    const payment = input.payment ?? null;
    const local = this.sql.transactionState.get(input.transactionId);
    const write = (copy: () => unknown) =>
      withDurableCommit(this.db, () =>
        this.db
          .transaction(() => {
            copy();
            if (payment) this.book()?.writePayment(input.transactionId, payment);
          })
          .immediate(),
      );
    if (!reply.success || (reply.data.status !== 'COMPLETED' && reply.data.status !== 'RESERVED')) {
      this.mirror(() => write(() => this.localSettle(op, input)));
      return;
    }
    const sale = reply.data;
    const eventId =
      sale.eventId ?? local?.event_id ?? this.sql.eventOfZone.get(sale.items[0]?.zoneId ?? 0)?.event_id;
    if (eventId === undefined) {
      this.mirror(() => write(() => this.localSettle(op, input)));
      return;
    }
    const customer = 'customer' in input ? input.customer : undefined;
    const state: ServerTransactionState = {
      transactionId: sale.transactionId,
      eventId,
      sessionId: sale.sessionId ?? local?.session_id ?? `server:${sale.transactionId}`,
      actor: input.actor,
      status: sale.status === 'COMPLETED' ? 'COMPLETED' : 'RESERVED',
      reservedUntil: sale.reservedUntil,
      tickets: sale.items,
      scope: 'whole',
      ...(customer ? { customer } : {}),
    };
    try {
      write(() => {
        // Before the copy: a sale copied as COMPLETED prints inside it, with these numbers.
        this.recordNumbers(sale.transactionId, sale.items);
        this.asMirror(() => this.reservations.adoptServerState(state));
      });
    } catch (error) {
      // The sale and its money are at the server; here the supervisor settles it (refund or accept).
      this.conflicts.record(
        itemId,
        op,
        JSON.stringify(body),
        LOCAL_COPY_FAILED,
        `Sold at the central server but not copied here: ${error instanceof Error ? error.message : String(error)}`,
        this.clock.now(),
      );
    }
  }

  /** Keeps the venue's numbers of a transaction's places (what its tickets will print). */
  recordNumbers(
    transactionId: string,
    items: { seatId: number | null; zoneId: number; ticketNumbers?: number[] | undefined }[],
  ): void {
    for (const item of items) {
      (item.ticketNumbers ?? []).forEach((number, i) =>
        this.sql.putNumber.run(number, transactionId, item.seatId, item.zoneId, i + 1),
      );
    }
  }

  private saleInput(
    op: 'complete' | 'convertToPartial' | 'pay',
    body: unknown,
  ): CompleteBody | ConvertBody | PayBody {
    return op === 'convertToPartial'
      ? serverConvertInput.parse(body)
      : op === 'pay'
        ? serverPayInput.parse(body)
        : serverCompleteInput.parse(body);
  }

  /** The local engine's own settle, when the server's reply cannot be copied as it stands. */
  private localSettle(
    op: 'complete' | 'convertToPartial' | 'pay',
    input: CompleteBody | ConvertBody | PayBody,
  ) {
    if (op === 'convertToPartial')
      return this.reservations.convertToPartial(withoutPayment(input as ConvertBody));
    if (op === 'pay') {
      const { transactionId, actor } = input as PayBody;
      // An instalment that leaves a balance changes no ticket.
      return this.sql.transactionState.get(transactionId)?.status === 'RESERVED'
        ? this.reservations.complete({ transactionId, actor })
        : null;
    }
    return this.reservations.complete(withoutPayment(input as CompleteBody));
  }

  // ---- reservations taken at other counters -------------------------------------------------------

  /**
   * Copies here the reservations the server finds for `query` (by customer name, cédula, phone or
   * sale number), with their tickets and every payment so far, so this counter can quote and take
   * the next payment on a deposit taken at another. Only open reservations are copied (a sale
   * completed elsewhere is not this counter's to print). Returns how many it copied or brought up to
   * date. Unreachable: OFFLINE (the local search still answers).
   */
  async importReservations(query: string): Promise<number> {
    if (!this.client || this.state !== 'online') {
      throw new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: this.outbox.length });
    }
    const reply = await this.link.get(`/v1/reservations?query=${encodeURIComponent(query)}`).catch(() => {
      throw new TaquillaError('OFFLINE', 'The server did not answer', { outbox: this.outbox.length });
    });
    if (reply.error) return 0;
    const found = z.array(serverReservation).safeParse(reply.result);
    if (!found.success) return 0;
    let copied = 0;
    for (const r of found.data) {
      if (r.status !== 'RESERVED') continue;
      const local = this.sql.transactionState.get(r.transactionId);
      if (local && local.status !== 'PENDING' && local.status !== 'RESERVED') continue;
      try {
        withDurableCommit(this.db, () =>
          this.db
            .transaction(() => {
              this.recordNumbers(r.transactionId, r.items);
              this.asMirror(() =>
                this.reservations.adoptServerState({
                  transactionId: r.transactionId,
                  eventId: r.eventId,
                  sessionId: r.sessionId,
                  actor: r.actor,
                  status: 'RESERVED',
                  reservedUntil: r.reservedUntil,
                  tickets: r.items,
                  scope: 'whole',
                  customer: {
                    name: r.customer.name,
                    ...(r.customer.idNumber ? { idNumber: r.customer.idNumber } : {}),
                    ...(r.customer.phone ? { phone: r.customer.phone } : {}),
                  },
                }),
              );
              for (const payment of r.payments) this.book()?.writePayment(r.transactionId, payment);
            })
            .immediate(),
        );
        copied += 1;
      } catch {
        // This store cannot take it as the server has it (an event it does not sell): leave it.
      }
    }
    return copied;
  }
}
