import { readFileSync } from 'node:fs';
import { TaquillaError } from '../shared/errors.ts';
import { type LeasePolicyInput, leasePolicySpec } from '../shared/lease-policy.ts';
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

/** A problem with one flag, named as the operator typed it (the policy's field beside it). */
interface FlagProblem {
  path: string;
  message: string;
}

/** The flag each policy field comes from (a --file policy is named by its fields alone). */
const FLAG_OF: Record<string, string> = {
  seats: '--seats',
  general: '--general',
  durationMinutes: '--minutes',
  renewBeforeMinutes: '--renew-before',
  ticketNumbers: '--numbers',
  minPlaces: '--min',
  soldOutBelow: '--sold-out-below',
  returnOnReconnect: '--return-on-reconnect',
};

/** A whole number as typed ('-3' too: the schema says what is allowed); else a problem, and null. */
function numberOf(value: string, flag: string, field: string, problems: FlagProblem[]): number | null {
  if (/^-?\d+$/.test(value.trim())) return Number(value);
  problems.push({ path: field, message: `${flag} takes a whole number, got '${value}'` });
  return null;
}

/** ZONE:N pairs, comma-separated ("3:20,4:10"); a malformed pair is a problem and is left out. */
function zoneCounts(value: string, flag: string, field: string, problems: FlagProblem[]) {
  const pairs: { zoneId: number; n: number }[] = [];
  for (const pair of value.split(',')) {
    const parts = pair.trim().split(':');
    const zoneId = parts.length === 2 ? numberOf(parts[0]!, flag, field, []) : null;
    const n = parts.length === 2 ? numberOf(parts[1]!, flag, field, []) : null;
    if (zoneId === null || n === null) {
      problems.push({ path: field, message: `${flag} takes ZONE:N[,ZONE:N...], got '${pair}'` });
    } else {
      pairs.push({ zoneId, n });
    }
  }
  return pairs;
}

async function tenantOf(store: HoldStore, values: Values): Promise<number> {
  const tenantId = whole(values.tenant, '--tenant');
  if (!(await store.tenant(tenantId))) {
    throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
  }
  return tenantId;
}

/**
 * The policy the flags describe (or --file's JSON), checked by the one policy schema
 * (shared/lease-policy.ts leasePolicySpec) with every problem named at once, by flag: VALIDATION.
 * Null when no policy flag is given (the command then shows the policies).
 */
function policyFromFlags(values: Values): LeasePolicyInput | null {
  const problems: FlagProblem[] = [];
  let raw: Record<string, unknown>;
  if (typeof values.file === 'string') {
    try {
      raw = JSON.parse(readFileSync(values.file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ServerUsageError(`cannot read the policy in ${values.file}: ${(error as Error).message}`);
    }
  } else {
    const given = ['seats', 'general', 'minutes'].some((k) => values[k] !== undefined);
    if (!given) return null;
    if (values.minutes === undefined)
      throw new ServerUsageError('--minutes N (the lease period) is required');
    raw = {};
    const text = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
    const seats = text('seats');
    if (seats !== undefined) {
      raw.seats = zoneCounts(seats, '--seats', 'seats', problems).map((z) => ({
        zoneId: z.zoneId,
        count: z.n,
      }));
    }
    const general = text('general');
    if (general !== undefined) {
      const pairs = zoneCounts(general, '--general', 'general', problems);
      if (pairs.length > 1) {
        problems.push({
          path: 'general',
          message: '--general takes one ZONE:N (a lease carries one standing zone)',
        });
      }
      if (pairs[0]) raw.general = { zoneId: pairs[0].zoneId, quantity: pairs[0].n };
    }
    const numbers: [string, string][] = [
      ['minutes', 'durationMinutes'],
      ['renew-before', 'renewBeforeMinutes'],
      ['numbers', 'ticketNumbers'],
      ['min', 'minPlaces'],
      ['sold-out-below', 'soldOutBelow'],
    ];
    for (const [flag, field] of numbers) {
      const value = text(flag);
      if (value === undefined) continue;
      const n = numberOf(value, `--${flag}`, field, problems);
      if (n !== null) raw[field] = n;
    }
    if (values['return-on-reconnect'] === true) raw.returnOnReconnect = true;
  }
  const parsed = leasePolicySpec.safeParse(raw);
  const flagged = new Set(problems.map((p) => p.path));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.') || '(policy)';
      // A field whose flag was unreadable is named once, by its flag's own problem.
      if (!flagged.has(String(issue.path[0] ?? ''))) problems.push({ path, message: issue.message });
    }
  }
  if (problems.length > 0) {
    const named = problems.map((p) => {
      const flag = typeof values.file === 'string' ? undefined : FLAG_OF[p.path.split('.')[0]!];
      return `${flag ? `${flag} (${p.path})` : p.path}: ${p.message}`;
    });
    throw new TaquillaError('VALIDATION', `Invalid lease policy: ${named.join('; ')}`, { issues: problems });
  }
  return raw as LeasePolicyInput;
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
