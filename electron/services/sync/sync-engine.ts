import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type {
  EnrolResult,
  LeaseGrant,
  LeaseInput,
  ServerVoidInput,
  ServerVoidReply,
} from '../../../shared/schemas/sync.ts';
import type { BlockSeatsResult, UnblockSeatsResult } from '../../../shared/schemas/reservations.ts';
import type { Db } from '../../store/database.ts';
import { StoreKey } from '../../store/store-key.ts';
import type { PaymentBook } from '../payments/payment-service.ts';
import {
  type HoldResult,
  ReservationService,
  type TransactionSummary,
} from '../reservations/reservation-service.ts';
import { HoldRouter } from './hold-router.ts';
import { type HoldServerClient, NetworkError, type ServerReply } from './hold-server-client.ts';
import { LeaseClock, type MonotonicSource, processMonotonic } from './lease-clock.ts';
import { LeaseDesk } from './lease-desk.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { LeaseSales } from './lease-sales.ts';
import type { LiveEndpoint } from './live-availability.ts';
import { Outbox } from './outbox.ts';
import { OutboxReplay, type SaleOutcome } from './outbox-replay.ts';
import { ServerCopy } from './server-copy.ts';
import { ServerGeneration } from './server-generation.ts';
import { ServerLink, type SyncState } from './server-link.ts';
import { ServerVoids } from './server-void.ts';
import { SyncConflicts, type ConflictAction, type ConflictRow } from './sync-conflicts.ts';
import { SyncCredentialStore } from './sync-credential.ts';
import { VenueCatalog } from './venue-catalog.ts';

// The engine's pieces, named where callers always found them.
export type { ConflictAction, ConflictRow } from './sync-conflicts.ts';
export type { SaleOutcome } from './outbox-replay.ts';
export { LOCAL_COPY_FAILED } from './server-copy.ts';
export { serverList, type SyncState } from './server-link.ts';
export { serverEventFromStore } from './server-event.ts';

/** What the status bar shows. */
export interface SyncStatus {
  state: SyncState;
  /** The URL in use now. */
  serverUrl: string | null;
  /** Every URL the venue's server answers on (failover order). */
  serverUrls: string[];
  /** Items the server has not acknowledged. */
  outbox: number;
  /** Last time the server answered (server time), null if never. */
  lastSyncAt: number | null;
  /** serverTime - local clock, ms; expiry decisions use local clock + this. */
  clockOffsetMs: number;
  openConflicts: number;
  openLeases: number;
}

export interface SyncEngineOptions {
  /** How often the server is asked for the time while online (and the first retry when offline). */
  heartbeatMs?: number;
  /** The heartbeat's own deadline: with `heartbeatMs`, how soon a stalled link is noticed. */
  heartbeatTimeoutMs?: number;
  /** The longest wait between retries while offline (how soon a returning link is used again). */
  maxBackoffMs?: number;
  /** The deadline of every other request. */
  requestTimeoutMs?: number;
  /**
   * The monotonic clock leases are judged on (default performance.now): a PC clock set back never
   * extends a lease. `taquilla serve --test-clock` moves it with simulated time.
   */
  monotonic?: MonotonicSource;
  /** Offline sales per request during a replay (at most the server's 200 per batch). */
  replayBatch?: number;
  /** Batches of offline sales on the wire at once during a replay (they never depend on each other). */
  replayConcurrency?: number;
  /**
   * How long a cashier's sale whose answer was lost keeps asking the server what became of it (by its
   * idempotency key) before the cashier is told the outcome is not known yet (OUTCOME_UNKNOWN).
   */
  resolveWindowMs?: number;
  /** Seals the server credential; default: the key file beside the store (serve and CLI mode). */
  storeKey?: StoreKey;
}

/**
 * Keeps the terminal in step with the central hold server.
 *
 * Online, every hold operation goes to the server first (the authority across terminals) and is then
 * mirrored into the local store, so screens, printing and payments keep reading one database. Every
 * request is first written to a durable outbox with its idempotency key, so a lost reply, a crash or
 * a partition never applies it twice. Offline, the terminal sells only seats and standing places the
 * server leased to it; those sales are queued in the same transaction as the local sale and reported
 * on reconnect. What the server still refuses lands in a conflict list for the supervisor.
 *
 * Expiry uses server time: `serverClock` is the local clock plus the offset measured on every reply.
 * Wire `reservations` (which uses it) as the terminal's reservation service.
 *
 * This class only wires the jobs together, and keeps the one API callers use: the link (`ServerLink`:
 * heartbeat, failover, server clock), the outbox replay (`OutboxReplay`), hold routing (`HoldRouter`),
 * selling from leases (`LeaseSales`, `LeaseDesk`), the copy of server decisions (`ServerCopy`), voids
 * at the server (`ServerVoids`) and the conflict list (`SyncConflicts`).
 */
export class SyncEngine {
  readonly reservations: ReservationService;
  readonly serverClock: Clock;
  /** The server's events and tenant settings, copied here on enrolment and when they change. */
  readonly venueCatalog: VenueCatalog;
  /** This counter's offline leases (list, acquire, return, renewal) and the clock they end on. */
  readonly leases: LeaseDesk;
  /** Keeps the leases by the venue's lease policy while online (issue 14). */
  readonly leaseKeeper: LeaseKeeper;
  /** This process has heard the server at least once (see catchUp). */
  private seenOnline = false;
  private readonly outbox: Outbox;
  private readonly link: ServerLink;
  private readonly replay: OutboxReplay;
  private readonly copy: ServerCopy;
  /** What a server restored from an older backup lost is re-sent (server-generation.ts). */
  private readonly generation: ServerGeneration;
  private readonly router: HoldRouter;
  private readonly leaseSales: LeaseSales;
  private readonly voids: ServerVoids;
  private readonly conflictList: SyncConflicts;
  private book: PaymentBook | null = null;
  private reconciling: Promise<void> | null = null;

  constructor(db: Db, clock: Clock, options: SyncEngineOptions = {}) {
    // A stall is noticed within heartbeatMs (+20 % jitter) + heartbeatTimeoutMs < 2 s, and a link
    // that comes back is used again within maxBackoffMs (+20 %): a heartbeat is one small
    // authenticated GET per instance, and a refused connection costs nothing.
    const settings = {
      heartbeatMs: options.heartbeatMs ?? 600,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 500,
      requestTimeoutMs: options.requestTimeoutMs ?? 4000,
      replayBatch: Math.min(200, options.replayBatch ?? 100),
      replayConcurrency: options.replayConcurrency ?? 4,
      resolveWindowMs: options.resolveWindowMs ?? 3000,
    };
    this.outbox = new Outbox(db);
    const credentials = new SyncCredentialStore(db, options.storeKey ?? StoreKey.open(db, clock));
    // The hooks run only once the link is used, after every piece below exists.
    this.link = new ServerLink(db, clock, credentials, settings, {
      heard: (serverTime) => this.leases.clock.heard(serverTime),
      afterRevocation: () => this.replay.uploadAfterRevocation(),
      answered: (wasOnline, beat) => this.catchUp(wasOnline, beat),
      beat: () => this.leases.clock.persist(),
    });
    this.serverClock = this.link.serverClock;
    const leaseClock = new LeaseClock(this.serverClock, options.monotonic ?? processMonotonic, {
      load: () => {
        const saved = this.link.readState('lease_clock_floor');
        return saved === undefined ? null : Number(saved);
      },
      save: (at) => this.link.writeState('lease_clock_floor', String(at)),
    });
    this.leases = new LeaseDesk(db, leaseClock, {
      call: (op, body) => this.replay.call(op, body),
      flush: () => this.flush(),
      pending: () => this.outbox.length,
      online: () => this.link.state === 'online',
      revoked: () => this.link.state === 'revoked',
      freeSeats: async (eventId) => {
        const offline = new TaquillaError(
          'OFFLINE',
          'A lease is taken from the server; it cannot be reached',
          {
            outbox: this.outbox.length,
          },
        );
        if (this.link.state !== 'online') throw offline;
        const reply = await this.get(`/v1/events/${eventId}/availability`).catch(() => {
          throw offline;
        });
        const seats =
          (reply.result as { seats?: { seatId: number; state: string }[] } | undefined)?.seats ?? [];
        return new Set(seats.filter((x) => x.state === 'free').map((x) => x.seatId));
      },
    });
    this.leaseKeeper = new LeaseKeeper(db, this.leases, {
      online: () => this.link.state === 'online',
      pending: () => this.outbox.length,
      availability: async (eventId) => (await this.get(`/v1/events/${eventId}/availability`)).result,
    });
    this.reservations = new ReservationService(db, this.serverClock, randomUUID);
    this.venueCatalog = new VenueCatalog(db, this.serverClock);
    const book = () => this.book;
    const flush = () => this.flush();
    this.conflictList = new SyncConflicts(db, this.serverClock, this.link, this.outbox, this.leases, {
      holdSeats: (raw) => this.holdSeats(raw),
      complete: (raw) => this.complete(raw),
    });
    this.copy = new ServerCopy(
      db,
      clock,
      this.reservations,
      this.link,
      this.outbox,
      this.conflictList,
      book,
      flush,
    );
    this.generation = new ServerGeneration(
      db,
      clock,
      this.outbox,
      (id) => this.book?.paymentRecords(id) ?? [],
    );
    this.replay = new OutboxReplay(
      db,
      clock,
      this.serverClock,
      this.link,
      this.outbox,
      this.leases,
      this.conflictList,
      this.copy,
      this.generation,
      settings,
    );
    this.leaseSales = new LeaseSales(
      db,
      this.reservations,
      this.leases,
      this.outbox,
      book,
      () => this.copy.mirroring,
    );
    this.router = new HoldRouter(
      db,
      clock,
      this.reservations,
      this.link,
      this.outbox,
      this.replay,
      this.copy,
      this.leases,
      this.leaseSales,
      book,
    );
    this.voids = new ServerVoids(
      db,
      clock,
      this.serverClock,
      this.link,
      this.outbox,
      flush,
      settings.heartbeatTimeoutMs,
    );
    this.reservations.onSettled((settled) => this.leaseSales.onSettled(settled));
  }

  // ---- connection ------------------------------------------------------------------------------

  /**
   * Exchanges a one-time code from the supervisor for this terminal's own credential. `servers`: every
   * URL the venue's server answers on (its instances); the terminal fails over between them.
   */
  async enrol(servers: string | readonly string[], code: string, terminalName: string): Promise<EnrolResult> {
    const result = await this.link.enrol(servers, code, terminalName);
    // The server's generation at once, before anything is sold: a sale acknowledged before the
    // first heartbeat named it was stamped with whatever generation that heartbeat named, so a
    // restore in between lost it for good (found by the soak). Unanswered: offline until a
    // heartbeat, which names it before anything is sent.
    try {
      const beat = await this.link.get('/v1/whoami');
      this.generation.follow((beat.result as { generation?: unknown } | undefined)?.generation);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.link.goOffline();
    }
    await this.venueCatalog.follow(this.link.client!);
    return result;
  }

  /** Where payments are written: with each sale this engine copies, in the same local write. */
  usePayments(book: PaymentBook): void {
    this.book = book;
  }

  /** Hears of sales whose answer was lost and whose outcome was found out later. */
  onOutcome(listener: (outcome: SaleOutcome) => void): () => void {
    return this.replay.onOutcome(listener);
  }

  // ---- the link, as the venue's live feed uses it (VenueLink) ------------------------------------

  online(): boolean {
    return this.link.online();
  }

  onLinkChange(listener: (online: boolean) => void): () => void {
    return this.link.onLinkChange(listener);
  }

  /** The server this terminal talks to now, and its credential (null when not enrolled or revoked). */
  endpoint(): LiveEndpoint | null {
    return this.link.endpoint();
  }

  /** A read from the server through this terminal's client (NetworkError when it cannot answer). */
  get(path: string): Promise<ServerReply> {
    return this.link.get(path);
  }

  /** Changes the URLs of the venue's server (an instance added or moved); the credential stays. */
  setServers(servers: string | readonly string[]): readonly string[] {
    return this.link.setServers(servers);
  }

  /**
   * The cashier's "Reconectar": asks the server now instead of at the next retry, and the venue's live
   * feed reconnects at once if the link is back. Answers the state it found.
   */
  reconnect(): Promise<SyncState> {
    return this.link.reconnect();
  }

  /** Starts the heartbeat that notices going offline and coming back. */
  start(): void {
    this.link.start();
  }

  stop(): void {
    this.link.stop();
  }

  /** Waits for the current replay and every outcome being asked about, if any (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const work = [...this.replay.work(), this.reconciling].filter((p) => p !== null);
      if (work.length === 0) return;
      await Promise.all(work);
    }
  }

  status(): SyncStatus {
    return {
      state: this.link.state,
      ...this.link.status(),
      outbox: this.outbox.length,
      openConflicts: this.conflictList.open(),
      openLeases: this.leases.openLeases().length,
    };
  }

  /**
   * Asks the server once, within `timeoutMs`, whether this terminal may talk to it: online, offline or
   * revoked. Sends nothing that is waiting and writes nothing (`taquilla sync-status`, a read-only look
   * at a store another process may be running).
   */
  ask(timeoutMs?: number): Promise<SyncState> {
    return this.link.ask(timeoutMs);
  }

  /** Asks the server for its time: decides online/offline, and replays the outbox when back. */
  checkConnection(): Promise<SyncState> {
    return this.link.checkConnection();
  }

  /** Sends everything queued, in order, until the queue is empty or the server is unreachable. */
  flush(): Promise<void> {
    return this.replay.flush();
  }

  /** Online: back from offline, settle what was lost and reconcile; else send what is waiting. */
  private async catchUp(wasOnline: boolean, beat: ServerReply): Promise<void> {
    try {
      // A new server generation (a restore) queues what it may have lost, before anything is sent.
      this.generation.follow((beat.result as { generation?: unknown } | undefined)?.generation);
      if (!wasOnline) {
        // One reconcile at a time; a link back again while one runs gets its own, after it.
        const previous = this.reconciling;
        const next = (async () => {
          await previous?.catch(() => undefined);
          await this.reconcile();
        })();
        this.reconciling = next;
        const done = () => {
          if (this.reconciling === next) this.reconciling = null;
        };
        next.then(done, done);
        await next;
      } else if (this.outbox.length > 0) {
        await this.replay.resolveUnresolved();
        await this.flush();
      }
      // Leases renew while online (not only on coming back), each for its event's policy.
      this.leaseKeeper.heard((beat.result as { leasePolicy?: unknown } | undefined)?.leasePolicy);
      if (this.outbox.length === 0) await this.leases.renewDue();
      const openLeases = (beat.result as { openLeases?: unknown } | undefined)?.openLeases;
      if (Array.isArray(openLeases)) this.leases.closeEnded(openLeases.map(String), beat.serverTime);
      // A reconnect is coming back after an outage this process saw: a fresh process's first contact
      // (a CLI command beside the running counter, a restart) is not one, or each would return leases.
      if (this.outbox.length === 0) await this.leaseKeeper.keep(!wasOnline && this.seenOnline);
      this.seenOnline = true;
      // The heartbeat names the server's catalogue revision: pull events and settings when it moved.
      const catalogRevision = (beat.result as { catalogRevision?: unknown } | undefined)?.catalogRevision;
      if (typeof catalogRevision === 'number' && this.link.client) {
        await this.venueCatalog.follow(this.link.client, catalogRevision);
      }
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.link.goOffline();
    }
  }

  /** Back online: settle what was lost, report everything queued, then renew or return the leases. */
  private async reconcile(): Promise<void> {
    await this.replay.resolveUnresolved();
    await this.flush();
    if (this.link.state !== 'online' || this.outbox.length > 0) return;
    await this.leases.renewDue(true);
  }

  // ---- hold operations (the ReservationService's, routed) ---------------------------------------

  holdSeats(raw: unknown): Promise<HoldResult> {
    return this.router.holdSeats(raw);
  }

  holdGeneral(raw: unknown): Promise<HoldResult> {
    return this.router.holdGeneral(raw);
  }

  releaseSeats(raw: unknown): Promise<{ released: number[]; notHeld: number[] }> {
    return this.router.releaseSeats(raw);
  }

  releaseGeneral(raw: unknown): Promise<{ released: number }> {
    return this.router.releaseGeneral(raw);
  }

  /** Logout: local carts always; the server's too when it can be reached (they expire anyway). */
  releaseSession(raw: unknown): Promise<{ released: number; transactions: string[] }> {
    return this.router.releaseSession(raw);
  }

  extendHolds(raw: unknown): ReturnType<HoldRouter['extendHolds']> {
    return this.router.extendHolds(raw);
  }

  /** A deposit: the cart becomes a reservation at the server, with the money that holds it. */
  convertToPartial(raw: unknown): Promise<TransactionSummary> {
    return this.router.convertToPartial(raw);
  }

  /**
   * Full payment, with its money. A cart that sells from a lease completes locally: money, sale and
   * the sale's report (onSettled) in one local write.
   */
  complete(raw: unknown): Promise<TransactionSummary> {
    return this.router.complete(raw);
  }

  /** An instalment on a reservation that leaves a balance (the last one is a `complete`). */
  pay(raw: unknown): Promise<TransactionSummary> {
    return this.router.pay(raw);
  }

  cancel(raw: unknown): Promise<TransactionSummary> {
    return this.router.cancel(raw);
  }

  /** House seats off sale, decided at the server first; refused OFFLINE without it. */
  blockSeats(raw: unknown): Promise<BlockSeatsResult> {
    return this.router.blockSeats(raw);
  }

  /** House seats back on sale, decided at the server first; refused OFFLINE without it. */
  unblockSeats(raw: unknown): Promise<UnblockSeatsResult> {
    return this.router.unblockSeats(raw);
  }

  /** A void decided at the server (issue 16); see `ServerVoids.voidAtServer`. */
  voidAtServer(body: ServerVoidInput, key: string): Promise<ServerVoidReply> {
    return this.voids.voidAtServer(body, key);
  }

  /**
   * Copies here the open reservations the server finds for `query` (name, cédula, phone or sale
   * number), with every payment so far; see `ServerCopy.importReservations`.
   */
  importReservations(query: string): Promise<number> {
    return this.copy.importReservations(query);
  }

  // ---- leases ----------------------------------------------------------------------------------

  /** While online: takes inventory and a block of ticket numbers to sell from if the network goes. */
  acquireLease(raw: LeaseInput): Promise<LeaseGrant> {
    return this.leases.acquire(raw);
  }

  /** Gives a lease back now (reports first: the outbox must be empty for the return to be safe). */
  returnLease(leaseId: string, actor: string): Promise<{ returned: number }> {
    return this.leases.return(leaseId, actor);
  }

  /** Ticket numbers a lease sale used (for the printed ticket). */
  ticketNumbersOf(transactionId: string): number[] {
    return this.leaseSales.ticketNumbersOf(transactionId);
  }

  // ---- conflicts -------------------------------------------------------------------------------

  conflicts(includeResolved = false): ConflictRow[] {
    return this.conflictList.list(includeResolved);
  }

  /**
   * The supervisor's way out of a refused offline sale: move the customer to an equivalent free seat
   * (same zone; sold on the server now), refund, or override (accept it as it stands, with a note).
   */
  resolveConflict(
    id: number,
    action: ConflictAction,
    // What the conflict desk does before the conflict is marked resolved (conflict-actions.ts).
    settle?: (moved: { transactionId: string; seatIds: number[] } | null) => void,
  ): Promise<{ resolution: string; seatIds?: number[]; transactionId?: string }> {
    return this.conflictList.resolve(id, action, settle);
  }

  /** The server's link while online, for what the conflict desk records there. */
  serverLink(): HoldServerClient {
    if (!this.link.client || this.link.state !== 'online') {
      throw new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: this.outbox.length });
    }
    return this.link.client;
  }
}
