import { TaquillaError } from '../../shared/errors.ts';
import { heldTicketFromRow } from '../../shared/ticket-rows.ts';
import type {
  HeldTicketFact,
  LateZoneHold,
  SeatFact,
  SeatTicketFact,
  SessionFact,
  ZoneFact,
} from '../../shared/hold-rules/index.ts';
import type { TransactionStatus } from '../../shared/lifecycle.ts';
import { LIVE, marks, type OpContext, textByCount, type TicketRow, type TxRow } from './sql-tx.ts';

/**
 * The facts the hold rules (shared/hold-rules) decide on, read inside the operation's own write.
 * Only reads: what to write is the rules' answer, written by sql-effects.ts.
 */

export async function eventOrThrow(ctx: OpContext, eventId: number) {
  const [event] = await ctx.tx.all<{ id: number; lease_minutes: number }>(
    'SELECT id, lease_minutes FROM events WHERE tenant_id = ? AND id = ?',
    [ctx.tenantId, eventId],
  );
  if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
  return { id: Number(event.id), lease_minutes: Number(event.lease_minutes) };
}

const SEAT_FACTS = textByCount(
  (n) => `SELECT s.id, s.zone_id, s.label, s.blocked, s.blocked_reason, z.price_cents FROM seats s
     JOIN zones z ON z.tenant_id = s.tenant_id AND z.event_id = s.event_id AND z.id = s.zone_id
     WHERE s.tenant_id = ? AND s.event_id = ? AND s.id IN (${marks(n)})`,
);

/** The requested seats the event has, with their price and house-seat block. */
export async function seatFacts(
  ctx: OpContext,
  eventId: number,
  seatIds: readonly number[],
): Promise<SeatFact[]> {
  const rows = await ctx.tx.all<Record<string, string | number | null>>(SEAT_FACTS(seatIds.length), [
    ctx.tenantId,
    eventId,
    ...seatIds,
  ]);
  // Seats exist only in an event that does: on a miss, say first whether the event is unknown.
  if (rows.length !== seatIds.length) await eventOrThrow(ctx, eventId);
  return rows.map((s) => ({
    seatId: Number(s.id),
    zoneId: Number(s.zone_id),
    label: String(s.label),
    priceCents: Number(s.price_cents),
    blocked: Number(s.blocked) === 1,
    blockedReason: s.blocked_reason === null ? null : String(s.blocked_reason),
  }));
}

const SEAT_TICKET_FACTS = textByCount(
  (n) => `SELECT t.id, t.zone_id, t.seat_id, t.status, t.reserved_until, t.session_id, t.transaction_id,
            x.status AS tx_status, x.actor, s.label
     FROM tickets t
     JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
     JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
     WHERE t.tenant_id = ? AND t.event_id = ? AND t.seat_id IN (${marks(n)})
       AND t.seat_id IS NOT NULL AND t.${LIVE}`, // one_live_ticket_per_seat's whole predicate: SQLite uses it
);

/**
 * Every live-indexed ticket on the seats (late holds included: the rules expire them). Reads only
 * the unique partial index one_live_ticket_per_seat, never a seat's past tickets.
 */
export async function seatTicketFacts(
  ctx: OpContext,
  eventId: number,
  seatIds: readonly number[],
): Promise<SeatTicketFact[]> {
  const rows = await ctx.tx.all<Record<string, string | number>>(SEAT_TICKET_FACTS(seatIds.length), [
    ctx.tenantId,
    eventId,
    ...seatIds,
  ]);
  return rows.map((r) => ({
    ticketId: Number(r.id),
    seatId: Number(r.seat_id),
    zoneId: Number(r.zone_id),
    label: String(r.label),
    status: r.status as SeatTicketFact['status'],
    reservedUntil: Number(r.reserved_until),
    sessionId: String(r.session_id),
    transactionId: String(r.transaction_id),
    transactionStatus: r.tx_status as TransactionStatus,
    actor: String(r.actor),
  }));
}

/**
 * The session's open cart in the event and how many places it holds across events, in one read.
 */
export async function sessionFact(ctx: OpContext, eventId: number, sessionId: string): Promise<SessionFact> {
  const [row] = await ctx.tx.all<{ id: string | null; held: number }>(
    `SELECT x.id,
            (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
             JOIN transactions y ON y.tenant_id = t.tenant_id AND y.id = t.transaction_id
             WHERE t.tenant_id = ? AND t.session_id = ? AND t.status = 'ACTIVE' AND y.status = 'PENDING'
               AND t.reserved_until > ?) AS held
     FROM (SELECT 1 AS one) AS one
     LEFT JOIN transactions x ON x.tenant_id = ? AND x.event_id = ? AND x.session_id = ? AND x.status = 'PENDING'`,
    [ctx.tenantId, sessionId, ctx.now, ctx.tenantId, eventId, sessionId],
  );
  return { sessionId, cartId: row?.id ?? null, held: Number(row?.held ?? 0) };
}

/**
 * A zone as the rules see it, its row locked until COMMIT (PostgreSQL; SQLite has one writer), and
 * its standing-places holds whose time ran out. UNKNOWN_EVENT / UNKNOWN_ZONE when missing.
 */
export async function zoneFacts(
  ctx: OpContext,
  eventId: number,
  zoneId: number,
): Promise<{ zone: ZoneFact; late: LateZoneHold[] }> {
  const zone = await zoneFact(ctx, eventId, zoneId, ctx.db.forUpdate);
  if (zone.kind !== 'general') return { zone, late: [] };
  const late = await ctx.tx.all<{ id: number; transaction_id: string; quantity: number }>(
    `SELECT id, transaction_id, quantity FROM tickets
     WHERE tenant_id = ? AND event_id = ? AND zone_id = ? AND seat_id IS NULL AND status = 'ACTIVE'
       AND reserved_until <= ?`,
    [ctx.tenantId, eventId, zoneId, ctx.now],
  );
  return {
    zone,
    late: late.map((t) => ({
      ticketId: Number(t.id),
      transactionId: t.transaction_id,
      quantity: Number(t.quantity),
    })),
  };
}

/** A zone as the rules see it (`lock`: SqlDb.forUpdate, or '' to only read). */
export async function zoneFact(
  ctx: OpContext,
  eventId: number,
  zoneId: number,
  lock = '',
): Promise<ZoneFact> {
  const [row] = await ctx.tx.all<{
    id: number;
    kind: 'numbered' | 'general';
    name: string;
    capacity: number;
    used: number;
    price_cents: number;
  }>(
    `SELECT id, kind, name, capacity, used, price_cents FROM zones
     WHERE tenant_id = ? AND event_id = ? AND id = ?${lock}`,
    [ctx.tenantId, eventId, zoneId],
  );
  if (!row) {
    await eventOrThrow(ctx, eventId);
    throw new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, { zoneId });
  }
  return {
    zoneId: Number(row.id),
    name: row.name,
    kind: row.kind,
    capacity: Number(row.capacity),
    used: Number(row.used),
    priceCents: Number(row.price_cents),
  };
}

/** A ticket row as the rules see it. */
export const heldFact: (t: TicketRow) => HeldTicketFact = heldTicketFromRow;

/** A cart's tickets with the labels screens show (an extension's reply names its seats). */
const CARTS_WITH_LABELS = `SELECT x.id, x.event_id, x.session_id, x.actor, x.status, x.reserved_until,
            t.id AS t_id, t.zone_id, t.seat_id, t.quantity, t.reserved_until AS reserved_until_t, t.created_at,
            t.price_cents, COALESCE(s.label, z.name) AS label
     FROM transactions x
     LEFT JOIN tickets t ON t.tenant_id = x.tenant_id AND t.transaction_id = x.id AND t.status = 'ACTIVE'
     LEFT JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
     LEFT JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
     WHERE x.tenant_id = ? AND x.session_id = ? AND x.status = 'PENDING' AND (? = 0 OR x.event_id = ?)`;
/** The same without labels (a release replies with ids only): two joins fewer. */
const CARTS = `SELECT x.id, x.event_id, x.session_id, x.actor, x.status, x.reserved_until,
            t.id AS t_id, t.zone_id, t.seat_id, t.quantity, t.reserved_until AS reserved_until_t, t.created_at,
            t.price_cents, '' AS label
     FROM transactions x
     LEFT JOIN tickets t ON t.tenant_id = x.tenant_id AND t.transaction_id = x.id AND t.status = 'ACTIVE'
     WHERE x.tenant_id = ? AND x.session_id = ? AND x.status = 'PENDING' AND (? = 0 OR x.event_id = ?)`;

/**
 * The session's PENDING carts (in one event, or all) with their ACTIVE tickets, in one read.
 * `labels`: each ticket's seat label or zone name (else '': a release replies with ids only).
 */
export async function cartsWithTickets(
  ctx: OpContext,
  sessionId: string,
  eventId: number | null,
  labels = true,
): Promise<{ cart: TxRow; tickets: TicketRow[] }[]> {
  const rows = await ctx.tx.all<
    TxRow & {
      t_id: number | null;
      zone_id: number;
      seat_id: number | null;
      quantity: number;
      reserved_until_t: number;
      created_at: number;
      price_cents: number;
      label: string;
    }
  >(
    labels ? CARTS_WITH_LABELS : CARTS,
    // No ORDER BY: SQLite would walk every transaction of the tenant in key order to avoid a sort;
    // the session's few rows are sorted here instead (transactions_by_session finds them).
    [ctx.tenantId, sessionId, eventId === null ? 0 : 1, eventId ?? 0],
  );
  const carts = new Map<string, { cart: TxRow; tickets: TicketRow[] }>();
  for (const r of rows) {
    let entry = carts.get(r.id);
    if (!entry) {
      const cart: TxRow = {
        id: r.id,
        event_id: Number(r.event_id),
        session_id: r.session_id,
        actor: r.actor,
        status: r.status,
        reserved_until: r.reserved_until === null ? null : Number(r.reserved_until),
      };
      entry = { cart, tickets: [] };
      carts.set(r.id, entry);
    }
    if (r.t_id === null) continue;
    entry.tickets.push({
      id: Number(r.t_id),
      transaction_id: r.id,
      zone_id: Number(r.zone_id),
      seat_id: r.seat_id === null ? null : Number(r.seat_id),
      quantity: Number(r.quantity),
      status: 'ACTIVE',
      reserved_until: Number(r.reserved_until_t),
      created_at: Number(r.created_at),
      price_cents: Number(r.price_cents),
      label: r.label,
    });
  }
  const sorted = [...carts.values()].sort((a, b) =>
    a.cart.id < b.cart.id ? -1 : a.cart.id > b.cart.id ? 1 : 0,
  );
  for (const entry of sorted) entry.tickets.sort((a, b) => a.id - b.id);
  return sorted;
}
