import {
  KEYSET_FORMAT,
  type KeysetKey,
  type RegisterTicketKeysReply,
  type RevocationReason,
  type TicketKeyRegistration,
  type TicketKeyset,
  venueTicketNumberText,
} from '../../shared/schemas/keyset.ts';
import { writeAudit } from './sql-audit.ts';
import type { SqlTx } from './sql-hold-store.ts';

/**
 * The tables of door verification (server migration 5), in plain functions over one transaction:
 * the only code that writes them. `ticket_keys`: each counter's public ticket keys, under the
 * credential that registered them. `revoked_tickets`: the printed numbers the venue took back (a void,
 * with or without a refund), which every door refuses.
 */

/**
 * Registers a counter's public keys. A key already registered to this credential only learns its
 * retirement; one registered by another credential (a store copied with its key) stays theirs and is
 * answered as taken.
 */
export async function registerTicketKeys(
  tx: SqlTx,
  c: { tenantId: number; credentialId: number; keys: readonly TicketKeyRegistration[]; now: number },
): Promise<RegisterTicketKeysReply> {
  const registered: string[] = [];
  const taken: string[] = [];
  const [terminal] = await tx.all<{ name: string }>(
    'SELECT name FROM credentials WHERE tenant_id = ? AND id = ?',
    [c.tenantId, c.credentialId],
  );
  const audit = (keyId: string, from: string | null, to: string, reason: string) =>
    writeAudit(
      tx,
      c.tenantId,
      { actor: `terminal:${terminal?.name ?? c.credentialId}`, credentialId: c.credentialId },
      c.now,
      [{ eventId: null, entity: 'key', entityId: keyId, from, to, reason }],
    );
  for (const key of c.keys) {
    const [row] = await tx.all<{ credential_id: number; public_key: string; retired_at: number | null }>(
      'SELECT credential_id, public_key, retired_at FROM ticket_keys WHERE tenant_id = ? AND key_id = ?',
      [c.tenantId, key.keyId],
    );
    if (!row) {
      await tx.run(
        `INSERT INTO ticket_keys (tenant_id, key_id, credential_id, public_key, valid_from, retired_at, registered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [c.tenantId, key.keyId, c.credentialId, key.publicKey, key.createdAt, key.retiredAt, c.now],
      );
      await audit(
        key.keyId,
        null,
        'registered',
        `ticket key valid from ${new Date(key.createdAt).toISOString()}`,
      );
      if (key.retiredAt !== null) await audit(key.keyId, 'registered', 'retired', 'retired by its counter');
      registered.push(key.keyId);
    } else if (Number(row.credential_id) === c.credentialId && row.public_key === key.publicKey) {
      if (key.retiredAt !== null && row.retired_at === null) {
        await audit(key.keyId, 'registered', 'retired', 'retired by its counter (a key rotation)');
        await tx.run(
          'UPDATE ticket_keys SET retired_at = COALESCE(retired_at, ?) WHERE tenant_id = ? AND key_id = ?',
          [key.retiredAt, c.tenantId, key.keyId],
        );
      }
      registered.push(key.keyId);
    } else {
      taken.push(key.keyId);
    }
  }
  return { registered, taken };
}

/**
 * Takes back the printed tickets of a void: those the counter named (when they are this sale's venue
 * numbers, or its own numbers the server never numbered) and every venue number of a ticket the void
 * took whole. A refund makes the reason 'refunded'.
 */
export async function revokeVoidedTickets(
  tx: SqlTx,
  v: {
    tenantId: number;
    transactionId: string;
    /** Server ticket ids the void took whole (their every number is revoked). */
    wholeTicketIds: readonly number[];
    /** The printed numbers the counter voided, when it said. */
    ticketNumbers: readonly string[];
    refunded: boolean;
    now: number;
  },
): Promise<number> {
  const rows = await tx.all<{ number: number; ticket_id: number }>(
    'SELECT number, ticket_id FROM ticket_numbers WHERE tenant_id = ? AND transaction_id = ?',
    [v.tenantId, v.transactionId],
  );
  const ofSale = new Map(rows.map((r) => [venueTicketNumberText(Number(r.number)), Number(r.ticket_id)]));
  const whole = new Set(v.wholeTicketIds);
  const numbers = new Set<string>();
  for (const [text, ticketId] of ofSale) if (whole.has(ticketId)) numbers.add(text);
  for (const given of v.ticketNumbers) {
    // A venue number belongs to one sale: a counter cannot revoke another sale's ticket.
    if (/^\d+$/.test(given)) {
      const text = venueTicketNumberText(Number(given));
      if (ofSale.has(text)) numbers.add(text);
    } else {
      numbers.add(given);
    }
  }
  await revokeTickets(tx, { ...v, numbers: [...numbers], reason: v.refunded ? 'refunded' : 'voided' });
  return numbers.size;
}

/**
 * Puts printed ticket numbers of one sale on the revocation list (the first reason and time stay):
 * what a void, a refund or a move (a customer moved to other seats) takes back.
 */
export async function revokeTickets(
  tx: SqlTx,
  r: {
    tenantId: number;
    transactionId: string;
    numbers: readonly string[];
    reason: RevocationReason;
    now: number;
  },
): Promise<void> {
  for (const n of r.numbers) {
    await tx.run(
      `INSERT INTO revoked_tickets (tenant_id, ticket_number, transaction_id, reason, revoked_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, ticket_number) DO NOTHING`,
      [r.tenantId, n, r.transactionId, r.reason, r.now],
    );
  }
}

/** The tenant's keyset and revocation list, as of `now` (server time). */
export async function exportKeyset(tx: SqlTx, tenantId: number, now: number): Promise<TicketKeyset> {
  const keyRows = await tx.all<{
    key_id: string;
    public_key: string;
    credential_id: number;
    name: string;
    valid_from: number;
    retired_at: number | null;
    revoked_at: number | null;
  }>(
    `SELECT k.key_id, k.public_key, k.credential_id, c.name, k.valid_from, k.retired_at, c.revoked_at
     FROM ticket_keys k JOIN credentials c ON c.id = k.credential_id
     WHERE k.tenant_id = ? ORDER BY k.valid_from, k.key_id`,
    [tenantId],
  );
  const issuedBy = new Map<number, string[]>();
  const keys: KeysetKey[] = [];
  for (const r of keyRows) {
    const credentialId = Number(r.credential_id);
    const revokedAt = r.revoked_at === null ? null : Number(r.revoked_at);
    let issued: string[] | undefined;
    if (revokedAt !== null) {
      issued = issuedBy.get(credentialId);
      if (!issued) {
        issued = await issuedByCredential(tx, tenantId, credentialId);
        issuedBy.set(credentialId, issued);
      }
    }
    keys.push({
      keyId: r.key_id,
      publicKey: r.public_key,
      credentialId,
      terminal: r.name,
      validFrom: Number(r.valid_from),
      retiredAt: r.retired_at === null ? null : Number(r.retired_at),
      terminalRevokedAt: revokedAt,
      ...(issued ? { issuedBeforeRevocation: issued } : {}),
    });
  }
  const revoked = await tx.all<{
    ticket_number: string;
    reason: RevocationReason;
    revoked_at: number;
    transaction_id: string;
  }>(
    `SELECT ticket_number, reason, revoked_at, transaction_id FROM revoked_tickets
     WHERE tenant_id = ? ORDER BY revoked_at, ticket_number`,
    [tenantId],
  );
  return {
    format: KEYSET_FORMAT,
    tenantId,
    generatedAt: now,
    keys,
    revoked: revoked.map((r) => ({
      ticketNumber: r.ticket_number,
      reason: r.reason,
      at: Number(r.revoked_at),
      transactionId: r.transaction_id,
    })),
  };
}

/**
 * The venue numbers of the sales a credential's payments paid for: what the server recorded as sold by
 * that counter (a revoked counter's later sales are never recorded, so they are not here).
 */
async function issuedByCredential(tx: SqlTx, tenantId: number, credentialId: number): Promise<string[]> {
  const rows = await tx.all<{ number: number }>(
    `SELECT DISTINCT n.number FROM ticket_numbers n
     WHERE n.tenant_id = ? AND n.transaction_id IN
       (SELECT transaction_id FROM payments WHERE tenant_id = ? AND credential_id = ?)
     ORDER BY n.number`,
    [tenantId, tenantId, credentialId],
  );
  return rows.map((r) => venueTicketNumberText(Number(r.number)));
}
