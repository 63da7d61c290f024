import { readFileSync, writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { parseSettingAssignments, SETTING_KEYS, type SettingKey } from '../shared/config.ts';
import { TaquillaError } from '../shared/errors.ts';
import { ENROL_CODE_MAX_MINUTES } from '../shared/schemas/sync.ts';
import { type CatalogEvent, eventFile } from '../shared/schemas/venue.ts';
import { parseInput } from '../shared/validation.ts';
import { createEnrolCode, createTenantWithAdmin } from './app.ts';
import { tenantSettingsView } from './catalog-routes.ts';
import { leasePolicyCommands } from './lease-policy-commands.ts';
import type { HoldStore } from './storage/hold-store.ts';
import { cliOperator } from './storage/sql-audit.ts';

/** A refusal caused by how the command was called (exit code 2). */
export class ServerUsageError extends Error {}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * One `taquilla-server` administration command. Each works on the server's own database (--db or
 * --pg), so it needs no admin secret: whoever can open the database is the operator. Each prints
 * one JSON object.
 */
export interface ServerCommand {
  name: string;
  usage: string;
  options: ParseArgsOptionsConfig;
  /** The words that may follow the command's name (`keyset export`); the one given is `action`. */
  actions?: readonly string[];
  run: (store: HoldStore, values: Values, now: number, action?: string) => Promise<unknown>;
}

function positive(value: unknown, flag: string): number {
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    Number(value) < 1 ||
    !Number.isSafeInteger(Number(value))
  ) {
    throw new ServerUsageError(`${flag} must be a positive whole number, got '${String(value ?? '')}'`);
  }
  return Number(value);
}

async function existingTenant(store: HoldStore, values: Values) {
  const tenantId = positive(values.tenant, '--tenant');
  const tenant = await store.tenant(tenantId);
  if (!tenant) throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
  return tenant;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
}

/** --set KEY=VALUE (repeatable) as an override; every bad one is named in one refusal. */
function settingAssignments(values: Values): Record<string, number> {
  const { override, problems } = parseSettingAssignments(list(values.set));
  if (problems.length > 0) {
    throw new TaquillaError('VALIDATION', problems.map((p) => p.message).join('; '), { issues: problems });
  }
  return override;
}

function summary(event: CatalogEvent) {
  return {
    eventId: event.eventId,
    name: event.name,
    startsAt: new Date(event.startsAt).toISOString(),
    vesPerUsd: event.vesPerUsd,
    leaseMinutes: event.leaseMinutes,
    venue: event.venue,
    zones: event.zones.map((z) => ({
      zoneId: z.zoneId,
      code: z.code,
      name: z.name,
      kind: z.kind,
      priceCents: z.tier.priceCents,
      ...(z.kind === 'general'
        ? { capacity: z.capacity }
        : { seats: z.seats.length, seatIds: [z.seats[0]!.seatId, z.seats.at(-1)!.seatId] }),
    })),
  };
}

export const serverCommands: ServerCommand[] = [
  {
    name: 'create-tenant',
    usage: 'create-tenant --name NAME [--set KEY=VALUE ...]     a tenant and its admin secret (printed once)',
    options: { name: { type: 'string' }, set: { type: 'string', multiple: true } },
    run: async (store, values, now) => {
      if (typeof values.name !== 'string' || values.name.trim() === '')
        throw new ServerUsageError('--name is required');
      return createTenantWithAdmin(store, values.name.trim(), settingAssignments(values), now);
    },
  },
  {
    name: 'enrol-code',
    usage: `enrol-code --tenant ID [--minutes N]                 a one-time enrolment code for a terminal, usable N minutes (default 60, at most ${ENROL_CODE_MAX_MINUTES}: 7 days)`,
    options: { tenant: { type: 'string' }, minutes: { type: 'string', default: '60' } },
    run: async (store, values, now) => {
      const minutes = Number(values.minutes);
      if (
        typeof values.minutes !== 'string' ||
        !/^\d+$/.test(values.minutes) ||
        minutes < 1 ||
        minutes > ENROL_CODE_MAX_MINUTES
      ) {
        throw new ServerUsageError(
          `--minutes must be a whole number from 1 to ${ENROL_CODE_MAX_MINUTES} (7 days), got '${String(values.minutes)}'`,
        );
      }
      const tenant = await existingTenant(store, values);
      return createEnrolCode(store, tenant.tenantId, minutes, now);
    },
  },
  {
    name: 'tenant-settings',
    usage: `tenant-settings --tenant ID [--set KEY=VALUE ...] [--unset KEY ...]   show or change the settings
      keys: ${SETTING_KEYS.join(', ')}`,
    options: {
      tenant: { type: 'string' },
      set: { type: 'string', multiple: true },
      unset: { type: 'string', multiple: true },
    },
    run: async (store, values, now) => {
      const tenant = await existingTenant(store, values);
      const set = settingAssignments(values);
      const unset = list(values.unset);
      const unknown = unset.filter((k) => !(SETTING_KEYS as readonly string[]).includes(k));
      if (unknown.length > 0) {
        throw new ServerUsageError(
          `--unset: unknown setting ${unknown.join(', ')} (known: ${SETTING_KEYS.join(', ')})`,
        );
      }
      if (Object.keys(set).length > 0 || unset.length > 0) {
        const next: Record<string, number> = { ...tenant.settings, ...set };
        for (const key of unset) delete next[key as SettingKey];
        await store.setTenantSettings(tenant.tenantId, next, now);
      }
      return { name: tenant.name, ...(await tenantSettingsView(store, tenant.tenantId)) };
    },
  },
  {
    name: 'define-event',
    usage:
      'define-event --tenant ID --file EVENT.json [--event ID]   define (or redefine) an event; every counter receives it',
    options: { tenant: { type: 'string' }, file: { type: 'string' }, event: { type: 'string' } },
    run: async (store, values, now) => {
      const tenant = await existingTenant(store, values);
      if (typeof values.file !== 'string') throw new ServerUsageError('--file EVENT.json is required');
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(values.file, 'utf8'));
      } catch (error) {
        throw new ServerUsageError(
          `cannot read ${values.file}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const file = parseInput(eventFile, raw);
      const eventId = values.event === undefined ? undefined : positive(values.event, '--event');
      return summary(await store.defineEvent(tenant.tenantId, file, now, eventId));
    },
  },
  {
    name: 'events',
    usage: 'events --tenant ID                                   the events counters receive',
    options: { tenant: { type: 'string' } },
    run: async (store, values) => {
      const tenant = await existingTenant(store, values);
      const catalog = await store.catalog(tenant.tenantId, 0);
      return { revision: catalog.revision, events: catalog.events.map(summary) };
    },
  },
  {
    name: 'terminals',
    usage:
      "terminals --tenant ID                                the tenant's credentials (terminals and admins)",
    options: { tenant: { type: 'string' } },
    run: async (store, values) => {
      const tenant = await existingTenant(store, values);
      return { tenantId: tenant.tenantId, credentials: await store.credentials(tenant.tenantId) };
    },
  },
  {
    name: 'leases',
    usage:
      "leases --tenant ID [--end LEASE | --rebalance --event ID]   the tenant's offline leases; --end LEASE ends one now; --rebalance takes back an event's unsold leased places",
    options: {
      tenant: { type: 'string' },
      end: { type: 'string' },
      rebalance: { type: 'boolean' },
      event: { type: 'string' },
    },
    run: async (store, values, now) => {
      const tenant = await existingTenant(store, values);
      // --rebalance --event ID: recall the event's unsold leased places (server/storage/lease-policy-store.ts).
      if (values.rebalance === true) {
        return {
          rebalanced: await store.leasePolicies.rebalance(
            tenant.tenantId,
            positive(values.event, '--event'),
            now,
            cliOperator(),
          ),
        };
      }
      if (values.end !== undefined) {
        if (typeof values.end !== 'string' || values.end === '') throw new ServerUsageError('--end LEASE_ID');
        const ended = await store.endLease(tenant.tenantId, values.end, now, cliOperator());
        if (!ended) {
          throw new TaquillaError('UNKNOWN_LEASE', `There is no lease ${values.end}`, {
            leaseId: values.end,
          });
        }
        return { ended };
      }
      return { tenantId: tenant.tenantId, leases: await store.leases(tenant.tenantId, now) };
    },
  },
  {
    name: 'conflicts',
    usage:
      'conflicts --tenant ID                                how supervisors settled refused offline sales (who, why, when, seats)',
    options: { tenant: { type: 'string' } },
    run: async (store, values) => {
      const tenant = await existingTenant(store, values);
      return { tenantId: tenant.tenantId, conflicts: await store.conflictResolutions(tenant.tenantId) };
    },
  },
  {
    name: 'keyset',
    usage:
      "keyset export --tenant ID [--out FILE]              the venue's ticket keys and revoked tickets, for door scanners (taquilla verify-ticket --keyset FILE)",
    options: { tenant: { type: 'string' }, out: { type: 'string' } },
    actions: ['export'],
    run: async (store, values, now, action) => {
      if (action !== 'export') throw new ServerUsageError('keyset export --tenant ID [--out FILE]');
      const tenant = await existingTenant(store, values);
      const keyset = await store.ticketKeyset(tenant.tenantId, now);
      if (values.out === undefined) return keyset;
      if (typeof values.out !== 'string' || values.out === '') throw new ServerUsageError('--out FILE');
      writeFileSync(values.out, `${JSON.stringify(keyset, null, 2)}\n`);
      return { out: values.out, keys: keyset.keys.length, revoked: keyset.revoked.length };
    },
  },
  {
    name: 'audit',
    usage:
      'audit --tenant ID [--event N] [--entity ID] [--limit N]   the audit trail: every hold, release, sale, void… (newest N, default 200)',
    options: {
      tenant: { type: 'string' },
      event: { type: 'string' },
      entity: { type: 'string' },
      limit: { type: 'string', default: '200' },
    },
    run: async (store, values) => {
      const tenant = await existingTenant(store, values);
      const eventId = values.event === undefined ? undefined : positive(values.event, '--event');
      const entityId = typeof values.entity === 'string' ? values.entity : undefined;
      const limit = positive(values.limit, '--limit');
      return {
        tenantId: tenant.tenantId,
        entries: await store.auditTrail(tenant.tenantId, { eventId, entityId, limit }),
      };
    },
  },
  {
    name: 'revoke',
    usage:
      'revoke --tenant ID --credential N [--force]          revoke a terminal: its sockets close, requests get 401; it may still report what it sold offline and give its leases back (an admin credential needs --force)',
    options: { tenant: { type: 'string' }, credential: { type: 'string' }, force: { type: 'boolean' } },
    run: async (store, values, now) => {
      const tenant = await existingTenant(store, values);
      const credentialId = positive(values.credential, '--credential');
      const target = (await store.credentials(tenant.tenantId)).find((c) => c.credentialId === credentialId);
      // The admin's own credential: revoking it locks the operator out of the admin API.
      if (target?.role === 'admin' && target.revokedAt === null && values.force !== true) {
        throw new ServerUsageError(
          `credential ${credentialId} (${target.name}) is the tenant's admin credential: revoking it locks you out of the admin API; add --force to revoke it anyway`,
        );
      }
      if (!(await store.revokeCredential(tenant.tenantId, credentialId, now, cliOperator()))) {
        throw new Error(`tenant ${tenant.tenantId} has no credential ${credentialId}`);
      }
      return { revoked: credentialId };
    },
  },
  {
    name: 'new-generation',
    usage:
      'new-generation                                       after a PostgreSQL restore (pg_restore): counters re-send what the backup lost',
    options: {},
    run: async (store, _values, now) => ({ generation: await store.mintGeneration(now) }),
  },
  ...leasePolicyCommands,
];
