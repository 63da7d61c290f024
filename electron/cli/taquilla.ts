import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { isTaquillaError } from '../../shared/errors.ts';
import { seedDemo } from '../services/demo/demo-venues.ts';
import { seatIdsByLabel } from '../services/events/event-setup.ts';
import { AvailabilityService } from '../services/reservations/availability-service.ts';
import { ReservationService } from '../services/reservations/reservation-service.ts';
import { ReservationStatsService } from '../services/reservations/reservation-stats.ts';
import { type Db, openDatabase } from '../store/database.ts';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  clock: Clock;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  clock: systemClock,
};

class UsageError extends Error {}

const USAGE = `taquilla <command> --db FILE [--json] [options]

Commands:
  seed-demo                                   create the demo theatre (2,400 seats + standing) and 50,000-seat stadium
  events                                      list events with their ids
  cleanup-expired [--batch-size N]            mark holds whose time ran out as EXPIRED
  reservation-stats [--event ID]              holds, reservations, sales, conversion rate, contested seats
  extend-reservations --hours N [--event ID]  give partial-payment reservations N more hours (capped)
  block-seats --event ID --seats L1,L2 [--reason TEXT]   keep house seats off sale
  unblock-seats --event ID --seats L1,L2      put house seats back on sale

Options:
  --db FILE     the terminal's SQLite database (required)
  --json        print one JSON object instead of text
  --actor NAME  who is recorded in the audit log (default: cli:<user>)`;

const OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  event: { type: 'string' },
  hours: { type: 'string' },
  seats: { type: 'string' },
  reason: { type: 'string' },
  actor: { type: 'string' },
  'batch-size': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Runs one command; returns the exit code (0 ok, 1 refused by the engine, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let db: Db | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const command = positionals[0];
    if (values.help || !command) {
      io.out(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    if (!values.db) throw new UsageError('--db FILE is required');
    if (command !== 'seed-demo' && !existsSync(values.db))
      throw new UsageError(`no database at ${values.db}`);
    db = openDatabase(values.db);
    const result = execute(command, values, db, io.clock);
    io.out(values.json ? JSON.stringify(result.json) : result.text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`taquilla: ${(error as Error).message} (see taquilla --help)`);
      return 2;
    }
    if (isTaquillaError(error)) {
      io.err(`taquilla: ${error.code}: ${error.message}`);
      return 1;
    }
    io.err(`taquilla: ${(error as Error).message ?? String(error)}`);
    return 1;
  } finally {
    db?.close();
  }
}

function execute(command: string, values: Options, db: Db, clock: Clock): { text: string; json: unknown } {
  const actor = values.actor ?? `cli:${safeUser()}`;
  switch (command) {
    case 'seed-demo': {
      const existing = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events').get()!.n;
      if (existing > 0) throw new UsageError(`database already has ${existing} events; seed a new file`);
      const ids = seedDemo(db, clock.now());
      return {
        json: ids,
        text: `Demo ready: theatre event ${ids.theatreEventId} (2,400 seats + 300 standing), stadium event ${ids.stadiumEventId} (50,000 seats + 5,000 field).`,
      };
    }
    case 'events': {
      const events = db
        .prepare<[], { id: number; name: string; starts_at: number; seats: number }>(
          `SELECT e.id, e.name, e.starts_at, (SELECT COUNT(*) FROM seats s WHERE s.event_id = e.id) AS seats
           FROM events e ORDER BY e.starts_at, e.id`,
        )
        .all();
      return {
        json: { events },
        text: events
          .map((e) => `${e.id}\t${e.name}\t${new Date(e.starts_at).toISOString()}\t${e.seats} seats`)
          .join('\n'),
      };
    }
    case 'cleanup-expired': {
      const batchSize =
        values['batch-size'] === undefined ? undefined : positiveInt(values['batch-size'], '--batch-size');
      const result = new ReservationService(db, clock).cleanupExpired(batchSize ? { batchSize } : {});
      const pruned = new AvailabilityService(db, clock).pruneFeed();
      return {
        json: { ...result, feedRowsPruned: pruned },
        text: `Expired ${result.expiredTickets} holds and ${result.expiredTransactions} transactions in ${result.batches} batches.`,
      };
    }
    case 'reservation-stats': {
      const eventId = values.event === undefined ? undefined : positiveInt(values.event, '--event');
      const stats = new ReservationStatsService(db, clock).stats(eventId === undefined ? {} : { eventId });
      if (eventId !== undefined && stats.events.length === 0)
        throw new UsageError(`there is no event ${eventId}`);
      return { json: stats, text: statsText(stats.events) };
    }
    case 'extend-reservations': {
      if (values.hours === undefined) throw new UsageError('--hours N is required');
      const hours = positiveInt(values.hours, '--hours');
      const eventId = values.event === undefined ? undefined : positiveInt(values.event, '--event');
      const result = new ReservationService(db, clock).extendReservations({
        hours,
        actor,
        ...(eventId ? { eventId } : {}),
      });
      return {
        json: result,
        text: `Extended ${result.extended} reservations by up to ${hours} h (${result.capped} reached the lifetime cap, ${result.expired} had already expired).`,
      };
    }
    case 'block-seats':
    case 'unblock-seats': {
      if (values.event === undefined) throw new UsageError('--event ID is required');
      if (values.seats === undefined) throw new UsageError('--seats LABEL,LABEL is required');
      const eventId = positiveInt(values.event, '--event');
      const labels = values.seats
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (labels.length === 0) throw new UsageError('--seats needs at least one seat label');
      const { ids, unknown } = seatIdsByLabel(db, eventId, labels);
      if (unknown.length > 0)
        throw new UsageError(`unknown seats in event ${eventId}: ${unknown.join(', ')}`);
      const service = new ReservationService(db, clock);
      if (command === 'block-seats') {
        const result = service.blockSeats({
          eventId,
          seatIds: ids,
          actor,
          ...(values.reason ? { reason: values.reason } : {}),
        });
        return {
          json: result,
          text: `Blocked ${result.blocked.length} seats (${labels.length - result.blocked.length} already blocked).`,
        };
      }
      const result = service.unblockSeats({ eventId, seatIds: ids, actor });
      return { json: result, text: `Unblocked ${result.unblocked.length} seats.` };
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} must be a positive whole number, got '${value}'`);
  }
  return Number(value);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function statsText(events: ReturnType<ReservationStatsService['stats']>['events']): string {
  if (events.length === 0) return 'No events.';
  return events
    .map((e) => {
      const rate = e.conversionRate === null ? 'n/a' : `${(e.conversionRate * 100).toFixed(1)}%`;
      const contested = e.contested.map((c) => `${c.label} (${c.refused})`).join(', ') || 'none';
      return [
        `Event ${e.eventId}: ${e.name}`,
        `  active holds ${e.activeHolds}, reserved ${e.reserved} (${e.reservationsOpen} open), sold ${e.sold}`,
        `  expiring within the hour ${e.expiringWithinHour}, expired ${e.expired}, cancelled ${e.cancelled}`,
        `  conversion hold→sale ${rate}, abandoned carts ${e.abandonedCarts}`,
        `  contested seats: ${contested}`,
      ].join('\n');
    })
    .join('\n');
}
