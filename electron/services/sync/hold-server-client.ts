import axios, { type AxiosInstance } from 'axios';
import type { Clock } from '../../../shared/clock.ts';
import { operationPath, type ServerOperation } from '../../../shared/schemas/sync.ts';

/** The server could not be reached or did not answer: the request may or may not have been applied. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  /** Every connection was refused: the request certainly never reached a server. */
  readonly refused: boolean;
  /** Its own deadline passed: no time is left to ask anywhere else. */
  readonly timedOut: boolean;

  constructor(message: string, refused = false, timedOut = false) {
    super(message);
    this.refused = refused;
    this.timedOut = timedOut;
  }
}

export interface ServerReply {
  status: number;
  serverTime: number;
  result?: unknown;
  error?: { code: string; message: string; details?: unknown };
  /** Local clock at the middle of the round trip: with serverTime it gives the clock offset. */
  localMidpoint: number;
}

/**
 * Thin HTTP client of the hold server. Anything but a definite answer becomes a NetworkError. It knows
 * every URL the venue's server answers on (several instances on one database): a request that finds
 * its instance gone tries the next at once, and the one that answers is used from then on. The
 * heartbeat asks every instance at once; when the one in use is silent and another answers, requests
 * waiting on the silent one are cut short and asked again there. An operation is asked again only
 * under its own idempotency key (the server applies a key once, whichever instance hears it), and
 * never after its own deadline (its caller then finds out by key).
 */
export class HoldServerClient {
  private readonly http: AxiosInstance;
  private readonly urls: string[];
  private index = 0;
  /** Requests on the wire, per URL index: cut short when the heartbeat moves off that URL. */
  private readonly inFlight = new Map<number, Set<AbortController>>();

  constructor(
    urls: string | readonly string[],
    private readonly clock: Clock,
    private secret: string | null = null,
    timeoutMs = 5000,
  ) {
    this.urls = typeof urls === 'string' ? [urls] : [...urls];
    if (this.urls.length === 0) throw new Error('a server URL is required');
    this.http = axios.create({ timeout: timeoutMs, validateStatus: () => true });
  }

  /** The URL in use now. */
  get serverUrl(): string {
    return this.urls[this.index]!;
  }

  get serverUrls(): readonly string[] {
    return this.urls;
  }

  setSecret(secret: string): void {
    this.secret = secret;
  }

  /**
   * The heartbeat: the server's clock, and whether this credential still works (401 when revoked).
   * `timeoutMs` is its own, short deadline: a stalled link is noticed in about that long.
   */
  async time(timeoutMs?: number): Promise<ServerReply> {
    const path = this.secret ? '/v1/whoami' : '/v1/time';
    // Every instance at once, so a silent one costs one deadline, not one per URL: the one in use
    // answers if it can, else the first other that answers is used from now on.
    const tries = this.urls.map((_, i) => this.send(i, 'get', path, undefined, {}, timeoutMs));
    for (const t of tries) t.catch(() => undefined);
    const current = this.index;
    try {
      return await tries[current]!;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      const others = tries.flatMap((t, i) => (i === current ? [] : [t.then((reply) => ({ reply, i }))]));
      let answered: { reply: ServerReply; i: number };
      try {
        answered = await Promise.any(others);
      } catch {
        throw error;
      }
      if (this.index === current) {
        this.index = answered.i;
        // What waits on the silent instance will not be answered there: ask it again on this one now
        // rather than at its deadline.
        for (const controller of this.inFlight.get(current) ?? []) controller.abort();
      }
      return answered.reply;
    }
  }

  async operation(op: ServerOperation, body: unknown, idempotencyKey: string): Promise<ServerReply> {
    return this.askAgainByKey((i) =>
      this.send(i, 'post', operationPath(op), body, { 'idempotency-key': idempotencyKey }),
    );
  }

  /** Independent operations in one round trip; one reply per item, in order. */
  async batch(
    items: { op: ServerOperation; key: string; body: unknown }[],
  ): Promise<{ reply: ServerReply; items: Omit<ServerReply, 'localMidpoint' | 'serverTime'>[] }> {
    // Every item carries its own key: the batch may be asked again anywhere.
    const reply = await this.askAgainByKey((i) => this.send(i, 'post', '/v1/batch', { items }));
    const replies = (
      reply.result as { replies?: { status: number; result?: unknown; error?: ServerReply['error'] }[] }
    )?.replies;
    return { reply, items: replies ?? [] };
  }

  /** What became of requests by idempotency key; keys the server never saw are abandoned. */
  async outcomes(keys: string[], timeoutMs?: number): Promise<ServerReply> {
    return this.failover((i) => this.send(i, 'post', '/v1/outcomes', { keys, abandon: true }, {}, timeoutMs));
  }

  async enrol(code: string, terminalName: string): Promise<ServerReply> {
    return this.failover((i) => this.send(i, 'post', '/v1/enrol', { code, terminalName }));
  }

  /** A write that is its own idempotency (the server keys it by what it names): sent again on failover. */
  async post(path: string, body: unknown): Promise<ServerReply> {
    return this.askAgainByKey((i) => this.send(i, 'post', path, body));
  }

  /** A request that changes nothing more when asked twice (e.g. registering a public key). */
  async postAgainSafe(path: string, body: unknown): Promise<ServerReply> {
    return this.failover((i) => this.send(i, 'post', path, body));
  }

  async get(path: string, timeoutMs?: number): Promise<ServerReply> {
    return this.failover((i) => this.send(i, 'get', path, undefined, {}, timeoutMs));
  }

  /** Tries the URL in use, then each other once; the first that answers is kept. */
  private async failover(request: (i: number) => Promise<ServerReply>): Promise<ServerReply> {
    let last: unknown;
    for (let tried = 0; tried < this.urls.length; tried++) {
      const i = this.index;
      try {
        return await request(i);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        last = error;
        this.moveOff(i);
      }
    }
    throw last;
  }

  /**
   * An operation under its idempotency key: a connection that fails (refused, reset, cut short by the
   * heartbeat) is asked again on the next URL, each at most once; one whose deadline passed is not.
   * The error says `refused` only if every attempt was refused, so no copy can have reached a server.
   */
  private async askAgainByKey(request: (i: number) => Promise<ServerReply>): Promise<ServerReply> {
    let reached = false;
    for (let tried = 1; ; tried++) {
      const i = this.index;
      try {
        return await request(i);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        this.moveOff(i);
        reached ||= !error.refused;
        if (error.timedOut || tried >= this.urls.length) {
          throw reached && error.refused ? new NetworkError(error.message, false, error.timedOut) : error;
        }
      }
    }
  }

  /**
   * URL `i` failed: the next request goes to the next URL, unless another request (or the heartbeat)
   * has already moved on; so concurrent failures never move it back onto the failed one.
   */
  private moveOff(i: number): void {
    if (this.index === i) this.index = (i + 1) % this.urls.length;
  }

  private async send(
    i: number,
    method: 'get' | 'post',
    url: string,
    data?: unknown,
    headers: Record<string, string> = {},
    timeoutMs?: number,
  ): Promise<ServerReply> {
    const started = this.clock.now();
    const controller = new AbortController();
    let waiting = this.inFlight.get(i);
    if (!waiting) {
      waiting = new Set();
      this.inFlight.set(i, waiting);
    }
    waiting.add(controller);
    let response;
    try {
      response = await this.http.request({
        method,
        baseURL: this.urls[i],
        url,
        data,
        signal: controller.signal,
        ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
        headers: { ...headers, ...(this.secret ? { authorization: `Bearer ${this.secret}` } : {}) },
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = error instanceof Error ? error.message : String(error);
      // axios names its own deadline ECONNABORTED (ETIMEDOUT with transitional.clarifyTimeoutError).
      const timedOut = !controller.signal.aborted && (code === 'ECONNABORTED' || code === 'ETIMEDOUT');
      throw new NetworkError(message, code === 'ECONNREFUSED', timedOut);
    } finally {
      waiting.delete(controller);
    }
    // 5xx (and a proxy's 502/503/504) is no answer: retry later with the same key.
    if (response.status >= 500 || typeof response.data !== 'object' || response.data === null) {
      throw new NetworkError(`server answered ${response.status}`);
    }
    const body = response.data as { serverTime?: number; result?: unknown; error?: ServerReply['error'] };
    const ended = this.clock.now();
    return {
      status: response.status,
      serverTime: body.serverTime ?? ended,
      result: body.result,
      error: body.error,
      localMidpoint: Math.round((started + ended) / 2),
    };
  }
}
