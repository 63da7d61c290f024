import type { z } from 'zod';
import type { leaseRequest } from '../../../shared/api/leases.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import { type LeaseGrant, type LeaseInput, leaseInput } from '../../../shared/schemas/sync.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import type { LeaseClock } from './lease-clock.ts';

/**
 * The counter stops selling from a lease this long before its end: the monotonic lease clock and
 * the server's may disagree by a round trip, and a sale must reach the server inside the lease.
 */
export const LEASE_SELL_MARGIN_MS = 60_000;

/** A lease is renewed while online once less than this share of its period is left. */
const RENEW_WHEN_LEFT = 0.5;

export interface LeaseRow {
  id: string;
  event_id: number;
  expires_at: number;
  ticket_from: number;
  ticket_to: number;
  next_ticket: number;
  ga_zone_id: number | null;
  ga_quantity: number;
  ga_sold: number;
  status: 'OPEN' | 'RETURNED';
  /** When the server granted or last renewed it (server time). */
  created_at: number;
}

/** A lease as the supervisor sees it (`taquilla leases`, the leases.* API methods). */
export interface LeaseView {
  leaseId: string;
  eventId: number;
  status: 'OPEN' | 'RETURNED';
  /** The lease's end at the server (server time, epoch ms). */
  expiresAt: number;
  /** This counter sells from it until here (the end less LEASE_SELL_MARGIN_MS). */
  sellsUntil: number;
  /** Whether it sells now (by the lease clock, not the PC clock). */
  selling: boolean;
  seatIds: number[];
  soldSeatIds: number[];
  general: { zoneId: number; quantity: number; sold: number } | null;
  ticketFrom: number;
  ticketTo: number;
  nextTicket: number;
}

/** What the desk needs of the link to the server (the sync engine). */
export interface LeaseLink {
  /** An operation at the server through the outbox; throws the server's refusal or OFFLINE. */
  call<T>(op: 'lease' | 'leaseReturn', body: unknown): Promise<T>;
  /** Reports everything queued; resolves when the queue is empty or the link failed. */
  flush(): Promise<void>;
  /** Offline sales and other reports not yet acknowledged. */
  pending(): number;
  online(): boolean;
  /** The terminal was revoked at the server: it sells nothing more, from any lease. */
  revoked(): boolean;
  /** Seats the server shows free now in `eventId` (OFFLINE when it cannot be asked). */
  freeSeats(eventId: number): Promise<Set<number>>;
}

/**
 * When a lease is renewed and for how long: the event's lease policy decides (lease-keeper.ts); null
 * when the event has none, and then a lease renews once less than half of its period is left, for
 * the period the server gives.
 */
export type RenewRule = (lease: LeaseRow) => { due: boolean; minutes: number } | null;

interface RenewReply {
  expiresAt: number;
  seatIds: number[];
  general: { quantity: number } | null;
}

/**
 * This counter's offline leases: taking them (acquire), giving them back (return, only once every
 * sale from them is reported), renewing them while online for the event's lease policy, and the one
 * rule of when a lease sells, judged on the lease clock. Owns sync_leases and sync_lease_seats.
 */
export class LeaseDesk {
  private readonly sql;
  private renewing: Promise<void> | null = null;
  /** Leases being given back: they sell nothing meanwhile (a sale from one would reach a returned lease). */
  private readonly returning = new Set<string>();
  /** Set by the lease keeper: the event's policy decides renewals of its leases. */
  renewRule: RenewRule = () => null;

  constructor(
    private readonly db: Db,
    readonly clock: LeaseClock,
    private readonly link: LeaseLink,
  ) {
    this.sql = {
      byId: db.prepare<[string], LeaseRow>('SELECT * FROM sync_leases WHERE id = ?'),
      open: db.prepare<[], LeaseRow>("SELECT * FROM sync_leases WHERE status = 'OPEN' ORDER BY created_at"),
      all: db.prepare<[], LeaseRow>('SELECT * FROM sync_leases ORDER BY created_at DESC LIMIT 200'),
      seats: db.prepare<[string], { seat_id: number; sold_at: number | null }>(
        'SELECT seat_id, sold_at FROM sync_lease_seats WHERE lease_id = ? ORDER BY seat_id',
      ),
      insert: db.prepare<
        [string, number, number, number, number, number, number | null, number, number, string | null]
      >(
        // The generation that granted it (an older server names none: the one seen now): a sale from a
        // lease a later restore lost is re-sent (migration 037).
        `INSERT INTO sync_leases (id, event_id, expires_at, ticket_from, ticket_to, next_ticket, ga_zone_id,
           ga_quantity, status, created_at, generation)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?,
           COALESCE(?, (SELECT value FROM sync_state WHERE key = 'server_generation')))`,
      ),
      insertSeat: db.prepare<[string, number]>(
        'INSERT INTO sync_lease_seats (lease_id, seat_id) VALUES (?, ?)',
      ),
      renew: db.prepare<[number, number, string]>(
        'UPDATE sync_leases SET expires_at = ?, created_at = ? WHERE id = ?',
      ),
      setGaQuantity: db.prepare<[number, string]>(
        'UPDATE sync_leases SET ga_quantity = ga_sold + ? WHERE id = ?',
      ),
      dropSeatsExcept: db.prepare<[string, string]>(
        `DELETE FROM sync_lease_seats WHERE lease_id = ? AND sold_at IS NULL
           AND seat_id NOT IN (SELECT value FROM json_each(?))`,
      ),
      close: db.prepare<[string]>("UPDATE sync_leases SET status = 'RETURNED' WHERE id = ?"),
      zoneName: db.prepare<[number], { name: string }>('SELECT name FROM zones WHERE id = ?'),
      zoneSeats: db.prepare<[number, number], { id: number }>(
        'SELECT s.id FROM seats s JOIN zones z ON z.id = s.zone_id WHERE z.event_id = ? AND s.zone_id = ? ORDER BY s.id',
      ),
    };
  }

  byId(id: string): LeaseRow | undefined {
    return this.sql.byId.get(id);
  }

  openLeases(): LeaseRow[] {
    return this.sql.open.all();
  }

  /** The last moment (server time) this counter sells from `lease`. */
  sellsUntil(lease: Pick<LeaseRow, 'expires_at'>): number {
    return lease.expires_at - LEASE_SELL_MARGIN_MS;
  }

  /** Whether `lease` sells now: open, and before its end less the margin on the lease clock. */
  selling(lease: Pick<LeaseRow, 'id' | 'expires_at' | 'status'>): boolean {
    return (
      !this.link.revoked() &&
      lease.status === 'OPEN' &&
      !this.returning.has(lease.id) &&
      this.clock.now() < this.sellsUntil(lease)
    );
  }

  /** NOT_LEASED unless `lease` sells now (`endedAt` says when it stopped). */
  assertSelling(lease: LeaseRow, details: { seatIds: number[]; zoneId?: number }): void {
    if (this.selling(lease)) return;
    if (this.link.revoked()) {
      throw new TaquillaError('UNAUTHORIZED', 'This terminal was revoked at the server; enrol it again', {});
    }
    throw new TaquillaError(
      'NOT_LEASED',
      'The offline lease has ended: sell online, or acquire a new lease',
      {
        ...details,
        endedAt: this.sellsUntil(lease),
      },
    );
  }

  /** Unsold seats of `eventId` in this counter's leases that sell now (the seat map shows them). */
  sellableSeats(eventId: number): number[] {
    return this.sql.open
      .all()
      .filter((l) => l.event_id === eventId && this.selling(l))
      .flatMap((l) =>
        this.sql.seats
          .all(l.id)
          .filter((s) => s.sold_at === null)
          .map((s) => s.seat_id),
      );
  }

  list(includeReturned = false): LeaseView[] {
    const rows = includeReturned ? this.sql.all.all() : this.sql.open.all();
    return rows.map((l) => {
      const seats = this.sql.seats.all(l.id);
      return {
        leaseId: l.id,
        eventId: l.event_id,
        status: l.status,
        expiresAt: l.expires_at,
        sellsUntil: this.sellsUntil(l),
        selling: this.selling(l),
        seatIds: seats.map((s) => s.seat_id),
        soldSeatIds: seats.filter((s) => s.sold_at !== null).map((s) => s.seat_id),
        general:
          l.ga_zone_id === null ? null : { zoneId: l.ga_zone_id, quantity: l.ga_quantity, sold: l.ga_sold },
        ticketFrom: l.ticket_from,
        ticketTo: l.ticket_to,
        nextTicket: l.next_ticket,
      };
    });
  }

  /** While online: takes seats, standing places and a block of ticket numbers to sell offline. */
  async acquire(raw: LeaseInput): Promise<LeaseGrant> {
    const input = parseInput(leaseInput, raw);
    const grant = await this.link.call<LeaseGrant>('lease', input);
    this.record(grant);
    return grant;
  }

  /**
   * The supervisor's request: seats by id, or `count` seats of a numbered zone the server shows free
   * now (in seat order), and/or standing places; ticket numbers default to the places plus half.
   */
  async acquireFor(request: z.output<typeof leaseRequest>, actor: string): Promise<LeaseGrant> {
    const seatIds = [...(request.seatIds ?? [])];
    if (request.zoneId !== undefined && request.count !== undefined) {
      const free = await this.link.freeSeats(request.eventId);
      const zoneSeats = this.sql.zoneSeats
        .all(request.eventId, request.zoneId)
        .map((s) => s.id)
        .filter((seatId) => free.has(seatId) && !seatIds.includes(seatId));
      if (zoneSeats.length < request.count) {
        throw new TaquillaError('ZONE_FULL', `Only ${zoneSeats.length} seats of that zone are free`, {
          zoneId: request.zoneId,
          zoneName: this.sql.zoneName.get(request.zoneId)?.name ?? String(request.zoneId),
          requested: request.count,
          available: zoneSeats.length,
        });
      }
      seatIds.push(...zoneSeats.slice(0, request.count));
    }
    const places = seatIds.length + (request.general?.quantity ?? 0);
    return this.acquire({
      eventId: request.eventId,
      actor,
      seatIds,
      ...(request.general ? { general: request.general } : {}),
      ticketNumbers: request.ticketNumbers ?? Math.min(100_000, Math.ceil(places * 1.5)),
    });
  }

  /** Writes a grant the server made (also one whose reply arrived after a restart). */
  record(grant: LeaseGrant): void {
    this.db
      .transaction(() => {
        this.sql.insert.run(
          grant.leaseId,
          grant.eventId,
          grant.expiresAt,
          grant.ticketFrom,
          grant.ticketTo,
          grant.ticketFrom,
          grant.general?.zoneId ?? null,
          grant.general?.quantity ?? 0,
          this.clock.now(),
          grant.generation ?? null,
        );
        for (const seatId of grant.seatIds) this.sql.insertSeat.run(grant.leaseId, seatId);
      })
      .immediate();
  }

  /** Gives a lease back now: every sale from it is reported first, or it is not given back (OFFLINE). */
  async return(leaseId: string, actor: string): Promise<{ returned: number }> {
    const lease = this.sql.byId.get(leaseId);
    if (!lease || lease.status !== 'OPEN') {
      throw new TaquillaError('UNKNOWN_LEASE', `There is no open lease ${leaseId} here`, { leaseId });
    }
    // From now on (in this same tick) the lease sells nothing here; if it cannot be given back, it sells again.
    this.returning.add(leaseId);
    try {
      await this.link.flush();
      if (this.link.pending() > 0) {
        throw new TaquillaError('OFFLINE', 'Sales are still waiting to be reported', {
          outbox: this.link.pending(),
        });
      }
      const result = await this.link.call<{ returned: number }>('leaseReturn', { leaseId, actor });
      this.sql.close.run(leaseId);
      return result;
    } finally {
      this.returning.delete(leaseId);
    }
  }

  /**
   * The heartbeat names this terminal's open leases at the server: one not named was ended there (a
   * supervisor's `taquilla-server leases --end`) and sells no more here. A lease recorded after the
   * heartbeat's answer was read (granted meanwhile) is left alone.
   */
  closeEnded(openAtServer: readonly string[], serverTime: number): void {
    const open = new Set(openAtServer);
    for (const lease of this.sql.open.all()) {
      if (!open.has(lease.id) && lease.created_at < serverTime - 5_000) this.sql.close.run(lease.id);
    }
  }

  /** Closes a lease here without asking the server (it was given back or ended there). */
  closeLocally(leaseId: string): void {
    this.sql.close.run(leaseId);
  }

  /**
   * Online, with every sale reported: renews each open lease that has less than half of its period
   * left (or all of them with `all`), for the event's lease policy at the server. A lease the server
   * closed (returned, or ended by the supervisor) is closed here too.
   */
  renewDue(all = false): Promise<void> {
    this.renewing ??= this.renewEach(all).finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async renewEach(all: boolean): Promise<void> {
    for (const lease of this.sql.open.all()) {
      if (!this.link.online() || this.link.pending() > 0) return;
      const rule = this.renewRule(lease);
      const period = Math.max(0, lease.expires_at - lease.created_at);
      const left = lease.expires_at - this.clock.now();
      const due = rule ? rule.due : left <= period * RENEW_WHEN_LEFT;
      if (!all && !due) continue;
      let reply: RenewReply;
      try {
        reply = await this.link.call<RenewReply>('leaseReturn', {
          leaseId: lease.id,
          actor: 'sync',
          ...(rule ? { renewMinutes: rule.minutes } : { renew: true }),
        });
      } catch (error) {
        if (error instanceof TaquillaError && error.code === 'UNKNOWN_LEASE') this.sql.close.run(lease.id);
        continue;
      }
      this.db
        .transaction(() => {
          this.sql.renew.run(reply.expiresAt, this.clock.now(), lease.id);
          // Seats and places whose hold ran out at the server before the renewal are no longer ours.
          this.sql.dropSeatsExcept.run(lease.id, JSON.stringify(reply.seatIds ?? []));
          this.sql.setGaQuantity.run(Number(reply.general?.quantity ?? 0), lease.id);
        })
        .immediate();
    }
  }
}
