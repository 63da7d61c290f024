import { TaquillaError } from '../../shared/errors.ts';
import {
  type LeaseInstructions,
  type LeasePolicy,
  type LeasePolicyEntry,
  leasePolicySpec,
  planRebalance,
} from '../../shared/lease-policy.ts';
import { parseInput } from '../../shared/validation.ts';
import { type AuditBy, writeAudit } from './sql-audit.ts';
import type { SqlTx } from './sql-hold-store.ts';

/** The store's transactions, as SqlHoldStore runs them (retried, one writer on SQLite). */
export interface PolicyTransactions {
  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}

/** What `leases --rebalance` did: the leases recalled and the places that flow back. */
export interface RebalanceResult {
  eventId: number;
  recalled: { leaseId: string; credentialId: number; unsoldPlaces: number }[];
  places: number;
  at: number;
}

interface PolicyRow {
  event_id: number;
  credential_id: number;
  policy: string;
  set_at: number;
  set_by: string;
}

/**
 * A stored policy. One saved before `ticketNumbers` had to cover the places it carries is read with
 * the default block instead, so the counters' heartbeat (which reads it) never fails on it.
 */
function storedPolicy(json: string): LeasePolicy {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const parsed = leasePolicySpec.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { ticketNumbers: _dropped, ...rest } = raw;
  return leasePolicySpec.parse(rest);
}

function entryOf(row: PolicyRow): LeasePolicyEntry {
  return {
    eventId: Number(row.event_id),
    credentialId: Number(row.credential_id) === 0 ? null : Number(row.credential_id),
    policy: storedPolicy(row.policy),
    setAt: Number(row.set_at),
    setBy: String(row.set_by),
  };
}

/**
 * The lease period (minutes) in force for one counter's leases of an event: its own policy, else the
 * event's default policy; null when the event has none (the event's `leaseMinutes` then). The
 * `lease` and renewal operations read it inside their own write.
 */
export async function policyLeaseMinutes(
  tx: SqlTx,
  tenantId: number,
  eventId: number,
  credentialId: number,
): Promise<number | null> {
  const [row] = await tx.all<{ policy: string }>(
    `SELECT policy FROM lease_policies WHERE tenant_id = ? AND event_id = ? AND credential_id IN (?, 0)
     ORDER BY credential_id DESC LIMIT 1`,
    [tenantId, eventId, credentialId],
  );
  return row ? (JSON.parse(row.policy) as LeasePolicy).durationMinutes : null;
}

/**
 * Lease policies per event and the recalls of a rebalance (issue 14). Owns lease_policies and
 * lease_recalls; reads events, zones, seats, credentials, leases and their tickets.
 */
export class LeasePolicyStore {
  constructor(private readonly db: PolicyTransactions) {}

  /**
   * Sets the policy of an event, for every counter (`credentialId` null) or one. Refused whole, with
   * nothing written: VALIDATION (the policy itself), UNKNOWN_EVENT, UNKNOWN_ZONE, WRONG_ZONE_KIND,
   * ZONE_FULL (more seats or places than the zone has), VALIDATION for a counter not of the tenant.
   * Audited as `by` (entity 'policy', id `EVENT:COUNTER`, COUNTER 0 for every counter).
   */
  async set(
    tenantId: number,
    eventId: number,
    credentialId: number | null,
    raw: unknown,
    by: AuditBy,
    now: number,
  ): Promise<LeasePolicyEntry> {
    const policy = parseInput(leasePolicySpec, raw);
    const setBy = by.actor;
    return this.db.write(async (tx) => {
      await this.assertFits(tx, tenantId, eventId, policy);
      if (credentialId !== null) await this.assertTerminal(tx, tenantId, credentialId);
      await tx.run(
        `INSERT INTO lease_policies (tenant_id, event_id, credential_id, policy, set_at, set_by)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, event_id, credential_id)
         DO UPDATE SET policy = excluded.policy, set_at = excluded.set_at, set_by = excluded.set_by`,
        [tenantId, eventId, credentialId ?? 0, JSON.stringify(policy), now, setBy],
      );
      await writeAudit(tx, tenantId, by, now, [
        {
          eventId,
          entity: 'policy',
          entityId: `${eventId}:${credentialId ?? 0}`,
          from: null,
          to: 'SET',
          reason: JSON.stringify(policy),
        },
      ]);
      return { eventId, credentialId, policy, setAt: now, setBy };
    });
  }

  /** Removes a policy (the event's default, or one counter's); whether there was one. */
  async unset(
    tenantId: number,
    eventId: number,
    credentialId: number | null,
    by: AuditBy,
    now: number,
  ): Promise<boolean> {
    return this.db.write(async (tx) => {
      const removed =
        (await tx.run(
          'DELETE FROM lease_policies WHERE tenant_id = ? AND event_id = ? AND credential_id = ?',
          [tenantId, eventId, credentialId ?? 0],
        )) > 0;
      if (removed) {
        await writeAudit(tx, tenantId, by, now, [
          {
            eventId,
            entity: 'policy',
            entityId: `${eventId}:${credentialId ?? 0}`,
            from: 'SET',
            to: 'UNSET',
            reason: 'lease policy removed',
          },
        ]);
      }
      return removed;
    });
  }

  /** The tenant's policies (of one event, or all), the default first. */
  async list(tenantId: number, eventId?: number): Promise<LeasePolicyEntry[]> {
    const rows = await this.db.read((tx) =>
      tx.all<PolicyRow>(
        `SELECT event_id, credential_id, policy, set_at, set_by FROM lease_policies WHERE tenant_id = ?
         ${eventId === undefined ? '' : 'AND event_id = ?'} ORDER BY event_id, credential_id`,
        eventId === undefined ? [tenantId] : [tenantId, eventId],
      ),
    );
    return rows.map(entryOf);
  }

  /** What one counter's heartbeat carries: its policies, its recalled open leases, the last recalls. */
  async instructions(tenantId: number, credentialId: number): Promise<LeaseInstructions> {
    return this.db.read(async (tx) => {
      const rows = await tx.all<PolicyRow>(
        `SELECT event_id, credential_id, policy, set_at, set_by FROM lease_policies
         WHERE tenant_id = ? AND credential_id IN (?, 0) ORDER BY event_id, credential_id DESC`,
        [tenantId, credentialId],
      );
      const policies: LeasePolicyEntry[] = [];
      for (const row of rows) {
        // The counter's own comes first (credential_id DESC): the default is only for events without one.
        if (!policies.some((p) => p.eventId === Number(row.event_id))) policies.push(entryOf(row));
      }
      const recalled = await tx.all<{ lease_id: string }>(
        `SELECT r.lease_id FROM lease_recalls r JOIN leases l ON l.tenant_id = r.tenant_id AND l.id = r.lease_id
         WHERE r.tenant_id = ? AND r.credential_id = ? AND l.status = 'OPEN'`,
        [tenantId, credentialId],
      );
      const events = await tx.all<{ event_id: number; at: number }>(
        'SELECT event_id, MAX(recalled_at) AS at FROM lease_recalls WHERE tenant_id = ? GROUP BY event_id',
        [tenantId],
      );
      return {
        policies,
        recalledLeases: recalled.map((r) => String(r.lease_id)),
        recalledEvents: events.map((e) => ({ eventId: Number(e.event_id), at: Number(e.at) })),
      };
    });
  }

  /**
   * The supervisor takes back the unsold leased places of an event (a sold-out night): every open
   * lease still holding some is recalled. A counter online hears it on its next heartbeat and gives
   * the lease back once its sales are reported; one offline does so when it reconnects (until then it
   * may still sell from it). No counter takes a new lease of the event until its policy is set again.
   */
  async rebalance(tenantId: number, eventId: number, now: number, by: AuditBy): Promise<RebalanceResult> {
    return this.db.write(async (tx) => {
      await this.assertEvent(tx, tenantId, eventId);
      const leases = await tx.all<{ id: string; credential_id: number; unsold: number }>(
        `SELECT l.id, l.credential_id,
                (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t WHERE t.tenant_id = l.tenant_id
                   AND t.transaction_id = l.transaction_id AND t.status = 'ACTIVE' AND t.reserved_until > ?) AS unsold
         FROM leases l WHERE l.tenant_id = ? AND l.event_id = ? AND l.status = 'OPEN'`,
        [now, tenantId, eventId],
      );
      const plan = planRebalance(
        leases.map((l) => ({
          leaseId: String(l.id),
          credentialId: Number(l.credential_id),
          unsoldPlaces: Number(l.unsold),
        })),
      );
      for (const lease of plan.recall) {
        await tx.run(
          `INSERT INTO lease_recalls (tenant_id, lease_id, event_id, credential_id, recalled_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, lease_id) DO UPDATE SET recalled_at = excluded.recalled_at`,
          [tenantId, lease.leaseId, eventId, lease.credentialId, now],
        );
      }
      await writeAudit(tx, tenantId, by, now, [
        ...plan.recall.map((lease) => ({
          eventId,
          entity: 'lease' as const,
          entityId: lease.leaseId,
          from: 'OPEN',
          to: 'RECALLED',
          reason: `rebalance: ${lease.unsoldPlaces} unsold places of counter #${lease.credentialId} flow back`,
        })),
        {
          eventId,
          entity: 'lease',
          entityId: `event:${eventId}`,
          from: null,
          to: 'RECALLED',
          reason: `rebalance: ${plan.recall.length} leases recalled, ${plan.places} places; no new lease until the policy is set again`,
        },
      ]);
      // The event's own mark: counters holding no lease now take none either.
      await tx.run(
        `INSERT INTO lease_recalls (tenant_id, lease_id, event_id, credential_id, recalled_at)
         VALUES (?, ?, ?, 0, ?) ON CONFLICT (tenant_id, lease_id) DO UPDATE SET recalled_at = excluded.recalled_at`,
        [tenantId, `event:${eventId}`, eventId, now],
      );
      return { eventId, recalled: plan.recall, places: plan.places, at: now };
    });
  }

  private async assertEvent(tx: SqlTx, tenantId: number, eventId: number): Promise<void> {
    const [event] = await tx.all<{ id: number }>('SELECT id FROM events WHERE tenant_id = ? AND id = ?', [
      tenantId,
      eventId,
    ]);
    if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
  }

  /** Every zone the policy names is the event's, of the right kind, and has that many seats or places. */
  private async assertFits(tx: SqlTx, tenantId: number, eventId: number, policy: LeasePolicy): Promise<void> {
    await this.assertEvent(tx, tenantId, eventId);
    const zones = await tx.all<{ id: number; kind: 'numbered' | 'general'; name: string; capacity: number }>(
      'SELECT id, kind, name, capacity FROM zones WHERE tenant_id = ? AND event_id = ?',
      [tenantId, eventId],
    );
    const wants: { zoneId: number; kind: 'numbered' | 'general'; places: number }[] = [
      ...policy.seats.map((s) => ({ zoneId: s.zoneId, kind: 'numbered' as const, places: s.count })),
      ...(policy.general
        ? [{ zoneId: policy.general.zoneId, kind: 'general' as const, places: policy.general.quantity }]
        : []),
    ];
    for (const want of wants) {
      const zone = zones.find((z) => Number(z.id) === want.zoneId);
      if (!zone) throw new TaquillaError('UNKNOWN_ZONE', `Event ${eventId} has no zone ${want.zoneId}`, want);
      if (zone.kind !== want.kind) {
        throw new TaquillaError('WRONG_ZONE_KIND', `Zone ${want.zoneId} is ${zone.kind}`, {
          zoneId: want.zoneId,
          kind: zone.kind,
        });
      }
      if (want.places > Number(zone.capacity)) {
        throw new TaquillaError('ZONE_FULL', `Zone ${zone.name} has ${zone.capacity} places`, {
          zoneId: want.zoneId,
          zoneName: zone.name,
          requested: want.places,
          available: Number(zone.capacity),
        });
      }
    }
  }

  private async assertTerminal(tx: SqlTx, tenantId: number, credentialId: number): Promise<void> {
    const [row] = await tx.all<{ role: string }>(
      'SELECT role FROM credentials WHERE tenant_id = ? AND id = ?',
      [tenantId, credentialId],
    );
    if (!row || row.role !== 'terminal') {
      const message = `tenant ${tenantId} has no terminal ${credentialId}`;
      throw new TaquillaError('VALIDATION', `Invalid input: credentialId: ${message}`, {
        issues: [{ path: 'credentialId', message }],
      });
    }
  }
}
