import { customerMatches, uuidPrefix } from '../../shared/customer-keys.ts';
import { TaquillaError } from '../../shared/errors.ts';
import { type TransactionStatus } from '../../shared/lifecycle.ts';
import { type ServerPayment, type ServerReservation } from '../../shared/schemas/sync.ts';
import type { ChangesSince, SeatStateRow } from './hold-store.ts';
import {
  Changes,
  LIVE,
  type OpContext,
  type SqlDb,
  type SqlTx,
  type TicketRow,
  ticketView,
} from './sql-tx.ts';

/**
 * What terminals read of the map: the change feed, snapshots, reservation search, and the change
 * set an operation records.
 */

export async function searchReservations(
  db: SqlDb,
  tenantId: number,
  query: string,
  includeClosed: boolean,
  now: number,
): Promise<ServerReservation[]> {
  return db.read(async (tx) => {
    const columns = `x.id, x.event_id, x.session_id, x.actor, x.status, x.reserved_until, c.name, c.id_number, c.phone`;
    type Row = {
      id: string;
      event_id: number;
      session_id: string;
      actor: string;
      status: TransactionStatus;
      reserved_until: number | null;
      name: string;
      id_number: string | null;
      phone: string | null;
    };
    const found = new Map<string, Row>();
    const prefix = uuidPrefix(query);
    if (prefix) {
      const byNumber = await tx.all<Row>(
        `SELECT ${columns} FROM transactions x
         JOIN reservation_customers c ON c.tenant_id = x.tenant_id AND c.transaction_id = x.id
         WHERE x.tenant_id = ? AND x.id LIKE ? LIMIT 20`,
        [tenantId, `${prefix}%`],
      );
      for (const row of byNumber) found.set(row.id, row);
    }
    // Reservations are few beside holds: the accent- and separator-blind match is done here.
    const candidates = await tx.all<Row>(
      `SELECT ${columns} FROM transactions x
       JOIN reservation_customers c ON c.tenant_id = x.tenant_id AND c.transaction_id = x.id
       WHERE x.tenant_id = ? AND (? = 1 OR x.status = 'RESERVED')`,
      [tenantId, includeClosed ? 1 : 0],
    );
    for (const row of candidates) {
      if (customerMatches(query, { name: row.name, idNumber: row.id_number, phone: row.phone })) {
        found.set(row.id, row);
      }
    }
    // A ticket number (as printed, leading zeros or not) names the reservation its place is in.
    const digits = query.replace(/\D/g, '');
    if (/^[\d\s-]+$/.test(query) && digits.length > 0 && digits.length <= 15) {
      const byTicket = await tx.all<Row>(
        `SELECT ${columns} FROM ticket_numbers n
         JOIN transactions x ON x.tenant_id = n.tenant_id AND x.id = n.transaction_id
         JOIN reservation_customers c ON c.tenant_id = x.tenant_id AND c.transaction_id = x.id
         WHERE n.tenant_id = ? AND n.number = ? AND (? = 1 OR x.status = 'RESERVED')`,
        [tenantId, Number(digits), includeClosed ? 1 : 0],
      );
      for (const row of byTicket) found.set(row.id, row);
    }
    const out: ServerReservation[] = [];
    for (const row of [...found.values()].slice(0, 20)) {
      const items = await tx.all<TicketRow>(
        `SELECT t.id, t.transaction_id, t.zone_id, t.seat_id, t.quantity, t.status, t.reserved_until, t.created_at,
                t.price_cents, COALESCE(s.label, z.name) AS label
         FROM tickets t
         LEFT JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
         JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
         WHERE t.tenant_id = ? AND t.transaction_id = ? AND t.status IN ('ACTIVE', 'COMPLETED') ORDER BY t.id`,
        [tenantId, row.id],
      );
      const payments = await tx.all<{ record: string }>(
        'SELECT record FROM payments WHERE tenant_id = ? AND transaction_id = ? ORDER BY created_at, id',
        [tenantId, row.id],
      );
      const numbers = await tx.all<{ ticket_id: number; number: number }>(
        'SELECT ticket_id, number FROM ticket_numbers WHERE tenant_id = ? AND transaction_id = ? ORDER BY ticket_id, place',
        [tenantId, row.id],
      );
      const numbersOf = (ticketId: number) =>
        numbers.filter((n) => Number(n.ticket_id) === ticketId).map((n) => Number(n.number));
      const until = row.reserved_until === null ? null : Number(row.reserved_until);
      out.push({
        transactionId: row.id,
        eventId: Number(row.event_id),
        sessionId: row.session_id,
        actor: row.actor,
        // A reservation whose time ran out is expired, whether or not anything marked it.
        status: row.status === 'RESERVED' && until !== null && until <= now ? 'EXPIRED' : row.status,
        reservedUntil: until,
        customer: { name: row.name, idNumber: row.id_number, phone: row.phone },
        items: items.map((t) => {
          const ticketNumbers = numbersOf(Number(t.id));
          const view = ticketView({
            ...t,
            zone_id: Number(t.zone_id),
            seat_id: t.seat_id === null ? null : Number(t.seat_id),
            quantity: Number(t.quantity),
            reserved_until: Number(t.reserved_until),
            price_cents: Number(t.price_cents),
          });
          return ticketNumbers.length > 0 ? { ...view, ticketNumbers } : view;
        }),
        payments: payments.map((p) => JSON.parse(p.record) as ServerPayment),
      });
    }
    return out;
  });
}

export async function changesSince(
  db: SqlDb,
  tenantId: number,
  eventId: number,
  sinceVersion: number,
  now: number,
): Promise<ChangesSince> {
  return db.read(async (tx) => {
    const [event] = await tx.all<{ version: number; floor: number }>(
      `SELECT e.version, COALESCE(f.version, 0) AS floor FROM events e
       LEFT JOIN feed_floors f ON f.tenant_id = e.tenant_id AND f.event_id = e.id
       WHERE e.tenant_id = ? AND e.id = ?`,
      [tenantId, eventId],
    );
    if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
    // The feed before `floor` was pruned: what changed since this cursor is no longer known in
    // part, so the answer is the whole event. So is a cursor ahead of the event: it was read from a
    // database since restored from an older backup (issue 14); the lower version tells the reader.
    if (sinceVersion < Number(event.floor) || sinceVersion > Number(event.version)) {
      return wholeEvent(tx, tenantId, eventId, now);
    }
    const seats = await seatStates(
      tx,
      tenantId,
      eventId,
      now,
      `AND ${db.inSet('s.id', 'SELECT seat_id FROM changes WHERE tenant_id = ? AND event_id = ? AND version > ? AND seat_id IS NOT NULL')}`,
      [tenantId, eventId, sinceVersion],
    );
    const zones = await zoneStates(
      tx,
      tenantId,
      eventId,
      now,
      `AND ${db.inSet('z.id', 'SELECT zone_id FROM changes WHERE tenant_id = ? AND event_id = ? AND version > ? AND seat_id IS NULL')}`,
      [tenantId, eventId, sinceVersion],
    );
    return {
      eventId,
      fromVersion: sinceVersion,
      version: Number(event.version),
      seats,
      zones,
    };
  });
}

export async function snapshot(
  db: SqlDb,
  tenantId: number,
  eventId: number,
  now: number,
): Promise<ChangesSince> {
  return db.read((tx) => wholeEvent(tx, tenantId, eventId, now));
}

export async function wholeEvent(
  tx: SqlTx,
  tenantId: number,
  eventId: number,
  now: number,
): Promise<ChangesSince> {
  const [event] = await tx.all<{ version: number }>(
    'SELECT version FROM events WHERE tenant_id = ? AND id = ?',
    [tenantId, eventId],
  );
  if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
  const seats = await seatStates(tx, tenantId, eventId, now, '', []);
  const zones = await zoneStates(tx, tenantId, eventId, now, "AND z.kind = 'general'", []);
  return {
    eventId,
    fromVersion: 0,
    version: Number(event.version),
    seats,
    zones,
  };
}

export async function seatStates(
  tx: SqlTx,
  tenantId: number,
  eventId: number,
  now: number,
  filter: string,
  params: unknown[],
): Promise<SeatStateRow[]> {
  const rows = await tx.all<{
    id: number;
    blocked: number;
    status: string | null;
    reserved_until: number | null;
    tx_status: string | null;
    session_id: string | null;
  }>(
    `SELECT s.id, s.blocked, t.status, t.reserved_until, x.status AS tx_status, x.session_id
     FROM seats s
     LEFT JOIN tickets t ON t.tenant_id = s.tenant_id AND t.event_id = s.event_id AND t.seat_id = s.id
       AND t.${LIVE} AND (t.status = 'COMPLETED' OR t.reserved_until > ?)
     LEFT JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
     WHERE s.tenant_id = ? AND s.event_id = ? ${filter} ORDER BY s.id`,
    [now, tenantId, eventId, ...params],
  );
  return rows.map((r) => {
    const state: SeatStateRow['state'] =
      Number(r.blocked) === 1
        ? 'blocked'
        : r.status === 'COMPLETED'
          ? 'sold'
          : r.status === 'ACTIVE'
            ? r.tx_status === 'RESERVED' && !String(r.session_id).startsWith('lease:')
              ? 'reserved'
              : 'held'
            : 'free';
    // Until when a hold or reservation blocks the seat: after that, time alone frees it everywhere.
    const until = state === 'held' || state === 'reserved' ? Number(r.reserved_until) : null;
    return { seatId: Number(r.id), state, until };
  });
}

export async function zoneStates(
  tx: SqlTx,
  tenantId: number,
  eventId: number,
  now: number,
  filter: string,
  params: unknown[],
) {
  const rows = await tx.all<{ id: number; capacity: number; live: number }>(
    `SELECT z.id, z.capacity, (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
        WHERE t.tenant_id = z.tenant_id AND t.event_id = z.event_id AND t.zone_id = z.id AND t.seat_id IS NULL
          AND t.${LIVE} AND (t.status = 'COMPLETED' OR t.reserved_until > ?)) AS live
     FROM zones z WHERE z.tenant_id = ? AND z.event_id = ? ${filter} ORDER BY z.id`,
    [now, tenantId, eventId, ...params],
  );
  return rows.map((r) => ({
    zoneId: Number(r.id),
    available: Number(r.capacity) - Number(r.live),
  }));
}

export function changed(ctx: OpContext, eventId: number, zoneId: number, seatId: number | null): void {
  let changes = ctx.changes.get(eventId);
  if (!changes) {
    changes = new Changes();
    ctx.changes.set(eventId, changes);
  }
  changes.seat(Number(zoneId), seatId === null ? null : Number(seatId));
}

/** Last in the write: the version bump row-locks the event, so hold that lock as briefly as possible. */
export async function flushChanges(ctx: OpContext): Promise<void> {
  if (ctx.audit.length > 0) {
    await ctx.db.recordAudit(ctx.tx, ctx.tenantId, ctx.credentialId, ctx.now, ctx.audit.splice(0));
  }
  for (const [eventId, changes] of ctx.changes) {
    if (changes.isEmpty) continue;
    await ctx.db.recordChanges(ctx.tx, ctx.tenantId, eventId, [
      ...[...changes.seats].map((seatId) => ({ seat_id: seatId, zone_id: 0 })),
      ...[...changes.zones].map((zoneId) => ({ seat_id: null, zone_id: zoneId })),
    ]);
  }
}
