import type { WebSocket } from 'ws';
import type { Clock } from '../shared/clock.ts';
import type { LiveMessage } from '../shared/schemas/sync.ts';
import type { ChangeNotice, HoldStore } from './storage/hold-store.ts';

interface Subscriber {
  socket: WebSocket;
  tenantId: number;
  eventId: number;
  /** The version this subscriber has seen; the next delta starts from it. */
  version: number;
  busy: boolean;
  dirty: boolean;
}

/**
 * Live availability: each socket follows one event from a version. On every committed change (from
 * this instance, or from another through PostgreSQL NOTIFY) a subscriber gets the delta since what it
 * has seen, so a reconnecting terminal catches up by passing its last version, and nothing is lost
 * if notifications bunch up: one catch-up covers them all.
 */
export class LiveHub {
  private readonly byEvent = new Map<string, Set<Subscriber>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: HoldStore,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = store.onChange((notice) => this.changed(notice));
  }

  async add(socket: WebSocket, tenantId: number, eventId: number, since: number): Promise<void> {
    const key = `${tenantId}:${eventId}`;
    const sub: Subscriber = {
      socket,
      tenantId,
      eventId,
      version: since,
      busy: false,
      dirty: false,
    };
    let set = this.byEvent.get(key);
    if (!set) {
      set = new Set();
      this.byEvent.set(key, set);
    }
    set.add(sub);
    socket.on('close', () => {
      set.delete(sub);
      if (set.size === 0) this.byEvent.delete(key);
    });
    this.send(sub, { type: 'hello', serverTime: this.clock.now() });
    await this.catchUp(sub);
  }

  close(): void {
    this.unsubscribe();
    for (const set of this.byEvent.values()) for (const sub of set) sub.socket.close(1001, 'server closing');
  }

  private changed(notice: ChangeNotice): void {
    const set = this.byEvent.get(`${notice.tenantId}:${notice.eventId}`);
    if (!set) return;
    for (const sub of set) if (sub.version < notice.version) void this.catchUp(sub);
  }

  private async catchUp(sub: Subscriber): Promise<void> {
    if (sub.busy) {
      sub.dirty = true;
      return;
    }
    sub.busy = true;
    try {
      do {
        sub.dirty = false;
        const delta = await this.store.changesSince(sub.tenantId, sub.eventId, sub.version, this.clock.now());
        if (delta.version > sub.version) {
          sub.version = delta.version;
          this.send(sub, {
            type: 'changes',
            serverTime: this.clock.now(),
            ...delta,
          });
        }
      } while (sub.dirty);
    } catch {
      sub.socket.close(1011, 'catch-up failed');
    } finally {
      sub.busy = false;
    }
  }

  private send(sub: Subscriber, message: LiveMessage): void {
    if (sub.socket.readyState === sub.socket.OPEN) sub.socket.send(JSON.stringify(message));
  }
}
