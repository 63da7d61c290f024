import { leaseRequest } from '../../../shared/api/leases.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { LeaseView } from '../../services/sync/lease-desk.ts';
import { SyncEngine } from '../../services/sync/sync-engine.ts';
import { type CliCommand, positiveInt, UsageError } from '../command.ts';

function line(l: LeaseView): string {
  const seats = l.seatIds.length > 0 ? `${l.seatIds.length} seats (${l.soldSeatIds.length} sold)` : '';
  const places = l.general
    ? `${l.general.quantity} places of zone ${l.general.zoneId} (${l.general.sold} sold)`
    : '';
  return [
    l.leaseId,
    `event ${l.eventId}`,
    l.status === 'OPEN' ? (l.selling ? 'selling' : 'ended') : 'returned',
    `until ${new Date(l.expiresAt).toISOString()}`,
    seats,
    places,
    `numbers ${l.nextTicket}..${l.ticketTo}`,
  ]
    .filter(Boolean)
    .join('  ');
}

/**
 * `taquilla leases`: what this counter may sell offline, taking more while online, giving a lease back
 * (only once every sale from it is reported). Run it beside a running counter on the same store.
 */
const leasesCommand: CliCommand = {
  name: 'leases',
  usage:
    'leases [--all] | --acquire --event ID (--seats 1,2 | --zone ID --count N) [--general ZONE:N] [--numbers N] | --return LEASE   offline leases of this counter',
  options: {
    all: { type: 'boolean', default: false },
    acquire: { type: 'boolean', default: false },
    event: { type: 'string' },
    seats: { type: 'string' },
    zone: { type: 'string' },
    count: { type: 'string' },
    general: { type: 'string' },
    numbers: { type: 'string' },
    return: { type: 'string' },
  },
  database: 'existing',
  run: async ({ db, clock, values, actor, storeKey }) => {
    const sync = new SyncEngine(db(), clock, { storeKey: storeKey() });
    if (sync.status().state === 'unenrolled')
      throw new UsageError('enrol this terminal first (taquilla enrol)');
    if (typeof values.return === 'string') {
      await sync.checkConnection();
      const result = await sync.leases.return(values.return, actor);
      return {
        json: { leaseId: values.return, ...result },
        text: `Lease ${values.return} returned: ${result.returned} places back`,
      };
    }
    if (values.acquire === true) {
      const general =
        typeof values.general === 'string'
          ? (() => {
              const [zone, quantity] = values.general.split(':');
              return {
                zoneId: positiveInt(zone, '--general ZONE'),
                quantity: positiveInt(quantity, '--general :N'),
              };
            })()
          : undefined;
      const request = parseInput(leaseRequest, {
        eventId: positiveInt(values.event, '--event'),
        ...(typeof values.seats === 'string'
          ? { seatIds: values.seats.split(',').map((s) => positiveInt(s.trim(), '--seats')) }
          : {}),
        ...(values.zone !== undefined ? { zoneId: positiveInt(values.zone, '--zone') } : {}),
        ...(values.count !== undefined ? { count: positiveInt(values.count, '--count') } : {}),
        ...(general ? { general } : {}),
        ...(values.numbers !== undefined ? { ticketNumbers: positiveInt(values.numbers, '--numbers') } : {}),
      });
      await sync.checkConnection();
      const grant = await sync.leases.acquireFor(request, actor);
      const [view] = sync.leases.list().filter((l) => l.leaseId === grant.leaseId);
      return { json: grant, text: view ? line(view) : grant.leaseId };
    }
    const rows = sync.leases.list(values.all === true);
    return { json: rows, text: rows.length === 0 ? 'No open leases.' : rows.map(line).join('\n') };
  },
};

export const leaseCommands: CliCommand[] = [leasesCommand];
