import axios, { type AxiosInstance } from 'axios';
import type { Clock } from '../../../shared/clock.ts';
import { operationPath, type ServerOperation } from '../../../shared/schemas/sync.ts';

/** The server could not be reached or did not answer: the request may or may not have been applied. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

export interface ServerReply {
  status: number;
  serverTime: number;
  result?: unknown;
  error?: { code: string; message: string; details?: unknown };
  /** Local clock at the middle of the round trip: with serverTime it gives the clock offset. */
  localMidpoint: number;
}

/** Thin HTTP client of the hold server. Anything but a definite answer becomes a NetworkError. */
export class HoldServerClient {
  private readonly http: AxiosInstance;

  constructor(
    readonly serverUrl: string,
    private readonly clock: Clock,
    private secret: string | null = null,
    timeoutMs = 5000,
  ) {
    this.http = axios.create({ baseURL: serverUrl, timeout: timeoutMs, validateStatus: () => true });
  }

  setSecret(secret: string): void {
    this.secret = secret;
  }

  /**
   * The heartbeat: the server's clock, and whether this credential still works (401 when revoked).
   * `timeoutMs` is its own, short deadline: a stalled link is noticed in about that long.
   */
  async time(timeoutMs?: number): Promise<ServerReply> {
    return this.send('get', this.secret ? '/v1/whoami' : '/v1/time', undefined, {}, timeoutMs);
  }

  async operation(op: ServerOperation, body: unknown, idempotencyKey: string): Promise<ServerReply> {
    return this.send('post', operationPath(op), body, { 'idempotency-key': idempotencyKey });
  }

  /** Independent operations in one round trip; one reply per item, in order. */
  async batch(
    items: { op: ServerOperation; key: string; body: unknown }[],
  ): Promise<{ reply: ServerReply; items: Omit<ServerReply, 'localMidpoint' | 'serverTime'>[] }> {
    const reply = await this.send('post', '/v1/batch', { items });
    const replies = (
      reply.result as { replies?: { status: number; result?: unknown; error?: ServerReply['error'] }[] }
    )?.replies;
    return { reply, items: replies ?? [] };
  }

  /** What became of requests by idempotency key; keys the server never saw are abandoned. */
  async outcomes(keys: string[], timeoutMs?: number): Promise<ServerReply> {
    return this.send('post', '/v1/outcomes', { keys, abandon: true }, {}, timeoutMs);
  }

  async enrol(code: string, terminalName: string): Promise<ServerReply> {
    return this.send('post', '/v1/enrol', { code, terminalName });
  }

  async get(path: string): Promise<ServerReply> {
    return this.send('get', path);
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
        url,
        data,
        ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
        headers: { ...headers, ...(this.secret ? { authorization: `Bearer ${this.secret}` } : {}) },
      });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : String(error));
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
