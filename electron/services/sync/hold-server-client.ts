import axios, { type AxiosInstance } from 'axios';
import type { Clock } from '../../../shared/clock.ts';
import { operationPath, type ServerOperation } from '../../../shared/schemas/sync.ts';

/** The server could not be reached or did not answer: the request may or may not have been applied. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  /** The connection was refused: the request certainly never reached that server. */
  readonly refused: boolean;

  constructor(message: string, refused = false) {
    super(message);
    this.refused = refused;
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
 * every URL the venue's server answers on (several instances on one database): a read that finds its
 * instance gone or silent tries the next at once, and the one that answers is used from then on.
 * An operation is never retried here (its caller decides, by its idempotency key); it only moves the
 * next request on to the next instance.
 */
export class HoldServerClient {
  private readonly http: AxiosInstance;
  private readonly urls: string[];
  private index = 0;

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
    return this.failover(() =>
      this.send('get', this.secret ? '/v1/whoami' : '/v1/time', undefined, {}, timeoutMs),
    );
  }

  async operation(op: ServerOperation, body: unknown, idempotencyKey: string): Promise<ServerReply> {
    return this.moveOnFailure(() =>
      this.send('post', operationPath(op), body, { 'idempotency-key': idempotencyKey }),
    );
  }

  /** Independent operations in one round trip; one reply per item, in order. */
  async batch(
    items: { op: ServerOperation; key: string; body: unknown }[],
  ): Promise<{ reply: ServerReply; items: Omit<ServerReply, 'localMidpoint' | 'serverTime'>[] }> {
    const reply = await this.moveOnFailure(() => this.send('post', '/v1/batch', { items }));
    const replies = (
      reply.result as { replies?: { status: number; result?: unknown; error?: ServerReply['error'] }[] }
    )?.replies;
    return { reply, items: replies ?? [] };
  }

  /** What became of requests by idempotency key; keys the server never saw are abandoned. */
  async outcomes(keys: string[], timeoutMs?: number): Promise<ServerReply> {
    return this.failover(() => this.send('post', '/v1/outcomes', { keys, abandon: true }, {}, timeoutMs));
  }

  async enrol(code: string, terminalName: string): Promise<ServerReply> {
    return this.failover(() => this.send('post', '/v1/enrol', { code, terminalName }));
  }

  async get(path: string, timeoutMs?: number): Promise<ServerReply> {
    return this.failover(() => this.send('get', path, undefined, {}, timeoutMs));
  }

  /** Tries the URL in use, then each other once; the first that answers is kept. */
  private async failover(request: () => Promise<ServerReply>): Promise<ServerReply> {
    let last: unknown;
    for (let tried = 0; tried < this.urls.length; tried++) {
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        last = error;
        this.index = (this.index + 1) % this.urls.length;
      }
    }
    throw last;
  }

  /**
   * An operation: sent once. Refused outright (that instance is gone; the request never left), it goes
   * to the next URL at once; any other failure moves the next request on to the next URL.
   */
  private async moveOnFailure(request: () => Promise<ServerReply>): Promise<ServerReply> {
    for (let tried = 1; ; tried++) {
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        this.index = (this.index + 1) % this.urls.length;
        if (!error.refused || tried >= this.urls.length) throw error;
      }
    }
  }

  private async send(
    method: 'get' | 'post',
    url: string,
    data?: unknown,
    headers: Record<string, string> = {},
    timeoutMs?: number,
  ): Promise<ServerReply> {
    const started = this.clock.now();
    let response;
    try {
      response = await this.http.request({
        method,
        baseURL: this.serverUrl,
        url,
        data,
        ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
        headers: { ...headers, ...(this.secret ? { authorization: `Bearer ${this.secret}` } : {}) },
      });
    } catch (error) {
      const refused = (error as { code?: string }).code === 'ECONNREFUSED';
      throw new NetworkError(error instanceof Error ? error.message : String(error), refused);
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
