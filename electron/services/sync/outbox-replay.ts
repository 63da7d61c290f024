import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { KeyOutcome, ServerOperation } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import { NetworkError, type ServerReply } from './hold-server-client.ts';
import type { LeaseDesk } from './lease-desk.ts';
import type { Outbox, OutboxItem } from './outbox.ts';
import type { ServerCopy } from './server-copy.ts';
import type { ServerGeneration } from './server-generation.ts';
import type { ServerLink } from './server-link.ts';
import type { SyncConflicts } from './sync-conflicts.ts';

/** A sale, deposit or payment whose answer was lost, settled later: what the cashier is told. */
export interface SaleOutcome {
  op: 'complete' | 'convertToPartial' | 'pay';
  transactionId: string;
  actor: string;
  /** done: the server recorded it (and it was copied here); not-done: it never will be. */
  outcome: 'done' | 'not-done';
  errorCode: string | null;
}

export interface ReplayOptions {
  /** The heartbeat's period: a queued item that went unanswered is tried again after it. */
  heartbeatMs: number;
  /** The heartbeat's deadline: asking what became of a lost item takes this (plus a margin). */
  heartbeatTimeoutMs: number;
  /** Offline sales per request during a replay (at most the server's 200 per batch). */
  replayBatch: number;
  /** Batches of offline sales on the wire at once during a replay (they never depend on each other). */
  replayConcurrency: number;
  /** How long a cashier's sale whose answer was lost is asked about before OUTCOME_UNKNOWN. */
  resolveWindowMs: number;
}

interface Waiter {
  resolve: (reply: ServerReply) => void;
  reject: (error: unknown) => void;
  /** Sent again once already, after its first copy turned out never to have reached the server. */
  retried?: boolean;
}

const HOLD_OPS: ReadonlySet<ServerOperation> = new Set(['holdSeats', 'holdGeneral']);
/** Operations that take money: their outcome is found out before the cashier is told anything final. */
const SETTLE_OPS: ReadonlySet<ServerOperation> = new Set(['complete', 'convertToPartial', 'pay']);
/**
 * Reports of what was already sold, independent of each other: offline sales, and sales re-sent to a
 * restored server (server-generation.ts). Sent in batches on replay; a refusal is a conflict; a
 * revoked terminal still uploads them.
 */
const SOLD_REPORTS: ReadonlySet<string> = new Set(['leaseSale', 'recoverSale']);

/**
 * Sends the durable outbox to the server and settles every answer exactly once. Every request is
 * written to the outbox with its idempotency key before it leaves, so a lost reply, a crash or a
 * partition never applies it twice: a cashier waiting on a request hears its answer (or, for a sale
 * whose answer was lost, the outcome found out by key); what nobody waits on is replayed in order,
 * its refusals go to the conflict list and what it changed is copied here (`ServerCopy`).
 */
export class OutboxReplay {
  private readonly waiters = new Map<number, Waiter>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  /** Items on the wire now: if the link fails, these may have been applied. */
  private readonly inFlight = new Set<number>();
  /** Unresolved items a waiting caller is asking about (the reconnect does not ask twice). */
  private readonly resolving = new Set<number>();
  private readonly callerResolutions = new Set<Promise<void>>();
  private resolvingAll: Promise<void> | null = null;
  private readonly outcomeListeners = new Set<(outcome: SaleOutcome) => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly serverClock: Clock,
    private readonly link: ServerLink,
    private readonly outbox: Outbox,
    private readonly leases: LeaseDesk,
    private readonly conflicts: SyncConflicts,
    private readonly copy: ServerCopy,
    private readonly generation: ServerGeneration,
    private readonly options: ReplayOptions,
  ) {}

  private get client() {
    return this.link.client;
  }

  private get state() {
    return this.link.state;
  }

  /** Hears of sales whose answer was lost and whose outcome was found out later. */
  onOutcome(listener: (outcome: SaleOutcome) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  /** The replay's work under way now (idle() waits for it). */
  work(): (Promise<void> | null)[] {
    return [this.flushing, this.resolvingAll, ...this.callerResolutions];
  }

  /**
   * Revoked: revocation stops new work, not the upload of what was already sold. The offline sales
   * still queued are reported (the server takes them, or refuses them onto the conflict list); then
   * each lease is given back. Anything else queued is withdrawn: it asked for new work.
   */
  async uploadAfterRevocation(): Promise<void> {
    if (!this.client) return;
    const now = () => this.clock.now();
    for (;;) {
      const items = this.outbox.pending(64);
      if (items.length === 0) break;
      for (const item of items) {
        if (SOLD_REPORTS.has(item.op) || item.op === 'raiseTicketFloor') {
          this.inFlight.add(item.id);
          const sent = await this.send(item).finally(() => this.inFlight.delete(item.id));
          if (!sent) return; // unreachable (or refused again): the next heartbeat tries again
        } else {
          this.outbox.withdraw(item.id, now());
          this.waiters
            .get(item.id)
            ?.reject(new TaquillaError('UNAUTHORIZED', 'This terminal was revoked', {}));
          this.waiters.delete(item.id);
        }
      }
    }
    for (const lease of this.leases.openLeases()) {
      const reply = await this.client
        .operation('leaseReturn', { leaseId: lease.id, actor: 'sync' }, `tq-${randomUUID()}`)
        .catch(() => null);
      if (!reply) return;
      if (!reply.error || reply.error.code === 'UNKNOWN_LEASE') this.leases.closeLocally(lease.id);
    }
  }

  /** Sends everything queued, in order, until the queue is empty or the server is unreachable. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.drain();
        } while (this.flushAgain && this.state === 'online');
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  private async drain(): Promise<void> {
    const size = Math.max(1, this.options.replayBatch);
    while (this.client && this.state === 'online') {
      const items = this.outbox.pending(size * Math.max(1, this.options.replayConcurrency));
      if (items.length === 0) return;
      // Offline sales are independent of each other: send a run of them in batches, several at once.
      // Anything else goes alone, in order (a hold before the sale that depends on it).
      const firstOther = items.findIndex((i) => !SOLD_REPORTS.has(i.op));
      const run =
        firstOther === 0 ? [items[0]!] : items.slice(0, firstOther === -1 ? items.length : firstOther);
      const batches: OutboxItem[][] = [];
      for (let i = 0; i < run.length; i += size) batches.push(run.slice(i, i + size));
      for (const item of run) this.inFlight.add(item.id);
      let sent: boolean[];
      try {
        sent = await Promise.all(batches.map((b) => (b.length > 1 ? this.sendBatch(b) : this.send(b[0]!))));
      } finally {
        for (const item of run) this.inFlight.delete(item.id);
      }
      if (sent.includes(false)) return;
    }
  }

  /** Sends a run of independent items in one request; false when the server could not be reached. */
  private async sendBatch(items: OutboxItem[]): Promise<boolean> {
    let answer;
    try {
      answer = await this.client!.batch(
        items.map((i) => ({ op: i.op, key: i.idempotencyKey, body: i.body })),
      );
    } catch (error) {
      for (const item of items) this.unanswered(item, error);
      return false;
    }
    this.link.noteReply(answer.reply);
    if (answer.reply.status === 401) return this.revoked(items[0]!);
    if (answer.items.length !== items.length) {
      for (const item of items) this.unanswered(item, new Error(`batch answered ${answer.reply.status}`));
      return false;
    }
    items.forEach((item, i) =>
      this.acknowledged(item, {
        ...answer.items[i]!,
        serverTime: answer.reply.serverTime,
        localMidpoint: answer.reply.localMidpoint,
      }),
    );
    return true;
  }

  /**
   * The server did not answer `item` (it may or may not have applied it). Replayed items are retried
   * later. An item a cashier waits on is never sent blindly again: it is asked about by its key, at
   * once for a sale (the cashier hears the real outcome, or OUTCOME_UNKNOWN if the server cannot be
   * asked in time), and on reconnect for anything else (a hold told OFFLINE that was applied after all
   * is released again). Requests queued behind it never left: they are withdrawn, so OFFLINE is true.
   */
  private unanswered(item: OutboxItem, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // Refused by every instance: it never reached a server, and nothing needs finding out.
    const neverSent = error instanceof NetworkError && error.refused;
    if (item.delivery === 'queued') {
      this.outbox.failed(item.id, this.clock.now() + this.options.heartbeatMs, message);
    } else if (neverSent) this.outbox.withdraw(item.id, this.clock.now());
    else this.outbox.markUnresolved(item.id);
    this.link.goOffline();
    const waiter = this.waiters.get(item.id);
    this.waiters.delete(item.id);
    if (waiter && SETTLE_OPS.has(item.op) && !neverSent) {
      const resolution = this.resolveForCaller({ ...item, delivery: 'unresolved' }, waiter, waiter.retried);
      this.callerResolutions.add(resolution);
      void resolution.finally(() => this.callerResolutions.delete(resolution));
    } else
      waiter?.reject(
        new TaquillaError('OFFLINE', 'The server did not answer', { outbox: this.outbox.length }),
      );
    const now = this.clock.now();
    for (const [id, other] of this.waiters) {
      this.outbox.withdraw(id, now);
      other.reject(
        new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: this.outbox.length }),
      );
    }
    this.waiters.clear();
  }

  /**
   * A cashier waits on a sale whose answer was lost: ask the server what became of it (abandoning it
   * if the server never saw it) until `resolveWindowMs` has passed. Only then is the cashier told the
   * outcome is unknown; the reconnect finds it out and says so (onOutcome).
   */
  private async resolveForCaller(item: OutboxItem, waiter: Waiter, retried = false): Promise<void> {
    this.resolving.add(item.id);
    // A wait, not a business time: a timer bounds it (like the requests' own deadlines).
    let late = false;
    const window = setTimeout(() => (late = true), this.options.resolveWindowMs);
    try {
      while (this.client) {
        const [outcome] = await this.askOutcomes([item]).catch(() => [null]);
        if (outcome?.outcome === 'abandoned' && !retried) {
          // It never reached the server (often a pooled connection the link change had killed), and
          // now never will; the server just answered, so try once more under a fresh key.
          this.outbox.withdraw(item.id, this.clock.now());
          this.link.setState('online');
          const again = this.outbox.add(item.op, item.body, this.clock.now(), 'interactive');
          this.waiters.set(again.id, { ...waiter, retried: true });
          void this.flush();
          return;
        }
        if (outcome) {
          this.waiters.set(item.id, waiter);
          this.settleOutcome(item, outcome);
          return;
        }
        if (late) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      const body = item.body as { transactionId?: string };
      waiter.reject(
        new TaquillaError('OUTCOME_UNKNOWN', 'The server has not confirmed whether this sale went through', {
          transactionId: body.transactionId ?? null,
          outbox: this.outbox.length,
        }),
      );
    } finally {
      clearTimeout(window);
      this.resolving.delete(item.id);
    }
  }

  /** Asks the server about every unresolved item nobody waits on (after a reconnect). */
  resolveUnresolved(): Promise<void> {
    // Cleared in .finally (a later microtask), never before the field is set.
    this.resolvingAll ??= this.resolveAllNow().finally(() => {
      this.resolvingAll = null;
    });
    return this.resolvingAll;
  }

  private async resolveAllNow(): Promise<void> {
    for (;;) {
      const items = this.outbox.unresolved().filter((i) => !this.resolving.has(i.id));
      if (items.length === 0 || this.state !== 'online') return;
      const outcomes = await this.askOutcomes(items).catch(() => null);
      if (!outcomes) return;
      items.forEach((item, i) => this.settleOutcome(item, outcomes[i]!));
      if (items.length < 200) return;
    }
  }

  /** POST /v1/outcomes with abandon: every key comes back applied (with its reply) or abandoned. */
  private async askOutcomes(items: OutboxItem[]): Promise<KeyOutcome[]> {
    const reply = await this.client!.outcomes(
      items.map((i) => i.idempotencyKey),
      this.options.heartbeatTimeoutMs + 500,
    );
    this.link.noteReply(reply);
    const outcomes = (reply.result as { outcomes?: KeyOutcome[] } | undefined)?.outcomes;
    if (reply.error || !outcomes || outcomes.length !== items.length) {
      throw new NetworkError(`outcomes answered ${reply.status}`);
    }
    return outcomes;
  }

  /** What became of an item whose answer was lost: it counts as answered now, once and for all. */
  private settleOutcome(item: OutboxItem, outcome: KeyOutcome): void {
    const waiter = this.waiters.get(item.id);
    const body = item.body as { transactionId?: string; actor?: string };
    const tell = (result: SaleOutcome['outcome'], errorCode: string | null) => {
      if (waiter || !SETTLE_OPS.has(item.op) || !body.transactionId) return;
      const told: SaleOutcome = {
        op: item.op as SaleOutcome['op'],
        transactionId: body.transactionId,
        actor: body.actor ?? '',
        outcome: result,
        errorCode,
      };
      for (const listener of this.outcomeListeners) listener(told);
    };
    if (outcome.outcome === 'applied') {
      this.acknowledged(item, {
        status: outcome.status,
        result: outcome.body.result,
        error: outcome.body.error,
        serverTime: this.serverClock.now(),
        localMidpoint: this.clock.now(),
      });
      tell(outcome.body.error ? 'not-done' : 'done', outcome.body.error?.code ?? null);
      return;
    }
    // Abandoned at the server: it never happened and never will.
    this.waiters.delete(item.id);
    this.outbox.withdraw(item.id, this.clock.now());
    waiter?.reject(
      new TaquillaError('OFFLINE', 'The server did not receive this request', { outbox: this.outbox.length }),
    );
    tell('not-done', 'ABANDONED');
  }

  private revoked(item: OutboxItem): false {
    this.link.setState('revoked');
    this.waiters.get(item.id)?.reject(new TaquillaError('UNAUTHORIZED', 'This terminal was revoked', {}));
    this.waiters.delete(item.id);
    return false;
  }

  /** Sends one item; false when the server could not be reached. */
  private async send(item: OutboxItem): Promise<boolean> {
    const client = this.client!;
    let reply: ServerReply;
    try {
      reply = await client.operation(item.op, item.body, item.idempotencyKey);
    } catch (error) {
      this.unanswered(item, error);
      return false;
    }
    this.link.noteReply(reply);
    if (reply.status === 401) return this.revoked(item);
    this.acknowledged(item, reply);
    return true;
  }

  /** Records the server's answer to an item (first answer wins; a duplicate changes nothing). */
  private acknowledged(item: OutboxItem, reply: ServerReply): void {
    const waiter = this.waiters.get(item.id);
    this.waiters.delete(item.id);
    this.db
      .transaction(() => {
        const first = this.outbox.acknowledge(item.id, this.clock.now(), reply.status, {
          result: reply.result,
          error: reply.error,
        });
        if (!first) return;
        this.generation.noteAcknowledged(item, reply);
        if (
          reply.error &&
          !waiter &&
          SOLD_REPORTS.has(item.op) &&
          !this.generation.recoverFromLostLease(item, reply.error)
        ) {
          // An offline sale the server refused: money was taken, so the supervisor must resolve it.
          // Any other refusal nobody waited for changed nothing (the cashier was told OFFLINE).
          this.conflicts.record(
            item.id,
            item.op,
            JSON.stringify(item.body),
            reply.error.code,
            reply.error.message,
            this.clock.now(),
          );
        }
        if (!reply.error && !waiter && HOLD_OPS.has(item.op)) this.compensate(item);
      })
      .immediate();
    if (waiter) waiter.resolve(reply);
    else if (!reply.error && !HOLD_OPS.has(item.op)) this.copy.applyOrphan(item, reply);
  }

  /**
   * A hold whose caller gave up (timeout, crash) was applied when replayed: release it again, so a
   * seat nobody is selling does not stay held until it expires.
   */
  private compensate(item: OutboxItem): void {
    const body = item.body as {
      eventId: number;
      sessionId: string;
      actor: string;
      seatIds?: number[];
      zoneId?: number;
    };
    if (item.op === 'holdSeats') {
      this.outbox.add(
        'releaseSeats',
        { eventId: body.eventId, sessionId: body.sessionId, actor: body.actor, seatIds: body.seatIds },
        this.clock.now(),
      );
    } else {
      this.outbox.add(
        'releaseGeneral',
        { eventId: body.eventId, sessionId: body.sessionId, actor: body.actor, zoneId: body.zoneId },
        this.clock.now(),
      );
    }
  }

  /** Queues an operation and waits for the server's answer (online only). */
  private async submit(op: ServerOperation, body: unknown): Promise<{ reply: ServerReply; itemId: number }> {
    if (!this.client || this.state === 'unenrolled') {
      throw new TaquillaError('OFFLINE', 'This terminal is not enrolled with a server', { outbox: 0 });
    }
    if (this.state === 'revoked') {
      throw new TaquillaError('UNAUTHORIZED', 'This terminal was revoked at the server; enrol it again', {});
    }
    if (this.state !== 'online') {
      throw new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: this.outbox.length });
    }
    const item = this.outbox.add(op, body, this.clock.now(), 'interactive');
    const answered = new Promise<ServerReply>((resolve, reject) =>
      this.waiters.set(item.id, { resolve, reject }),
    );
    void this.flush();
    return { reply: await answered, itemId: item.id };
  }

  async call<T>(op: ServerOperation, body: unknown): Promise<T> {
    return (await this.exchange<T>(op, body)).result;
  }

  /** serverCall, also naming the outbox item (a sale copy that fails is recorded against it). */
  async exchange<T>(op: ServerOperation, body: unknown): Promise<{ result: T; itemId: number }> {
    const { reply, itemId } = await this.submit(op, body);
    if (reply.error) {
      throw new TaquillaError(
        reply.error.code as 'SEAT_TAKEN',
        reply.error.message,
        reply.error.details as never,
      );
    }
    return { result: reply.result as T, itemId };
  }
}
