import axios from 'axios';
import { type ConflictRow, SyncEngine, serverEventFromStore } from '../../services/sync/sync-engine.ts';
import { type CliCommand, positiveInt, requiredString, UsageError } from '../command.ts';

const enrolCommand: CliCommand = {
  name: 'enrol',
  usage:
    'enrol --server URL[,URL...] --code CODE [--name NAME]  enrol with the central hold server (each instance URL)',
  options: { server: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' } },
  database: 'create',
  run: async ({ db, clock, values }) => {
    const server = requiredString(values.server, '--server');
    const code = requiredString(values.code, '--code');
    const name = typeof values.name === 'string' ? values.name : 'Taquilla';
    const sync = new SyncEngine(db(), clock);
    const result = await sync.enrol(server, code, name);
    return {
      json: { tenantId: result.tenantId, credentialId: result.credentialId },
      text: `Enrolled as terminal ${result.credentialId} of tenant ${result.tenantId} at ${server}`,
    };
  },
};

const statusCommand: CliCommand = {
  name: 'sync-status',
  usage: 'sync-status [--now]                 server link: online/offline, outbox, last sync, clock offset',
  options: { now: { type: 'boolean', default: false } },
  database: 'existing',
  run: async ({ db, clock, values }) => {
    const sync = new SyncEngine(db(), clock);
    // --now asks the server, replays the outbox and renews leases; without it, the stored view.
    if (values.now) {
      await sync.checkConnection();
      await sync.idle();
    }
    const s = sync.status();
    return {
      json: s,
      text: [
        `state       ${s.state}${s.serverUrl ? ` (${s.serverUrl})` : ''}`,
        `outbox      ${s.outbox}`,
        `last sync   ${s.lastSyncAt === null ? 'never' : new Date(s.lastSyncAt).toISOString()}`,
        `clock       ${s.clockOffsetMs >= 0 ? '+' : ''}${s.clockOffsetMs} ms`,
        `leases      ${s.openLeases} open`,
        `conflicts   ${s.openConflicts} open`,
      ].join('\n'),
    };
  },
};

const publishCommand: CliCommand = {
  name: 'publish-event',
  usage: 'publish-event --event ID --admin-secret S [--lease-minutes N]  send an event to the server',
  options: {
    event: { type: 'string' },
    'admin-secret': { type: 'string' },
    'lease-minutes': { type: 'string' },
  },
  database: 'existing',
  run: async ({ db, values }) => {
    const eventId = positiveInt(values.event, '--event');
    const secret = requiredString(values['admin-secret'], '--admin-secret');
    const row = db()
      .prepare<[], { server_url: string }>('SELECT server_url FROM sync_credentials WHERE id = 1')
      .get();
    if (!row) throw new UsageError('enrol this terminal first (taquilla enrol)');
    const leaseMinutes =
      values['lease-minutes'] === undefined ? 240 : positiveInt(values['lease-minutes'], '--lease-minutes');
    const definition = serverEventFromStore(db(), eventId, leaseMinutes);
    const res = await axios.put(`${row.server_url}/v1/admin/events`, definition, {
      headers: { authorization: `Bearer ${secret}` },
      validateStatus: () => true,
    });
    if (res.status !== 200)
      throw new UsageError(`server refused: ${JSON.stringify(res.data?.error ?? res.status)}`);
    return { json: { eventId }, text: `Event ${eventId} published to ${row.server_url}` };
  },
};

const conflictsCommand: CliCommand = {
  name: 'sync-conflicts',
  usage:
    'sync-conflicts [--all] [--resolve ID --action move|refund|override [--note TEXT] [--seats 1,2]]  refused offline sales',
  options: {
    all: { type: 'boolean', default: false },
    resolve: { type: 'string' },
    action: { type: 'string' },
    note: { type: 'string' },
    seats: { type: 'string' },
  },
  database: 'existing',
  run: async ({ db, clock, values, actor }) => {
    const sync = new SyncEngine(db(), clock);
    if (values.resolve === undefined) {
      const rows = sync.conflicts(values.all === true);
      const line = (c: ConflictRow) =>
        [
          `#${c.id}`,
          new Date(c.createdAt).toISOString(),
          c.op,
          c.errorCode,
          c.error,
          c.resolution ? `→ ${c.resolution}${c.resolutionNote ? ` (${c.resolutionNote})` : ''}` : '',
        ]
          .filter(Boolean)
          .join('  ');
      return {
        json: rows,
        text: rows.length === 0 ? 'No open conflicts.' : rows.map(line).join('\n'),
      };
    }
    const id = positiveInt(values.resolve, '--resolve');
    const note = typeof values.note === 'string' ? values.note.trim() : '';
    const action = values.action;
    if (action !== 'move' && action !== 'refund' && action !== 'override') {
      throw new UsageError('--action must be move, refund or override');
    }
    if (action !== 'move' && note === '') throw new UsageError(`--note says why (required to ${action})`);
    const seatIds =
      typeof values.seats === 'string'
        ? values.seats.split(',').map((seat) => positiveInt(seat.trim(), '--seats'))
        : undefined;
    // Moving sells other seats at the server: find out first whether it can be reached.
    if (action === 'move') await sync.checkConnection();
    const result = await sync.resolveConflict(
      id,
      action === 'move'
        ? { action, actor, ...(seatIds ? { seatIds } : {}), ...(note ? { note } : {}) }
        : { action, actor, note },
    );
    return {
      json: { id, ...result },
      text: `Conflict #${id}: ${result.resolution}${result.seatIds ? ` to seats ${result.seatIds.join(', ')}` : ''}`,
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
