import WebSocket from 'ws';
import type { AvailabilityDelta, LiveMessage } from '../../../shared/schemas/sync.ts';

export interface LiveAvailabilityOptions {
  serverUrl: string;
  secret: string;
  eventId: number;
  /** Version already seen (e.g. from a snapshot); the server sends what changed after it. */
  since?: number;
  onDelta: (delta: AvailabilityDelta) => void;
  onServerTime?: (serverTime: number) => void;
  /** Wait before reconnecting after the socket drops. */
  reconnectMs?: number;
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
  private timer: NodeJS.Timeout | undefined;
  private openedOnce: Promise<void>;
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

  /** Resolves when the first connection has been greeted by the server. */
  ready(): Promise<void> {
    return this.openedOnce;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  private connect(): void {
    const url = new URL('/v1/live', this.options.serverUrl.replace(/^http/, 'ws'));
    url.searchParams.set('eventId', String(this.options.eventId));
    url.searchParams.set('since', String(this.version));
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${this.options.secret}` } });
    this.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as LiveMessage;
      this.options.onServerTime?.(message.serverTime);
      if (message.type === 'hello') {
        this.resolveOpened();
        return;
      }
      if (message.version <= this.version) return;
      this.version = message.version;
      const { type: _type, serverTime: _time, ...delta } = message;
      this.options.onDelta(delta);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.closed) return;
      this.timer = setTimeout(() => this.connect(), this.options.reconnectMs ?? 500);
    });
  }
}
