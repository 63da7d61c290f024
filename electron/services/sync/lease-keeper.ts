import {
  type EventFree,
  type LeaseInstructions,
  type LeasePolicyEntry,
  leaseInstructions,
  planAcquire,
  renewDue,
  returnReason,
} from '../../../shared/lease-policy.ts';
import type { Db } from '../../store/database.ts';
import type { LeaseDesk, LeaseRow } from './lease-desk.ts';

/** After a lease could not be taken (none to take, or the server refused), try again this much later. */
const RETRY_ACQUIRE_MS = 15_000;
/** The server's availability is asked at most this often per event (the heartbeat is far more frequent). */
const FREE_FRESH_MS = 5_000;

/** What the keeper needs of the link to the server (the sync engine). */
export interface KeeperLink {
  online(): boolean;
  /** Offline sales and other reports not yet acknowledged. */
  pending(): number;
  /** The server's availability of an event (`GET /v1/events/:id/availability`'s result). */
  availability(eventId: number): Promise<unknown>;
}

interface ServerAvailability {
  seats?: { seatId: number; state: string }[];
  zones?: { zoneId: number; available: number }[];
}

/**
 * Keeps this counter's leases by the venue's lease policy while online (issue 14): takes a lease
 * when it has none for an event with a policy, renews it before its end for the policy's duration,
 * and gives unsold places back when the supervisor recalls them (rebalance), when the night is
 * nearly sold out, or on reconnect if the policy says so. A lease is given back only once every sale
 * from it is reported (LeaseDesk.return). The policy comes with each heartbeat; the decisions are
 * shared/lease-policy.ts's.
 */
export class LeaseKeeper {
  private instructions: LeaseInstructions | null = null;
  private running: Promise<void> | null = null;
  /** Per event: not before this lease-clock time is a lease tried again. */
  private readonly retryAt = new Map<number, number>();
  /** Per event: what the server showed free, and when (lease clock). */
  private readonly freeSeen = new Map<number, { at: number; free: EventFree }>();
  private readonly sql;

  constructor(
    db: Db,
    private readonly desk: LeaseDesk,
    private readonly link: KeeperLink,
  ) {
    this.sql = {
      seatZones: db.prepare<[number], { id: number; zone_id: number }>(
        'SELECT s.id, s.zone_id FROM seats s JOIN zones z ON z.id = s.zone_id WHERE z.event_id = ? ORDER BY s.id',
      ),
      liveCart: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM sync_lease_carts c JOIN transactions t ON t.id = c.transaction_id
         WHERE c.lease_id = ? AND t.status = 'PENDING'`,
      ),
      unsoldSeats: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM sync_lease_seats WHERE lease_id = ? AND sold_at IS NULL',
      ),
    };
    desk.renewRule = (lease) => {
      const entry = this.policyOf(lease.event_id);
      if (!entry) return null;
      return {
        due: renewDue(entry.policy, lease.expires_at, desk.clock.now()),
        minutes: entry.policy.durationMinutes,
      };
    };
  }

  /** The heartbeat's `leasePolicy` (a server without policies sends none: nothing is kept). */
  heard(raw: unknown): void {
    const parsed = leaseInstructions.safeParse(raw);
    this.instructions = parsed.success ? parsed.data : null;
  }

  /** The policy in force for this counter's leases of `eventId` (the server chose its own or the default). */
  policyOf(eventId: number): LeasePolicyEntry | null {
    return this.instructions?.policies.find((p) => p.eventId === eventId) ?? null;
  }

  /** The policies the server sent with the last heartbeat (the supervisor screen shows them). */
  policies(): LeasePolicyEntry[] {
    return this.instructions?.policies ?? [];
  }

  /**
   * Online with every sale reported: gives back what the policy or a recall says, then takes a lease
   * for each event with a policy and no selling lease. `reconnected`: the first pass after an outage.
   * One pass at a time; a call while one runs waits for it.
   */
  keep(reconnected = false): Promise<void> {
    this.running ??= this.pass(reconnected).finally(() => (this.running = null));
    return this.running;
  }

  private ready(): boolean {
    return this.instructions !== null && this.link.online() && this.link.pending() === 0;
  }

  private async pass(reconnected: boolean): Promise<void> {
    if (!this.ready()) return;
    const instructions = this.instructions!;
    const freeCache = this.freeSeen;
    const freeOf = async (eventId: number) => {
      const seen = freeCache.get(eventId);
      const at = this.desk.clock.now();
      if (seen && at - seen.at < FREE_FRESH_MS) return seen.free;
      const free = await this.eventFree(eventId);
      freeCache.set(eventId, { at, free });
      return free;
    };
    for (const lease of this.desk.openLeases()) {
      if (!this.ready()) return;
      const entry = this.policyOf(lease.event_id);
      const recalled = instructions.recalledLeases.includes(lease.id);
      const free =
        entry && entry.policy.soldOutBelow > 0 ? await freeOf(lease.event_id).catch(() => null) : null;
      const reason = returnReason(entry?.policy ?? null, {
        recalled,
        unsoldPlaces: this.unsold(lease),
        free,
        reconnected,
      });
      // A cashier is selling from it right now: it is given back at a later heartbeat, after the sale.
      if (reason === null || this.sql.liveCart.get(lease.id)!.n > 0) continue;
      try {
        await this.desk.return(lease.id, `sync:${reason}`);
        freeCache.delete(lease.event_id);
      } catch {
        // Sales still on their way, or the link went: the next heartbeat tries again.
        return;
      }
    }
    const now = this.desk.clock.now();
    for (const entry of instructions.policies) {
      if (!this.ready()) return;
      const selling = this.desk
        .openLeases()
        .some((l) => l.event_id === entry.eventId && this.desk.selling(l));
      if (selling || now < (this.retryAt.get(entry.eventId) ?? 0)) continue;
      const recalledAt = instructions.recalledEvents.find((e) => e.eventId === entry.eventId)?.at ?? null;
      try {
        const decision = planAcquire(entry.eventId, entry, await freeOf(entry.eventId), recalledAt);
        if (!decision.take) {
          this.retryAt.set(entry.eventId, now + RETRY_ACQUIRE_MS);
          continue;
        }
        await this.desk.acquire({ ...decision.plan, actor: 'sync:policy' });
        this.retryAt.delete(entry.eventId);
        freeCache.delete(entry.eventId);
      } catch {
        // Someone took the seats first, or the link went: try again a little later, from fresh facts.
        this.retryAt.set(entry.eventId, now + RETRY_ACQUIRE_MS);
        freeCache.delete(entry.eventId);
      }
    }
  }

  private unsold(lease: LeaseRow): number {
    return this.sql.unsoldSeats.get(lease.id)!.n + Math.max(0, lease.ga_quantity - lease.ga_sold);
  }

  /** What the server shows free for everyone now, per zone, seats in seat order. */
  private async eventFree(eventId: number): Promise<EventFree> {
    const reply = (await this.link.availability(eventId)) as ServerAvailability;
    const free = new Set((reply.seats ?? []).filter((s) => s.state === 'free').map((s) => s.seatId));
    const seatsByZone = new Map<number, number[]>();
    for (const seat of this.sql.seatZones.all(eventId)) {
      if (!free.has(seat.id)) continue;
      const zone = seatsByZone.get(seat.zone_id) ?? [];
      zone.push(seat.id);
      seatsByZone.set(seat.zone_id, zone);
    }
    const generalByZone = new Map((reply.zones ?? []).map((z) => [Number(z.zoneId), Number(z.available)]));
    return { seatsByZone, generalByZone };
  }
}
