import { readFileSync } from 'node:fs';
import { TaquillaError } from '../shared/errors.ts';
import type { LeasePolicyInput } from '../shared/lease-policy.ts';
import type { ServerCommand } from './admin-commands.ts';
import { ServerUsageError } from './admin-commands.ts';
import type { HoldStore } from './storage/hold-store.ts';
import { cliOperator } from './storage/sql-audit.ts';

type Values = Parameters<ServerCommand['run']>[1];

function whole(value: unknown, flag: string, min = 1): number {
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    Number(value) < min ||
    !Number.isSafeInteger(Number(value))
  ) {
    throw new ServerUsageError(
      `${flag} must be a whole number of at least ${min}, got '${String(value ?? '')}'`,
    );
  }
  return Number(value);
}

/** ZONE:N pairs, comma-separated ("3:20,4:10"). */
function zoneCounts(value: string, flag: string): { zoneId: number; n: number }[] {
  return value.split(',').map((pair) => {
    const [zone, n, extra] = pair.trim().split(':');
    if (extra !== undefined) throw new ServerUsageError(`${flag} takes ZONE:N[,ZONE:N...], got '${pair}'`);
    return { zoneId: whole(zone, `${flag} ZONE`), n: whole(n, `${flag} :N`) };
  });
}

async function tenantOf(store: HoldStore, values: Values): Promise<number> {
  const tenantId = whole(values.tenant, '--tenant');
  if (!(await store.tenant(tenantId))) {
    throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
  }
  return tenantId;
}

/** The policy the flags describe (or --file's JSON); unset flags keep the schema's defaults. */
function policyFromFlags(values: Values): LeasePolicyInput | null {
  if (typeof values.file === 'string')
    return JSON.parse(readFileSync(values.file, 'utf8')) as LeasePolicyInput;
  const given = ['seats', 'general', 'minutes'].some((k) => values[k] !== undefined);
  if (!given) return null;
  if (values.minutes === undefined) throw new ServerUsageError('--minutes N (the lease period) is required');
  const general = typeof values.general === 'string' ? zoneCounts(values.general, '--general') : [];
  if (general.length > 1)
    throw new ServerUsageError('--general takes one ZONE:N (a lease carries one standing zone)');
  return {
    seats:
      typeof values.seats === 'string'
        ? zoneCounts(values.seats, '--seats').map((z) => ({ zoneId: z.zoneId, count: z.n }))
        : [],
    general: general[0] ? { zoneId: general[0].zoneId, quantity: general[0].n } : null,
    durationMinutes: whole(values.minutes, '--minutes'),
    ...(values['renew-before'] !== undefined
      ? { renewBeforeMinutes: whole(values['renew-before'], '--renew-before') }
      : {}),
    ...(values.numbers !== undefined ? { ticketNumbers: whole(values.numbers, '--numbers') } : {}),
    ...(values.min !== undefined ? { minPlaces: whole(values.min, '--min') } : {}),
    ...(values['sold-out-below'] !== undefined
      ? { soldOutBelow: whole(values['sold-out-below'], '--sold-out-below', 0) }
      : {}),
    ...(values['return-on-reconnect'] === true ? { returnOnReconnect: true } : {}),
  };
}

/**
 * `taquilla-server lease-policy`: what each counter carries of an event to sell offline. Without
 * policy flags it shows the event's policies; `--remove` removes one.
 */
export const leasePolicyCommands: ServerCommand[] = [
  {
    name: 'lease-policy',
    usage: `lease-policy --tenant ID --event ID [--terminal N] [--remove]
        [--seats ZONE:N,... --general ZONE:N --minutes N --renew-before N --numbers N --min N --sold-out-below N --return-on-reconnect | --file policy.json]
                                                        show, set or remove an event's lease policy (every counter, or --terminal N)`,
    options: {
      tenant: { type: 'string' },
      event: { type: 'string' },
      terminal: { type: 'string' },
      remove: { type: 'boolean', default: false },
      seats: { type: 'string' },
      general: { type: 'string' },
      minutes: { type: 'string' },
      'renew-before': { type: 'string' },
      numbers: { type: 'string' },
      min: { type: 'string' },
      'sold-out-below': { type: 'string' },
      'return-on-reconnect': { type: 'boolean', default: false },
      file: { type: 'string' },
    },
    run: async (store, values, now) => {
      const tenantId = await tenantOf(store, values);
      const eventId = whole(values.event, '--event');
      const credentialId = values.terminal === undefined ? null : whole(values.terminal, '--terminal');
      if (values.remove === true) {
        return {
          eventId,
          credentialId,
          removed: await store.leasePolicies.unset(tenantId, eventId, credentialId, cliOperator(), now),
        };
      }
      const policy = policyFromFlags(values);
      if (policy !== null) {
        return {
          set: await store.leasePolicies.set(tenantId, eventId, credentialId, policy, cliOperator(), now),
        };
      }
      return { tenantId, eventId, policies: await store.leasePolicies.list(tenantId, eventId) };
    },
  },
];
