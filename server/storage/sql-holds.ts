import {
  decideEmptied,
  decideExtendHolds,
  decideGeneralHold,
  decideRelease,
  decideSeatHold,
  effectsOrThrow,
  HOLD_TIME_RAN_OUT,
  type ZoneFact,
  ticketView,
} from '../../shared/hold-rules/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type {
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseGeneralInput,
  ReleaseSeatsInput,
  ReleaseSessionInput,
} from '../../shared/schemas/reservations.ts';
import { changed } from './sql-availability.ts';
import {
  closeTransactions,
  type MovedTicket,
  moveTickets,
  insertHolds,
  openCart,
  touchedFacts,
} from './sql-effects.ts';
import {
  cartsWithTickets,
  eventOrThrow,
  heldFact,
  seatFacts,
  seatTicketFacts,
  sessionFact,
  zoneFact,
  zoneFacts,
} from './sql-hold-facts.ts';
import { activeTickets } from './sql-rows.ts';
import type { OpContext, TicketRow, TxRow } from './sql-tx.ts';

/**
 * Temporary holds at the server: each operation loads its facts in its write, asks the hold rules
 * (shared/hold-rules, the same the terminal runs) and writes their effects through sql-effects.ts.
 */

const RELEASED = 'released by its session';

export async function holdSeats(ctx: OpContext, input: HoldSeatsInput) {
  const eventId = input.eventId;
  const seats = await seatFacts(ctx, eventId, input.seatIds);
  const session = await sessionFact(ctx, eventId, input.sessionId);
  const onSeats = await seatTicketFacts(ctx, eventId, input.seatIds);
  const decided = effectsOrThrow(
    decideSeatHold({
      now: ctx.now,
      settings: ctx.settings,
      requested: input.seatIds,
      seats,
      onSeats,
      session,
    }),
  );
  await expireLate(ctx, decided.expire, session.cartId, eventId);
  const transactionId = session.cartId ?? (await openCart(ctx, eventId, input.sessionId, input.actor));
  await insertHolds(
    ctx,
    { transactionId, eventId, sessionId: input.sessionId, until: decided.until, actor: input.actor },
    decided.hold.map((s) => ({ zoneId: s.zoneId, seatId: s.seatId, quantity: 1, priceCents: s.priceCents })),
  );
  return {
    transactionId,
    tickets: decided.hold.map((s) => ({
      seatId: s.seatId,
      zoneId: s.zoneId,
      label: s.label,
      quantity: 1,
      priceCents: s.priceCents,
      reservedUntil: decided.until,
    })),
    alreadyHeld: decided.alreadyHeld,
  };
}

export async function holdGeneral(ctx: OpContext, input: HoldGeneralInput) {
  const eventId = input.eventId;
  const { zone, late } = await zoneFacts(ctx, eventId, input.zoneId);
  const session = await sessionFact(ctx, eventId, input.sessionId);
  const decided = effectsOrThrow(
    decideGeneralHold({
      now: ctx.now,
      settings: ctx.settings,
      zone,
      quantity: input.quantity,
      late,
      session,
    }),
  );
  await expireLate(ctx, decided.expire, session.cartId, eventId);
  // The zone row is locked since it was read: the count the rules decided on is the count here. The
  // CHECK on `used` stays the backstop.
  await ctx.tx.run('UPDATE zones SET used = used + ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
    input.quantity,
    ctx.tenantId,
    eventId,
    zone.zoneId,
  ]);
  const transactionId = session.cartId ?? (await openCart(ctx, eventId, input.sessionId, input.actor));
  const { hold } = decided;
  await insertHolds(
    ctx,
    { transactionId, eventId, sessionId: input.sessionId, until: decided.until, actor: input.actor },
    [{ zoneId: hold.zoneId, seatId: null, quantity: hold.quantity, priceCents: hold.priceCents }],
  );
  return {
    transactionId,
    tickets: [
      {
        seatId: null,
        zoneId: hold.zoneId,
        label: hold.label,
        quantity: hold.quantity,
        priceCents: hold.priceCents,
        reservedUntil: decided.until,
      },
    ],
    alreadyHeld: [],
  };
}

export async function releaseSeats(ctx: OpContext, input: ReleaseSeatsInput) {
  const [entry] = await cartsWithTickets(ctx, input.sessionId, input.eventId, false);
  if (!entry) {
    await eventOrThrow(ctx, input.eventId); // a cart exists only in an event that does
    return { released: [], notHeld: input.seatIds };
  }
  const wanted = new Set(input.seatIds);
  const moved = await release(ctx, [entry], (t) => t.seat_id !== null && wanted.has(t.seat_id), input.actor);
  const released = moved.map((t) => t.seatId!);
  return { released, notHeld: input.seatIds.filter((id) => !released.includes(id)) };
}

export async function releaseGeneral(ctx: OpContext, input: ReleaseGeneralInput) {
  const zone = await zoneFact(ctx, input.eventId, input.zoneId);
  if (zone.kind !== 'general') throw wrongZoneKind(zone);
  const [entry] = await cartsWithTickets(ctx, input.sessionId, input.eventId, false);
  if (!entry) return { released: 0 };
  const moved = await release(
    ctx,
    [entry],
    (t) => t.seat_id === null && t.zone_id === input.zoneId,
    input.actor,
  );
  return { released: moved.reduce((n, t) => n + t.quantity, 0) };
}

export async function releaseSession(ctx: OpContext, input: ReleaseSessionInput) {
  const carts = await cartsWithTickets(ctx, input.sessionId, null, false);
  const moved = await release(ctx, carts, () => true, input.actor);
  return { released: moved.reduce((n, t) => n + t.quantity, 0), transactions: carts.map((c) => c.cart.id) };
}

export async function extendHolds(ctx: OpContext, input: ExtendHoldsInput) {
  const [entry] = await cartsWithTickets(ctx, input.sessionId, input.eventId);
  if (!entry) await eventOrThrow(ctx, input.eventId);
  const decided = effectsOrThrow(
    decideExtendHolds({
      now: ctx.now,
      settings: ctx.settings,
      sessionId: input.sessionId,
      cartId: entry?.cart.id ?? null,
      tickets: (entry?.tickets ?? []).map(heldFact),
      minutes: input.minutes,
    }),
  );
  // Tickets extended to the same end (the usual case: all of them) share one statement.
  const byUntil = new Map<number, number[]>();
  for (const { ticket, until } of decided.extended)
    byUntil.set(until, [...(byUntil.get(until) ?? []), ticket.ticketId]);
  for (const [until, ids] of byUntil) {
    await ctx.tx.run(
      `UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')})`,
      [until, ctx.now, ctx.tenantId, ...ids],
    );
  }
  for (const { ticket } of decided.extended) changed(ctx, input.eventId, ticket.zoneId, ticket.seatId);
  return {
    transactionId: decided.transactionId,
    tickets: decided.extended.map(({ ticket, until }) => ({ ...ticketView(ticket), reservedUntil: until })),
  };
}

/**
 * Releases the carts' tickets that `pick` names (decideRelease: live ones CANCELLED, late ones
 * EXPIRED) and closes each cart left empty (decideEmptied), knowing from the facts already read what
 * is left: no read after the write.
 */
async function release(
  ctx: OpContext,
  carts: { cart: TxRow; tickets: TicketRow[] }[],
  pick: (t: TicketRow) => boolean,
  actor: string,
): Promise<MovedTicket[]> {
  const picked = carts.flatMap((c) => c.tickets.filter(pick)).map(heldFact);
  const moved = await moveTickets(ctx, decideRelease(ctx.now, picked, RELEASED), actor);
  const gone = new Set(moved.map((t) => t.ticketId));
  const touched = carts.map((c) => ({
    transactionId: c.cart.id,
    status: c.cart.status,
    activeLeft: c.tickets.filter((t) => !gone.has(t.id)).length,
  }));
  const eventOf = new Map(carts.map((c) => [c.cart.id, c.cart.event_id]));
  const closing = decideEmptied(touched, 'CANCELLED').map((c) => ({
    ...c,
    eventId: eventOf.get(c.transactionId)!,
  }));
  await closeTransactions(ctx, closing, actor, RELEASED);
  return moved;
}

/** Standing places are released by zone; a numbered zone's seats by seat. */
function wrongZoneKind(zone: ZoneFact) {
  return new TaquillaError('WRONG_ZONE_KIND', `${zone.name} has numbered seats: choose seats`, {
    zoneId: zone.zoneId,
    kind: 'numbered',
  });
}

/**
 * Late holds in the way of a hold are EXPIRED first; a transaction they leave empty closes, except
 * the cart this hold adds to.
 */
export async function expireLate(
  ctx: OpContext,
  expire: Parameters<typeof moveTickets>[1],
  keepOpen: string | null,
  eventId: number,
): Promise<void> {
  if (expire.length === 0) return;
  const moved = await moveTickets(ctx, expire, 'system');
  const touched = await touchedFacts(
    ctx,
    moved.map((t) => t.transactionId),
  );
  const closing = decideEmptied(touched, 'EXPIRED', keepOpen).map((c) => ({ ...c, eventId }));
  await closeTransactions(ctx, closing, 'system', HOLD_TIME_RAN_OUT);
}

/**
 * Releases every ACTIVE ticket of a transaction (a cancel, a void, a returned lease): live ones
 * CANCELLED, late ones EXPIRED. `tickets`: the ones already read, if any.
 */
export async function releaseTransaction(
  ctx: OpContext,
  t: TxRow,
  actor: string,
  reason: string,
  tickets?: TicketRow[],
): Promise<MovedTicket[]> {
  const active = tickets ?? (await activeTickets(ctx, t.id));
  return moveTickets(ctx, decideRelease(ctx.now, active.map(heldFact), reason), actor);
}

/** A lease is not a session: no per-session limit applies to what it takes. */
function leaseSettings(ctx: OpContext) {
  return { ...ctx.settings, MAX_RESERVATIONS_PER_USER: Number.MAX_SAFE_INTEGER };
}

/**
 * Seats a lease (or an offline sale) takes: the same rules as a hold (UNKNOWN_SEAT, SEAT_BLOCKED,
 * SEAT_TAKEN; late holds expire), without a cart.
 */
export async function takeSeatsForLease(ctx: OpContext, eventId: number, seatIds: number[]) {
  if (seatIds.length === 0) return [];
  const seats = await seatFacts(ctx, eventId, seatIds);
  const onSeats = await seatTicketFacts(ctx, eventId, seatIds);
  const decided = effectsOrThrow(
    decideSeatHold({
      now: ctx.now,
      settings: leaseSettings(ctx),
      requested: seatIds,
      seats,
      onSeats,
      session: { sessionId: 'lease', cartId: null, held: 0 },
    }),
  );
  await expireLate(ctx, decided.expire, null, eventId);
  return decided.hold;
}

/**
 * Standing places a lease (or an offline sale) takes: the hold's rules (WRONG_ZONE_KIND, ZONE_FULL;
 * late holds expire) and the zone's count, without a cart. `returning`: places the lease gives back
 * in the same write, already taken off the count.
 */
export async function takePlacesForLease(ctx: OpContext, eventId: number, zoneId: number, quantity: number) {
  const { zone, late } = await zoneFacts(ctx, eventId, zoneId);
  const decided = effectsOrThrow(
    decideGeneralHold({
      now: ctx.now,
      settings: leaseSettings(ctx),
      zone,
      quantity,
      late,
      session: { sessionId: 'lease', cartId: null, held: 0 },
    }),
  );
  await expireLate(ctx, decided.expire, null, eventId);
  await ctx.tx.run('UPDATE zones SET used = used + ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
    quantity,
    ctx.tenantId,
    eventId,
    zoneId,
  ]);
  return zone;
}
