import type { WebSocket } from 'ws';
import type { Clock } from '../shared/clock.ts';
import type { LiveMessage } from '../shared/schemas/sync.ts';
import type { ChangeNotice, CredentialRow, HoldStore, StoreNotice } from './storage/hold-store.ts';

/** Close code of a socket whose credential was revoked (the same as a refused one). */
export const CLOSE_REVOKED = 4401;

/** Changes that arrive this close together are pushed as one message (one read of the feed). */
export const COALESCE_MS = 5;

interface Subscriber {
  socket: WebSocket;
  credentialId: number;
  /** The version this subscriber has seen. */
  version: number;
  /** Still reading its own way up from the version it asked for; not yet sent the shared messages. */
  catchingUp: boolean;
}

/**
 * Everyone following one event on this instance. Subscribers in step (at or past `version`) are
 * served together: one read of the change feed per change, one serialized message, the same bytes to
 * every socket. `version` is what that shared stream has reached.
 */
interface Feed {
  tenantId: number;
  eventId: number;
  subscribers: Set<Subscriber>;
  version: number;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  dirty: boolean;
}

/**
 * Live availability: each socket follows one event from a version. A new socket first catches up on
 * its own from the version it passes (so a reconnecting terminal misses nothing), then joins its
 * event's shared stream. Each committed change (from this instance, or from another through
 * PostgreSQL NOTIFY) is read once per event, a few milliseconds after it is heard so that a burst
 * costs one read, and the delta since the stream's version goes out as one message to all.
 */
export class LiveHub {
  private readonly feeds = new Map<string, Feed>();
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
    for (const feed of this.feeds.values()) n += feed.subscribers.size;
    return n;
  }

  async add(socket: WebSocket, credential: CredentialRow, eventId: number, since: number): Promise<void> {
    const tenantId = credential.tenantId;
    const key = `${tenantId}:${eventId}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = {
        tenantId,
        eventId,
        subscribers: new Set(),
        version: -1,
        timer: undefined,
        running: false,
        dirty: false,
      };
      this.feeds.set(key, feed);
    }
    const sub: Subscriber = { socket, credentialId: credential.id, version: since, catchingUp: true };
    feed.subscribers.add(sub);
    const joined = feed;
    socket.on('close', () => {
      joined.subscribers.delete(sub);
      if (joined.subscribers.size === 0 && this.feeds.get(key) === joined) {
        clearTimeout(joined.timer);
        this.feeds.delete(key);
      }
    });
    this.send(sub, JSON.stringify({ type: 'hello', serverTime: this.clock.now() } satisfies LiveMessage));
    await this.catchUp(feed, sub);
  }

  close(): void {
    for (const stop of this.unsubscribe) stop();
    for (const feed of this.feeds.values()) {
      clearTimeout(feed.timer);
      for (const sub of feed.subscribers) sub.socket.close(1001, 'server closing');
    }
  }

  private noticed(notice: StoreNotice): void {
    if (notice.kind === 'revoked') {
      // A revoked terminal hears nothing more, on whichever instance its socket is.
      for (const feed of this.feeds.values())
        for (const sub of feed.subscribers)
          if (sub.credentialId === notice.credentialId) sub.socket.close(CLOSE_REVOKED, 'revoked');
    } else if (notice.kind === 'resync') {
      // Changes committed while this instance could not hear them: every stream reads the feed again.
      for (const feed of this.feeds.values()) this.schedule(feed);
    }
  }

  private changed(notice: ChangeNotice): void {
    const feed = this.feeds.get(`${notice.tenantId}:${notice.eventId}`);
    if (feed && notice.version > feed.version) this.schedule(feed);
  }

  private schedule(feed: Feed): void {
    if (feed.timer !== undefined) return;
    feed.timer = setTimeout(() => {
      feed.timer = undefined;
      void this.flush(feed);
    }, COALESCE_MS);
  }

  /** One read of the feed for every subscriber in step; runs again if changes came in meanwhile. */
  private async flush(feed: Feed): Promise<void> {
    if (feed.running) {
      feed.dirty = true;
      return;
    }
    feed.running = true;
    try {
      do {
        feed.dirty = false;
        if (feed.version < 0) return; // nobody in step yet: each is still catching up on its own
        const from = feed.version;
        const delta = await this.store.changesSince(feed.tenantId, feed.eventId, from, this.clock.now());
        if (delta.version === from) continue;
        // Lower: the stream's version came from a cursor ahead of the database (restored from an
        // older backup); the answer is the whole event, for every subscriber in step.
        const rewound = delta.version < from;
        // Encoded once: every socket is sent the same bytes.
        const message = Buffer.from(
          JSON.stringify({ type: 'changes', serverTime: this.clock.now(), ...delta } satisfies LiveMessage),
        );
        feed.version = delta.version;
        // Every subscriber in step has seen at least `from`: the delta since `from` covers it.
        for (const sub of feed.subscribers) {
          if (sub.catchingUp || (sub.version >= delta.version && !rewound)) continue;
          sub.version = delta.version;
          this.send(sub, message);
        }
      } while (feed.dirty);
    } catch {
      for (const sub of feed.subscribers) if (!sub.catchingUp) sub.socket.close(1011, 'catch-up failed');
    } finally {
      feed.running = false;
    }
  }

  /** A new subscriber's own way from its version to the shared stream's. */
  private async catchUp(feed: Feed, sub: Subscriber): Promise<void> {
    try {
      for (;;) {
        const before = sub.version;
        const delta = await this.store.changesSince(
          feed.tenantId,
          feed.eventId,
          sub.version,
          this.clock.now(),
        );
        // Lower than asked: this cursor is from a database since restored from an older backup, and
        // the answer is the whole event as it is now.
        if (delta.version !== sub.version) {
          sub.version = delta.version;
          this.send(
            sub,
            JSON.stringify({ type: 'changes', serverTime: this.clock.now(), ...delta } satisfies LiveMessage),
          );
        }
        if (sub.version >= feed.version) break;
        // Nothing newer than this subscriber: the stream's version is ahead of the database (a
        // cursor from before a restore joined it); the stream's next read corrects it. Reading again
        // here would spin: a SQLite read never yields, and the server stopped answering.
        if (delta.version <= before) break;
        // The stream moved on while this one read: read again from here.
      }
      // Nobody in step yet: the stream starts where this subscriber is.
      if (feed.version < 0 || ![...feed.subscribers].some((s) => s !== sub && !s.catchingUp)) {
        feed.version = Math.max(feed.version, sub.version);
      }
      sub.catchingUp = false;
      // A change heard while nobody was in step was not read by anyone: read it now.
      this.schedule(feed);
    } catch {
      sub.socket.close(1011, 'catch-up failed');
    }
  }

  private send(sub: Subscriber, message: string | Buffer): void {
    if (sub.socket.readyState === sub.socket.OPEN) sub.socket.send(message, { binary: false });
  }
}
