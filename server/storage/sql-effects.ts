import { randomUUID } from 'node:crypto';
import type { TicketMove } from '../../shared/hold-rules/index.ts';
import type { TransactionStatus } from '../../shared/lifecycle.ts';
import { changed } from './sql-availability.ts';
import { marks, type OpContext, textByCount, type TxRow } from './sql-tx.ts';

const MOVE_TICKETS = textByCount(
  (n) => `UPDATE tickets SET status = ?, updated_at = ?
       WHERE tenant_id = ? AND status = 'ACTIVE' AND id IN (${marks(n)})
       RETURNING id, transaction_id, event_id, zone_id, seat_id, quantity`,
);
const TOUCHED = textByCount(
  (n) => `SELECT x.id, x.status, x.event_id, (SELECT COUNT(*) FROM tickets t WHERE t.tenant_id = x.tenant_id
       AND t.transaction_id = x.id AND t.status = 'ACTIVE') AS active_left
     FROM transactions x WHERE x.tenant_id = ? AND x.id IN (${marks(n)})`,
);
const INSERT_HOLDS = textByCount(
  (n) => `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
       price_cents, status, reserved_until, created_at, updated_at)
     VALUES ${Array.from({ length: n }, () => "(?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?)").join(', ')} RETURNING id, seat_id`,
);

/**
 * The one writer of the hold tables at the server: what the hold rules decided (shared/hold-rules),
 * written inside the operation's transaction with an audit entry for every state change and the
 * change feed noted. Operations never UPDATE tickets or transactions' states themselves.
 */

/** A ticket that left ACTIVE. */
export interface MovedTicket {
  ticketId: number;
  transactionId: string;
  eventId: number;
  zoneId: number;
  seatId: number | null;
  quantity: number;
}

/**
 * Moves tickets out of ACTIVE (CANCELLED or EXPIRED, as decided); standing places go back to their
 * zone's count. A ticket no longer ACTIVE is left alone (and not returned).
 */
export async function moveTickets(
  ctx: OpContext,
  moves: readonly TicketMove[],
  actor: string,
): Promise<MovedTicket[]> {
  const moved: MovedTicket[] = [];
  const groups = new Map<string, TicketMove[]>();
  for (const m of moves) {
    const key = `${m.to}\u0000${m.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const group of groups.values()) {
    const { to, reason } = group[0]!;
    const rows = await ctx.tx.all<Record<string, string | number | null>>(MOVE_TICKETS(group.length), [
      to,
      ctx.now,
      ctx.tenantId,
      ...group.map((m) => m.ticketId),
    ]);
    for (const r of rows) {
      const t: MovedTicket = {
        ticketId: Number(r.id),
        transactionId: String(r.transaction_id),
        eventId: Number(r.event_id),
        zoneId: Number(r.zone_id),
        seatId: r.seat_id === null ? null : Number(r.seat_id),
        quantity: Number(r.quantity),
      };
      moved.push(t);
      changed(ctx, t.eventId, t.zoneId, t.seatId);
      ctx.audit.push({
        eventId: t.eventId,
        actor,
        entity: 'ticket',
        entityId: t.ticketId,
        from: 'ACTIVE',
        to,
        reason,
      });
    }
  }
  const standing = new Map<string, { eventId: number; zoneId: number; quantity: number }>();
  for (const t of moved) {
    if (t.seatId !== null) continue;
    const key = `${t.eventId}:${t.zoneId}`;
    const entry = standing.get(key) ?? { eventId: t.eventId, zoneId: t.zoneId, quantity: 0 };
    entry.quantity += t.quantity;
    standing.set(key, entry);
  }
  for (const z of standing.values()) {
    await ctx.tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
      z.quantity,
      ctx.tenantId,
      z.eventId,
      z.zoneId,
    ]);
  }
  return moved;
}

/** How many ACTIVE tickets each transaction has left (after this write's moves), with its state. */
export async function touchedFacts(ctx: OpContext, transactionIds: readonly string[]) {
  const ids = [...new Set(transactionIds)];
  if (ids.length === 0) return [];
  const rows = await ctx.tx.all<{
    id: string;
    status: TransactionStatus;
    event_id: number;
    active_left: number;
  }>(TOUCHED(ids.length), [ctx.tenantId, ...ids]);
  return rows.map((r) => ({
    transactionId: r.id,
    status: r.status,
    eventId: Number(r.event_id),
    activeLeft: Number(r.active_left),
  }));
}

/** Closes transactions the rules found empty (decideEmptied), each only from the state it was read in. */
export async function closeTransactions(
  ctx: OpContext,
  closing: readonly {
    transactionId: string;
    from: TransactionStatus;
    to: TransactionStatus;
    eventId: number;
  }[],
  actor: string,
  reason: string,
): Promise<void> {
  for (const c of closing) {
    const n = await ctx.tx.run(
      'UPDATE transactions SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = ?',
      [c.to, ctx.now, ctx.tenantId, c.transactionId, c.from],
    );
    if (n > 0) {
      ctx.audit.push({
        eventId: c.eventId,
        actor,
        entity: 'transaction',
        entityId: c.transactionId,
        from: c.from,
        to: c.to,
        reason,
      });
    }
  }
}

/** A transaction's new state (and end, for a reservation). */
export async function setStatus(
  ctx: OpContext,
  t: Pick<TxRow, 'id' | 'event_id' | 'status'>,
  status: TransactionStatus,
  until: number | null,
  actor: string,
  reason: string,
) {
  await ctx.tx.run(
    'UPDATE transactions SET status = ?, reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND id = ?',
    [status, until, ctx.now, ctx.tenantId, t.id],
  );
  ctx.audit.push({
    eventId: Number(t.event_id),
    actor,
    entity: 'transaction',
    entityId: t.id,
    from: t.status,
    to: status,
    reason,
  });
}

/** A new PENDING cart for the session (a concurrent twin is a unique violation: the write retries). */
export async function openCart(
  ctx: OpContext,
  eventId: number,
  sessionId: string,
  actor: string,
): Promise<string> {
  const id = randomUUID();
  await ctx.tx.run(
    `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'PENDING', NULL, ?, ?)`,
    [ctx.tenantId, id, eventId, sessionId, actor, ctx.now, ctx.now],
  );
  ctx.audit.push({
    eventId,
    actor,
    entity: 'transaction',
    entityId: id,
    from: null,
    to: 'PENDING',
    reason: 'cart opened',
  });
  return id;
}

/** New ACTIVE tickets in a cart, until `until`; returns their ids in the order given. */
export async function insertHolds(
  ctx: OpContext,
  hold: { transactionId: string; eventId: number; sessionId: string; until: number; actor: string },
  places: readonly { zoneId: number; seatId: number | null; quantity: number; priceCents: number }[],
): Promise<number[]> {
  if (places.length === 0) return [];
  const rows = await ctx.tx.all<{ id: number; seat_id: number | null }>(
    INSERT_HOLDS(places.length),
    places.flatMap((p) => [
      ctx.tenantId,
      hold.transactionId,
      hold.eventId,
      p.zoneId,
      p.seatId,
      p.quantity,
      hold.sessionId,
      p.priceCents,
      hold.until,
      ctx.now,
      ctx.now,
    ]),
  );
  // RETURNING's row order is not promised: a seat's ticket is found by its seat.
  const bySeat = new Map(rows.map((r) => [r.seat_id === null ? null : Number(r.seat_id), Number(r.id)]));
  const ids = places.map((p) => bySeat.get(p.seatId) ?? Number(rows[0]!.id));
  places.forEach((p, i) => {
    changed(ctx, hold.eventId, p.zoneId, p.seatId);
    ctx.audit.push({
      eventId: hold.eventId,
      actor: hold.actor,
      entity: 'ticket',
      entityId: ids[i] ?? 0,
      from: null,
      to: 'ACTIVE',
      reason: p.seatId === null ? `held ${p.quantity} in zone ${p.zoneId}` : `held seat ${p.seatId}`,
    });
  });
  return ids;
}
