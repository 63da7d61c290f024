import { seedDemo } from '../../services/demo/demo-venues.ts';
import { PaymentProviders } from '../../services/payments/providers/provider-registry.ts';
import { seatIdsByLabel } from '../../services/events/event-setup.ts';
import { AvailabilityService } from '../../services/reservations/availability-service.ts';
import { ReservationService } from '../../services/reservations/reservation-service.ts';
import {
  type EventReservationStats,
  ReservationStatsService,
} from '../../services/reservations/reservation-stats.ts';
import { seedDemoUsers } from '../../services/session/demo-users.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import {
  type CliCommand,
  type CliContext,
  optionalPositiveInt,
  positiveInt,
  requiredString,
  UsageError,
} from '../command.ts';

const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  usage:
    'seed-demo [--training]            the demo theatre (2,400 seats + standing) and 50,000-seat stadium (--training: a training store with the training payment provider)',
  options: { training: { type: 'boolean', default: false } },
  database: 'create',
  run: async ({ db, clock, values, actor, storeKey }) => {
    const existing = db().prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events').get()!.n;
    if (existing > 0) throw new UsageError(`database already has ${existing} events; seed a new file`);
    if (values.training === true) {
      const modes = new TerminalModeStore(db(), clock);
      modes.enableTraining(actor);
      // A training demo's kiosk takes (simulated) card and Pago Móvil payments from the start.
      new PaymentProviders(db(), clock, () => modes.mode()).set({ provider: 'training', actor });
    }
    const ids = seedDemo(db(), clock.now());
    await seedDemoUsers(db(), clock, storeKey().pepper);
    return {
      json: ids,
      text: `Demo ready: theatre event ${ids.theatreEventId} (2,400 seats + 300 standing), stadium event ${ids.stadiumEventId} (50,000 seats + 5,000 field).`,
    };
  },
};

const eventsCommand: CliCommand = {
  name: 'events',
  usage: 'events                            list events with their ids',
  database: 'existing',
  access: 'read',
  run: ({ db }) => {
    const events = db()
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
  },
};

const cleanupCommand: CliCommand = {
  name: 'cleanup-expired',
  usage: 'cleanup-expired [--batch-size N]  mark holds whose time ran out as EXPIRED',
  options: { 'batch-size': { type: 'string' } },
  database: 'existing',
  run: ({ db, clock, values }) => {
    const batchSize = optionalPositiveInt(values['batch-size'], '--batch-size');
    const result = new ReservationService(db(), clock).cleanupExpired(batchSize ? { batchSize } : {});
    const pruned = new AvailabilityService(db(), clock).pruneFeed();
    return {
      json: { ...result, feedRowsPruned: pruned },
      text: `Expired ${result.expiredTickets} holds and ${result.expiredTransactions} transactions in ${result.batches} batches.`,
    };
  },
};

const statsCommand: CliCommand = {
  name: 'reservation-stats',
  usage: 'reservation-stats [--event ID]    holds, reservations, sales, conversion, contested seats',
  options: { event: { type: 'string' } },
  database: 'existing',
  access: 'read',
  run: ({ db, clock, values }) => {
    const eventId = optionalPositiveInt(values.event, '--event');
    const stats = new ReservationStatsService(db(), clock).stats(eventId === undefined ? {} : { eventId });
    if (eventId !== undefined && stats.events.length === 0)
      throw new UsageError(`there is no event ${eventId}`);
    return { json: stats, text: statsText(stats.events) };
  },
};

const extendCommand: CliCommand = {
  name: 'extend-reservations',
  usage: 'extend-reservations --hours N [--event ID]  more time for partial-payment reservations (capped)',
  options: { hours: { type: 'string' }, event: { type: 'string' } },
  database: 'existing',
  run: ({ db, clock, values, actor }) => {
    const hours = positiveInt(requiredString(values.hours, '--hours'), '--hours');
    const eventId = optionalPositiveInt(values.event, '--event');
    const result = new ReservationService(db(), clock).extendReservations({
      hours,
      actor,
      ...(eventId ? { eventId } : {}),
    });
    return {
      json: result,
      text: `Extended ${result.extended} reservations by up to ${hours} h (${result.capped} reached the lifetime cap, ${result.expired} had already expired).`,
    };
  },
};

function seatsFromLabels(ctx: CliContext): { eventId: number; ids: number[]; labels: string[] } {
  const eventId = positiveInt(requiredString(ctx.values.event, '--event'), '--event');
  const labels = requiredString(ctx.values.seats, '--seats')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (labels.length === 0) throw new UsageError('--seats needs at least one seat label');
  const { ids, unknown } = seatIdsByLabel(ctx.db(), eventId, labels);
  if (unknown.length > 0) throw new UsageError(`unknown seats in event ${eventId}: ${unknown.join(', ')}`);
  return { eventId, ids, labels };
}

const blockCommand: CliCommand = {
  name: 'block-seats',
  usage: 'block-seats --event ID --seats L1,L2 [--reason TEXT]  keep house seats off sale',
  options: { event: { type: 'string' }, seats: { type: 'string' }, reason: { type: 'string' } },
  database: 'existing',
  run: (ctx) => {
    const { eventId, ids, labels } = seatsFromLabels(ctx);
    const reason = typeof ctx.values.reason === 'string' ? { reason: ctx.values.reason } : {};
    const result = new ReservationService(ctx.db(), ctx.clock).blockSeats({
      eventId,
      seatIds: ids,
      actor: ctx.actor,
      ...reason,
    });
    return {
      json: result,
      text: `Blocked ${result.blocked.length} seats (${labels.length - result.blocked.length} already blocked).`,
    };
  },
};

const unblockCommand: CliCommand = {
  name: 'unblock-seats',
  usage: 'unblock-seats --event ID --seats L1,L2  put house seats back on sale',
  options: { event: { type: 'string' }, seats: { type: 'string' } },
  database: 'existing',
  run: (ctx) => {
    const { eventId, ids } = seatsFromLabels(ctx);
    const result = new ReservationService(ctx.db(), ctx.clock).unblockSeats({
      eventId,
      seatIds: ids,
      actor: ctx.actor,
    });
    return { json: result, text: `Unblocked ${result.unblocked.length} seats.` };
  },
};

function statsText(events: EventReservationStats[]): string {
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

export const reservationCommands: CliCommand[] = [
  seedDemoCommand,
  eventsCommand,
  cleanupCommand,
  statsCommand,
  extendCommand,
  blockCommand,
  unblockCommand,
];
