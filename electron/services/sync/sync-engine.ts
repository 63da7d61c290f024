import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  cancelInput,
  extendHoldsInput,
  holdGeneralInput,
  holdSeatsInput,
  releaseGeneralInput,
  releaseSeatsInput,
  releaseSessionInput,
} from '../../../shared/schemas/reservations.ts';
import {
  type EnrolResult,
  type KeyOutcome,
  type LeaseGrant,
  type LeaseInput,
  type ServerEventDefinition,
  type ServerOperation,
  type ServerPayment,
  serverCompleteInput,
  serverConvertInput,
  serverHoldReply,
  type ServerVoidInput,
  serverVoidReply,
  type ServerVoidReply,
  serverPayInput,
  serverReservation,
  serverTransactionReply,
} from '../../../shared/schemas/sync.ts';
import { parseInput } from '../../../shared/validation.ts';
import { type Db, withDurableCommit } from '../../store/database.ts';
import { StoreKey } from '../../store/store-key.ts';
import {
  type HoldResult,
  ReservationService,
  type SettledTransaction,
  type TransactionSummary,
} from '../reservations/reservation-service.ts';
import type { ServerTicket, ServerTransactionState } from '../reservations/server-state.ts';
import { HoldServerClient, NetworkError, type ServerReply } from './hold-server-client.ts';
import type { LiveEndpoint } from './live-availability.ts';
import type { PaymentBook } from '../payments/payment-service.ts';
import { LeaseClock, type MonotonicSource, processMonotonic } from './lease-clock.ts';
import { LeaseDesk, type LeaseRow } from './lease-desk.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { type OutboxItem, Outbox } from './outbox.ts';
import { SyncCredentialStore } from './sync-credential.ts';
import { VenueCatalog } from './venue-catalog.ts';

/** Backward steps of the estimated server time up to this are estimate noise, smoothed out. */
const MAX_SMOOTHED_STEP_BACK_MS = 5_000;

export type SyncState = 'unenrolled' | 'online' | 'offline' | 'revoked';

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

/** A sale, deposit or payment whose answer was lost, settled later: what the cashier is told. */
export interface SaleOutcome {
  op: 'complete' | 'convertToPartial' | 'pay';
  transactionId: string;
  actor: string;
  /** done: the server recorded it (and it was copied here); not-done: it never will be. */
  outcome: 'done' | 'not-done';
  errorCode: string | null;
}

export interface ConflictRow {
  id: number;
  outboxId: number;
  op: ServerOperation;
  body: unknown;
  errorCode: string;
  error: string;
  createdAt: number;
  resolvedAt: number | null;
  resolution: 'moved' | 'refunded' | 'override' | null;
  resolutionNote: string | null;
}

export type ConflictAction =
  | { action: 'move'; actor: string; seatIds?: number[]; note?: string }
  | { action: 'refund'; actor: string; note: string }
  | { action: 'override'; actor: string; note: string };

interface Waiter {
  resolve: (reply: ServerReply) => void;
  reject: (error: unknown) => void;
  /** Sent again once already, after its first copy turned out never to have reached the server. */
  retried?: boolean;
}

const HOLD_OPS: ReadonlySet<ServerOperation> = new Set(['holdSeats', 'holdGeneral']);
/** Operations that take money: their outcome is found out before the cashier is told anything final. */
const SETTLE_OPS: ReadonlySet<ServerOperation> = new Set(['complete', 'convertToPartial', 'pay']);

type CompleteBody = z.output<typeof serverCompleteInput>;
type ConvertBody = z.output<typeof serverConvertInput>;
type PayBody = z.output<typeof serverPayInput>;

/** The local engine's own input (it knows nothing of payments). */
function withoutPayment<T extends { payment?: unknown }>(input: T): Omit<T, 'payment'> {
  const { payment: _payment, ...rest } = input;
  return rest;
}

/** The conflict code of a sale the server recorded that this terminal could not copy into its store. */
export const LOCAL_COPY_FAILED = 'LOCAL_COPY_FAILED';

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
 */
export class SyncEngine {
  readonly reservations: ReservationService;
  readonly serverClock: Clock;
  /** The server's events and tenant settings, copied here on enrolment and when they change. */
  readonly venueCatalog: VenueCatalog;
  private readonly outbox: Outbox;
  /** This counter's offline leases (list, acquire, return, renewal) and the clock they end on. */
  readonly leases: LeaseDesk;
  /** Keeps the leases by the venue's lease policy while online (issue 14). */
  readonly leaseKeeper: LeaseKeeper;
  private readonly options: Required<Omit<SyncEngineOptions, 'storeKey' | 'monotonic'>>;
  private readonly credentials: SyncCredentialStore;
  private client: HoldServerClient | null = null;
  private credential: { tenantId: number; credentialId: number } | null = null;
  private state: SyncState = 'unenrolled';
  private offsetMs: number;
  private readonly waiters = new Map<number, Waiter>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly linkListeners = new Set<(online: boolean) => void>();
  private readonly outcomeListeners = new Set<(outcome: SaleOutcome) => void>();
  /** Items on the wire now: if the link fails, these may have been applied. */
  private readonly inFlight = new Set<number>();
  /** Unresolved items a waiting caller is asking about (the reconnect does not ask twice). */
  private readonly resolving = new Set<number>();
  private readonly callerResolutions = new Set<Promise<void>>();
  private book: PaymentBook | null = null;
  private resolvingAll: Promise<void> | null = null;
  private reconciling: Promise<void> | null = null;
  /** True while a server-confirmed change is copied locally: the settle listener must not queue it. */
  private mirroring = false;
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: SyncEngineOptions = {},
  ) {
    // A stall is noticed within heartbeatMs (+20 % jitter) + heartbeatTimeoutMs < 2 s, and a link
    // that comes back is used again within maxBackoffMs (+20 %): a heartbeat is one small
    // authenticated GET per instance, and a refused connection costs nothing.
    this.options = {
      heartbeatMs: options.heartbeatMs ?? 600,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 500,
      requestTimeoutMs: options.requestTimeoutMs ?? 4000,
      replayBatch: Math.min(200, options.replayBatch ?? 100),
      replayConcurrency: options.replayConcurrency ?? 4,
      resolveWindowMs: options.resolveWindowMs ?? 3000,
    };
    this.outbox = new Outbox(db);
    this.credentials = new SyncCredentialStore(db, options.storeKey ?? StoreKey.open(db, clock));
    this.sql = {
      getState: db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?'),
      setState: db.prepare<[string, string]>(
        'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      leaseOfSeats: db.prepare<
        [number, string],
        { lease_id: string; seat_id: number; sold_at: number | null }
      >(
        `SELECT ls.lease_id, ls.seat_id, ls.sold_at FROM sync_lease_seats ls
         JOIN sync_leases l ON l.id = ls.lease_id
         WHERE l.status = 'OPEN' AND l.event_id = ? AND ls.seat_id IN (SELECT value FROM json_each(?))`,
      ),
      gaLease: db.prepare<[number, number], LeaseRow>(
        `SELECT * FROM sync_leases WHERE status = 'OPEN' AND event_id = ? AND ga_zone_id = ?
         ORDER BY expires_at DESC LIMIT 1`,
      ),
      gaHeldFromLease: db.prepare<[string, number], { held: number }>(
        `SELECT COALESCE(SUM(t.quantity), 0) AS held FROM reserved_tickets t
         JOIN sync_lease_carts c ON c.transaction_id = t.transaction_id
         WHERE c.lease_id = ? AND t.zone_id = ? AND t.seat_id IS NULL AND t.status = 'ACTIVE'`,
      ),
      leaseCart: db.prepare<[string], { lease_id: string }>(
        'SELECT lease_id FROM sync_lease_carts WHERE transaction_id = ?',
      ),
      addLeaseCart: db.prepare<[string, string]>(
        'INSERT OR IGNORE INTO sync_lease_carts (transaction_id, lease_id) VALUES (?, ?)',
      ),
      localCart: db.prepare<[number, string], { id: string }>(
        "SELECT id FROM transactions WHERE event_id = ? AND session_id = ? AND status = 'PENDING'",
      ),
      takeNumbers: db.prepare<[{ n: number; id: string }], { next_ticket: number }>(
        `UPDATE sync_leases SET next_ticket = next_ticket + @n WHERE id = @id AND next_ticket + @n <= ticket_to + 1
         RETURNING next_ticket`,
      ),
      markSold: db.prepare<[number, string, string]>(
        'UPDATE sync_lease_seats SET sold_at = ? WHERE lease_id = ? AND seat_id IN (SELECT value FROM json_each(?))',
      ),
      addGaSold: db.prepare<[number, string]>('UPDATE sync_leases SET ga_sold = ga_sold + ? WHERE id = ?'),
      insertConflict: db.prepare<[number, string, string, string, string, number]>(
        `INSERT OR IGNORE INTO sync_conflicts (outbox_id, op, body, error_code, error, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      conflicts: db.prepare<[number], Record<string, unknown>>(
        `SELECT id, outbox_id, op, body, error_code, error, created_at, resolved_at, resolution, resolution_note
         FROM sync_conflicts WHERE (? = 1 OR resolved_at IS NULL) ORDER BY id`,
      ),
      openConflicts: db.prepare<[], { n: number }>(
        'SELECT COUNT(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL',
      ),
      resolveConflict: db.prepare<[number, string, string | null, string, number]>(
        `UPDATE sync_conflicts SET resolved_at = ?, resolution = ?, resolution_note = ?, resolved_by = ?
         WHERE id = ? AND resolved_at IS NULL`,
      ),
      transactionState: db.prepare<
        [string],
        { event_id: number; session_id: string; status: string; reserved_until: number | null }
      >('SELECT event_id, session_id, status, reserved_until FROM transactions WHERE id = ?'),
      eventOfZone: db.prepare<[number], { event_id: number }>('SELECT event_id FROM zones WHERE id = ?'),
      eventVersion: db.prepare<[number], { version: number }>('SELECT version FROM events WHERE id = ?'),
      putNumber: db.prepare<[number, string, number | null, number, number]>(
        `INSERT OR IGNORE INTO venue_ticket_numbers (number, transaction_id, seat_id, zone_id, place)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      seatZone: db.prepare<[number], { zone_id: number }>('SELECT zone_id FROM seats WHERE id = ?'),
      unreportedSale: db.prepare<[string], { id: number }>(
        "SELECT id FROM sync_outbox WHERE op = 'leaseSale' AND acked_at IS NULL AND json_extract(body, '$.saleId') = ?",
      ),
      seatZones: db.prepare<[string], { id: number; zone_id: number }>(
        'SELECT id, zone_id FROM seats WHERE id IN (SELECT value FROM json_each(?))',
      ),
    };
    this.offsetMs = Number(this.sql.getState.get('clock_offset_ms')?.value ?? 0);
    // Each reply re-estimates the offset from its round trip, so under load the estimate jitters by
    // hundreds of ms. Server time read here never steps back by such noise (a payment stamped before
    // the drawer it went into was opened was missed by the drawer); a real correction (more than
    // MAX_SMOOTHED_STEP_BACK_MS, e.g. the PC clock set right) is taken as it is.
    let last = Number.NEGATIVE_INFINITY;
    this.serverClock = {
      now: () => {
        const raw = this.clock.now() + this.offsetMs;
        last = raw < last && last - raw <= MAX_SMOOTHED_STEP_BACK_MS ? last : raw;
        return last;
      },
    };
    const leaseClock = new LeaseClock(this.serverClock, options.monotonic ?? processMonotonic, {
      load: () => {
        const saved = this.sql.getState.get('lease_clock_floor')?.value;
        return saved === undefined ? null : Number(saved);
      },
      save: (at) => this.sql.setState.run('lease_clock_floor', String(at)),
    });
    this.leases = new LeaseDesk(db, leaseClock, {
      call: (op, body) => this.serverCall(op, body),
      flush: () => this.flush(),
      pending: () => this.outbox.length,
      online: () => this.state === 'online',
      revoked: () => this.state === 'revoked',
      freeSeats: async (eventId) => {
        const offline = new TaquillaError(
          'OFFLINE',
          'A lease is taken from the server; it cannot be reached',
          {
            outbox: this.outbox.length,
          },
        );
        if (this.state !== 'online') throw offline;
        const reply = await this.get(`/v1/events/${eventId}/availability`).catch(() => {
          throw offline;
        });
        const seats =
          (reply.result as { seats?: { seatId: number; state: string }[] } | undefined)?.seats ?? [];
        return new Set(seats.filter((x) => x.state === 'free').map((x) => x.seatId));
      },
    });
    this.leaseKeeper = new LeaseKeeper(db, this.leases, {
      online: () => this.state === 'online',
      pending: () => this.outbox.length,
      availability: async (eventId) => (await this.get(`/v1/events/${eventId}/availability`)).result,
    });
    this.reservations = new ReservationService(db, this.serverClock, randomUUID);
    this.venueCatalog = new VenueCatalog(db, this.serverClock);
    this.reservations.onSettled((settled) => this.onSettled(settled));
    const saved = this.credentials.load();
    if (saved) {
      this.credential = { tenantId: saved.tenantId, credentialId: saved.credentialId };
      this.client = new HoldServerClient(
        saved.serverUrls,
        clock,
        saved.secret,
        this.options.requestTimeoutMs,
      );
      this.state = 'offline';
    }
  }

  // ---- connection ------------------------------------------------------------------------------

  /**
   * Exchanges a one-time code from the supervisor for this terminal's own credential. `servers`: every
   * URL the venue's server answers on (its instances); the terminal fails over between them.
   */
  async enrol(servers: string | readonly string[], code: string, terminalName: string): Promise<EnrolResult> {
    const urls = serverList(servers);
    const client = new HoldServerClient(urls, this.clock, null, this.options.requestTimeoutMs);
    const reply = await client.enrol(code, terminalName);
    if (reply.error) throw new TaquillaError(reply.error.code as 'UNAUTHORIZED', reply.error.message, {});
    const result = reply.result as EnrolResult;
    this.credentials.save({
      serverUrl: urls[0]!,
      serverUrls: urls,
      tenantId: result.tenantId,
      credentialId: result.credentialId,
      secret: result.secret,
      terminalName,
      enrolledAt: reply.serverTime,
    });
    client.setSecret(result.secret);
    this.client = client;
    this.credential = { tenantId: result.tenantId, credentialId: result.credentialId };
    this.noteReply(reply);
    this.setState('online');
    await this.venueCatalog.follow(client);
    return result;
  }

  private setState(next: SyncState): void {
    const was = this.state === 'online';
    this.state = next;
    if (was !== (next === 'online')) for (const listener of this.linkListeners) listener(next === 'online');
  }

  /** Where payments are written: with each sale this engine copies, in the same local write. */
  usePayments(book: PaymentBook): void {
    this.book = book;
  }

  /** Hears of sales whose answer was lost and whose outcome was found out later. */
  onOutcome(listener: (outcome: SaleOutcome) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  // ---- the link, as the venue's live feed uses it (VenueLink) ------------------------------------

  online(): boolean {
    return this.state === 'online';
  }

  onLinkChange(listener: (online: boolean) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  /** The server this terminal talks to now, and its credential (null when not enrolled or revoked). */
  endpoint(): LiveEndpoint | null {
    const secret = this.credentials.load()?.secret;
    if (!this.client || !secret || this.state === 'revoked') return null;
    return { serverUrl: this.client.serverUrl, secret };
  }

  /** A read from the server through this terminal's client (NetworkError when it cannot answer). */
  async get(path: string): Promise<ServerReply> {
    if (!this.client) throw new NetworkError('not enrolled');
    const reply = await this.client.get(path);
    this.noteReply(reply);
    return reply;
  }

  /** Changes the URLs of the venue's server (an instance added or moved); the credential stays. */
  setServers(servers: string | readonly string[]): readonly string[] {
    const urls = serverList(servers);
    const saved = this.credentials.load();
    if (!saved || !this.client) {
      throw new TaquillaError('OFFLINE', 'This terminal is not enrolled with a server', { outbox: 0 });
    }
    this.credentials.setServers(urls);
    this.client = new HoldServerClient(urls, this.clock, saved.secret, this.options.requestTimeoutMs);
    return urls;
  }

  /**
   * The cashier's "Reconectar": asks the server now instead of at the next retry, and the venue's live
   * feed reconnects at once if the link is back. Answers the state it found.
   */
  async reconnect(): Promise<SyncState> {
    const state = await this.checkConnection();
    if (state === 'online') for (const listener of this.linkListeners) listener(true);
    return state;
  }

  /** Starts the heartbeat that notices going offline and coming back. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** Waits for the current replay and every outcome being asked about, if any (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.flushing || this.resolvingAll || this.reconciling || this.callerResolutions.size > 0) {
      await Promise.all([this.flushing, this.resolvingAll, this.reconciling, ...this.callerResolutions]);
    }
  }

  status(): SyncStatus {
    const last = this.sql.getState.get('last_sync_at')?.value;
    return {
      state: this.state,
      serverUrl: this.client?.serverUrl ?? null,
      serverUrls: [...(this.client?.serverUrls ?? [])],
      outbox: this.outbox.length,
      lastSyncAt: last === undefined ? null : Number(last),
      clockOffsetMs: this.offsetMs,
      openConflicts: this.sql.openConflicts.get()!.n,
      openLeases: this.leases.openLeases().length,
    };
  }

  /**
   * Asks the server once, within `timeoutMs`, whether this terminal may talk to it: online, offline or
   * revoked. Sends nothing that is waiting and writes nothing (`taquilla sync-status`, a read-only look
   * at a store another process may be running).
   */
  async ask(timeoutMs = this.options.heartbeatTimeoutMs): Promise<SyncState> {
    if (!this.client || this.state === 'revoked') return this.state;
    try {
      const reply = await this.client.time(timeoutMs);
      this.setState(reply.status === 401 ? 'revoked' : 'online');
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.setState('offline');
    }
    return this.state;
  }

  /** Asks the server for its time: decides online/offline, and replays the outbox when back. */
  async checkConnection(): Promise<SyncState> {
    if (!this.client) return this.state;
    if (this.state === 'revoked') {
      await this.uploadAfterRevocation();
      return this.state;
    }
    const wasOnline = this.state === 'online';
    const beat = await this.probe();
    if (beat) await this.catchUp(wasOnline, beat);
    return this.state;
  }

  /** The heartbeat's question itself: online, offline or revoked (and the clock offset). */
  private async probe(): Promise<ServerReply | null> {
    if (!this.client || this.state === 'revoked') return null;
    try {
      const reply = await this.client.time(this.options.heartbeatTimeoutMs);
      this.noteReply(reply);
      if (reply.status === 401) {
        this.setState('revoked');
        await this.uploadAfterRevocation();
        return null;
      }
      this.setState('online');
      this.failures = 0;
      return reply;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.goOffline();
      return null;
    }
  }

  /** Online: back from offline, settle what was lost and reconcile; else send what is waiting. */
  private async catchUp(wasOnline: boolean, beat: ServerReply): Promise<void> {
    try {
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
        await this.resolveUnresolved();
        await this.flush();
      }
      // Leases renew while online (not only on coming back), each for its event's policy.
      this.leaseKeeper.heard((beat.result as { leasePolicy?: unknown } | undefined)?.leasePolicy);
      if (this.outbox.length === 0) await this.leases.renewDue();
      const openLeases = (beat.result as { openLeases?: unknown } | undefined)?.openLeases;
      if (Array.isArray(openLeases)) this.leases.closeEnded(openLeases.map(String), beat.serverTime);
      if (this.outbox.length === 0) await this.leaseKeeper.keep(!wasOnline);
      // The heartbeat names the server's catalogue revision: pull events and settings when it moved.
      const catalogRevision = (beat.result as { catalogRevision?: unknown } | undefined)?.catalogRevision;
      if (typeof catalogRevision === 'number' && this.client) {
        await this.venueCatalog.follow(this.client, catalogRevision);
      }
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      this.goOffline();
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (this.state === 'revoked') await this.checkConnection().catch(() => undefined);
    else {
      const wasOnline = this.state === 'online';
      const beat = await this.probe().catch(() => null);
      // The next beat never waits for the replay: a request stuck on a dead link must not delay the
      // heartbeat that notices it.
      if (beat) void this.catchUp(wasOnline, beat).catch(() => undefined);
    }
    this.leases.clock.persist();
    if (!this.running) return;
    const wait =
      this.state === 'online'
        ? this.options.heartbeatMs
        : Math.min(this.options.maxBackoffMs, this.options.heartbeatMs * 2 ** Math.min(this.failures, 10));
    this.timer = setTimeout(() => void this.tick(), wait * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }

  private goOffline(): void {
    if (this.state === 'online') this.setState('offline');
    this.failures += 1;
  }

  private noteReply(reply: ServerReply): void {
    this.offsetMs = reply.serverTime - reply.localMidpoint;
    this.sql.setState.run('clock_offset_ms', String(this.offsetMs));
    this.sql.setState.run('last_sync_at', String(reply.serverTime));
    this.leases.clock.heard(reply.serverTime);
  }

  /** Back online: settle what was lost, report everything queued, then renew or return the leases. */
  private async reconcile(): Promise<void> {
    await this.resolveUnresolved();
    await this.flush();
    if (this.state !== 'online' || this.outbox.length > 0) return;
    await this.leases.renewDue(true);
  }

  /**
   * Revoked: revocation stops new work, not the upload of what was already sold. The offline sales
   * still queued are reported (the server takes them, or refuses them onto the conflict list); then
   * each lease is given back. Anything else queued is withdrawn: it asked for new work.
   */
  private async uploadAfterRevocation(): Promise<void> {
    if (!this.client) return;
    const now = () => this.clock.now();
    for (;;) {
      const items = this.outbox.pending(64);
      if (items.length === 0) break;
      for (const item of items) {
        if (item.op === 'leaseSale') {
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

  // ---- the outbox ------------------------------------------------------------------------------

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
      const firstOther = items.findIndex((i) => i.op !== 'leaseSale');
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
    this.noteReply(answer.reply);
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
    this.goOffline();
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
          this.setState('online');
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
  private resolveUnresolved(): Promise<void> {
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
    this.noteReply(reply);
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
    this.setState('revoked');
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
    this.noteReply(reply);
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
        if (reply.error && !waiter && item.op === 'leaseSale') {
          // An offline sale the server refused: money was taken, so the supervisor must resolve it.
          // Any other refusal nobody waited for changed nothing (the cashier was told OFFLINE).
          this.sql.insertConflict.run(
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
    else if (!reply.error && !HOLD_OPS.has(item.op)) this.applyOrphan(item, reply);
  }

  /**
   * The caller of this request gave up (the network dropped mid-request, or the terminal restarted)
   * and the replay found it applied: copy what the server did, so the local store agrees with it.
   */
  private applyOrphan(item: OutboxItem, reply: ServerReply): void {
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

  private async serverCall<T>(op: ServerOperation, body: unknown): Promise<T> {
    return (await this.serverExchange<T>(op, body)).result;
  }

  /** serverCall, also naming the outbox item (a sale copy that fails is recorded against it). */
  private async serverExchange<T>(
    op: ServerOperation,
    body: unknown,
  ): Promise<{ result: T; itemId: number }> {
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
      return await this.serverExchange<TransactionSummary>(op, input);
    } catch (error) {
      if (error instanceof TaquillaError && error.code === 'CART_CHANGED') {
        const local = this.sql.transactionState.get(input.transactionId);
        const details = error.details as { items: ServerTransactionState['tickets'] };
        if (local && (local.status === 'PENDING' || local.status === 'RESERVED')) {
          this.mirror(() =>
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

  /** Copies a server-confirmed change into the local store (screens, printing, payments read it). */
  private mirror<T>(apply: () => T): T | null {
    try {
      return this.asMirror(apply);
    } catch {
      // The server decided; a local copy that cannot follow (e.g. already released) is not a refusal.
      return null;
    }
  }

  /** Runs a copy of the server's decision: the settle listener must not queue it back to the server. */
  private asMirror<T>(apply: () => T): T {
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
  private copyHold(
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
  private copySale(
    itemId: number,
    op: 'complete' | 'convertToPartial' | 'pay',
    body: unknown,
    raw: unknown,
  ): void {
    const reply = serverTransactionReply.safeParse(raw);
    const input = this.saleInput(op, body);
    const payment = input.payment ?? null;
    const local = this.sql.transactionState.get(input.transactionId);
    const write = (copy: () => unknown) =>
      withDurableCommit(this.db, () =>
        this.db
          .transaction(() => {
            copy();
            if (payment) this.book?.writePayment(input.transactionId, payment);
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
      this.sql.insertConflict.run(
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
  private recordNumbers(
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

  // ---- hold operations (the ReservationService's, routed) ---------------------------------------

  async holdSeats(raw: unknown): Promise<HoldResult> {
    const input = parseInput(holdSeatsInput, raw);
    const leased = this.sql.leaseOfSeats.all(input.eventId, JSON.stringify(input.seatIds));
    const leaseLive = leased.some((l) => this.leases.selling(this.leases.byId(l.lease_id)!));
    // A live lease sells its own seats; once it has run out, online, the server decides again.
    if (leased.length > 0 && (leaseLive || this.state !== 'online')) return this.holdFromLease(input, leased);
    this.refuseServerHoldInLeaseCart(input.eventId, input.sessionId, { seatIds: input.seatIds });
    return this.copyHold('holdSeats', input, await this.serverCall('holdSeats', input));
  }

  async holdGeneral(raw: unknown): Promise<HoldResult> {
    const input = parseInput(holdGeneralInput, raw);
    const lease = this.sql.gaLease.get(input.eventId, input.zoneId);
    if (lease && (this.state !== 'online' || this.localCartIsLeased(input.eventId, input.sessionId))) {
      return this.holdGeneralFromLease(input, lease);
    }
    this.refuseServerHoldInLeaseCart(input.eventId, input.sessionId, { seatIds: [], zoneId: input.zoneId });
    return this.copyHold('holdGeneral', input, await this.serverCall('holdGeneral', input));
  }

  async releaseSeats(raw: unknown): Promise<{ released: number[]; notHeld: number[] }> {
    const input = parseInput(releaseSeatsInput, raw);
    if (this.localCartIsLeased(input.eventId, input.sessionId)) return this.reservations.releaseSeats(input);
    const result = await this.serverCall<{ released: number[]; notHeld: number[] }>('releaseSeats', input);
    this.mirror(() => this.reservations.releaseSeats(input));
    return result;
  }

  async releaseGeneral(raw: unknown): Promise<{ released: number }> {
    const input = parseInput(releaseGeneralInput, raw);
    if (this.localCartIsLeased(input.eventId, input.sessionId))
      return this.reservations.releaseGeneral(input);
    const result = await this.serverCall<{ released: number }>('releaseGeneral', input);
    this.mirror(() => this.reservations.releaseGeneral(input));
    return result;
  }

  /** Logout: local carts always; the server's too when it can be reached (they expire anyway). */
  async releaseSession(raw: unknown): Promise<{ released: number; transactions: string[] }> {
    const input = parseInput(releaseSessionInput, raw);
    const local = this.reservations.releaseSession(input);
    if (this.state === 'online') await this.serverCall('releaseSession', input).catch(() => undefined);
    // Offline, the server still holds the session's cart: queue the release, or back online the
    // session's next hold would join that cart and its sale would include the released seats.
    else if (this.state === 'offline') this.outbox.add('releaseSession', input, this.clock.now());
    return local;
  }

  async extendHolds(raw: unknown) {
    const input = parseInput(extendHoldsInput, raw);
    if (this.localCartIsLeased(input.eventId, input.sessionId)) return this.reservations.extendHolds(input);
    const result = await this.serverCall<{ transactionId: string; tickets: ServerTicket[] }>(
      'extendHolds',
      input,
    );
    // The server's new ends are the ones that count: copy them, and answer with the local tickets.
    const copied = this.mirror(() =>
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
    if (this.sql.leaseCart.get(input.transactionId)) {
      // A deposit keeps seats for days, beyond any lease: only the server can grant that.
      throw new TaquillaError('NOT_LEASED', 'A partial payment needs the server; sell in full offline', {
        seatIds: [],
      });
    }
    const { result, itemId } = await this.settleAtServer('convertToPartial', input);
    this.copySale(itemId, 'convertToPartial', input, result);
    return result;
  }

  /**
   * Full payment, with its money. A cart that sells from a lease completes locally: money, sale and
   * the sale's report (onSettled) in one local write.
   */
  async complete(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(serverCompleteInput, raw);
    if (this.sql.leaseCart.get(input.transactionId)) {
      const result = withDurableCommit(this.db, () =>
        this.db
          .transaction(() => {
            if (input.payment) this.book?.writePayment(input.transactionId, input.payment);
            return this.reservations.complete(withoutPayment(input));
          })
          .immediate(),
      );
      if (this.state === 'online') void this.flush();
      return result;
    }
    const { result, itemId } = await this.settleAtServer('complete', input);
    this.copySale(itemId, 'complete', input, result);
    return result;
  }

  /** An instalment on a reservation that leaves a balance (the last one is a `complete`). */
  async pay(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(serverPayInput, raw);
    const { result, itemId } = await this.serverExchange<TransactionSummary>('pay', input);
    this.copySale(itemId, 'pay', input, result);
    return result;
  }

  async cancel(raw: unknown): Promise<TransactionSummary> {
    const input = parseInput(cancelInput, raw);
    if (this.sql.leaseCart.get(input.transactionId)) return this.reservations.cancel(input);
    const result = await this.serverCall<TransactionSummary>('cancel', input);
    this.mirror(() => this.reservations.cancel(input));
    return result;
  }

  /**
   * A void decided at the server (issue 16): its tickets free venue-wide in the server's write, and
   * this resolves with the server's answer; the caller then writes its local void. `key` is the
   * void's own idempotency key (from its requestId), so a void retried after the server said yes and
   * the local write failed hears the same answer and frees nothing twice. Not sent through the outbox:
   * a void is never queued. Unreachable, or a sale made offline whose report cannot be sent first:
   * OFFLINE (nothing done). A reply lost on the way: the server
   * is asked by key at once (giving it up if it never arrived, OFFLINE); when it cannot be asked,
   * OUTCOME_UNKNOWN (the same request retried settles it). The server's refusals as they are.
   */
  async voidAtServer(body: ServerVoidInput, key: string): Promise<ServerVoidReply> {
    if (!this.client || this.state === 'unenrolled') {
      throw new TaquillaError('OFFLINE', 'This terminal is not enrolled with a server', { outbox: 0 });
    }
    if (this.state === 'revoked') {
      throw new TaquillaError('UNAUTHORIZED', 'This terminal was revoked at the server; enrol it again', {});
    }
    const offline = () =>
      new TaquillaError('OFFLINE', 'The server cannot be reached', { outbox: this.outbox.length });
    if (this.state !== 'online') throw offline();
    // A sale made offline is voided at the server once it is reported there: send the report first.
    if (this.sql.unreportedSale.get(body.transactionId)) {
      await this.flush();
      if (this.sql.unreportedSale.get(body.transactionId)) throw offline();
    }
    const client = this.client;
    let reply: ServerReply;
    try {
      reply = await client.operation('voidTickets', body, key);
    } catch (error) {
      this.goOffline();
      if (error instanceof NetworkError && error.refused) throw offline();
      const asked = await client.outcomes([key], this.options.heartbeatTimeoutMs + 500).catch(() => null);
      const outcome = (asked?.result as { outcomes?: KeyOutcome[] } | undefined)?.outcomes?.[0];
      if (!outcome || outcome.outcome === 'unknown') {
        throw new TaquillaError(
          'OUTCOME_UNKNOWN',
          'The server has not confirmed whether this void went through',
          {
            transactionId: body.transactionId,
            outbox: this.outbox.length,
          },
        );
      }
      if (outcome.outcome === 'abandoned') throw offline();
      reply = {
        ...outcome.body,
        status: outcome.status,
        serverTime: this.serverClock.now(),
        localMidpoint: this.clock.now(),
      };
    }
    this.noteReply(reply);
    if (reply.status === 401) {
      this.setState('revoked');
      throw new TaquillaError('UNAUTHORIZED', 'This terminal was revoked', {});
    }
    if (reply.error) {
      throw new TaquillaError(
        reply.error.code as 'ALREADY_VOIDED',
        reply.error.message,
        reply.error.details as never,
      );
    }
    return serverVoidReply.parse(reply.result);
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
    const reply = await this.get(`/v1/reservations?query=${encodeURIComponent(query)}`).catch(() => {
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
              for (const payment of r.payments) this.book?.writePayment(r.transactionId, payment);
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

  // ---- leases ----------------------------------------------------------------------------------

  /** While online: takes inventory and a block of ticket numbers to sell from if the network goes. */
  acquireLease(raw: LeaseInput): Promise<LeaseGrant> {
    return this.leases.acquire(raw);
  }

  /** Gives a lease back now (reports first: the outbox must be empty for the return to be safe). */
  returnLease(leaseId: string, actor: string): Promise<{ returned: number }> {
    return this.leases.return(leaseId, actor);
  }

  private holdFromLease(
    input: ReturnType<typeof holdSeatsInput.parse>,
    leased: { lease_id: string; seat_id: number; sold_at: number | null }[],
  ): HoldResult {
    const leaseIds = new Set(leased.map((l) => l.lease_id));
    const covered = new Set(leased.filter((l) => l.sold_at === null).map((l) => l.seat_id));
    const missing = input.seatIds.filter((id) => !covered.has(id));
    const lease = this.leases.byId([...leaseIds][0]!)!;
    if (missing.length > 0 || leaseIds.size > 1) {
      throw new TaquillaError('NOT_LEASED', 'Only seats leased to this terminal can be sold from its lease', {
        seatIds: missing.length > 0 ? missing : input.seatIds,
      });
    }
    this.leases.assertSelling(lease, { seatIds: input.seatIds });
    return this.db
      .transaction(() => {
        this.assertCartIsLeased(input.eventId, input.sessionId, lease.id);
        const result = this.reservations.holdSeats(input);
        this.sql.addLeaseCart.run(result.transactionId, lease.id);
        return result;
      })
      .immediate();
  }

  private holdGeneralFromLease(
    input: ReturnType<typeof holdGeneralInput.parse>,
    lease: LeaseRow,
  ): HoldResult {
    return this.db
      .transaction(() => {
        const held = this.sql.gaHeldFromLease.get(lease.id, input.zoneId)!.held;
        const available = lease.ga_quantity - lease.ga_sold - held;
        this.leases.assertSelling(lease, { seatIds: [], zoneId: input.zoneId });
        if (input.quantity > available) {
          throw new TaquillaError(
            'NOT_LEASED',
            `Only ${Math.max(0, available)} standing places are leased here`,
            {
              seatIds: [],
              zoneId: input.zoneId,
              available: Math.max(0, available),
            },
          );
        }
        this.assertCartIsLeased(input.eventId, input.sessionId, lease.id);
        const result = this.reservations.holdGeneral(input);
        this.sql.addLeaseCart.run(result.transactionId, lease.id);
        return result;
      })
      .immediate();
  }

  private localCartIsLeased(eventId: number, sessionId: string): boolean {
    const cart = this.sql.localCart.get(eventId, sessionId);
    return cart !== undefined && this.sql.leaseCart.get(cart.id) !== undefined;
  }

  /**
   * The other half of "never both": a cart selling from a lease takes no holds from the server, or
   * its seats would be sold online and again in the lease's report (soak finding: one seat, two
   * customers).
   */
  private refuseServerHoldInLeaseCart(
    eventId: number,
    sessionId: string,
    details: { seatIds: number[]; zoneId?: number },
  ): void {
    if (!this.localCartIsLeased(eventId, sessionId)) return;
    throw new TaquillaError(
      'NOT_LEASED',
      'This cart sells from the offline lease: finish it, then sell the other places in a new sale',
      details,
    );
  }

  /** A cart sells either from the server or from one lease, never both. */
  private assertCartIsLeased(eventId: number, sessionId: string, leaseId: string): void {
    const cart = this.sql.localCart.get(eventId, sessionId);
    if (!cart) return;
    if (this.sql.leaseCart.get(cart.id)?.lease_id !== leaseId) {
      throw new TaquillaError('NOT_LEASED', 'Finish or cancel the current cart before selling leased seats', {
        seatIds: [],
      });
    }
  }

  /**
   * Inside the local sale's write transaction: a sale from a lease takes its ticket numbers from the
   * leased block and queues its report, so the sale and its report commit together or not at all.
   */
  private onSettled(settled: SettledTransaction): void {
    if (this.mirroring || settled.status !== 'COMPLETED') return;
    const cart = this.sql.leaseCart.get(settled.transactionId);
    if (!cart) return;
    const lease = this.leases.byId(cart.lease_id)!;
    const seatIds = settled.tickets.filter((t) => t.seatId !== null).map((t) => t.seatId!);
    // A cart held before the lease ended is not sold after it: the sale must be inside the lease.
    this.leases.assertSelling(lease, { seatIds });
    const gaQuantity = settled.tickets.filter((t) => t.seatId === null).reduce((n, t) => n + t.quantity, 0);
    const count = seatIds.length + gaQuantity;
    const taken = this.sql.takeNumbers.get({ n: count, id: lease.id });
    if (!taken) {
      throw new TaquillaError('NOT_LEASED', 'The leased block of ticket numbers is used up', { seatIds });
    }
    const first = taken.next_ticket - count;
    const ticketNumbers = Array.from({ length: count }, (_, i) => first + i);
    // The numbers this sale prints (the print-job writer runs after this, in the same write).
    seatIds.forEach((seatId, i) =>
      this.sql.putNumber.run(
        ticketNumbers[i]!,
        settled.transactionId,
        seatId,
        this.sql.seatZone.get(seatId)!.zone_id,
        1,
      ),
    );
    for (let k = 0; k < gaQuantity; k++) {
      this.sql.putNumber.run(
        ticketNumbers[seatIds.length + k]!,
        settled.transactionId,
        null,
        lease.ga_zone_id!,
        k + 1,
      );
    }
    if (seatIds.length > 0) this.sql.markSold.run(settled.at, lease.id, JSON.stringify(seatIds));
    if (gaQuantity > 0) this.sql.addGaSold.run(gaQuantity, lease.id);
    this.outbox.add(
      'leaseSale',
      {
        leaseId: lease.id,
        saleId: settled.transactionId,
        actor: settled.actor,
        seatIds,
        ...(gaQuantity > 0 ? { general: { zoneId: lease.ga_zone_id!, quantity: gaQuantity } } : {}),
        ticketNumbers,
        // On the lease clock: a PC clock set back does not date the sale before its lease.
        soldAt: this.leases.clock.now(),
        // Written earlier in this same transaction (complete() above): the money travels with the sale.
        payments: this.book?.paymentRecords(settled.transactionId) ?? [],
      },
      settled.at,
    );
  }

  /** Ticket numbers a lease sale used (for the printed ticket). */
  ticketNumbersOf(transactionId: string): number[] {
    const row = this.db
      .prepare<[string], { body: string }>(
        "SELECT body FROM sync_outbox WHERE op = 'leaseSale' AND json_extract(body, '$.saleId') = ?",
      )
      .get(transactionId);
    return row ? (JSON.parse(row.body) as { ticketNumbers: number[] }).ticketNumbers : [];
  }

  // ---- conflicts -------------------------------------------------------------------------------

  conflicts(includeResolved = false): ConflictRow[] {
    return this.sql.conflicts.all(includeResolved ? 1 : 0).map((r) => ({
      id: r.id as number,
      outboxId: r.outbox_id as number,
      op: r.op as ServerOperation,
      body: JSON.parse(r.body as string),
      errorCode: r.error_code as string,
      error: r.error as string,
      createdAt: r.created_at as number,
      resolvedAt: (r.resolved_at as number | null) ?? null,
      resolution: (r.resolution as ConflictRow['resolution']) ?? null,
      resolutionNote: (r.resolution_note as string | null) ?? null,
    }));
  }

  /**
   * The supervisor's way out of a refused offline sale: move the customer to an equivalent free seat
   * (same zone; sold on the server now), refund, or override (accept it as it stands, with a note).
   */
  async resolveConflict(
    id: number,
    action: ConflictAction,
  ): Promise<{ resolution: string; seatIds?: number[] }> {
    const conflict = this.conflicts(true).find((c) => c.id === id);
    if (!conflict || conflict.resolvedAt !== null) {
      throw new TaquillaError('NOTHING_HELD', `Conflict ${id} is not open`, {});
    }
    const now = this.serverClock.now();
    if (action.action !== 'move') {
      this.sql.resolveConflict.run(
        now,
        action.action === 'refund' ? 'refunded' : 'override',
        action.note,
        action.actor,
        id,
      );
      return { resolution: action.action === 'refund' ? 'refunded' : 'override' };
    }
    if (conflict.op !== 'leaseSale') {
      throw new TaquillaError(
        'CONFLICT_NOT_MOVABLE',
        'Only a refused offline sale can be moved to other seats: refund it or accept it',
        { conflictId: id, op: conflict.op, errorCode: conflict.errorCode },
      );
    }
    const sale = conflict.body as { leaseId: string; seatIds: number[] };
    const lease = this.leases.byId(sale.leaseId);
    if (!lease)
      throw new TaquillaError('UNKNOWN_LEASE', `Unknown lease ${sale.leaseId}`, { leaseId: sale.leaseId });
    // Moving a customer takes seats at the server: say so plainly when it cannot be reached.
    const offline = () =>
      new TaquillaError('OFFLINE', 'Moving a customer needs the server; try again when it is reachable', {
        outbox: this.outbox.length,
      });
    if (!this.client || this.state !== 'online') throw offline();
    const client = this.client;
    let seatIds = action.seatIds;
    if (!seatIds) {
      const zones = new Set(this.sql.seatZones.all(JSON.stringify(sale.seatIds)).map((s) => s.zone_id));
      const snapshot = (
        await client.get(`/v1/events/${lease.event_id}/availability`).catch(() => {
          throw offline();
        })
      ).result as {
        seats: { seatId: number; state: string }[];
      };
      const free = new Set(snapshot.seats.filter((s) => s.state === 'free').map((s) => s.seatId));
      const candidates = this.db
        .prepare<[number], { id: number; zone_id: number }>(
          'SELECT id, zone_id FROM seats WHERE event_id = ? ORDER BY id',
        )
        .all(lease.event_id)
        .filter((s) => zones.has(s.zone_id) && free.has(s.id))
        .map((s) => s.id);
      if (candidates.length < sale.seatIds.length) {
        throw new TaquillaError('SEAT_TAKEN', 'No equivalent free seats in that zone', { seats: [] });
      }
      seatIds = candidates.slice(0, sale.seatIds.length);
    }
    const sessionId = `conflict-${id}`;
    const held = await this.holdSeats({ eventId: lease.event_id, sessionId, actor: action.actor, seatIds });
    const total = held.tickets.reduce((sum, t) => sum + t.priceCents * t.quantity, 0);
    // The customer paid at the counter for the refused sale: that money pays for the new seats.
    const moved: ServerPayment = {
      paymentId: randomUUID(),
      kind: 'MOVED',
      cashier: action.actor,
      terminal: null,
      vesPerUsd: '1',
      dueCents: total,
      appliedCents: total,
      change: null,
      createdAt: now,
      requestId: null,
      lines: [],
    };
    await this.complete({ transactionId: held.transactionId, actor: action.actor, payment: moved });
    this.sql.resolveConflict.run(
      now,
      'moved',
      action.note ?? `moved to ${seatIds.join(', ')}`,
      action.actor,
      id,
    );
    return { resolution: 'moved', seatIds };
  }
}

/** The server's URLs as given ('http://a:8787,http://b:8787', or a list): trimmed, no trailing slash. */
export function serverList(servers: string | readonly string[]): string[] {
  const urls = (typeof servers === 'string' ? servers.split(',') : [...servers])
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter((u) => u.length > 0);
  for (const u of urls) {
    if (!/^https?:\/\/[^\s/]+/.test(u)) {
      throw new TaquillaError('VALIDATION', `Not a server URL: ${u}`, {
        issues: [{ path: 'server', message: `not a URL: ${u}` }],
      });
    }
  }
  if (urls.length === 0) {
    throw new TaquillaError('VALIDATION', 'A server URL is required', {
      issues: [{ path: 'server', message: 'required' }],
    });
  }
  return [...new Set(urls)];
}

/** The server's view of a local event: what an admin publishes before terminals sell it. */
export function serverEventFromStore(db: Db, eventId: number, leaseMinutes = 240): ServerEventDefinition {
  const event = db.prepare<[number], { name: string }>('SELECT name FROM events WHERE id = ?').get(eventId);
  if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
  const zones = db
    .prepare<
      [number],
      { id: number; name: string; kind: 'numbered' | 'general'; capacity: number; price_cents: number }
    >(
      `SELECT z.id, z.name, z.kind, z.capacity, p.price_cents FROM zones z JOIN price_tiers p ON p.id = z.price_tier_id
       WHERE z.event_id = ? ORDER BY z.sort, z.id`,
    )
    .all(eventId);
  const seats = db.prepare<[number], { id: number; label: string }>(
    'SELECT id, label FROM seats WHERE zone_id = ? ORDER BY id',
  );
  return {
    eventId,
    name: event.name,
    leaseMinutes,
    zones: zones.map((z) =>
      z.kind === 'general'
        ? { kind: 'general', zoneId: z.id, name: z.name, priceCents: z.price_cents, capacity: z.capacity }
        : {
            kind: 'numbered',
            zoneId: z.id,
            name: z.name,
            priceCents: z.price_cents,
            seats: seats.all(z.id).map((s) => ({ seatId: s.id, label: s.label })),
          },
    ),
  };
}
