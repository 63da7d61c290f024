import { writeFileSync } from 'node:fs';
import type { Clock } from '../../../shared/clock.ts';
import { formatDateTime } from '../../../shared/i18n/formats.ts';
import { TicketSigner } from '../../services/printing/ticket-signing.ts';
import { KeysetSync } from '../../services/sync/keyset-sync.ts';
import { SyncCredentialStore } from '../../services/sync/sync-credential.ts';
import type { Db } from '../../store/database.ts';
import type { StoreKey } from '../../store/store-key.ts';
import { type CliCommand, UsageError } from '../command.ts';

/**
 * Registers this store's public ticket keys at the venue's server and fetches the keyset, when the
 * store is enrolled; says why not otherwise (the running counter tries again on its next refresh).
 */
export async function registerKeysIfEnrolled(db: Db, clock: Clock, storeKey: StoreKey): Promise<string> {
  if (!new SyncCredentialStore(db, storeKey).load()) return '';
  try {
    const { registered, taken, keyset } = await new KeysetSync(db, clock, storeKey).refresh();
    // A retired key another counter registered first is a copied store's past: only an active one
    // would make this counter's new tickets someone else's.
    const active = new Set(
      db
        .prepare<[], { key_id: string }>('SELECT key_id FROM ticket_signing_keys WHERE retired_at IS NULL')
        .all()
        .map((k) => k.key_id),
    );
    const signingTaken = taken.filter((k) => active.has(k));
    return (
      `; ${registered.length} ticket key(s) registered at the server, venue keyset has ${keyset.keys.length}` +
      (signingTaken.length > 0
        ? `; signing key ${signingTaken.join(', ')} belongs to another counter: run rotate-ticket-key`
        : '')
    );
  } catch (error) {
    return `; ticket keys not registered yet (${(error as Error).message}): the counter registers them when it is online`;
  }
}

/**
 * Enrolment gives a counter a ticket key of its own: a store made by copying another carries that
 * store's private key, and two counters must never sign with one key (a door could not tell them
 * apart, and revoking one would revoke both). The old key stays, retired, for what it signed.
 */
export function freshKeysAtEnrolment(db: Db, clock: Clock, storeKey: StoreKey): void {
  const signer = new TicketSigner(db, clock, storeKey);
  for (const { id } of db.prepare<[], { id: number }>('SELECT id FROM tenants ORDER BY id').all()) {
    signer.rotate(id);
  }
}

const keysetCommand: CliCommand = {
  name: 'keyset',
  usage:
    "keyset [--fetch] [--out FILE]       the venue's ticket keys and revoked tickets this counter keeps (--fetch: ask the server now)",
  options: { fetch: { type: 'boolean' }, out: { type: 'string' } },
  database: 'existing',
  run: async ({ db, clock, storeKey, values }) => {
    const sync = new KeysetSync(db(), clock, storeKey());
    if (values.fetch === true) await sync.refresh();
    const keyset = sync.cached();
    if (!keyset)
      throw new UsageError('no venue keyset yet: enrol this terminal, then run keyset --fetch online');
    if (typeof values.out === 'string') writeFileSync(values.out, `${JSON.stringify(keyset, null, 2)}\n`);
    const lines = [
      `Venue keyset of tenant ${keyset.tenantId}, made ${formatDateTime('es', keyset.generatedAt)}:`,
      ...keyset.keys.map(
        (k) =>
          `  ${k.keyId}  ${k.terminal} (terminal ${k.credentialId})` +
          (k.retiredAt !== null ? `, retired ${formatDateTime('es', k.retiredAt)}` : ', signing') +
          (k.terminalRevokedAt !== null
            ? `, TERMINAL REVOKED ${formatDateTime('es', k.terminalRevokedAt)}`
            : ''),
      ),
      `${keyset.revoked.length} revoked ticket(s)`,
    ];
    return { json: keyset, text: lines.join('\n') };
  },
};

export const keysetCommands: CliCommand[] = [keysetCommand];
