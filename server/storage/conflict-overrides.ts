import { TaquillaError } from '../../shared/errors.ts';
import {
  type ServerConflictRecord,
  type ServerConflictResolution,
  serverConflictResolution,
} from '../../shared/schemas/conflicts.ts';
import { venueTicketNumberText } from '../../shared/schemas/keyset.ts';
import { revokeTickets } from './keyset-store.ts';
import { writeAudit } from './sql-audit.ts';
import type { SqlTx } from './sql-hold-store.ts';

interface Row {
  credential_id: number | string;
  record: string;
  recorded_at: number | string;
  terminal: string | null;
}

/**
 * How supervisors settled offline sales the server refused (issue 14; server migration 8), one row
 * per refused sale. The counter sends it after acting (an override after the server sold it the seats
 * it still had free, with the same operations as any sale); here it is kept for the operator's audit
 * (`taquilla-server conflicts`) and the revocation list (moved and refunded tickets' numbers).
 */

/**
 * Records a resolution once per (tenant, sale). The same resolution sent again (a retried request)
 * answers the first record; another resolution of the same sale, or one from another terminal, is
 * refused (CONFLICT_RESOLVED). A move or a refund puts the refused sale's printed numbers on the
 * revocation list in the same transaction (reason 'moved' or 'refunded'), so every door refuses them.
 */
export async function recordConflictResolution(
  tx: SqlTx,
  tenantId: number,
  credentialId: number,
  raw: ServerConflictResolution,
  now: number,
): Promise<ServerConflictRecord> {
  const input = serverConflictResolution.parse(raw);
  const [first] = await firstOf(tx, tenantId, input.saleId);
  if (first) {
    const kept = JSON.parse(first.record) as ServerConflictResolution;
    if (Number(first.credential_id) !== credentialId || kept.resolution !== input.resolution) {
      throw new TaquillaError('CONFLICT_RESOLVED', `Sale ${input.saleId} was already settled`, {
        saleId: input.saleId,
        resolution: kept.resolution,
      });
    }
    return recordOf(first);
  }
  await tx.run(
    `INSERT INTO conflict_resolutions (tenant_id, sale_id, credential_id, event_id, resolution, reason, actor,
       approved_by, record, resolved_at, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      tenantId,
      input.saleId,
      credentialId,
      input.eventId ?? 0,
      input.resolution,
      input.reason,
      input.actor,
      input.approvedBy,
      JSON.stringify(input),
      input.resolvedAt,
      now,
    ],
  );
  await writeAudit(tx, tenantId, { actor: input.actor, credentialId }, now, [
    {
      eventId: input.eventId,
      entity: 'conflict',
      entityId: input.saleId,
      from: 'refused',
      to: input.resolution,
      reason: `${input.reason} (approved by ${input.approvedBy}; seats ${input.seatIds.join(', ') || 'none'}${
        input.movedTo ? `; moved to ${input.movedTo.transactionId}` : ''
      }${input.keptBy ? `; kept by ${input.keptBy}` : ''})`,
    },
  ]);
  if (input.resolution !== 'override') {
    await revokeTickets(tx, {
      tenantId,
      transactionId: input.saleId,
      numbers: await refusedSaleNumbers(tx, tenantId, credentialId, input.ticketNumbers),
      reason: input.resolution,
      now,
    });
  }
  const [row] = await firstOf(tx, tenantId, input.saleId);
  return recordOf(row!);
}

/** The tenant's resolutions, newest first (at most `limit`). */
export async function conflictResolutions(
  tx: SqlTx,
  tenantId: number,
  limit = 500,
): Promise<ServerConflictRecord[]> {
  const rows = await tx.all<Row>(
    `SELECT r.credential_id, r.record, r.recorded_at, c.name AS terminal FROM conflict_resolutions r
     LEFT JOIN credentials c ON c.id = r.credential_id
     WHERE r.tenant_id = ? ORDER BY r.recorded_at DESC, r.sale_id LIMIT ?`,
    [tenantId, limit],
  );
  return rows.map(recordOf);
}

/**
 * The numbers a refused offline sale printed that are this counter's to take back: those of a block
 * leased to it that no sale the server recorded carries (a counter cannot revoke another's ticket).
 */
async function refusedSaleNumbers(
  tx: SqlTx,
  tenantId: number,
  credentialId: number,
  numbers: readonly number[],
): Promise<string[]> {
  if (numbers.length === 0) return [];
  const blocks = await tx.all<{ ticket_from: number | string; ticket_to: number | string }>(
    'SELECT ticket_from, ticket_to FROM leases WHERE tenant_id = ? AND credential_id = ?',
    [tenantId, credentialId],
  );
  const recorded = await tx.all<{ number: number | string }>(
    `SELECT number FROM ticket_numbers WHERE tenant_id = ? AND number IN (${numbers.map(() => '?').join(', ')})`,
    [tenantId, ...numbers],
  );
  const taken = new Set(recorded.map((r) => Number(r.number)));
  return numbers
    .filter((n) => !taken.has(n))
    .filter((n) => blocks.some((b) => n >= Number(b.ticket_from) && n <= Number(b.ticket_to)))
    .map(venueTicketNumberText);
}

function firstOf(tx: SqlTx, tenantId: number, saleId: string): Promise<Row[]> {
  return tx.all<Row>(
    `SELECT r.credential_id, r.record, r.recorded_at, c.name AS terminal FROM conflict_resolutions r
     LEFT JOIN credentials c ON c.id = r.credential_id WHERE r.tenant_id = ? AND r.sale_id = ?`,
    [tenantId, saleId],
  );
}

function recordOf(row: Row): ServerConflictRecord {
  return {
    ...(JSON.parse(row.record) as ServerConflictResolution),
    terminal: row.terminal ?? `#${String(row.credential_id)}`,
    recordedAt: Number(row.recorded_at),
  };
}
