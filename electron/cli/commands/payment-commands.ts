import { formatDateTime } from '../../../shared/i18n/formats.ts';
import { writeFileSync } from 'node:fs';
import { formatMoney } from '../../../shared/money.ts';
import type { ClosingReport, StaffReference } from '../../../shared/schemas/day-closing.ts';
import { DayClosingService } from '../../services/day-closing/day-closing-service.ts';
import { reportCsv, reportText } from '../../services/day-closing/report-export.ts';
import { NotificationService } from '../../services/payments/notifications.ts';
import { PaymentService } from '../../services/payments/payment-service.ts';
import { PaymentStatsService } from '../../services/payments/payment-stats.ts';
import { ReservationService } from '../../services/reservations/reservation-service.ts';
import { ReservationSearch } from '../../services/payments/reservation-search.ts';
import { type CliCommand, optionalPositiveInt, positiveInt, requiredString, UsageError } from '../command.ts';

/** Writes the report where --out says: .json as JSON, .txt as the printable text, anything else CSV. */
function writeReport(report: ClosingReport, out: string | boolean | undefined, width: number): string | null {
  if (out === undefined) return null;
  if (typeof out !== 'string' || out === '') throw new UsageError('--out needs a file name');
  const content = out.endsWith('.json')
    ? `${JSON.stringify(report, null, 2)}\n`
    : out.endsWith('.txt')
      ? reportText(report, width)
      : reportCsv(report);
  writeFileSync(out, content);
  return out;
}

function widthOf(value: string | boolean | undefined): number {
  const width = optionalPositiveInt(value, '--width') ?? 42;
  if (width < 32 || width > 64) throw new UsageError('--width is between 32 and 64 characters');
  return width;
}

/**
 * The staff member --staff names: a user id (`taquilla staff` lists them) or their name as shown
 * (`Ana Cajera`); --cashier is the older spelling. Resolved or refused by the day-closing service.
 */
function staffOption(values: Record<string, string | boolean | undefined>): StaffReference | undefined {
  if (values.staff !== undefined && values.cashier !== undefined) {
    throw new UsageError('give --staff or --cashier, not both');
  }
  const raw = values.staff ?? values.cashier;
  if (raw === undefined) return undefined;
  const text = requiredString(raw, '--staff');
  return /^\d+$/.test(text.trim()) ? { staffId: Number(text.trim()) } : { name: text };
}

const staffOptions = {
  staff: { type: 'string' },
  cashier: { type: 'string' },
  out: { type: 'string' },
  width: { type: 'string' },
} as const;

const xReportCommand: CliCommand = {
  name: 'x-report',
  usage:
    'x-report [--staff ID|NAME] [--out FILE.csv|.json|.txt] [--width N]  takings and drawers since the last Z (day stays open)',
  options: staffOptions,
  database: 'existing',
  access: 'read',
  run: ({ db, clock, values }) => {
    const width = widthOf(values.width);
    const staff = staffOption(values);
    const report = new DayClosingService(db(), clock).x(staff ? { staff } : {});
    const written = writeReport(report, values.out, width);
    return {
      json: report,
      text: `${reportText(report, width)}${written ? `Written to ${written}\n` : ''}`.trimEnd(),
    };
  },
};

const zReportCommand: CliCommand = {
  name: 'z-report',
  usage:
    "z-report --staff ID|NAME [--out FILE.csv|.json|.txt] [--width N]  close a staff member's business day (numbered, once a day)",
  options: staffOptions,
  database: 'existing',
  run: ({ db, clock, values, actor }) => {
    const width = widthOf(values.width);
    const staff = staffOption(values);
    if (!staff) throw new UsageError('--staff is required (an id from `taquilla staff`, or the name)');
    const report = new DayClosingService(db(), clock).z({ staff, actor });
    const written = writeReport(report, values.out, width);
    return {
      json: report,
      text: `${reportText(report, width)}${written ? `Written to ${written}\n` : ''}`.trimEnd(),
    };
  },
};

const findReservationCommand: CliCommand = {
  name: 'find-reservation',
  usage: 'find-reservation --query TEXT [--all]  by customer name, cédula, phone or transaction number',
  options: { query: { type: 'string' }, all: { type: 'boolean' } },
  database: 'existing',
  access: 'read',
  run: ({ db, clock, values }) => {
    const query = requiredString(values.query, '--query');
    const matches = new ReservationSearch(db(), clock).search({ query, includeClosed: values.all === true });
    const usd = (cents: number) => formatMoney({ currency: 'USD', cents });
    return {
      json: { matches },
      text:
        matches.length === 0
          ? `No reservation matches '${query}'.`
          : matches
              .map(
                (m) =>
                  `${m.number}\t${m.status}\t${m.customerName ?? '-'}\t${m.customerIdNumber ?? '-'}\t${m.customerPhone ?? '-'}\t` +
                  `${m.eventName}\t${m.seats.join(' ')}\tpaid ${usd(m.paidCents)} of ${usd(m.totalCents)}, owes ${usd(m.balanceCents)}` +
                  (m.reservedUntil !== null && !m.expired
                    ? `\tdue ${formatDateTime('es', m.reservedUntil)}`
                    : '') +
                  `\t${m.transactionId}`,
              )
              .join('\n'),
    };
  },
};

const outstandingCommand: CliCommand = {
  name: 'outstanding-payments',
  usage: 'outstanding-payments [--event ID]  partial-payment reservations still owing, and when they are due',
  options: { event: { type: 'string' } },
  database: 'existing',
  access: 'read',
  run: ({ db, clock, values }) => {
    const eventId = optionalPositiveInt(values.event, '--event');
    const figures = new PaymentStatsService(db(), clock).outstanding(
      eventId === undefined ? {} : { eventId },
    );
    const usd = (cents: number) => formatMoney({ currency: 'USD', cents });
    const lines = figures.events.map(
      (e) =>
        `Event ${e.eventId}: ${e.name}: ${e.reservations} reservations owe ${usd(e.balanceCents)} ` +
        `(${e.dueWithinDay} due within 24 h, ${usd(e.dueWithinDayBalanceCents)})`,
    );
    lines.push(
      `Total: ${figures.totals.reservations} reservations owe ${usd(figures.totals.balanceCents)}, ` +
        `${usd(figures.totals.paidCents)} already paid`,
    );
    return { json: figures, text: lines.join('\n') };
  },
};

const notificationsCommand: CliCommand = {
  name: 'notifications',
  usage: 'notifications [--ack]  messages for the cashier (expired reservations); --ack marks them read',
  options: { ack: { type: 'boolean' } },
  database: 'existing',
  run: ({ db, clock, values, actor }) => {
    const service = new NotificationService(db(), clock);
    const list = service.list();
    if (values.ack === true && list.length > 0) service.acknowledge({ ids: list.map((n) => n.id), actor });
    return {
      json: { notifications: list },
      text: list.length === 0 ? 'No new notifications.' : list.map((n) => n.message).join('\n'),
    };
  },
};

const paymentSettingsCommand: CliCommand = {
  name: 'payment-settings',
  usage:
    'payment-settings --event ID [--deposit-percent N] [--rate BS_PER_USD [--confirm-rate-change]]  minimum deposit and exchange rate (1 to 1,000,000) of an event; a change over 25 % needs --confirm-rate-change',
  options: {
    event: { type: 'string' },
    'deposit-percent': { type: 'string' },
    rate: { type: 'string' },
    'confirm-rate-change': { type: 'boolean', default: false },
  },
  database: 'existing',
  run: ({ db, clock, values, actor }) => {
    const eventId = positiveInt(requiredString(values.event, '--event'), '--event');
    const percent = values['deposit-percent'];
    if (percent !== undefined && (typeof percent !== 'string' || !/^\d{1,3}([.,]\d{1,2})?$/.test(percent))) {
      throw new UsageError(
        `--deposit-percent must be a percentage like 30 or 12.5, got '${String(percent)}'`,
      );
    }
    const payments = new PaymentService(db(), clock, new ReservationService(db(), clock));
    const result = payments.setEventSettings({
      eventId,
      actor,
      ...(typeof percent === 'string' ? { depositMinimumPercent: Number(percent.replace(',', '.')) } : {}),
      ...(typeof values.rate === 'string' ? { vesPerUsd: values.rate } : {}),
      ...(values['confirm-rate-change'] === true ? { confirmRateChange: true } : {}),
    });
    return {
      json: result,
      text: `Event ${eventId}: minimum deposit ${result.depositMinimumBasisPoints / 100} %, Bs. ${result.vesPerUsd} per USD.`,
    };
  },
};

export const paymentCommands: CliCommand[] = [
  paymentSettingsCommand,
  xReportCommand,
  zReportCommand,
  findReservationCommand,
  outstandingCommand,
  notificationsCommand,
];
