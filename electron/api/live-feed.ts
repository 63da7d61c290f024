import type { LiveMessage } from '../../shared/api/counter.ts';
import type { Terminal } from '../terminal.ts';

export type LiveSend = (message: LiveMessage) => void;

interface Subscriber {
  eventId: number;
  version: number;
  send: LiveSend;
}

/** How often the event versions are looked at: well inside the one-second promise. */
const POLL_MS = 150;
const CLOCK_MS = 1000;

/**
 * Pushes the availability change feed to every subscribed screen. It watches `events.version`
 * (one indexed read per poll), so writes made by other processes on the same file (CLI, a second
 * window) are pushed too; each subscriber gets exactly the changes since the version it has seen.
 */
export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly versionOf;
  private poll: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private readonly offVenue: (() => void) | undefined;

  constructor(private readonly terminal: Terminal) {
    this.versionOf = terminal.db.prepare<[number], { version: number }>(
      'SELECT version FROM events WHERE id = ?',
    );
    // Another counter's change arrived from the server: push it now, not at the next poll.
    this.offVenue = terminal.venueFeed?.onApplied(() => this.check());
  }

  subscribe(eventId: number, sinceVersion: number, send: LiveSend): () => void {
    const subscriber: Subscriber = { eventId, version: sinceVersion, send };
    this.subscribers.add(subscriber);
    this.start();
    send(this.clock());
    this.push(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  close(): void {
    this.offVenue?.();
    this.subscribers.clear();
    this.stop();
  }

  private clock(): LiveMessage {
    const { status } = this.terminal;
    return {
      type: 'clock',
      at: this.terminal.clock.now(),
      venueFeed: status.venueFeed(),
      network: status.network(),
    };
  }

  private start(): void {
    if (this.poll) return;
    this.poll = setInterval(() => this.check(), POLL_MS);
    this.tick = setInterval(() => {
      const clock = this.clock();
      for (const s of this.subscribers) this.safeSend(s, clock);
    }, CLOCK_MS);
  }

  private stop(): void {
    clearInterval(this.poll);
    clearInterval(this.tick);
    this.poll = undefined;
    this.tick = undefined;
  }

  private check(): void {
    const current = new Map<number, number>();
    for (const s of this.subscribers) {
      let version = current.get(s.eventId);
      if (version === undefined) {
        version = this.versionOf.get(s.eventId)?.version ?? s.version;
        current.set(s.eventId, version);
      }
      if (version !== s.version) this.push(s);
    }
  }

  private push(s: Subscriber): void {
    const changes = this.terminal.availability.changesSince({
      eventId: s.eventId,
      sinceVersion: s.version,
    });
    if (!changes.reset && changes.version === s.version) return;
    s.version = changes.version;
    this.safeSend(s, { type: 'changes', changes });
  }

  private safeSend(s: Subscriber, message: LiveMessage): void {
    try {
      s.send(message);
    } catch {
      // A screen that went away stops listening; the others carry on.
      this.subscribers.delete(s);
    }
  }
}
