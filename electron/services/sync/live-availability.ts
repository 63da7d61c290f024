import WebSocket from 'ws';
import type { AvailabilityDelta, LiveMessage } from '../../../shared/schemas/sync.ts';

/** Where the live feed is: the server's URL (the one the terminal uses now) and its credential. */
export interface LiveEndpoint {
  serverUrl: string;
  secret: string;
}

export interface LiveAvailabilityOptions {
  /** Asked at every (re)connection, so a terminal that failed over follows its new server. */
  endpoint: () => LiveEndpoint | null;
  eventId: number;
  /** Version already seen (e.g. from a snapshot); the server sends what changed after it. */
  since?: number;
  onDelta: (delta: AvailabilityDelta) => void;
  onServerTime?: (serverTime: number) => void;
  /** The socket was greeted (true) or dropped (false). */
  onLink?: (up: boolean) => void;
  /** Wait before reconnecting after the socket drops. */
  reconnectMs?: number;
  /**
   * How often the socket is pinged. A link that answers nothing (stalled) for two of these is cut and
   * reconnected, so a dead feed is noticed in about this long, not when TCP gives up.
   */
  pingMs?: number;
}

/**
 * Follows one event's availability on the central server over a WebSocket. After a drop it
 * reconnects from the last version it applied, so a terminal that was cut off catches up with one
 * delta instead of refetching the whole map.
 */
export class LiveAvailability {
  private socket: WebSocket | null = null;
  private version: number;
  private closed = false;
  private up = false;
  private timer: NodeJS.Timeout | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private heardAt = 0;
  private readonly openedOnce: Promise<void>;
  private resolveOpened!: () => void;

  constructor(private readonly options: LiveAvailabilityOptions) {
    this.version = options.since ?? 0;
    this.openedOnce = new Promise((resolve) => {
      this.resolveOpened = resolve;
    });
    this.connect();
  }

  get lastVersion(): number {
    return this.version;
  }

  /** Greeted by the server and heard from within the last two pings. */
  get isUp(): boolean {
    return this.up;
  }

  /** Resolves when the first connection has been greeted by the server. */
  ready(): Promise<void> {
    return this.openedOnce;
  }

  /** Drops the current socket (if any) and connects again at once (the link came back). */
  reconnectNow(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    if (this.socket && this.up) return;
    const socket = this.socket;
    this.socket = null;
    socket?.removeAllListeners();
    socket?.on('error', () => undefined);
    socket?.terminate();
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    this.setUp(false);
    this.socket?.terminate();
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.options.onLink?.(up);
  }

  private connect(): void {
    const endpoint = this.options.endpoint();
    if (!endpoint) {
      this.retry();
      return;
    }
    const url = new URL('/v1/live', endpoint.serverUrl.replace(/^http/, 'ws'));
    url.searchParams.set('eventId', String(this.options.eventId));
    url.searchParams.set('since', String(this.version));
    const pingMs = this.options.pingMs ?? 1000;
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${endpoint.secret}` },
      handshakeTimeout: 2 * pingMs,
    });
    this.socket = socket;
    this.heardAt = Date.now();
    const heard = () => {
      this.heardAt = Date.now(); // liveness bookkeeping only, never a business decision
    };
    socket.on('pong', heard);
    socket.on('open', () => {
      clearInterval(this.pinger);
      this.pinger = setInterval(() => {
        if (Date.now() - this.heardAt > 2 * pingMs) {
          socket.terminate();
          return;
        }
        socket.ping();
      }, pingMs);
      this.pinger.unref();
    });
    socket.on('message', (data) => {
      heard();
      const message = JSON.parse(String(data)) as LiveMessage;
      this.options.onServerTime?.(message.serverTime);
      if (message.type === 'hello') {
        this.setUp(true);
        this.resolveOpened();
        return;
      }
      // A whole event at a lower version: the server was restored from an older backup (taken as is).
      const rewound = message.version < this.version && message.fromVersion === 0;
      if (message.version <= this.version && !rewound) return;
      const { type: _type, serverTime: _time, ...delta } = message;
      try {
        this.options.onDelta(delta);
      } catch {
        // Not applied (the store is busy or closing): reconnect and be sent it again.
        socket.terminate();
        return;
      }
      this.version = message.version;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      clearInterval(this.pinger);
      this.setUp(false);
      this.retry();
    });
  }

  private retry(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.options.reconnectMs ?? 500);
    this.timer.unref();
  }
}
