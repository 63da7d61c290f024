import { cutoffLabel } from '../../../shared/business-day.ts';
import { formatCents, formatMoney } from '../../../shared/money.ts';
import type {
  ClosingReport,
  ClosingSummary,
  DrawerCurrency,
  MethodLine,
} from '../../../shared/schemas/day-closing.ts';
import type { PaymentMethod } from '../../../shared/schemas/payments.ts';

/** How each method reads on paper and in the spreadsheet (the cashier's language). */
export const METHOD_LABELS: Readonly<Record<PaymentMethod, string>> = {
  CASH_USD: 'Efectivo USD',
  CASH_VES: 'Efectivo Bs.',
  PAGO_MOVIL: 'Pago Móvil',
  ZELLE: 'Zelle',
  CARD: 'Tarjeta débito',
  TRANSFER: 'Transferencia',
};

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

const timeFormat = new Intl.DateTimeFormat('es-VE', {
  timeZone: 'America/Caracas',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  // h23: 00:40, not the 24:40 that hour12: false gives in es-VE.
  hourCycle: 'h23',
});

/** 'YYYY-MM-DD' as a Venezuelan reads a date: 27/11/2026. */
export function dayLabel(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
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
    out.push(rule, `CAJA (${s.shifts} ${s.shifts === 1 ? 'turno' : 'turnos'})`);
    for (const d of s.drawer) {
      const c = d.currency;
      out.push(c === 'USD' ? 'Dólares' : 'Bolívares');
      out.push(pad('  Fondo inicial', money(d.floatCents, c), width));
      out.push(pad('  Efectivo recibido', money(d.cashInCents, c), width));
      if (d.changeCents > 0) out.push(pad('  Vuelto', `-${money(d.changeCents, c)}`, width));
      if (d.refundCents > 0) out.push(pad('  Devoluciones', `-${money(d.refundCents, c)}`, width));
      if (d.paidInCents > 0) out.push(pad('  Entradas de caja', money(d.paidInCents, c), width));
      if (d.paidOutCents > 0) out.push(pad('  Salidas de caja', `-${money(d.paidOutCents, c)}`, width));
      out.push(pad('  Esperado', money(d.expectedCents, c), width));
      if (d.countedCents !== null) out.push(pad('  Contado', money(d.countedCents, c), width));
      if (d.overShortCents !== null) {
        const label =
          d.overShortCents > 0 ? '  Sobrante' : d.overShortCents < 0 ? '  Faltante' : '  Cuadre exacto';
        out.push(pad(label, money(Math.abs(d.overShortCents), c), width));
      }
    }
  }
  for (const o of s.outsideDrawer) {
    out.push(pad('Efectivo sin caja abierta', money(o.netCents, o.currency), width));
  }
  return out;
}

function summaryLines(s: ClosingSummary, width: number, rule: string): string[] {
  const out: string[] = [];
  for (const l of s.lines) {
    out.push(pad(`${METHOD_LABELS[l.method]} (${l.count})`, money(l.receivedCents, l.currency), width));
    if (l.changeCents > 0) out.push(pad('  vuelto', `-${money(l.changeCents, l.currency)}`, width));
    if (l.refundCents > 0) out.push(pad('  devoluciones', `-${money(l.refundCents, l.currency)}`, width));
    if (l.changeCents > 0 || l.refundCents > 0) out.push(pad('  neto', money(l.netCents, l.currency), width));
    if (l.currency === 'VES') out.push(pad('  equiv.', money(l.netUsdCents, 'USD'), width));
  }
  out.push(pad('Ventas/abonos/pagos', `${s.sales}/${s.deposits}/${s.instalments}`, width));
  if (s.refunds > 0)
    out.push(pad(`Anulaciones (${s.refunds})`, `-${money(s.refundedUsdCents, 'USD')}`, width));
  out.push(pad('TOTAL', money(s.netUsdCents, 'USD'), width));
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
    report.kind === 'Z'
      ? `REPORTE Z Nº ${String(report.number).padStart(4, '0')}`
      : 'REPORTE X (día abierto)';
  const lines = [
    centre('TAQUILLA', width),
    centre(title, width),
    pad('Día', dayLabel(report.businessDay), width),
    pad('Corte', `${cutoffLabel(report.cutoffHour)} a ${cutoffLabel(report.cutoffHour)}`, width),
    pad('Cajero', report.cashierName ?? 'todos', width),
    pad('Emitido', timeFormat.format(report.generatedAt), width),
  ];
  if (report.generatedBy) lines.push(pad('Por', report.generatedBy.replace(/^[a-z]+:/, ''), width));
  if (report.cashiers.length === 0) lines.push(rule, centre('Sin pagos', width));
  const several = report.cashiers.length > 1;
  for (const c of report.cashiers) {
    lines.push(rule);
    if (several) lines.push(`Cajero: ${c.cashierName}`);
    lines.push(...summaryLines(c, width, rule));
  }
  if (several) {
    lines.push(rule, 'TODOS LOS CAJEROS', ...summaryLines(report.totals, width, rule));
  }
  lines.push(rule, 'USD y Bs. a la tasa de cada pago');
  if (report.kind === 'Z') lines.push(centre('Día cerrado', width));
  return `${lines.join('\n')}\n`;
}
