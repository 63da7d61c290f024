import { TaquillaError } from '../../shared/errors.ts';
import { type OpContext, type TicketRow, type TxRow } from './sql-tx.ts';

/**
 * The transaction and ticket reads the hold, sale and lease operations share.
 */

export async function transactionOrThrow(ctx: OpContext, transactionId: string): Promise<TxRow> {
  const [t] = await ctx.tx.all<TxRow>(
    `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
     WHERE tenant_id = ? AND id = ?`,
    [ctx.tenantId, transactionId],
  );
  if (!t || t.session_id.startsWith('lease:')) {
    throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
      transactionId,
    });
  }
  return { ...t, event_id: Number(t.event_id) };
}

export async function activeTickets(ctx: OpContext, transactionId: string): Promise<TicketRow[]> {
  const rows = await ctx.tx.all<TicketRow>(
    `SELECT t.id, t.transaction_id, t.zone_id, t.seat_id, t.quantity, t.status, t.reserved_until, t.created_at,
            t.price_cents, COALESCE(s.label, z.name) AS label
     FROM tickets t
     LEFT JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
     JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
     WHERE t.tenant_id = ? AND t.transaction_id = ? AND t.status = 'ACTIVE' ORDER BY t.id`,
    [ctx.tenantId, transactionId],
  );
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    zone_id: Number(r.zone_id),
    seat_id: r.seat_id === null ? null : Number(r.seat_id),
    quantity: Number(r.quantity),
    reserved_until: Number(r.reserved_until),
    created_at: Number(r.created_at),
    price_cents: Number(r.price_cents),
  }));
}
