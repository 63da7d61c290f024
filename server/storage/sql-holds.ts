import { randomUUID } from 'node:crypto';
import { MINUTE_MS } from '../../shared/clock.ts';
import { type SeatConflict, TaquillaError } from '../../shared/errors.ts';
import { extendedUntil } from '../../shared/lifecycle.ts';
import type {
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseGeneralInput,
  ReleaseSeatsInput,
  ReleaseSessionInput,
} from '../../shared/schemas/reservations.ts';
import { changed } from './sql-availability.ts';
import { activeTickets } from './sql-rows.ts';
import { LIVE, type OpContext, type TxRow, type ZoneRow, marks, ticketView } from './sql-tx.ts';

/**
 * Temporary holds: taking, releasing and extending seats and general-admission places.
 */

export async function holdSeats(ctx: OpContext, input: HoldSeatsInput) {
  const { tx, tenantId, now } = ctx;
  const seats = await seatsOrThrow(ctx, input.eventId, input.seatIds);
  const event = { id: input.eventId };
  const session = await sessionOf(ctx, event.id, input.sessionId);
  const cart = session.cart;
  const { alreadyHeld } = await assertSeatsFree(ctx, event.id, input.seatIds, cart?.id ?? null);
  const toHold = seats.filter((s) => !alreadyHeld.includes(s.id));
  assertHeldWithinLimit(ctx, session.held, toHold.length);
  const transactionId = cart?.id ?? (await openCart(ctx, event.id, input.sessionId, input.actor));
  const until = now + ctx.settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS;
  if (toHold.length > 0) {
    await tx.run(
      `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
         price_cents, status, reserved_until, created_at, updated_at)
       VALUES ${toHold.map(() => "(?, ?, ?, ?, ?, 1, ?, ?, 'ACTIVE', ?, ?, ?)").join(', ')}`,
      toHold.flatMap((s) => [
        tenantId,
        transactionId,
        event.id,
        s.zone_id,
        s.id,
        input.sessionId,
        s.price_cents,
        until,
        now,
        now,
      ]),
    );
  }
  for (const s of toHold) changed(ctx, event.id, s.zone_id, s.id);
  return {
    transactionId,
    tickets: toHold.map((s) => ({
      seatId: s.id,
      zoneId: s.zone_id,
      label: s.label,
      quantity: 1,
      priceCents: Number(s.price_cents),
      reservedUntil: until,
    })),
    alreadyHeld,
  };
}

export async function holdGeneral(ctx: OpContext, input: HoldGeneralInput) {
  const { tx, tenantId, now } = ctx;
  const event = await eventOrThrow(ctx, input.eventId);
  const zone = await generalZone(ctx, event.id, input.zoneId);
  await assertWithinLimit(ctx, input.sessionId, input.quantity);
  await takeCapacity(ctx, event.id, zone, input.quantity);
  const cart = await cartOf(ctx, event.id, input.sessionId);
  const transactionId = cart?.id ?? (await openCart(ctx, event.id, input.sessionId, input.actor));
  const until = now + ctx.settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS;
  await tx.run(
    `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
       price_cents, status, reserved_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 'ACTIVE', ?, ?, ?)`,
    [
      tenantId,
      transactionId,
      event.id,
      zone.id,
      input.quantity,
      input.sessionId,
      zone.price_cents,
      until,
      now,
      now,
    ],
  );
  changed(ctx, event.id, zone.id, null);
  return {
    transactionId,
    tickets: [
      {
        seatId: null,
        zoneId: zone.id,
        label: zone.name,
        quantity: input.quantity,
        priceCents: Number(zone.price_cents),
        reservedUntil: until,
      },
    ],
    alreadyHeld: [],
  };
}

export async function releaseSeats(ctx: OpContext, input: ReleaseSeatsInput) {
  const cart = await cartOf(ctx, input.eventId, input.sessionId);
  if (!cart) {
    await eventOrThrow(ctx, input.eventId); // a cart exists only in an event that does
    return { released: [], notHeld: input.seatIds };
  }
  const moved = await releaseTickets(
    ctx,
    cart,
    `AND seat_id IN (${marks(input.seatIds.length)})`,
    input.seatIds,
  );
  await closeIfEmpty(ctx, cart.id, 'CANCELLED');
  const released = moved.map((t) => t.seat_id!);
  return {
    released,
    notHeld: input.seatIds.filter((id) => !released.includes(id)),
  };
}

export async function releaseGeneral(ctx: OpContext, input: ReleaseGeneralInput) {
  await generalZone(ctx, input.eventId, input.zoneId);
  const cart = await cartOf(ctx, input.eventId, input.sessionId);
  if (!cart) return { released: 0 };
  const moved = await releaseTickets(ctx, cart, 'AND seat_id IS NULL AND zone_id = ?', [input.zoneId]);
  await closeIfEmpty(ctx, cart.id, 'CANCELLED');
  return { released: moved.reduce((n, t) => n + Number(t.quantity), 0) };
}

export async function releaseSession(ctx: OpContext, input: ReleaseSessionInput) {
  const carts = await ctx.tx.all<TxRow>(
    `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
     WHERE tenant_id = ? AND session_id = ? AND status = 'PENDING'`,
    [ctx.tenantId, input.sessionId],
  );
  let released = 0;
  for (const cart of carts) {
    const moved = await releaseTickets(ctx, cart, '', []);
    released += moved.reduce((n, t) => n + Number(t.quantity), 0);
    await closeIfEmpty(ctx, cart.id, 'CANCELLED');
  }
  return { released, transactions: carts.map((c) => c.id) };
}

export async function extendHolds(ctx: OpContext, input: ExtendHoldsInput) {
  const { tx, now, settings } = ctx;
  await eventOrThrow(ctx, input.eventId);
  const cart = await cartOf(ctx, input.eventId, input.sessionId);
  const live = cart ? (await activeTickets(ctx, cart.id)).filter((t) => t.reserved_until > now) : [];
  if (!cart || live.length === 0) {
    throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to extend', {
      sessionId: input.sessionId,
    });
  }
  const minutes = input.minutes ?? settings.TEMPORARY_HOLD_MINUTES;
  const maxLifetime = settings.MAX_HOLD_LIFETIME_MINUTES * MINUTE_MS;
  const extended = [];
  for (const t of live) {
    const next = extendedUntil(t.created_at, t.reserved_until, now + minutes * MINUTE_MS, maxLifetime);
    if (next === null) continue;
    await tx.run('UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND id = ?', [
      next,
      now,
      ctx.tenantId,
      t.id,
    ]);
    changed(ctx, input.eventId, t.zone_id, t.seat_id);
    extended.push({ ...ticketView(t), reservedUntil: next });
  }
  if (extended.length === 0) {
    const maxUntil = Math.min(...live.map((t) => t.created_at + maxLifetime));
    throw new TaquillaError('EXTENSION_LIMIT', 'These holds cannot be extended any further', { maxUntil });
  }
  return { transactionId: cart.id, tickets: extended };
}

export async function eventOrThrow(ctx: OpContext, eventId: number) {
  const [event] = await ctx.tx.all<{ id: number; lease_minutes: number }>(
    'SELECT id, lease_minutes FROM events WHERE tenant_id = ? AND id = ?',
    [ctx.tenantId, eventId],
  );
  if (!event)
    throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, {
      eventId,
    });
  return { id: Number(event.id), lease_minutes: Number(event.lease_minutes) };
}

export async function seatsOrThrow(ctx: OpContext, eventId: number, seatIds: number[]) {
  const seats = await ctx.tx.all<{
    id: number;
    zone_id: number;
    label: string;
    blocked: number;
    price_cents: number;
  }>(
    `SELECT s.id, s.zone_id, s.label, s.blocked, z.price_cents FROM seats s
     JOIN zones z ON z.tenant_id = s.tenant_id AND z.event_id = s.event_id AND z.id = s.zone_id
     WHERE s.tenant_id = ? AND s.event_id = ? AND s.id IN (${marks(seatIds.length)})`,
    [ctx.tenantId, eventId, ...seatIds],
  );
  const normalized = seats.map((s) => ({
    ...s,
    id: Number(s.id),
    zone_id: Number(s.zone_id),
  }));
  if (normalized.length !== seatIds.length) {
    // Seats exist only in an event that does: on a miss, say which is unknown.
    await eventOrThrow(ctx, eventId);
    const known = new Set(normalized.map((s) => s.id));
    const missing = seatIds.filter((id) => !known.has(id));
    throw new TaquillaError('UNKNOWN_SEAT', `No such seat in this event: ${missing.join(', ')}`, {
      seatIds: missing,
    });
  }
  const blocked = normalized.filter((s) => Number(s.blocked) === 1);
  if (blocked.length > 0) {
    throw new TaquillaError('SEAT_BLOCKED', `Not on sale: ${blocked.map((s) => s.label).join(', ')}`, {
      seats: blocked.map((s) => ({
        seatId: s.id,
        label: s.label,
        reason: null,
      })),
    });
  }
  return normalized;
}

export async function generalZone(ctx: OpContext, eventId: number, zoneId: number): Promise<ZoneRow> {
  const [zone] = await ctx.tx.all<ZoneRow>(
    'SELECT id, kind, name, capacity, price_cents FROM zones WHERE tenant_id = ? AND event_id = ? AND id = ?',
    [ctx.tenantId, eventId, zoneId],
  );
  if (!zone)
    throw new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, { zoneId });
  if (zone.kind !== 'general') {
    throw new TaquillaError('WRONG_ZONE_KIND', `${zone.name} has numbered seats: choose seats`, {
      zoneId,
      kind: 'numbered',
    });
  }
  return { ...zone, id: Number(zone.id), capacity: Number(zone.capacity) };
}

/**
 * Takes general-admission capacity with one conditional UPDATE: the row lock (PostgreSQL) or the
 * single writer (SQLite) makes check and take one step; the CHECK on `used` is the backstop.
 */
export async function takeCapacity(
  ctx: OpContext,
  eventId: number,
  zone: ZoneRow,
  quantity: number,
): Promise<void> {
  const { tx, tenantId, now } = ctx;
  const expired = await tx.all<{ quantity: number }>(
    `UPDATE tickets SET status = 'EXPIRED', updated_at = ?
     WHERE tenant_id = ? AND event_id = ? AND zone_id = ? AND seat_id IS NULL AND status = 'ACTIVE'
       AND reserved_until <= ? RETURNING quantity`,
    [now, tenantId, eventId, zone.id, now],
  );
  const freed = expired.reduce((n, t) => n + Number(t.quantity), 0);
  const taken = await tx.run(
    `UPDATE zones SET used = used - ? + ? WHERE tenant_id = ? AND event_id = ? AND id = ? AND used - ? + ? <= capacity`,
    [freed, quantity, tenantId, eventId, zone.id, freed, quantity],
  );
  if (taken === 0) {
    if (freed > 0) {
      await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
        freed,
        tenantId,
        eventId,
        zone.id,
      ]);
    }
    const [row] = await tx.all<{ used: number }>(
      'SELECT used FROM zones WHERE tenant_id = ? AND event_id = ? AND id = ?',
      [tenantId, eventId, zone.id],
    );
    const available = zone.capacity - Number(row?.used ?? 0);
    throw new TaquillaError('ZONE_FULL', `${zone.name}: only ${available} left`, {
      zoneId: zone.id,
      zoneName: zone.name,
      requested: quantity,
      available,
    });
  }
}

/**
 * Refuses (SEAT_TAKEN) when another transaction holds, reserves or sold one of the seats; returns
 * those the cart already holds. A hold whose time has passed blocks nobody: it is marked EXPIRED
 * here, inside this write, before deciding. Reads only the seats' live tickets (the unique partial
 * index), never a seat's past ones.
 */
export async function assertSeatsFree(
  ctx: OpContext,
  eventId: number,
  seatIds: number[],
  cartId: string | null,
) {
  const found = await ctx.tx.all<{
    id: number;
    zone_id: number;
    seat_id: number;
    status: string;
    reserved_until: number;
    session_id: string;
    transaction_id: string;
    tx_status: string;
    actor: string;
    label: string;
  }>(
    `SELECT t.id, t.zone_id, t.seat_id, t.status, t.reserved_until, t.session_id, t.transaction_id,
            x.status AS tx_status, x.actor, s.label
     FROM tickets t
     JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
     JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
     WHERE t.tenant_id = ? AND t.event_id = ? AND t.seat_id IN (${marks(seatIds.length)})
       AND t.seat_id IS NOT NULL AND t.${LIVE}`, // one_live_ticket_per_seat's whole predicate: SQLite uses it
    [ctx.tenantId, eventId, ...seatIds],
  );
  const late = found.filter((l) => l.status === 'ACTIVE' && Number(l.reserved_until) <= ctx.now);
  if (late.length > 0) {
    await ctx.tx.run(
      `UPDATE tickets SET status = 'EXPIRED', updated_at = ? WHERE tenant_id = ? AND id IN (${marks(late.length)})`,
      [ctx.now, ctx.tenantId, ...late.map((l) => l.id)],
    );
    for (const l of late) changed(ctx, eventId, l.zone_id, l.seat_id);
  }
  const live = found.filter((l) => !late.includes(l));
  const alreadyHeld: number[] = [];
  const conflicts: SeatConflict[] = [];
  for (const l of live) {
    if (cartId !== null && l.transaction_id === cartId) {
      alreadyHeld.push(Number(l.seat_id));
      continue;
    }
    conflicts.push({
      seatId: Number(l.seat_id),
      label: l.label,
      state: l.status === 'COMPLETED' ? 'sold' : l.tx_status === 'RESERVED' ? 'reserved' : 'held',
      ...(l.status === 'ACTIVE' ? { heldUntil: Number(l.reserved_until) } : {}),
      heldBySession: l.session_id,
      heldByActor: l.actor,
    });
  }
  if (conflicts.length > 0) {
    throw new TaquillaError('SEAT_TAKEN', `Already taken: ${conflicts.map((c) => c.label).join(', ')}`, {
      seats: conflicts,
    });
  }
  return { alreadyHeld };
}

/**
 * The session's open cart for the event and how many places it holds across events, in one read
 * (what a hold needs to know about its session).
 */
export async function sessionOf(
  ctx: OpContext,
  eventId: number,
  sessionId: string,
): Promise<{ cart: TxRow | null; held: number }> {
  const [row] = await ctx.tx.all<TxRow & { held: number; id: string | null }>(
    `SELECT x.id, x.event_id, x.session_id, x.actor, x.status, x.reserved_until,
            (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
             JOIN transactions y ON y.tenant_id = t.tenant_id AND y.id = t.transaction_id
             WHERE t.tenant_id = ? AND t.session_id = ? AND t.status = 'ACTIVE' AND y.status = 'PENDING'
               AND t.reserved_until > ?) AS held
     FROM (SELECT 1 AS one) AS one
     LEFT JOIN transactions x ON x.tenant_id = ? AND x.event_id = ? AND x.session_id = ? AND x.status = 'PENDING'`,
    [ctx.tenantId, sessionId, ctx.now, ctx.tenantId, eventId, sessionId],
  );
  const held = Number(row?.held ?? 0);
  if (!row || row.id === null) return { cart: null, held };
  const { held: _held, ...cart } = row;
  return { cart: { ...cart, id: row.id, event_id: Number(row.event_id) }, held };
}

export function assertHeldWithinLimit(ctx: OpContext, held: number, requested: number): void {
  if (requested === 0) return;
  const limit = ctx.settings.MAX_RESERVATIONS_PER_USER;
  if (held + requested > limit) {
    throw new TaquillaError('LIMIT_REACHED', `A session may hold at most ${limit} seats (holds ${held})`, {
      limit,
      held,
      requested,
    });
  }
}

export async function assertWithinLimit(ctx: OpContext, sessionId: string, requested: number): Promise<void> {
  if (requested === 0) return;
  const limit = ctx.settings.MAX_RESERVATIONS_PER_USER;
  const [row] = await ctx.tx.all<{ held: number }>(
    `SELECT COALESCE(SUM(t.quantity), 0) AS held FROM tickets t
     JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
     WHERE t.tenant_id = ? AND t.session_id = ? AND t.status = 'ACTIVE' AND x.status = 'PENDING'
       AND t.reserved_until > ?`,
    [ctx.tenantId, sessionId, ctx.now],
  );
  const held = Number(row?.held ?? 0);
  if (held + requested > limit) {
    throw new TaquillaError('LIMIT_REACHED', `A session may hold at most ${limit} seats (holds ${held})`, {
      limit,
      held,
      requested,
    });
  }
}

export async function cartOf(ctx: OpContext, eventId: number, sessionId: string): Promise<TxRow | null> {
  const [cart] = await ctx.tx.all<TxRow>(
    `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
     WHERE tenant_id = ? AND event_id = ? AND session_id = ? AND status = 'PENDING'`,
    [ctx.tenantId, eventId, sessionId],
  );
  return cart ?? null;
}

export async function openCart(
  ctx: OpContext,
  eventId: number,
  sessionId: string,
  actor: string,
): Promise<string> {
  const id = randomUUID();
  // A concurrent twin cart for the same session is a unique violation: the write retries.
  await ctx.tx.run(
    `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'PENDING', NULL, ?, ?)`,
    [ctx.tenantId, id, eventId, sessionId, actor, ctx.now, ctx.now],
  );
  return id;
}

/** Cancels the transaction's active tickets (expires those already out of time); gives GA back. */
export async function releaseTickets(ctx: OpContext, t: TxRow, filter: string, params: unknown[]) {
  const { tx, tenantId, now } = ctx;
  const moved = await tx.all<{
    zone_id: number;
    seat_id: number | null;
    quantity: number;
  }>(
    `UPDATE tickets SET status = CASE WHEN reserved_until > ? THEN 'CANCELLED' ELSE 'EXPIRED' END, updated_at = ?
     WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE' ${filter}
     RETURNING zone_id, seat_id, quantity`,
    [now, now, tenantId, t.id, ...params],
  );
  const eventId = Number(t.event_id);
  const gaByZone = new Map<number, number>();
  for (const m of moved) {
    changed(ctx, eventId, m.zone_id, m.seat_id);
    if (m.seat_id === null)
      gaByZone.set(Number(m.zone_id), (gaByZone.get(Number(m.zone_id)) ?? 0) + Number(m.quantity));
  }
  for (const [zoneId, quantity] of gaByZone) {
    await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
      quantity,
      tenantId,
      eventId,
      zoneId,
    ]);
  }
  return moved.map((m) => ({
    ...m,
    seat_id: m.seat_id === null ? null : Number(m.seat_id),
  }));
}

export async function closeIfEmpty(ctx: OpContext, transactionId: string, to: 'CANCELLED' | 'EXPIRED') {
  await ctx.tx.run(
    `UPDATE transactions SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'PENDING'
       AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.tenant_id = ? AND t.transaction_id = ? AND t.status = 'ACTIVE')`,
    [to, ctx.now, ctx.tenantId, transactionId, ctx.tenantId, transactionId],
  );
}
