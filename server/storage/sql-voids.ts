import * as keysets from './keyset-store.ts';
import { randomUUID } from 'node:crypto';
import { saleNumberOf } from '../../shared/schemas/printing.ts';
import { TaquillaError } from '../../shared/errors.ts';
import { type TransactionStatus } from '../../shared/lifecycle.ts';
import { type ServerVoidInput } from '../../shared/schemas/sync.ts';
import { changed } from './sql-availability.ts';
import { setStatus } from './sql-effects.ts';
import { releaseTransaction } from './sql-holds.ts';
import { transactionOrThrow } from './sql-rows.ts';
import { paidOf } from './sql-sales.ts';
import { type OpContext, type TxRow } from './sql-tx.ts';

/**
 * Voids decided at the server (issue 16): sold tickets given back, money owed recorded.
 */

/**
 * A void (issue 16), in one write: the named places of a sale (COMPLETED tickets) or a deposit's
 * (ACTIVE tickets of a RESERVED transaction, all of them) go back on sale, a sale left with nothing
 * is CANCELLED, and the void is recorded with its refund beside the sale's payments. The seats reach
 * every counter as free through the change feed. Refused: another tenant's or unknown transaction
 * (UNKNOWN_TRANSACTION), nothing to void in that state (NOT_VOIDABLE), a place no longer live
 * (ALREADY_VOIDED), a refund beyond what the server's payments of the sale have left (BALANCE_CHANGED).
 */
export async function voidTickets(ctx: OpContext, input: ServerVoidInput) {
  const { tx, tenantId, now } = ctx;
  // A sale made offline from a lease is stored under the server's id; its counter names it by its own.
  const [sold] = await tx.all<{ transaction_id: string }>(
    'SELECT transaction_id FROM lease_sales WHERE tenant_id = ? AND sale_id = ?',
    [tenantId, input.transactionId],
  );
  const t = sold
    ? await leaseSaleTransaction(ctx, sold.transaction_id)
    : await transactionOrThrow(ctx, input.transactionId);
  const deposit = input.kind === 'DEPOSIT';
  const voidedBefore = await tx.all<{ n: number }>(
    'SELECT COUNT(*) AS n FROM voids WHERE tenant_id = ? AND transaction_id = ?',
    [tenantId, t.id],
  );
  if (t.status === 'CANCELLED' && Number(voidedBefore[0]?.n ?? 0) > 0) {
    throw new TaquillaError('ALREADY_VOIDED', `Sale ${saleNumberOf(t.id)} has nothing left to void`, {
      transactionId: t.id,
      ticketNumbers: [],
    });
  }
  if (t.status !== (deposit ? 'RESERVED' : 'COMPLETED')) {
    throw new TaquillaError('NOT_VOIDABLE', `Transaction ${saleNumberOf(t.id)} is ${t.status}`, {
      transactionId: t.id,
      status: t.status,
    });
  }
  const live = await tx.all<{ id: number; zone_id: number; seat_id: number | null; quantity: number }>(
    `SELECT id, zone_id, seat_id, quantity FROM tickets WHERE tenant_id = ? AND transaction_id = ? AND status = ?
     ORDER BY id`,
    [tenantId, t.id, deposit ? 'ACTIVE' : 'COMPLETED'],
  );
  const tickets = live.map((k) => ({
    id: Number(k.id),
    zone: Number(k.zone_id),
    seat: k.seat_id === null ? null : Number(k.seat_id),
    quantity: Number(k.quantity),
    take: 0,
  }));
  const missing: string[] = [];
  for (const p of input.places) {
    let wanted = p.seatId === null ? p.places : 1;
    for (const k of tickets) {
      if (wanted === 0) break;
      if (k.zone !== p.zoneId || k.seat !== p.seatId || k.take >= k.quantity) continue;
      const take = Math.min(wanted, k.quantity - k.take);
      k.take += take;
      wanted -= take;
    }
    if (wanted > 0) missing.push(p.seatId === null ? `zone ${p.zoneId} (${wanted})` : `seat ${p.seatId}`);
  }
  if (missing.length > 0) {
    throw new TaquillaError('ALREADY_VOIDED', `Not live in this sale any more: ${missing.join(', ')}`, {
      transactionId: t.id,
      ticketNumbers: [],
    });
  }
  if (deposit && tickets.some((k) => k.take < k.quantity)) {
    throw new TaquillaError('VALIDATION', 'A deposit is cancelled whole', {
      issues: [{ path: 'places', message: 'a deposit is cancelled whole' }],
    });
  }
  // The refund comes out of what the server's payments of this sale have left (when it keeps them:
  // a sale settled online does; the money of one sold before payments travelled is at its counter).
  const paid = await paidOf(ctx, t.id);
  if (paid > 0) {
    const [row] = await tx.all<{ refunded: number }>(
      'SELECT COALESCE(SUM(refund_usd_cents), 0) AS refunded FROM voids WHERE tenant_id = ? AND transaction_id = ?',
      [tenantId, t.id],
    );
    const left = paid - Number(row?.refunded ?? 0);
    if (input.refund.usdCents > left) {
      throw new TaquillaError('BALANCE_CHANGED', 'The refund is more than this sale has left paid', {
        transactionId: t.id,
        totalCents: input.refund.usdCents,
        paidCents: left,
      });
    }
  }
  const voidId = randomUUID();
  await tx.run(
    `INSERT INTO voids (tenant_id, id, transaction_id, kind, actor, approved_by, reason, credential_id,
       refund_usd_cents, record, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      tenantId,
      voidId,
      t.id,
      input.kind,
      input.actor,
      input.approvedBy,
      input.reason,
      ctx.credentialId,
      input.refund.usdCents,
      JSON.stringify({ places: input.places, refund: input.refund }),
      now,
    ],
  );
  let status: TransactionStatus = t.status;
  if (deposit) {
    await releaseTransaction(ctx, t, input.actor, `void ${voidId}`);
    status = 'CANCELLED';
  } else {
    const gaByZone = new Map<number, number>();
    for (const k of tickets.filter((k) => k.take > 0)) {
      if (k.take === k.quantity) {
        await tx.run(
          `UPDATE tickets SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND id = ?`,
          [now, tenantId, k.id],
        );
      } else {
        await tx.run('UPDATE tickets SET quantity = ?, updated_at = ? WHERE tenant_id = ? AND id = ?', [
          k.quantity - k.take,
          now,
          tenantId,
          k.id,
        ]);
      }
      if (k.seat === null) gaByZone.set(k.zone, (gaByZone.get(k.zone) ?? 0) + k.take);
      changed(ctx, t.event_id, k.zone, k.seat);
      ctx.audit.push({
        eventId: t.event_id,
        actor: input.actor,
        entity: 'ticket',
        entityId: k.id,
        from: 'COMPLETED',
        to: k.take === k.quantity ? 'CANCELLED' : `COMPLETED (${k.quantity - k.take} left)`,
        reason: `void ${voidId}`,
      });
    }
    for (const [zoneId, quantity] of gaByZone) {
      await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
        quantity,
        tenantId,
        t.event_id,
        zoneId,
      ]);
    }
    if (tickets.every((k) => k.take === k.quantity)) status = 'CANCELLED';
  }
  ctx.audit.push({
    eventId: t.event_id,
    actor: input.actor,
    entity: 'void',
    entityId: voidId,
    from: null,
    to: input.kind,
    reason: `${input.reason} (approved by ${input.approvedBy}; transaction ${t.id})`,
  });
  // Every door refuses what this void took back (the keyset's revocation list).
  await keysets.revokeVoidedTickets(tx, {
    tenantId,
    transactionId: t.id,
    wholeTicketIds: tickets.filter((k) => k.take === k.quantity).map((k) => k.id),
    ticketNumbers: input.ticketNumbers ?? [],
    refunded: input.refund.usdCents > 0,
    now,
  });
  if (status !== t.status) await setStatus(ctx, t, status, null, input.actor, `void ${voidId}`);
  return { voidId, transactionId: t.id, status, refundUsdCents: input.refund.usdCents };
}

/** An offline sale as voidTickets reads it (transactionOrThrow hides the lease's own transactions). */
export async function leaseSaleTransaction(ctx: OpContext, transactionId: string): Promise<TxRow> {
  const [t] = await ctx.tx.all<TxRow>(
    `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
     WHERE tenant_id = ? AND id = ?`,
    [ctx.tenantId, transactionId],
  );
  if (!t) {
    throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
      transactionId,
    });
  }
  return { ...t, event_id: Number(t.event_id) };
}
