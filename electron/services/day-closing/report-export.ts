import { cutoffLabel } from '../../../shared/business-day.ts';
import { message, type MessageKeyOf, type MessageValues } from '../../../shared/i18n/catalog.ts';
import { formatBusinessDay, formatDayTime } from '../../../shared/i18n/formats.ts';
import { actorName } from '../../../shared/i18n/people.ts';
import { formatCents, formatMoney } from '../../../shared/money.ts';
import type {
  ClosingReport,
  ClosingSummary,
  DrawerCurrency,
  MethodLine,
} from '../../../shared/schemas/day-closing.ts';
import type { PaymentMethod } from '../../../shared/schemas/payments.ts';

/** Paper speaks the venue's language: Spanish (es-VE), the catalogue's `paper` section. */
const w = (key: MessageKeyOf<'paper'>, values?: MessageValues): string => message('es', 'paper', key, values);

/** How a method reads on paper (the same words as on tickets and receipts). */
export function methodLabel(method: PaymentMethod): string {
  return w(`method.${method}`);
}

const CSV_HEADER = [
  'report',
  'number',
  'business_day',
  'cashier',
  'method',
  'currency',
  'count',
  'received',
  'change',
  'net',
  'net_usd',
];

/** The drawer's figures as CSV rows (method column), amount in `net`. */
const DRAWER_ROWS: readonly [string, (d: DrawerCurrency) => number | null][] = [
  ['DRAWER_FLOAT', (d) => d.floatCents],
  ['DRAWER_CASH_IN', (d) => d.cashInCents],
  ['DRAWER_CHANGE', (d) => d.changeCents],
  ['DRAWER_PAID_IN', (d) => d.paidInCents],
  ['DRAWER_PAID_OUT', (d) => d.paidOutCents],
  ['DRAWER_EXPECTED', (d) => d.expectedCents],
  ['DRAWER_COUNTED', (d) => d.countedCents],
  ['DRAWER_OVER_SHORT', (d) => d.overShortCents],
];

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per staff member, method and currency, their drawer (DRAWER_* rows: float, cash in,
 * change, paid in and out, expected, counted, over/short) and cash taken with no drawer open
 * (CASH_OUTSIDE_DRAWER), then TOTAL rows, the last two the whole in USD and in Bs. Amounts as plain
 * decimals with a dot (spreadsheets in any locale read them); `net_usd` at each payment's rate.
 */
export function reportCsv(report: ClosingReport): string {
  const rows: (string | number | null)[][] = [CSV_HEADER];
  const row = (who: string, method: string, currency: string, count: number | string, ...rest: string[]) =>
    rows.push([report.kind, report.number, report.businessDay, who, method, currency, count, ...rest]);
  const push = (who: string, l: MethodLine) =>
    row(
      who,
      l.method,
      l.currency,
      l.count,
      formatCents(l.receivedCents),
      formatCents(l.changeCents),
      formatCents(l.netCents),
      formatCents(l.netUsdCents),
    );
  const drawer = (who: string, s: ClosingSummary) => {
    if (s.shifts > 0) {
      for (const d of s.drawer) {
        for (const [name, value] of DRAWER_ROWS) {
          const cents = value(d);
          row(who, name, d.currency, s.shifts, '', '', cents === null ? '' : formatCents(cents), '');
        }
      }
    }
    for (const o of s.outsideDrawer) {
      row(who, 'CASH_OUTSIDE_DRAWER', o.currency, '', '', '', formatCents(o.netCents), '');
    }
  };
  // Refunds of voids, only where there were any (a day without voids reads as before them).
  const refunds = (who: string, s: ClosingSummary) => {
    for (const l of s.lines) {
      if (l.refundCents > 0)
        row(who, `REFUND_${l.method}`, l.currency, '', '', '', formatCents(-l.refundCents), '');
    }
    for (const d of s.shifts > 0 ? s.drawer : []) {
      if (d.refundCents > 0)
        row(who, 'DRAWER_REFUNDS', d.currency, s.shifts, '', '', formatCents(d.refundCents), '');
    }
  };
  for (const c of report.cashiers) {
    for (const l of c.lines) push(c.cashierName, l);
    drawer(c.cashierName, c);
    refunds(c.cashierName, c);
  }
  for (const l of report.totals.lines) push('TOTAL', l);
  drawer('TOTAL', report.totals);
  refunds('TOTAL', report.totals);
  const t = report.totals;
  row('TOTAL', 'ALL', 'USD', t.payments, '', '', '', formatCents(t.netUsdCents));
  row('TOTAL', 'ALL', 'VES', t.payments, '', '', formatCents(t.netVesCents), '');
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** 'YYYY-MM-DD' as a Venezuelan reads a date: 27/11/2026. */
export function dayLabel(day: string): string {
  return formatBusinessDay('es', day);
}

function pad(left: string, right: string, width: number): string {
  const space = width - left.length - right.length;
  return space >= 1
    ? `${left}${' '.repeat(space)}${right}`
    : `${left}\n${' '.repeat(Math.max(0, width - right.length))}${right}`;
}

function centre(text: string, width: number): string {
  const space = Math.max(0, Math.floor((width - text.length) / 2));
  return `${' '.repeat(space)}${text}`;
}

function money(cents: number, currency: 'USD' | 'VES'): string {
  return formatMoney({ currency, cents });
}

function drawerLines(s: ClosingSummary, width: number, rule: string): string[] {
  const out: string[] = [];
  if (s.shifts > 0) {
    out.push(rule, w('report.drawer', { n: s.shifts }));
    for (const d of s.drawer) {
      const c = d.currency;
      out.push(w(c === 'USD' ? 'report.dollars' : 'report.bolivares'));
      out.push(pad(w('report.float'), money(d.floatCents, c), width));
      out.push(pad(w('report.cashIn'), money(d.cashInCents, c), width));
      if (d.changeCents > 0) out.push(pad(w('report.change'), `-${money(d.changeCents, c)}`, width));
      if (d.refundCents > 0) out.push(pad(w('report.refunds'), `-${money(d.refundCents, c)}`, width));
      if (d.paidInCents > 0) out.push(pad(w('report.paidIn'), money(d.paidInCents, c), width));
      if (d.paidOutCents > 0) out.push(pad(w('report.paidOut'), `-${money(d.paidOutCents, c)}`, width));
      out.push(pad(w('report.expected'), money(d.expectedCents, c), width));
      if (d.countedCents !== null) out.push(pad(w('report.counted'), money(d.countedCents, c), width));
      if (d.overShortCents !== null) {
        const label = w(
          d.overShortCents > 0 ? 'report.over' : d.overShortCents < 0 ? 'report.short' : 'report.exact',
        );
        out.push(pad(label, money(Math.abs(d.overShortCents), c), width));
      }
    }
  }
  for (const o of s.outsideDrawer) {
    out.push(pad(w('report.outsideDrawer'), money(o.netCents, o.currency), width));
  }
  return out;
}

function summaryLines(s: ClosingSummary, width: number, rule: string): string[] {
  const out: string[] = [];
  for (const l of s.lines) {
    out.push(pad(`${methodLabel(l.method)} (${l.count})`, money(l.receivedCents, l.currency), width));
    if (l.changeCents > 0)
      out.push(pad(w('report.lineChange'), `-${money(l.changeCents, l.currency)}`, width));
    if (l.refundCents > 0)
      out.push(pad(w('report.lineRefunds'), `-${money(l.refundCents, l.currency)}`, width));
    if (l.changeCents > 0 || l.refundCents > 0)
      out.push(pad(w('report.lineNet'), money(l.netCents, l.currency), width));
    if (l.currency === 'VES') out.push(pad(w('report.lineEquiv'), money(l.netUsdCents, 'USD'), width));
  }
  out.push(pad(w('report.counts'), `${s.sales}/${s.deposits}/${s.instalments}`, width));
  if (s.refunds > 0)
    out.push(pad(w('report.voids', { n: s.refunds }), `-${money(s.refundedUsdCents, 'USD')}`, width));
  out.push(pad(w('report.total'), money(s.netUsdCents, 'USD'), width));
  out.push(pad('', money(s.netVesCents, 'VES'), width));
  out.push(...drawerLines(s, width, rule));
  return out;
}

/**
 * The report as plain text for a receipt printer (`width` characters: 32 for 58 mm, 42 or 48 for
 * 80 mm); the printing capability lays it out in ESC/POS (layouts.ts, buildReport).
 */
export function reportText(report: ClosingReport, width = 42): string {
  const rule = '-'.repeat(width);
  const title =
    report.kind === 'Z' ? w('report.z', { number: String(report.number).padStart(4, '0') }) : w('report.x');
  const cutoff = cutoffLabel(report.cutoffHour);
  const lines = [
    centre('TAQUILLA', width),
    centre(title, width),
    pad(w('report.day'), dayLabel(report.businessDay), width),
    pad(w('report.cutoff'), w('report.cutoffRange', { from: cutoff, to: cutoff }), width),
    pad(
      w('report.staff'),
      report.cashierName ? actorName('es', report.cashierName) : w('report.everyone'),
      width,
    ),
    pad(w('report.issued'), formatDayTime('es', report.generatedAt), width),
  ];
  if (report.generatedBy) lines.push(pad(w('report.by'), actorName('es', report.generatedBy), width));
  if (report.cashiers.length === 0) lines.push(rule, centre(w('report.noPayments'), width));
  const several = report.cashiers.length > 1;
  for (const c of report.cashiers) {
    lines.push(rule);
    if (several) lines.push(`${w('report.staff')}: ${actorName('es', c.cashierName)}`);
    lines.push(...summaryLines(c, width, rule));
  }
  if (several) {
    lines.push(rule, w('report.everyoneTitle'), ...summaryLines(report.totals, width, rule));
  }
  lines.push(rule, w('report.rates'));
  if (report.kind === 'Z') lines.push(centre(w('report.closed'), width));
  return `${lines.join('\n')}\n`;
}
