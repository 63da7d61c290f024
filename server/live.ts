import type { WebSocket } from 'ws';
import type { Clock } from '../shared/clock.ts';
import type { LiveMessage } from '../shared/schemas/sync.ts';
import type { ChangeNotice, CredentialRow, HoldStore, StoreNotice } from './storage/hold-store.ts';

/** Close code of a socket whose credential was revoked (the same as a refused one). */
export const CLOSE_REVOKED = 4401;

interface Subscriber {
  socket: WebSocket;
  credentialId: number;
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
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly store: HoldStore,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = [
      store.onChange((notice) => this.changed(notice)),
      store.onNotice((notice) => this.noticed(notice)),
    ];
  }

  /** Open live sockets on this instance. */
  get subscribers(): number {
    let n = 0;
    for (const set of this.byEvent.values()) n += set.size;
    return n;
  }

  async add(socket: WebSocket, credential: CredentialRow, eventId: number, since: number): Promise<void> {
    const tenantId = credential.tenantId;
    const key = `${tenantId}:${eventId}`;
    const sub: Subscriber = {
      socket,
      credentialId: credential.id,
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
    for (const stop of this.unsubscribe) stop();
    for (const set of this.byEvent.values()) for (const sub of set) sub.socket.close(1001, 'server closing');
  }

  private noticed(notice: StoreNotice): void {
    if (notice.kind === 'revoked') {
      // A revoked terminal hears nothing more, on whichever instance its socket is.
      for (const set of this.byEvent.values())
        for (const sub of set)
          if (sub.credentialId === notice.credentialId) sub.socket.close(CLOSE_REVOKED, 'revoked');
    } else if (notice.kind === 'resync') {
      // Changes committed while this instance could not hear them: every subscriber catches up.
      for (const set of this.byEvent.values()) for (const sub of set) void this.catchUp(sub);
    }
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
