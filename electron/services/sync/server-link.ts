import type { Clock } from '../../../shared/clock.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import type { EnrolResult } from '../../../shared/schemas/sync.ts';
import type { Db } from '../../store/database.ts';
import { HoldServerClient, NetworkError, type ServerReply } from './hold-server-client.ts';
import type { LiveEndpoint } from './live-availability.ts';
import type { SyncCredentialStore } from './sync-credential.ts';

/** Backward steps of the estimated server time up to this are estimate noise, smoothed out. */
const MAX_SMOOTHED_STEP_BACK_MS = 5_000;

export type SyncState = 'unenrolled' | 'online' | 'offline' | 'revoked';

export interface LinkOptions {
  /** How often the server is asked for the time while online (and the first retry when offline). */
  heartbeatMs: number;
  /** The heartbeat's own deadline: with `heartbeatMs`, how soon a stalled link is noticed. */
  heartbeatTimeoutMs: number;
  /** The longest wait between retries while offline (how soon a returning link is used again). */
  maxBackoffMs: number;
  /** The deadline of every other request. */
  requestTimeoutMs: number;
}

/** What the rest of the sync engine does when the link hears from the server. */
export interface LinkHooks {
  /** Every reply's server time (the lease clock takes it as a floor). */
  heard(serverTime: number): void;
  /** Revoked: revocation stops new work, not the upload of what was already sold. */
  afterRevocation(): Promise<void>;
  /** A heartbeat was answered; `wasOnline` false means the link just came back. */
  answered(wasOnline: boolean, beat: ServerReply): Promise<void>;
  /** After every heartbeat, answered or not. */
  beat(): void;
}

/**
 * The terminal's link to the venue's server: the credential and the client (with failover across
 * the server's URLs), the heartbeat that decides online, offline or revoked, and the server clock
 * measured on every reply. It knows nothing of what is sent over it: the outbox replay, the leases
 * and the catalogue hang on `hooks`.
 */
export class ServerLink {
  /** Server time: the local clock plus the offset measured on every reply (expiry decisions use it). */
  readonly serverClock: Clock;
  private clientNow: HoldServerClient | null = null;
  private stateNow: SyncState = 'unenrolled';
  private offsetMs: number;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly linkListeners = new Set<(online: boolean) => void>();
  private readonly sql;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly credentials: SyncCredentialStore,
    private readonly options: LinkOptions,
    private readonly hooks: LinkHooks,
  ) {
    this.sql = {
      getState: db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?'),
      setState: db.prepare<[string, string]>(
        'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
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
    const saved = this.credentials.load();
    if (saved) {
      this.clientNow = new HoldServerClient(
        saved.serverUrls,
        clock,
        saved.secret,
        this.options.requestTimeoutMs,
      );
      this.stateNow = 'offline';
    }
  }

  get state(): SyncState {
    return this.stateNow;
  }

  /** The client in use (null until enrolled). */
  get client(): HoldServerClient | null {
    return this.clientNow;
  }

  /** A value this engine keeps in sync_state (the clock offset, the lease clock's floor). */
  readState(key: string): string | undefined {
    return this.sql.getState.get(key)?.value;
  }

  writeState(key: string, value: string): void {
    this.sql.setState.run(key, value);
  }

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
    this.clientNow = client;
    this.noteReply(reply);
    this.setState('online');
    return result;
  }

  setState(next: SyncState): void {
    const was = this.stateNow === 'online';
    this.stateNow = next;
    if (was !== (next === 'online')) for (const listener of this.linkListeners) listener(next === 'online');
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
    this.clientNow = new HoldServerClient(urls, this.clock, saved.secret, this.options.requestTimeoutMs);
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

  /** The status bar's view of the link itself. */
  status(): {
    serverUrl: string | null;
    serverUrls: string[];
    lastSyncAt: number | null;
    clockOffsetMs: number;
  } {
    const last = this.readState('last_sync_at');
    return {
      serverUrl: this.client?.serverUrl ?? null,
      serverUrls: [...(this.client?.serverUrls ?? [])],
      lastSyncAt: last === undefined ? null : Number(last),
      clockOffsetMs: this.offsetMs,
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
      await this.hooks.afterRevocation();
      return this.state;
    }
    const wasOnline = this.state === 'online';
    const beat = await this.probe();
    if (beat) await this.hooks.answered(wasOnline, beat);
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
        await this.hooks.afterRevocation();
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

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (this.state === 'revoked') await this.checkConnection().catch(() => undefined);
    else {
      const wasOnline = this.state === 'online';
      const beat = await this.probe().catch(() => null);
      // The next beat never waits for the replay: a request stuck on a dead link must not delay the
      // heartbeat that notices it.
      if (beat) void this.hooks.answered(wasOnline, beat).catch(() => undefined);
    }
    this.hooks.beat();
    if (!this.running) return;
    const wait =
      this.state === 'online'
        ? this.options.heartbeatMs
        : Math.min(this.options.maxBackoffMs, this.options.heartbeatMs * 2 ** Math.min(this.failures, 10));
    this.timer = setTimeout(() => void this.tick(), wait * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }

  /** A request went unanswered: offline, and the next retry waits longer. */
  goOffline(): void {
    if (this.state === 'online') this.setState('offline');
    this.failures += 1;
  }

  /** Every reply moves the server clock (and the lease clock's floor) and dates the last sync. */
  noteReply(reply: ServerReply): void {
    this.offsetMs = reply.serverTime - reply.localMidpoint;
    this.sql.setState.run('clock_offset_ms', String(this.offsetMs));
    this.sql.setState.run('last_sync_at', String(reply.serverTime));
    this.hooks.heard(reply.serverTime);
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
