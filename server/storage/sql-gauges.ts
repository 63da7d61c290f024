import type { StoreGauges } from './hold-store.ts';
import type { SqlTx } from './sql-tx.ts';

/**
 * The counts monitoring reads (GET /metrics), in two grouped statements over partial indexes
 * (tickets_active_by_until) and the small leases table.
 */
export async function readGauges(tx: SqlTx, now: number): Promise<StoreGauges> {
  const holds = await tx.all<{ tenant_id: number; n: number }>(
    `SELECT tenant_id, COUNT(*) AS n FROM tickets WHERE status = 'ACTIVE' AND reserved_until > ? GROUP BY tenant_id`,
    [now],
  );
  const leases = await tx.all<{ tenant_id: number; credential_id: number; n: number }>(
    `SELECT tenant_id, credential_id, COUNT(*) AS n FROM leases WHERE status = 'OPEN' AND expires_at > ?
     GROUP BY tenant_id, credential_id`,
    [now],
  );
  return {
    holds: holds.map((r) => ({ tenantId: Number(r.tenant_id), count: Number(r.n) })),
    leases: leases.map((r) => ({
      tenantId: Number(r.tenant_id),
      credentialId: Number(r.credential_id),
      count: Number(r.n),
    })),
  };
}
