import { formatDateTime } from '../../../shared/i18n/formats.ts';
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { resolveSettings } from '../../../shared/config.ts';
import type { Clock } from '../../../shared/clock.ts';
import type { ConflictView } from '../../../shared/schemas/conflicts.ts';
import { PrinterSettingsStore } from '../../services/printing/print-jobs.ts';
import { PrintingService } from '../../services/printing/printing-service.ts';
import { LocalTicketNumbers, VenueTicketNumbers } from '../../services/printing/ticket-numbers.ts';
import { TicketSigner } from '../../services/printing/ticket-signing.ts';
import { ConflictDesk } from '../../services/sync/conflict-actions.ts';
import { SyncEngine } from '../../services/sync/sync-engine.ts';
import { VoidService } from '../../services/voids/void-service.ts';
import type { StoreKey } from '../../store/store-key.ts';
import type { Db } from '../../store/database.ts';
import { catalogEventFromStore } from '../../services/sync/venue-catalog.ts';
import { freshKeysAtEnrolment, registerKeysIfEnrolled } from './keyset-commands.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import { type CliCommand, type OptionValues, positiveInt, requiredString, UsageError } from '../command.ts';

/**
 * The tenant's admin secret, kept off the command line (where ps and shell history would show it):
 * --admin-secret-file FILE, else the TAQUILLA_ADMIN_SECRET environment variable. --admin-secret
 * still works for old scripts.
 */
function adminSecret(values: OptionValues): string {
  if (typeof values['admin-secret-file'] === 'string') {
    try {
      const secret = readFileSync(values['admin-secret-file'], 'utf8').trim();
      if (secret) return secret;
    } catch (error) {
      throw new UsageError(`cannot read ${values['admin-secret-file']}: ${(error as Error).message}`);
    }
    throw new UsageError(`${values['admin-secret-file']} is empty`);
  }
  const fromEnv = process.env.TAQUILLA_ADMIN_SECRET?.trim();
  if (fromEnv) return fromEnv;
  if (typeof values['admin-secret'] === 'string' && values['admin-secret'].trim())
    return values['admin-secret'].trim();
  throw new UsageError(
    'the admin secret is needed: set TAQUILLA_ADMIN_SECRET or pass --admin-secret-file FILE',
  );
}

const enrolCommand: CliCommand = {
  name: 'enrol',
  usage:
    'enrol --server URL[,URL...] --code CODE [--name NAME]  enrol with the central hold server (each instance URL)',
  options: { server: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' } },
  database: 'create',
  run: async ({ db, clock, values, storeKey }) => {
    const server = requiredString(values.server, '--server');
    const code = requiredString(values.code, '--code');
    const name = typeof values.name === 'string' ? values.name : 'Taquilla';
    // Asked before the server spends an enrolment code on a store that could never use it.
    new TerminalModeStore(db(), clock).assertLive('be enrolled with a server');
    const sync = new SyncEngine(db(), clock, { storeKey: storeKey() });
    const result = await sync.enrol(server, code, name);
    // A key of its own, registered with the server, so every door of the venue verifies its tickets.
    freshKeysAtEnrolment(db(), clock, storeKey());
    const keys = await registerKeysIfEnrolled(db(), clock, storeKey());
    // The events the server delivered (the catalogue), not whatever this store held before.
    const events = db()
      .prepare<[], { event_id: number }>(
        "SELECT event_id FROM catalog_events WHERE origin = 'server' ORDER BY event_id",
      )
      .all()
      .map((e) => e.event_id);
    return {
      json: { tenantId: result.tenantId, credentialId: result.credentialId, events },
      text:
        `Enrolled as terminal ${result.credentialId} of tenant ${result.tenantId} at ${server}` +
        (events.length > 0
          ? `; events ${events.join(', ')} received`
          : '; no events defined at the server yet') +
        keys,
    };
  },
};

/** How long `sync-status` waits for the server before saying offline. */
const ASK_DEADLINE_MS = 1500;

function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

const statusCommand: CliCommand = {
  name: 'sync-status',
  usage:
    'sync-status [--now]                 server link (asked now, briefly): online/offline, outbox, last sync and its age, clock offset; --now also sends what waits',
  options: { now: { type: 'boolean', default: false } },
  database: 'existing',
  access: 'read',
  run: async ({ db, clock, values, storeKey }) => {
    const sync = new SyncEngine(db(), clock, { storeKey: storeKey() });
    // --now asks the server, replays the outbox and renews leases. Without it the server is still
    // asked (one short request, nothing sent or written), so the state said is the link's, not a
    // default; the last sync is given with its age.
    if (values.now) {
      await sync.checkConnection();
      await sync.idle();
    } else await sync.ask(ASK_DEADLINE_MS);
    const s = sync.status();
    const age = s.lastSyncAt === null ? null : Math.max(0, clock.now() - s.lastSyncAt);
    const catalog = { revision: sync.venueCatalog.revision(), problems: sync.venueCatalog.problems() };
    return {
      json: { ...s, lastSyncAgeMs: age, catalog },
      text: [
        `state       ${s.state}${s.serverUrl ? ` (${s.serverUrl})` : ''}`,
        `outbox      ${s.outbox}`,
        `last sync   ${s.lastSyncAt === null ? 'never' : `${formatDateTime('es', s.lastSyncAt)} (${formatAge(age!)} ago)`}`,
        `clock       ${s.clockOffsetMs >= 0 ? '+' : ''}${s.clockOffsetMs} ms`,
        `leases      ${s.openLeases} open`,
        `conflicts   ${s.openConflicts} open`,
        `catalogue   revision ${catalog.revision}`,
        ...catalog.problems.map((p) => `  event ${p.eventId} not taken: ${p.reason}`),
      ].join('\n'),
    };
  },
};

const publishCommand: CliCommand = {
  name: 'publish-event',
  usage:
    "publish-event --event ID [--admin-secret-file F] [--lease-minutes N]  make a local event the venue's (secret: TAQUILLA_ADMIN_SECRET)",
  options: {
    event: { type: 'string' },
    'admin-secret': { type: 'string' },
    'admin-secret-file': { type: 'string' },
    'lease-minutes': { type: 'string' },
  },
  database: 'existing',
  run: async ({ db, clock, values }) => {
    const eventId = positiveInt(values.event, '--event');
    const secret = adminSecret(values);
    const row = db()
      .prepare<[], { server_url: string }>('SELECT server_url FROM sync_credentials WHERE id = 1')
      .get();
    if (!row) throw new UsageError('enrol this terminal first (taquilla enrol)');
    const tenant = db()
      .prepare<[number], { settings: string }>(
        'SELECT t.settings FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.id = ?',
      )
      .get(eventId);
    const leaseMinutes =
      values['lease-minutes'] === undefined
        ? resolveSettings(JSON.parse(tenant?.settings ?? '{}')).LEASE_MINUTES
        : positiveInt(values['lease-minutes'], '--lease-minutes');
    // The whole event (venue, tiers, zones, seats) under this terminal's ids: every counter receives it.
    const definition = catalogEventFromStore(db(), eventId, leaseMinutes);
    const res = await axios.put(`${row.server_url}/v1/admin/catalog/events/${eventId}`, definition, {
      headers: { authorization: `Bearer ${secret}` },
      validateStatus: () => true,
      maxBodyLength: Infinity,
    });
    if (res.status !== 200)
      throw new UsageError(`server refused: ${JSON.stringify(res.data?.error ?? res.status)}`);
    new SyncEngine(db(), clock).venueCatalog.markPublished(eventId);
    return { json: { eventId }, text: `Event ${eventId} published to ${row.server_url}` };
  },
};

/**
 * The conflict desk as the command line runs it: the store's own sync engine, voids and printing
 * (a moved customer's tickets are queued like any sale's; `taquilla serve` or print-queue prints them).
 */
function conflictDeskOf(db: Db, clock: Clock, storeKey: StoreKey): ConflictDesk {
  const sync = new SyncEngine(db, clock, { storeKey });
  const time = sync.serverClock;
  const printing = new PrintingService(db, time, {
    jobs: {
      signer: new TicketSigner(db, time, storeKey),
      numbers: new VenueTicketNumbers(
        db,
        new LocalTicketNumbers(db, () => new PrinterSettingsStore(db, time).get().terminalCode),
      ),
    },
  });
  printing.attach(sync.reservations);
  const voids = new VoidService(db, time, sync.reservations, { terminal: 'cli' });
  return new ConflictDesk(db, clock, sync, voids);
}

const conflictsCommand: CliCommand = {
  name: 'sync-conflicts',
  usage:
    'sync-conflicts [--all] [--resolve ID --action move|refund|override [--note TEXT] [--seats 1,2]]  refused offline sales: move (new seats sold and printed, old tickets voided), refund (in the tender used) or override (accepted at the server); --note says why',
  options: {
    all: { type: 'boolean', default: false },
    resolve: { type: 'string' },
    action: { type: 'string' },
    note: { type: 'string' },
    seats: { type: 'string' },
  },
  database: 'existing',
  access: 'read',
  run: async ({ db, clock, values, actor, storeKey }) => {
    const desk = conflictDeskOf(db(), clock, storeKey());
    if (values.resolve === undefined) {
      const rows = desk.list(values.all === true);
      const line = (c: ConflictView) =>
        [
          `#${c.id}`,
          formatDateTime('es', c.createdAt),
          c.op,
          c.errorCode,
          c.error,
          c.seatIds.length > 0 ? `seats ${c.seatIds.join(', ')}` : '',
          c.resolution ? `→ ${c.resolution}${c.resolutionNote ? ` (${c.resolutionNote})` : ''}` : '',
          c.resolution && c.recordedAtServer === null ? '(not yet recorded at the server)' : '',
        ]
          .filter(Boolean)
          .join('  ');
      return {
        json: rows,
        text: rows.length === 0 ? 'No open conflicts.' : rows.map(line).join('\n'),
      };
    }
    const id = positiveInt(values.resolve, '--resolve');
    const action = values.action;
    if (action !== 'move' && action !== 'refund' && action !== 'override') {
      throw new UsageError('--action must be move, refund or override');
    }
    const note = typeof values.note === 'string' ? values.note.trim() : '';
    if (action !== 'move' && note === '') throw new UsageError(`--note says why (required to ${action})`);
    const seatIds =
      typeof values.seats === 'string'
        ? values.seats.split(',').map((seat) => positiveInt(seat.trim(), '--seats'))
        : undefined;
    // Moving and overriding act at the server, and every resolution is recorded there: reach it first.
    await desk.checkConnection();
    // Whoever runs the command line holds the store's file: they approve their own decision (audited).
    const result = await desk.resolve(
      id,
      { action, ...(seatIds ? { seatIds } : {}), ...(note ? { note } : {}) },
      { actor, approvedBy: actor },
    );
    return {
      json: result,
      text: [
        `Conflict #${id}: ${result.resolution}${result.seatIds && action === 'move' ? ` to seats ${result.seatIds.join(', ')}` : ''}`,
        ...(result.voidId
          ? [`Old sale voided (void ${result.voidId}); refund ${result.refundUsdCents ?? 0} USD cents`]
          : []),
        ...(result.soldElsewhere?.length
          ? [`Sold to another customer as well: seats ${result.soldElsewhere.join(', ')}`]
          : []),
        result.recordedAtServer
          ? 'Recorded at the server.'
          : 'Not yet recorded at the server: run the same command again when it is reachable.',
      ].join('\n'),
    };
  },
};

const serversCommand: CliCommand = {
  name: 'sync-servers',
  usage: 'sync-servers [--set URL[,URL...]]   the central server URLs this terminal fails over between',
  options: { set: { type: 'string' } },
  database: 'existing',
  run: async ({ db, clock, values }) => {
    const sync = new SyncEngine(db(), clock);
    if (typeof values.set === 'string') sync.setServers(values.set);
    const urls = sync.status().serverUrls;
    if (urls.length === 0) throw new UsageError('enrol this terminal first (taquilla enrol)');
    return { json: { servers: urls }, text: urls.join('\n') };
  },
};

export const syncCommands: CliCommand[] = [
  enrolCommand,
  statusCommand,
  publishCommand,
  conflictsCommand,
  serversCommand,
];
