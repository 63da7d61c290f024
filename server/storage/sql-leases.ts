import { policyLeaseMinutes } from './lease-policy-store.ts';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { MINUTE_MS } from '../../shared/clock.ts';
import { type ErrorDetails, TaquillaError } from '../../shared/errors.ts';
import { type LeaseGrant, leaseInput, leaseReturnInput, leaseSaleInput } from '../../shared/schemas/sync.ts';
import type { LeaseListing } from './hold-store.ts';
import { changed } from './sql-availability.ts';
import { LEASE_TRANSACTION_PREFIX, type ZoneFact } from '../../shared/hold-rules/index.ts';
import { eventOrThrow, zoneFact } from './sql-hold-facts.ts';
import { readGeneration } from './generation.ts';
import { releaseTransaction, takePlacesForLease, takeSeatsForLease } from './sql-holds.ts';
import { storePayment } from './sql-sales.ts';
import { type AuditBy, writeAudit } from './sql-audit.ts';
import { type OpContext, type SqlDb, type TxRow, marks } from './sql-tx.ts';

/**
 * Offline leases: seats and ticket numbers granted to one counter, its sales and its return.
 */

/** How far before its grant a counter's clock may place a sale (offset measured on a round trip). */
export const LEASE_CLOCK_SKEW_MS = 60_000;

/** Inputs as serverOperations produced them (parsed, defaults applied). */
export type LeaseInput = z.output<typeof leaseInput>;

export type LeaseSaleInput = z.output<typeof leaseSaleInput>;

export type LeaseReturnInput = z.output<typeof leaseReturnInput>;

/** Revokes and announces it to every instance in the same transaction (live sockets close at once). */
export async function leases(db: SqlDb, tenantId: number, now: number): Promise<LeaseListing[]> {
  const grace = (await db.tenantSettings(tenantId)).LEASE_GRACE_MINUTES * MINUTE_MS;
  return db.read(async (tx) => {
    const rows = await tx.all<Record<string, string | number | null>>(
      `SELECT l.id, l.credential_id, c.name, c.revoked_at, l.event_id, l.status, l.expires_at, l.ticket_from,
              l.ticket_to, l.transaction_id,
              (SELECT MAX(t.reserved_until) FROM tickets t WHERE t.tenant_id = l.tenant_id
                 AND t.transaction_id = l.transaction_id) AS kept_until,
              (SELECT COUNT(*) FROM tickets t WHERE t.tenant_id = l.tenant_id AND t.transaction_id = l.transaction_id
                 AND t.status = 'ACTIVE' AND t.reserved_until > ? AND t.seat_id IS NOT NULL) AS seats_held,
              (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t WHERE t.tenant_id = l.tenant_id
                 AND t.transaction_id = l.transaction_id AND t.status = 'ACTIVE' AND t.reserved_until > ?
                 AND t.seat_id IS NULL) AS places_held,
              (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t WHERE t.tenant_id = l.tenant_id
                 AND t.session_id = 'lease:' || l.id AND t.status = 'COMPLETED') AS sold
       FROM leases l LEFT JOIN credentials c ON c.id = l.credential_id AND c.tenant_id = l.tenant_id
       WHERE l.tenant_id = ? ORDER BY CASE WHEN l.status = 'OPEN' THEN 0 ELSE 1 END, l.created_at DESC`,
      [now, now, tenantId],
    );
    return rows.map((r) => {
      const expiresAt = Number(r.expires_at);
      const keptUntil = r.kept_until === null ? expiresAt + grace : Number(r.kept_until);
      const open = r.status === 'OPEN';
      return {
        leaseId: String(r.id),
        credentialId: Number(r.credential_id),
        terminal: String(r.name ?? ''),
        terminalRevoked: r.revoked_at !== null,
        eventId: Number(r.event_id),
        state:
          open && expiresAt > now
            ? 'selling'
            : keptUntil > now && Number(r.seats_held) + Number(r.places_held) > 0
              ? 'grace'
              : 'closed',
        expiresAt,
        keptUntil,
        seatsHeld: Number(r.seats_held),
        placesHeld: Number(r.places_held),
        sold: Number(r.sold),
        ticketFrom: Number(r.ticket_from),
        ticketTo: Number(r.ticket_to),
      };
    });
  });
}

export async function openLeaseIds(db: SqlDb, tenantId: number, credentialId: number): Promise<string[]> {
  const rows = await db.read((tx) =>
    tx.all<{ id: string }>(
      "SELECT id FROM leases WHERE tenant_id = ? AND credential_id = ? AND status = 'OPEN'",
      [tenantId, credentialId],
    ),
  );
  return rows.map((r) => String(r.id));
}

export async function endLease(
  db: SqlDb,
  tenantId: number,
  leaseId: string,
  now: number,
  by: AuditBy,
): Promise<LeaseListing | null> {
  const grace = (await db.tenantSettings(tenantId)).LEASE_GRACE_MINUTES * MINUTE_MS;
  const found = await db.write(async (tx) => {
    const [lease] = await tx.all<{ transaction_id: string; status: string; event_id: number }>(
      // Locked, as its counter's sales and return lock it (leaseOrThrow).
      `SELECT transaction_id, status, event_id FROM leases WHERE tenant_id = ? AND id = ?${db.forUpdate}`,
      [tenantId, leaseId],
    );
    if (!lease) return false;
    if (lease.status !== 'OPEN') return true;
    await tx.run(
      `UPDATE leases SET status = 'RETURNED', expires_at = CASE WHEN expires_at < ? THEN expires_at ELSE ? END
       WHERE tenant_id = ? AND id = ?`,
      [now, now, tenantId, leaseId],
    );
    // Sales made before now may still be on their way: the seats are kept for the grace, no longer.
    await tx.run(
      `UPDATE tickets SET reserved_until = CASE WHEN reserved_until < ? THEN reserved_until ELSE ? END, updated_at = ?
       WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'`,
      [now + grace, now + grace, now, tenantId, lease.transaction_id],
    );
    await writeAudit(tx, tenantId, by, now, [
      {
        eventId: Number(lease.event_id),
        entity: 'lease',
        entityId: leaseId,
        from: 'OPEN',
        to: 'RETURNED',
        reason: `ended by the operator; its seats kept for late reports until ${iso(now + grace)}`,
      },
    ]);
    return true;
  });
  if (!found) return null;
  return (await leases(db, tenantId, now)).find((l) => l.leaseId === leaseId) ?? null;
}

/**
 * Leases inventory to one terminal for offline selling: the seats are held by a RESERVED
 * transaction of the lease until it expires, so nobody else can take them while the terminal is
 * cut off, and the terminal gets its own block of ticket numbers.
 */
export async function lease(ctx: OpContext, input: LeaseInput): Promise<LeaseGrant> {
  const { tx, tenantId, now } = ctx;
  const event = await eventOrThrow(ctx, input.eventId);
  const leaseId = randomUUID();
  // The lease policy of the event (this counter's, else the default) sets the period (issue 14).
  const period = (await policyLeaseMinutes(tx, tenantId, event.id, ctx.credentialId)) ?? event.lease_minutes;
  const expiresAt = now + period * MINUTE_MS;
  // The counter sells until expiresAt; the seats stay the lease's for a grace beyond it, so a sale
  // made just before the end is reported before anyone else can take the seat.
  const keptUntil = expiresAt + ctx.settings.LEASE_GRACE_MINUTES * MINUTE_MS;
  const seats = await takeSeatsForLease(ctx, event.id, input.seatIds);
  const zone = input.general
    ? await takePlacesForLease(ctx, event.id, input.general.zoneId, input.general.quantity)
    : null;
  const transactionId = `${LEASE_TRANSACTION_PREFIX}${leaseId}`;
  await tx.run(
    `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'RESERVED', ?, ?, ?)`,
    [tenantId, transactionId, event.id, `lease:${leaseId}`, input.actor, keptUntil, now, now],
  );
  const rows: unknown[][] = seats.map((s) => [s.zoneId, s.seatId, 1, s.priceCents]);
  if (zone && input.general) rows.push([zone.zoneId, null, input.general.quantity, zone.priceCents]);
  if (rows.length > 0) {
    await tx.run(
      `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
         price_cents, status, reserved_until, created_at, updated_at)
       VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?)").join(', ')}`,
      rows.flatMap((r) => [
        tenantId,
        transactionId,
        event.id,
        ...r.slice(0, 3),
        `lease:${leaseId}`,
        r[3],
        keptUntil,
        now,
        now,
      ]),
    );
  }
  for (const s of seats) changed(ctx, event.id, s.zoneId, s.seatId);
  if (zone) changed(ctx, event.id, zone.zoneId, null);
  const [numbers] = await tx.all<{ next_ticket: number }>(
    'UPDATE tenants SET next_ticket = next_ticket + ? WHERE id = ? RETURNING next_ticket',
    [input.ticketNumbers, tenantId],
  );
  const ticketTo = Number(numbers!.next_ticket) - 1;
  const ticketFrom = ticketTo - input.ticketNumbers + 1;
  await tx.run(
    `INSERT INTO leases (tenant_id, id, credential_id, event_id, transaction_id, ticket_from, ticket_to,
       expires_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?)`,
    [tenantId, leaseId, ctx.credentialId, event.id, transactionId, ticketFrom, ticketTo, expiresAt, now],
  );
  const granted = [
    `${seats.length} seats`,
    ...(input.general ? [`${input.general.quantity} places of zone ${input.general.zoneId}`] : []),
    `numbers ${ticketFrom}–${ticketTo}`,
  ];
  ctx.audit.push({
    eventId: event.id,
    actor: input.actor,
    entity: 'lease',
    entityId: leaseId,
    from: null,
    to: 'OPEN',
    reason: `granted ${granted.join(', ')} until ${iso(expiresAt)}`,
  });
  return {
    leaseId,
    eventId: event.id,
    seatIds: seats.map((s) => s.seatId),
    general: input.general ? { zoneId: input.general.zoneId, quantity: input.general.quantity } : null,
    ticketFrom,
    ticketTo,
    expiresAt,
    generation: await readGeneration(ctx.tx),
  };
}

/**
 * Records a sale made offline. Seats still under the lease are simply sold; a seat whose lease ran
 * out is sold too if nobody took it meanwhile. Only a seat someone else now holds is refused
 * (SEAT_TAKEN), and the terminal puts that on its conflict list.
 */
export async function leaseSale(ctx: OpContext, input: LeaseSaleInput) {
  const { tx, tenantId, now } = ctx;
  const lease = await leaseOrThrow(ctx, input.leaseId);
  const eventId = Number(lease.event_id);
  await assertSaleInsideLease(ctx, lease, input);
  if (input.seatIds.length > 0) {
    // The lease's own tickets on these seats step aside for the sale.
    await tx.run(
      `UPDATE tickets SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND transaction_id = ?
         AND status = 'ACTIVE' AND seat_id IN (${marks(input.seatIds.length)})`,
      [now, tenantId, lease.transaction_id, ...input.seatIds],
    );
  }
  const seats = await takeSeatsForLease(ctx, eventId, input.seatIds);
  let zone: ZoneFact | null = null;
  if (input.general) {
    const zoneId = input.general.zoneId;
    // The zone first, then the lease's places in it, both locked (PostgreSQL): a re-sent sale or an
    // expiry that takes the lease's places locks in the same order, and neither counts them twice.
    await zoneFact(ctx, eventId, zoneId, ctx.db.forUpdate);
    const [leased] = await tx.all<{ id: number; quantity: number }>(
      `SELECT id, quantity FROM tickets WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'
         AND seat_id IS NULL AND zone_id = ?${ctx.db.forUpdate}`,
      [tenantId, lease.transaction_id, zoneId],
    );
    const fromLease = Math.min(Number(leased?.quantity ?? 0), input.general.quantity);
    if (leased && fromLease > 0) {
      const left = Number(leased.quantity) - fromLease;
      await tx.run(
        left === 0
          ? "UPDATE tickets SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'ACTIVE'"
          : `UPDATE tickets SET quantity = ${left}, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'ACTIVE'`,
        [now, tenantId, leased.id],
      );
      await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
        fromLease,
        tenantId,
        eventId,
        zoneId,
      ]);
    }
    zone = await takePlacesForLease(ctx, eventId, zoneId, input.general.quantity);
  }
  const transactionId = `sale-${randomUUID()}`;
  await tx.run(
    `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'COMPLETED', NULL, ?, ?)`,
    [tenantId, transactionId, eventId, `lease:${lease.id}`, input.actor, input.soldAt, now],
  );
  // The counter knows this sale by its own id (a void names it so).
  await tx.run(
    'INSERT INTO lease_sales (tenant_id, sale_id, transaction_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    [tenantId, input.saleId, transactionId],
  );
  const rows: unknown[][] = seats.map((s) => [s.zoneId, s.seatId, 1, s.priceCents]);
  if (zone && input.general) rows.push([zone.zoneId, null, input.general.quantity, zone.priceCents]);
  const sold = await tx.all<{ id: number; seat_id: number | null }>(
    `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
       price_cents, status, reserved_until, created_at, updated_at)
     VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'COMPLETED', ?, ?, ?)").join(', ')}
     RETURNING id, seat_id`,
    rows.flatMap((r) => [
      tenantId,
      transactionId,
      eventId,
      ...r.slice(0, 3),
      `lease:${lease.id}`,
      r[3],
      now,
      now,
      now,
    ]),
  );
  for (const s of seats) changed(ctx, eventId, s.zoneId, s.seatId);
  if (zone) changed(ctx, eventId, zone.zoneId, null);
  // The numbers the counter printed, from its lease's block: seats in the order reported, then the
  // standing places. A number is the venue's once (the key refuses a second use).
  const places: { ticketId: number; place: number }[] = [];
  for (const seatId of input.seatIds) {
    const ticket = sold.find((t) => t.seat_id !== null && Number(t.seat_id) === seatId);
    if (ticket) places.push({ ticketId: Number(ticket.id), place: 1 });
  }
  const standing = sold.find((t) => t.seat_id === null);
  for (let i = 1; standing && i <= (input.general?.quantity ?? 0); i++) {
    places.push({ ticketId: Number(standing.id), place: i });
  }
  const numbered = places
    .map((p, i) => ({ ...p, number: input.ticketNumbers[i] }))
    .filter(
      (p) =>
        p.number !== undefined &&
        p.number >= Number(lease.ticket_from) &&
        p.number <= Number(lease.ticket_to),
    );
  if (numbered.length > 0) {
    await tx.run(
      `INSERT INTO ticket_numbers (tenant_id, number, transaction_id, ticket_id, place)
       VALUES ${numbered.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      numbered.flatMap((p) => [tenantId, p.number, transactionId, p.ticketId, p.place]),
    );
  }
  ctx.audit.push(
    {
      eventId,
      actor: input.actor,
      entity: 'lease',
      entityId: lease.id,
      from: lease.status,
      to: 'SOLD',
      reason: `offline sale ${input.saleId} recorded as ${transactionId}: ${input.seatIds.length} seats${
        input.general ? `, ${input.general.quantity} places` : ''
      }, numbers ${input.ticketNumbers.join(', ') || 'none'}`,
    },
    {
      eventId,
      actor: input.actor,
      entity: 'transaction',
      entityId: transactionId,
      from: null,
      to: 'COMPLETED',
      reason: `offline sale ${input.saleId} of lease ${lease.id}`,
    },
  );
  // The money taken offline is stored with the sale (an offline sale is reported, never refused
  // for its money: the counter already sold it).
  for (const payment of input.payments ?? []) {
    await storePayment(ctx, transactionId, payment, 'keep-first', now);
  }
  return {
    transactionId,
    saleId: input.saleId,
    ticketNumbers: input.ticketNumbers,
  };
}

/**
 * A lease covers only what it granted: each seat still unsold in it (a lease ticket ACTIVE, or
 * EXPIRED once its grace passed — then the seat is sold only if still free), standing places of its
 * zone up to what it still holds, one number per place from its block never used before, and a sale
 * time between the grant and the lease's end. Anything else is refused, whole (OUTSIDE_LEASE).
 */
export async function assertSaleInsideLease(
  ctx: OpContext,
  lease: Awaited<ReturnType<typeof leaseOrThrow>>,
  input: ReturnType<typeof leaseSaleInput.parse>,
): Promise<void> {
  const { tx, tenantId } = ctx;
  const refuse = (reason: ErrorDetails['OUTSIDE_LEASE']['reason'], facts: object, message: string) =>
    new TaquillaError('OUTSIDE_LEASE', message, { leaseId: lease.id, reason, ...facts });
  const from = Number(lease.created_at) - LEASE_CLOCK_SKEW_MS;
  const until = Number(lease.expires_at);
  if (input.soldAt < from || input.soldAt > until) {
    throw refuse('sold-at', { soldAt: input.soldAt, from, until }, 'The sale time is outside the lease');
  }
  // Only what the sale names is read (its seats, its zone's places), never the whole lease: a replay
  // of a lease's sales would otherwise read the lease once per sale (tickets_by_transaction_seat).
  const leased =
    input.seatIds.length === 0
      ? []
      : await tx.all<{ seat_id: number }>(
          `SELECT seat_id FROM tickets WHERE tenant_id = ? AND transaction_id = ?
             AND seat_id IN (${marks(input.seatIds.length)}) AND status IN ('ACTIVE', 'EXPIRED')`,
          [tenantId, lease.transaction_id, ...input.seatIds],
        );
  const leasedSeats = new Set(leased.map((t) => Number(t.seat_id)));
  const notLeased = input.seatIds.filter((id) => !leasedSeats.has(id));
  if (notLeased.length > 0) {
    throw refuse(
      'not-leased',
      { seatIds: notLeased },
      'Seats not leased (or already reported) in this lease',
    );
  }
  if (input.general) {
    const zoneId = input.general.zoneId;
    const [row] = await tx.all<{ places: number }>(
      `SELECT COALESCE(SUM(quantity), 0) AS places FROM tickets WHERE tenant_id = ? AND transaction_id = ?
         AND seat_id IS NULL AND zone_id = ? AND status IN ('ACTIVE', 'EXPIRED')`,
      [tenantId, lease.transaction_id, zoneId],
    );
    const places = Number(row?.places ?? 0);
    if (input.general.quantity > places) {
      throw refuse(
        'not-leased',
        { zoneId },
        `Only ${places} standing places of zone ${zoneId} are in this lease`,
      );
    }
  }
  const numbers = input.ticketNumbers;
  const places = input.seatIds.length + (input.general?.quantity ?? 0);
  const outside = numbers.filter((n) => n < Number(lease.ticket_from) || n > Number(lease.ticket_to));
  const repeated = numbers.filter((n, i) => numbers.indexOf(n) !== i);
  const used =
    numbers.length === 0
      ? []
      : await tx.all<{ number: number }>(
          `SELECT number FROM ticket_numbers WHERE tenant_id = ? AND number IN (${marks(numbers.length)})`,
          [tenantId, ...numbers],
        );
  const bad = [...outside, ...repeated, ...used.map((u) => Number(u.number))];
  if (numbers.length !== places || bad.length > 0) {
    throw refuse(
      'ticket-numbers',
      { ticketNumbers: bad, from: Number(lease.ticket_from), until: Number(lease.ticket_to) },
      `A sale of ${places} places reports ${places} unused numbers of the lease's block`,
    );
  }
}

/** Gives back what the lease did not sell, or renews it for another period. */
export async function leaseReturn(ctx: OpContext, input: LeaseReturnInput) {
  const { tx, tenantId, now } = ctx;
  const lease = await leaseOrThrow(ctx, input.leaseId);
  const eventId = Number(lease.event_id);
  if (input.renewMinutes !== undefined || input.renew) {
    // A lease returned (or ended by the supervisor) is not brought back by its counter.
    if (lease.status !== 'OPEN') {
      throw new TaquillaError('UNKNOWN_LEASE', `Lease ${lease.id} is closed`, { leaseId: lease.id });
    }
    const [credential] = await tx.all<{ revoked_at: number | null }>(
      'SELECT revoked_at FROM credentials WHERE tenant_id = ? AND id = ?',
      [tenantId, ctx.credentialId],
    );
    if (credential && credential.revoked_at !== null) {
      throw new TaquillaError(
        'UNAUTHORIZED',
        'A revoked terminal gives its leases back, it does not renew them',
        {},
      );
    }
    // Bounded by the event's lease policy: a renewal is another lease period, never more.
    const event = await eventOrThrow(ctx, eventId);
    const period = (await policyLeaseMinutes(tx, tenantId, eventId, ctx.credentialId)) ?? event.lease_minutes;
    const minutes = input.renewMinutes ?? period;
    if (minutes > period) {
      throw new TaquillaError('LEASE_RENEWAL_TOO_LONG', `A renewal lasts at most ${period} minutes`, {
        leaseId: lease.id,
        renewMinutes: minutes,
        maxMinutes: period,
      });
    }
    // Never shorter than the counter was already told: it may be selling from it right now.
    const expiresAt = Math.max(Number(lease.expires_at), now + minutes * MINUTE_MS);
    const keptUntil = expiresAt + ctx.settings.LEASE_GRACE_MINUTES * MINUTE_MS;
    const renewed = await tx.all<{
      seat_id: number | null;
      zone_id: number;
      quantity: number;
    }>(
      `UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND transaction_id = ?
         AND status = 'ACTIVE' AND reserved_until > ? RETURNING seat_id, zone_id, quantity`,
      [keptUntil, now, tenantId, lease.transaction_id, now],
    );
    await tx.run('UPDATE transactions SET reserved_until = ? WHERE tenant_id = ? AND id = ?', [
      keptUntil,
      tenantId,
      lease.transaction_id,
    ]);
    await tx.run('UPDATE leases SET expires_at = ? WHERE tenant_id = ? AND id = ?', [
      expiresAt,
      tenantId,
      lease.id,
    ]);
    for (const t of renewed) changed(ctx, eventId, t.zone_id, t.seat_id);
    ctx.audit.push({
      eventId,
      actor: input.actor,
      entity: 'lease',
      entityId: lease.id,
      from: 'OPEN',
      to: 'OPEN',
      reason: `renewed until ${iso(expiresAt)} (${minutes} minutes)`,
    });
    return {
      leaseId: lease.id,
      expiresAt,
      seatIds: renewed.filter((t) => t.seat_id !== null).map((t) => Number(t.seat_id)),
      general: renewed.find((t) => t.seat_id === null) ?? null,
    };
  }
  const t: TxRow = {
    id: lease.transaction_id,
    event_id: eventId,
    session_id: `lease:${lease.id}`,
    actor: input.actor,
    status: 'RESERVED',
    reserved_until: null,
  };
  const moved = await releaseTransaction(ctx, t, input.actor, 'lease returned');
  await tx.run("UPDATE leases SET status = 'RETURNED' WHERE tenant_id = ? AND id = ?", [tenantId, lease.id]);
  ctx.audit.push({
    eventId,
    actor: input.actor,
    entity: 'lease',
    entityId: lease.id,
    from: lease.status,
    to: 'RETURNED',
    reason: `returned by its counter: ${moved.reduce((n, k) => n + Number(k.quantity), 0)} places back on sale`,
  });
  await tx.run(
    `UPDATE transactions SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'RESERVED'`,
    [now, tenantId, lease.transaction_id],
  );
  return {
    leaseId: lease.id,
    returned: moved.reduce((n, k) => n + Number(k.quantity), 0),
  };
}

export async function leaseOrThrow(ctx: OpContext, leaseId: string) {
  const [lease] = await ctx.tx.all<{
    id: string;
    event_id: number;
    transaction_id: string;
    credential_id: number;
    ticket_from: number;
    ticket_to: number;
    expires_at: number;
    created_at: number;
    status: string;
  }>(
    // Locked: a lease's sales and its return each read and then change its places (PostgreSQL runs
    // a counter's concurrent reports side by side; SQLite has one writer anyway).
    `SELECT id, event_id, transaction_id, credential_id, ticket_from, ticket_to, expires_at, created_at, status
     FROM leases WHERE tenant_id = ? AND id = ?${ctx.db.forUpdate}`,
    [ctx.tenantId, leaseId],
  );
  // A terminal reports and returns only its own leases.
  if (!lease || Number(lease.credential_id) !== ctx.credentialId) {
    // The generation tells a counter whose lease a restore lost to re-send its sales (issue 14).
    throw new TaquillaError('UNKNOWN_LEASE', `There is no lease ${leaseId} for this terminal`, {
      leaseId,
      generation: await readGeneration(ctx.tx),
    });
  }
  return lease;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
