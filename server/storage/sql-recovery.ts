import type { z } from 'zod';
import {
  decideRecoverSale,
  effectsOrThrow,
  type HeldTicketFact,
  LEASE_TRANSACTION_PREFIX,
  RECOVERED,
} from '../../shared/hold-rules/index.ts';
import { readGenerationRow } from './generation.ts';
import type { raiseTicketFloorInput, recoverSaleInput, RecoverSaleReply } from '../../shared/schemas/sync.ts';
import { changed } from './sql-availability.ts';
import { moveTickets } from './sql-effects.ts';
import { heldFact, seatFacts, seatTicketFacts, zoneFacts } from './sql-hold-facts.ts';
import { expireLate } from './sql-holds.ts';
import { activeTickets } from './sql-rows.ts';
import { storePayment } from './sql-sales.ts';
import { marks, type OpContext, type TicketRow } from './sql-tx.ts';

/**
 * A server restored from an older backup gets back what it lost (issue 14): the sales a counter
 * re-sends (recoverSale) and the counter's highest ticket number (raiseTicketFloor). Facts in the
 * operation's write, the decision in shared/hold-rules/recovery.ts, the effects written here with an
 * audit entry for each state change and the change feed noted.
 */

export type RecoverSaleInput = z.output<typeof recoverSaleInput>;
export type RaiseTicketFloorInput = z.output<typeof raiseTicketFloorInput>;

/**
 * Takes back a sale the server had acknowledged before it was restored. `present` when it has it
 * (the transaction, or an offline sale by its counter's id, sold); otherwise its places are sold
 * again under the same transaction id with the same ticket numbers and its money recorded, in one
 * write. A place someone else took meanwhile refuses the whole sale (SEAT_TAKEN / ZONE_FULL,
 * nothing written): the counter lists it as a conflict. A number another sale used meanwhile stays
 * that sale's and is named in `numbersInUse`. The ticket counter is raised above every number named.
 */
export async function recoverSale(ctx: OpContext, input: RecoverSaleInput): Promise<RecoverSaleReply> {
  const { tx, tenantId, now } = ctx;
  const numbers = input.places.flatMap((p) => p.ticketNumbers);
  const [existingRow] = await tx.all<{ id: string; status: string }>(
    `SELECT id, status FROM transactions WHERE tenant_id = ? AND id = ?
     UNION ALL
     SELECT x.id, x.status FROM lease_sales l JOIN transactions x ON x.tenant_id = l.tenant_id AND x.id = l.transaction_id
     WHERE l.tenant_id = ? AND l.sale_id = ?`,
    [tenantId, input.transactionId, tenantId, input.saleId ?? input.transactionId],
  );
  const existing = existingRow ? { transactionId: String(existingRow.id), status: existingRow.status } : null;
  const eventId = input.eventId;
  const requested = input.places.filter((p) => p.seatId !== null).map((p) => p.seatId!);
  const ownLeases = await tx.all<{ transaction_id: string }>(
    'SELECT transaction_id FROM leases WHERE tenant_id = ? AND credential_id = ? AND event_id = ?',
    [tenantId, ctx.credentialId, eventId],
  );
  const own = new Set(ownLeases.map((l) => String(l.transaction_id)));
  if (existing) own.add(existing.transactionId);
  const { ticketMark: restoredUpTo } = await readGenerationRow(tx);
  const ownTickets =
    existing && existing.status !== 'COMPLETED' ? await activeTickets(ctx, existing.transactionId) : [];
  const standing = new Map<number, number>();
  for (const p of input.places) {
    if (p.seatId === null) standing.set(p.zoneId, (standing.get(p.zoneId) ?? 0) + p.quantity);
  }
  const zones = [];
  for (const [zoneId, quantity] of standing) {
    const { zone, late } = await zoneFacts(ctx, eventId, zoneId);
    zones.push({
      zone,
      quantity,
      late,
      placesAside: await placesAside(ctx, eventId, zoneId, own, restoredUpTo),
    });
  }
  const inUse =
    numbers.length === 0
      ? []
      : await tx.all<{ number: number }>(
          `SELECT number FROM ticket_numbers WHERE tenant_id = ? AND number IN (${marks(numbers.length)})`,
          [tenantId, ...numbers],
        );
  const decided = effectsOrThrow(
    decideRecoverSale({
      now,
      settings: ctx.settings,
      existing,
      requested,
      seats: requested.length > 0 ? await seatFacts(ctx, eventId, requested) : [],
      onSeats: requested.length > 0 ? await seatTicketFacts(ctx, eventId, requested) : [],
      own,
      restoredUpTo,
      ownTickets: ownTickets.map(heldFact),
      zones,
      numbersInUse: inUse.map((u) => Number(u.number)),
    }),
  );
  // Never rewinds, whatever the outcome: a number the counter printed is never handed out again.
  await raiseTicketFloor(ctx, { atLeast: Math.max(0, ...numbers) });
  if (decided.kind === 'present') {
    return { transactionId: decided.transactionId, outcome: 'present', numbersInUse: [] };
  }
  await moveTickets(ctx, decided.stepAside, input.actor);
  await expireLate(ctx, decided.expire, null, eventId);
  const transactionId = existing ? existing.transactionId : input.transactionId;
  const sessionId = `recovered:${transactionId}`;
  if (existing) {
    await tx.run(
      "UPDATE transactions SET status = 'COMPLETED', reserved_until = NULL, updated_at = ? WHERE tenant_id = ? AND id = ?",
      [now, tenantId, transactionId],
    );
  } else {
    await tx.run(
      `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'COMPLETED', NULL, ?, ?)`,
      [tenantId, transactionId, eventId, sessionId, input.actor, input.soldAt, now],
    );
    if (input.saleId !== undefined && input.saleId !== transactionId) {
      await tx.run(
        'INSERT INTO lease_sales (tenant_id, sale_id, transaction_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        [tenantId, input.saleId, transactionId],
      );
    }
  }
  ctx.audit.push({
    eventId,
    actor: input.actor,
    entity: 'transaction',
    entityId: transactionId,
    from: existing?.status ?? null,
    to: 'COMPLETED',
    reason: RECOVERED,
  });
  const seatOf = new Map(decided.seats.map((s) => [s.seatId, s]));
  const priceOf = new Map(decided.general.map((g) => [g.zoneId, g.priceCents]));
  const taken = new Set(decided.numbersInUse);
  for (const place of input.places) {
    const seat = place.seatId === null ? null : seatOf.get(place.seatId)!;
    const zoneId = seat ? seat.zoneId : place.zoneId;
    const [ticket] = await tx.all<{ id: number }>(
      `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
         price_cents, status, reserved_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'COMPLETED', ?, ?, ?) RETURNING id`,
      [
        tenantId,
        transactionId,
        eventId,
        zoneId,
        place.seatId,
        seat ? 1 : place.quantity,
        sessionId,
        seat ? seat.priceCents : priceOf.get(place.zoneId)!,
        now,
        now,
        now,
      ],
    );
    const ticketId = Number(ticket!.id);
    if (!seat) {
      await tx.run('UPDATE zones SET used = used + ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
        place.quantity,
        tenantId,
        eventId,
        place.zoneId,
      ]);
    }
    changed(ctx, eventId, zoneId, place.seatId);
    ctx.audit.push({
      eventId,
      actor: input.actor,
      entity: 'ticket',
      entityId: ticketId,
      from: null,
      to: 'COMPLETED',
      reason: RECOVERED,
    });
    const free = place.ticketNumbers.map((n, i) => ({ n, place: i + 1 })).filter((p) => !taken.has(p.n));
    if (free.length > 0) {
      await tx.run(
        `INSERT INTO ticket_numbers (tenant_id, number, transaction_id, ticket_id, place)
         VALUES ${free.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
        free.flatMap((p) => [tenantId, p.n, transactionId, ticketId, p.place]),
      );
      for (const p of free) taken.add(p.n);
    }
  }
  for (const payment of input.payments) {
    const [known] = await tx.all<{ id: string }>('SELECT id FROM payments WHERE tenant_id = ? AND id = ?', [
      tenantId,
      payment.paymentId,
    ]);
    if (known) continue;
    await storePayment(ctx, transactionId, payment, 'keep-first', payment.createdAt);
  }
  return { transactionId, outcome: 'recovered', numbersInUse: decided.numbersInUse };
}

/**
 * ACTIVE standing places in the zone that may step aside for the sale: of these transactions, and
 * the holds and leases the backup brought back (`broughtBackHold`'s test, as SQL).
 */
async function placesAside(
  ctx: OpContext,
  eventId: number,
  zoneId: number,
  own: ReadonlySet<string>,
  restoredUpTo: number,
): Promise<HeldTicketFact[]> {
  const rows = await ctx.tx.all<TicketRow>(
    `SELECT t.id, t.transaction_id, t.zone_id, t.seat_id, t.quantity, t.status, t.reserved_until, t.created_at,
            t.price_cents, z.name AS label
     FROM tickets t JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
     JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
     WHERE t.tenant_id = ? AND t.event_id = ? AND t.zone_id = ? AND t.seat_id IS NULL AND t.status = 'ACTIVE'
       AND (t.transaction_id IN (${own.size === 0 ? 'NULL' : marks(own.size)})
            OR (t.id <= ? AND (x.status = 'PENDING'
                               OR substr(t.transaction_id, 1, ${LEASE_TRANSACTION_PREFIX.length}) = '${LEASE_TRANSACTION_PREFIX}')))`,
    [ctx.tenantId, eventId, zoneId, ...own, restoredUpTo],
  );
  return rows.map((r) =>
    heldFact({
      ...r,
      id: Number(r.id),
      zone_id: Number(r.zone_id),
      seat_id: null,
      quantity: Number(r.quantity),
      reserved_until: Number(r.reserved_until),
      created_at: Number(r.created_at),
      price_cents: Number(r.price_cents),
    }),
  );
}

/** Raises the tenant's next ticket number above `atLeast` (never lowers it). */
export async function raiseTicketFloor(
  ctx: OpContext,
  input: RaiseTicketFloorInput,
): Promise<{ nextTicket: number }> {
  await ctx.tx.run('UPDATE tenants SET next_ticket = ? WHERE id = ? AND next_ticket <= ?', [
    input.atLeast + 1,
    ctx.tenantId,
    input.atLeast,
  ]);
  const [row] = await ctx.tx.all<{ next_ticket: number }>('SELECT next_ticket FROM tenants WHERE id = ?', [
    ctx.tenantId,
  ]);
  return { nextTicket: Number(row!.next_ticket) };
}
