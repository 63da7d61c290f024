import type { z } from 'zod';
import { recordedReferenceKey } from '../../shared/payment-references.ts';
import { saleNumberOf } from '../../shared/schemas/printing.ts';
import { TaquillaError } from '../../shared/errors.ts';
import {
  decideCancel,
  decideComplete,
  decideConvert,
  effectsOrThrow,
  type TransactionFact,
} from '../../shared/hold-rules/index.ts';
import type { CancelInput } from '../../shared/schemas/reservations.ts';
import {
  type ServerPayInput,
  type ServerPayment,
  type serverCompleteInput,
  type serverConvertInput,
} from '../../shared/schemas/sync.ts';
import { changed } from './sql-availability.ts';
import { moveTickets, setStatus } from './sql-effects.ts';
import { heldFact } from './sql-hold-facts.ts';
import { activeTickets, transactionOrThrow } from './sql-rows.ts';
import { type OpContext, type TicketRow, type TxRow, summary, totalOf } from './sql-tx.ts';

/**
 * From hold to sale: deposits (RESERVED), payments, completion, ticket numbers and cancellation.
 */

export type ServerCompleteInput = z.output<typeof serverCompleteInput>;

export type ServerConvertInput = z.output<typeof serverConvertInput>;

export async function convertToPartial(ctx: OpContext, input: ServerConvertInput) {
  const { tx, tenantId, now } = ctx;
  const t = await transactionOrThrow(ctx, input.transactionId);
  const tickets = await activeTickets(ctx, t.id);
  const decided = effectsOrThrow(
    decideConvert({
      now,
      settings: ctx.settings,
      transaction: transactionFact(t),
      tickets: tickets.map(heldFact),
      expect: input.expect,
      length: input,
    }),
  );
  // A deposit is money: it is stored with the reservation it holds, and never covers the whole.
  await takePayment(ctx, t.id, totalOf(tickets), input.payment, 'partial');
  const until = decided.until;
  await tx.run(
    `UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'`,
    [until, now, tenantId, t.id],
  );
  await setStatus(ctx, t, 'RESERVED', until, input.actor, 'deposit taken');
  if (input.customer) {
    const c = input.customer;
    await tx.run(
      `INSERT INTO reservation_customers (tenant_id, transaction_id, name, id_number, phone) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, transaction_id) DO UPDATE SET name = excluded.name, id_number = excluded.id_number,
         phone = excluded.phone`,
      [tenantId, t.id, c.name, c.idNumber ?? null, c.phone ?? null],
    );
  }
  for (const k of tickets) changed(ctx, t.event_id, k.zone_id, k.seat_id);
  // A reservation's places are numbered now: the deposit receipt names them, and they are found by it.
  return summary(t, 'RESERVED', until, tickets, await numberTickets(ctx, t.id, tickets));
}

export async function complete(ctx: OpContext, input: ServerCompleteInput) {
  const t = await transactionOrThrow(ctx, input.transactionId);
  const tickets = await activeTickets(ctx, t.id);
  effectsOrThrow(
    decideComplete({
      now: ctx.now,
      transaction: transactionFact(t),
      tickets: tickets.map(heldFact),
      expect: input.expect,
    }),
  );
  // The rule of money: a sale is COMPLETED only in the transaction that stores what pays it.
  await takePayment(ctx, t.id, totalOf(tickets), input.payment, 'whole');
  await sell(ctx, t, tickets, input.actor);
  return summary(t, 'COMPLETED', null, tickets, await numberTickets(ctx, t.id, tickets));
}

/** A later payment on a reservation; the one that pays the balance completes the sale. */
export async function pay(ctx: OpContext, input: ServerPayInput) {
  const t = await transactionOrThrow(ctx, input.transactionId);
  if (t.status !== 'RESERVED') {
    throw new TaquillaError('NOT_PAYABLE', `Transaction ${t.id} is ${t.status}`, {
      transactionId: t.id,
      status: t.status,
    });
  }
  const tickets = await activeTickets(ctx, t.id);
  if (t.reserved_until === null || Number(t.reserved_until) <= ctx.now || tickets.length === 0) {
    throw new TaquillaError('RESERVATION_EXPIRED', `Reservation ${t.id} has expired`, {
      transactionId: t.id,
      expiredAt: t.reserved_until === null ? null : Number(t.reserved_until),
      customerName: null,
    });
  }
  const total = totalOf(tickets);
  const paid = await paidOf(ctx, t.id);
  if (paid !== input.expect.paidCents) {
    throw new TaquillaError('BALANCE_CHANGED', 'Another payment was taken on this reservation meanwhile', {
      transactionId: t.id,
      totalCents: total,
      paidCents: paid,
    });
  }
  const covered = await takePayment(ctx, t.id, total, input.payment, 'any');
  const numbers = await numberTickets(ctx, t.id, tickets);
  if (!covered) {
    return {
      ...summary(t, 'RESERVED', Number(t.reserved_until), tickets, numbers),
      paidCents: paid + input.payment.appliedCents,
    };
  }
  await sell(ctx, t, tickets, input.actor);
  return { ...summary(t, 'COMPLETED', null, tickets, numbers), paidCents: total };
}

export async function sell(ctx: OpContext, t: TxRow, tickets: TicketRow[], actor: string): Promise<void> {
  await ctx.tx.run(
    `UPDATE tickets SET status = 'COMPLETED', updated_at = ? WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'`,
    [ctx.now, ctx.tenantId, t.id],
  );
  await setStatus(ctx, t, 'COMPLETED', null, actor, 'paid in full');
  for (const k of tickets) {
    changed(ctx, t.event_id, k.zone_id, k.seat_id);
    ctx.audit.push({
      eventId: t.event_id,
      actor,
      entity: 'ticket',
      entityId: k.id,
      from: 'ACTIVE',
      to: 'COMPLETED',
      reason: 'sold',
    });
  }
}

/**
 * The venue's numbers of a transaction's places, taking new ones from the tenant's counter (in this
 * write, so a number is used once or, if the write rolls back, not at all) for places without one.
 * Returns the numbers of each ticket, in place order.
 */
export async function numberTickets(
  ctx: OpContext,
  transactionId: string,
  tickets: TicketRow[],
): Promise<Map<number, number[]>> {
  const numbers = await numbersOf(ctx, transactionId);
  const missing = tickets.filter((t) => !numbers.has(t.id));
  const count = missing.reduce((n, t) => n + t.quantity, 0);
  if (count === 0) return numbers;
  const [row] = await ctx.tx.all<{ next_ticket: number }>(
    'UPDATE tenants SET next_ticket = next_ticket + ? WHERE id = ? RETURNING next_ticket',
    [count, ctx.tenantId],
  );
  let next = Number(row!.next_ticket) - count;
  for (const t of missing) {
    const taken = Array.from({ length: t.quantity }, (_, i) => next + i);
    next += t.quantity;
    numbers.set(t.id, taken);
    await ctx.tx.run(
      `INSERT INTO ticket_numbers (tenant_id, number, transaction_id, ticket_id, place)
       VALUES ${taken.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      taken.flatMap((n, i) => [ctx.tenantId, n, transactionId, t.id, i + 1]),
    );
  }
  return numbers;
}

export async function numbersOf(ctx: OpContext, transactionId: string): Promise<Map<number, number[]>> {
  const rows = await ctx.tx.all<{ ticket_id: number; number: number }>(
    `SELECT ticket_id, number FROM ticket_numbers WHERE tenant_id = ? AND transaction_id = ?
     ORDER BY ticket_id, place`,
    [ctx.tenantId, transactionId],
  );
  const numbers = new Map<number, number[]>();
  for (const r of rows) {
    const id = Number(r.ticket_id);
    numbers.set(id, [...(numbers.get(id) ?? []), Number(r.number)]);
  }
  return numbers;
}

export async function paidOf(ctx: OpContext, transactionId: string): Promise<number> {
  const [row] = await ctx.tx.all<{ paid: number }>(
    'SELECT COALESCE(SUM(applied_cents), 0) AS paid FROM payments WHERE tenant_id = ? AND transaction_id = ?',
    [ctx.tenantId, transactionId],
  );
  return Number(row?.paid ?? 0);
}

/**
 * Stores a payment on a transaction whose live tickets cost `total`: 'whole' must leave nothing
 * owing (a sale), 'partial' must leave something owing (a deposit), 'any' either (an instalment).
 * Refused without the money it needs (PAYMENT_REQUIRED), or when what was paid before is not what
 * the counter charged against (BALANCE_CHANGED). Returns whether the total is now paid.
 */
export async function takePayment(
  ctx: OpContext,
  transactionId: string,
  total: number,
  payment: ServerPayment | undefined,
  covers: 'whole' | 'partial' | 'any',
): Promise<boolean> {
  const paid = await paidOf(ctx, transactionId);
  const facts = { transactionId, totalCents: total, paidCents: paid };
  if (!payment) {
    // A reservation may hold seats with nothing paid yet (a kiosk's "Pagar en taquilla" slip); a sale
    // is never completed without what pays it.
    if (covers === 'partial') return false;
    if (total > paid) throw new TaquillaError('PAYMENT_REQUIRED', 'No payment came with this sale', facts);
    return true;
  }
  const after = paid + payment.appliedCents;
  const wrong =
    payment.dueCents !== total - paid ||
    after > total ||
    (covers === 'whole' && after !== total) ||
    (covers === 'partial' && after >= total);
  if (wrong)
    throw new TaquillaError('BALANCE_CHANGED', 'The balance is not what this payment was for', facts);
  await storePayment(ctx, transactionId, payment, 'refuse', ctx.now);
  return after === total;
}

/**
 * Stores a payment with its sale, its references first (useReferences, `mode` as there); `takenAt`
 * (ms): when the money was taken — now for a payment taken online, the counter's time for one it
 * reports. The one place a server payment row is written.
 */
export async function storePayment(
  ctx: OpContext,
  transactionId: string,
  payment: ServerPayment,
  mode: 'refuse' | 'keep-first',
  takenAt: number,
): Promise<void> {
  await useReferences(ctx, transactionId, payment, mode);
  await ctx.tx.run(
    `INSERT INTO payments (tenant_id, id, transaction_id, kind, cashier, credential_id, applied_cents, record, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      ctx.tenantId,
      payment.paymentId,
      transactionId,
      payment.kind,
      payment.cashier,
      ctx.credentialId,
      payment.appliedCents,
      JSON.stringify(payment),
      takenAt,
    ],
  );
}

/**
 * Records the references a payment's tenders carry (recordedReferenceKey), in the write that stores
 * the payment: a reference pays once per tenant, whichever counter or instance shows it. 'refuse'
 * (a payment taken online) throws DUPLICATE_REFERENCE naming the sale that used it, and the whole
 * operation is rolled back; 'keep-first' (money an offline counter already took) keeps the first use.
 */
export async function useReferences(
  ctx: OpContext,
  transactionId: string,
  payment: ServerPayment,
  mode: 'refuse' | 'keep-first',
): Promise<void> {
  const seen = new Set<string>();
  for (const line of payment.lines) {
    const key = recordedReferenceKey(line);
    if (key === null) continue;
    const refuse = (used: { payment_id: string; transaction_id: string } | null): never => {
      const number = used ? saleNumberOf(used.transaction_id) : null;
      throw new TaquillaError(
        'DUPLICATE_REFERENCE',
        used
          ? `${line.method} reference ${line.reference} was already used in sale ${number}`
          : `${line.method} reference ${line.reference} appears twice in this payment`,
        {
          method: line.method,
          reference: line.reference ?? key,
          paymentId: used?.payment_id ?? null,
          transactionId: used?.transaction_id ?? null,
          transactionNumber: number,
        },
      );
    };
    if (seen.has(key)) {
      if (mode === 'refuse') refuse(null);
      continue;
    }
    seen.add(key);
    // ON CONFLICT DO NOTHING: a concurrent use commits first and this insert then counts 0 rows
    // (PostgreSQL waits for it), rather than aborting the transaction with a key violation.
    const inserted = await ctx.tx.run(
      `INSERT INTO payment_references (tenant_id, reference_key, payment_id, transaction_id, created_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [ctx.tenantId, key, payment.paymentId, transactionId, ctx.now],
    );
    if (inserted === 1 || mode === 'keep-first') continue;
    const [used] = await ctx.tx.all<{ payment_id: string; transaction_id: string }>(
      'SELECT payment_id, transaction_id FROM payment_references WHERE tenant_id = ? AND reference_key = ?',
      [ctx.tenantId, key],
    );
    refuse(used ?? null);
  }
}

export async function cancel(ctx: OpContext, input: CancelInput) {
  const t = await transactionOrThrow(ctx, input.transactionId);
  const tickets = await activeTickets(ctx, t.id);
  const reason = 'cancelled';
  const { moves } = effectsOrThrow(decideCancel(ctx.now, transactionFact(t), tickets.map(heldFact), reason));
  await moveTickets(ctx, moves, input.actor);
  await setStatus(ctx, t, 'CANCELLED', null, input.actor, reason);
  return summary(t, 'CANCELLED', null, tickets);
}

/** A transaction as the rules see it. */
function transactionFact(t: TxRow): TransactionFact {
  return {
    transactionId: t.id,
    status: t.status,
    reservedUntil: t.reserved_until === null ? null : Number(t.reserved_until),
    createdAt: 0,
  };
}
