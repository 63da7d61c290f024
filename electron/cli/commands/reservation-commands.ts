import { formatDateTime } from '../../../shared/i18n/formats.ts';
import type { BlockSeatsResult, UnblockSeatsResult } from '../../../shared/schemas/reservations.ts';
import { ExpiryPreviewService } from '../../services/reservations/expiry-preview.ts';
import { seedDemo } from '../../services/demo/demo-venues.ts';
import { PaymentProviders } from '../../services/payments/providers/provider-registry.ts';
import { seatIdsByLabel } from '../../services/events/event-setup.ts';
import { AvailabilityService } from '../../services/reservations/availability-service.ts';
import { ReservationService } from '../../services/reservations/reservation-service.ts';
import { SyncEngine } from '../../services/sync/sync-engine.ts';
import {
  type EventReservationStats,
  ReservationStatsService,
} from '../../services/reservations/reservation-stats.ts';
import { DEFAULT_VIRTUAL_PRINTER_PORT, printerUri } from '../../../shared/schemas/printing.ts';
import { PrintingService } from '../../services/printing/printing-service.ts';
import { DEMO_USERS, seedDemoUsers } from '../../services/session/demo-users.ts';
import { TerminalModeStore } from '../../services/terminal-mode/terminal-mode.ts';
import {
  type CliCommand,
  type CliContext,
  optionalPositiveInt,
  positiveInt,
  requiredString,
  UsageError,
} from '../command.ts';
import { COUNTER_PORT, KIOSK_PORT, rendererBuilt } from './serve-commands.ts';

/** A path as the user would type it again in the next command (quoted when it has a space). */
function shellWord(path: string): string {
  return /^[\w./:@+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  usage:
    'seed-demo [--training]            the demo theatre (2,400 seats + standing), 50,000-seat stadium, staff and virtual printer; prints what to run next (--training: a training store with the training payment provider)',
  options: { training: { type: 'boolean', default: false } },
  database: 'create',
  run: async ({ db, clock, values, actor, storeKey }) => {
    const existing = db().prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events').get()!.n;
    if (existing > 0) throw new UsageError(`database already has ${existing} events; seed a new file`);
    const training = values.training === true;
    if (training) {
      const modes = new TerminalModeStore(db(), clock);
      modes.enableTraining(actor);
      // A training demo's kiosk takes (simulated) card and Pago Móvil payments from the start.
      new PaymentProviders(db(), clock, () => modes.mode()).set({ provider: 'training', actor });
    }
    const ids = seedDemo(db(), clock.now());
    await seedDemoUsers(db(), clock, storeKey().pepper);
    // Said, not assumed: the demo prints to the virtual printer on this PC (serve --virtual-printer).
    const printer = new PrintingService(db(), clock).setSettings(
      { connection: { kind: 'tcp', host: '127.0.0.1', port: DEFAULT_VIRTUAL_PRINTER_PORT } },
      actor,
    );
    const staff = DEMO_USERS.map((u) => ({ name: u.name, role: u.role, pin: u.pin }));
    const file = shellWord(requiredString(values.db, '--db'));
    const steps: [string, string][] = [
      ...(rendererBuilt()
        ? []
        : [['npm run build:renderer', 'once: builds the screens'] as [string, string]]),
      [
        `npx taquilla serve --db ${file} --virtual-printer`,
        `the counter (port ${COUNTER_PORT}) and its printer: open the URL it prints`,
      ],
      [
        `npx taquilla serve --db ${file} --kiosk`,
        `a self-service kiosk (port ${KIOSK_PORT}), in another terminal`,
      ],
      [`TAQUILLA_DB=${file} npm start`, 'or the desktop app, where Electron is installed'],
    ];
    const column = Math.max(...steps.map(([command]) => command.length));
    const next = steps.map(([command, why]) => `${command.padEnd(column)}   # ${why}`);
    const width = Math.max(...staff.map((u) => u.name.length));
    return {
      json: { ...ids, training, staff, printer: printerUri(printer.connection), next },
      text: [
        `Demo ready in ${file}${training ? ' (a TRAINING store: simulated payments, tickets say ENTRENAMIENTO)' : ''}:`,
        `  event ${ids.theatreEventId}  Gala de Zarzuela, Teatro Municipal: 2,400 seats + 300 standing`,
        `  event ${ids.stadiumEventId}  Clásico: Leones vs. Magallanes, Estadio Monumental: 50,000 seats + 5,000 on the field`,
        'Staff (choose your name, type the PIN):',
        ...staff.map((u) => `  ${u.name.padEnd(width)}  ${u.role.padEnd(10)}  PIN ${u.pin}`),
        `Printer: the virtual printer at ${printerUri(printer.connection)} (serve --virtual-printer starts it; or \`npx taquilla virtual-printer\`)`,
        'Next:',
        ...next.map((line) => `  ${line}`),
      ].join('\n'),
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
        .map((e) => `${e.id}\t${e.name}\t${formatDateTime('es', e.starts_at)}\t${e.seats} seats`)
        .join('\n'),
    };
  },
};

const cleanupCommand: CliCommand = {
  name: 'cleanup-expired',
  usage:
    'cleanup-expired [--batch-size N] [--dry-run]  mark holds whose time ran out as EXPIRED (--dry-run: list them, write nothing)',
  options: { 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  database: 'existing',
  run: ({ db, clock, values }) => {
    if (values['dry-run'] === true) {
      const preview = new ExpiryPreviewService(db(), clock).preview();
      const holds = preview.tickets.reduce((n, t) => n + t.quantity, 0);
      const lines = preview.tickets.map(
        (t) =>
          `${t.event}\t${t.quantity > 1 ? `${t.quantity} x ${t.place}` : t.place}\t` +
          `${t.kind === 'deposit' ? `deposit${t.customerName ? ` (${t.customerName})` : ''}` : 'hold'}\t` +
          `until ${formatDateTime('es', t.reservedUntil)}\t${t.transactionId}`,
      );
      lines.push(
        preview.tickets.length === 0
          ? 'Dry run: nothing has expired; nothing written.'
          : `Dry run: would expire ${preview.tickets.length} tickets (${holds} places) and close ` +
              `${preview.transactions} transactions; nothing written.`,
      );
      return { json: { dryRun: true, ...preview }, text: lines.join('\n') };
    }
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

/**
 * Where house seats are blocked: on an enrolled counter, at the server first (every counter's holds
 * are refused from then on) and then here; a standalone counter decides alone. Without the server an
 * enrolled counter is refused (OFFLINE): house seats are never blocked on one counter only.
 */
async function houseSeatDesk(ctx: CliContext): Promise<{
  blockSeats: (input: unknown) => BlockSeatsResult | Promise<BlockSeatsResult>;
  unblockSeats: (input: unknown) => UnblockSeatsResult | Promise<UnblockSeatsResult>;
}> {
  const sync = new SyncEngine(ctx.db(), ctx.clock, { storeKey: ctx.storeKey() });
  if (sync.status().state === 'unenrolled') return new ReservationService(ctx.db(), ctx.clock);
  await sync.checkConnection();
  return sync;
}

const blockCommand: CliCommand = {
  name: 'block-seats',
  usage:
    'block-seats --event ID --seats L1,L2 [--reason TEXT]  keep house seats off sale (enrolled: at the server)',
  options: { event: { type: 'string' }, seats: { type: 'string' }, reason: { type: 'string' } },
  database: 'existing',
  run: async (ctx) => {
    const { eventId, ids, labels } = seatsFromLabels(ctx);
    const reason = typeof ctx.values.reason === 'string' ? { reason: ctx.values.reason } : {};
    const result = await (
      await houseSeatDesk(ctx)
    ).blockSeats({
      eventId,
      seatIds: ids,
      actor: ctx.actor,
      ...reason,
    });
    return {
      json: result,
      text: `Blocked ${result.blocked.length} seats${already('blocked', result.alreadyBlocked, ids, labels)}.`,
    };
  },
};

const unblockCommand: CliCommand = {
  name: 'unblock-seats',
  usage: 'unblock-seats --event ID --seats L1,L2  put house seats back on sale (enrolled: at the server)',
  options: { event: { type: 'string' }, seats: { type: 'string' } },
  database: 'existing',
  run: async (ctx) => {
    const { eventId, ids, labels } = seatsFromLabels(ctx);
    const result = await (
      await houseSeatDesk(ctx)
    ).unblockSeats({
      eventId,
      seatIds: ids,
      actor: ctx.actor,
    });
    return {
      json: result,
      text: `Unblocked ${result.unblocked.length} seats${already('on sale', result.alreadyOnSale, ids, labels)}.`,
    };
  },
};

/** ' (already blocked: A-1, A-2)' for the seats a command left as they were; '' when none. */
function already(state: string, seatIds: number[], ids: number[], labels: string[]): string {
  if (seatIds.length === 0) return '';
  return ` (already ${state}: ${seatIds.map((id) => labels[ids.indexOf(id)] ?? `#${id}`).join(', ')})`;
}

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
