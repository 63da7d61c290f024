import { formatCents, formatMoney } from '../../../shared/money.ts';
import type {
  ClosingReport,
  ClosingSummary,
  MethodLine,
  PaymentMethod,
} from '../../../shared/schemas/payments.ts';

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

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per cashier, method and currency, then TOTAL rows; amounts as plain decimals with a dot
 * (spreadsheets in any locale read them), `net_usd` at each payment's stored rate.
 */
export function reportCsv(report: ClosingReport): string {
  const rows: (string | number | null)[][] = [CSV_HEADER];
  const push = (who: string, l: MethodLine) =>
    rows.push([
      report.kind,
      report.number,
      report.businessDay,
      who,
      l.method,
      l.currency,
      l.count,
      formatCents(l.receivedCents),
      formatCents(l.changeCents),
      formatCents(l.netCents),
      formatCents(l.netUsdCents),
    ]);
  for (const c of report.cashiers) for (const l of c.lines) push(c.cashier, l);
  for (const l of report.totals.lines) push('TOTAL', l);
  rows.push([
    report.kind,
    report.number,
    report.businessDay,
    'TOTAL',
    'ALL',
    'USD',
    report.totals.payments,
    '',
    '',
    '',
    formatCents(report.totals.netUsdCents),
  ]);
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

const timeFormat = new Intl.DateTimeFormat('es-VE', {
  timeZone: 'America/Caracas',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

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

function summaryLines(s: ClosingSummary, width: number): string[] {
  const out: string[] = [];
  for (const l of s.lines) {
    out.push(pad(`${METHOD_LABELS[l.method]} (${l.count})`, money(l.receivedCents, l.currency), width));
    if (l.changeCents > 0) out.push(pad('  vuelto', `-${money(l.changeCents, l.currency)}`, width));
    if (l.changeCents > 0) out.push(pad('  neto', money(l.netCents, l.currency), width));
    if (l.currency === 'VES') out.push(pad('  equiv.', money(l.netUsdCents, 'USD'), width));
  }
  out.push(pad('Ventas/abonos/pagos', `${s.sales}/${s.deposits}/${s.instalments}`, width));
  out.push(pad('TOTAL', money(s.netUsdCents, 'USD'), width));
  return out;
}

/**
 * The report as plain text for a receipt printer (`width` characters: 32 for 58 mm, 42 or 48 for
 * 80 mm). The printing capability turns it into ESC/POS.
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
    pad('Día', report.businessDay, width),
    pad('Cajero', report.cashier ?? 'todos', width),
    pad('Emitido', timeFormat.format(report.generatedAt), width),
  ];
  if (report.generatedBy) lines.push(pad('Por', report.generatedBy, width));
  if (report.cashiers.length === 0) lines.push(rule, centre('Sin pagos', width));
  const several = report.cashiers.length > 1;
  for (const c of report.cashiers) {
    lines.push(rule);
    if (several) lines.push(`Cajero: ${c.cashier}`);
    lines.push(...summaryLines(c, width));
  }
  if (several) {
    lines.push(rule, 'TODOS LOS CAJEROS', ...summaryLines(report.totals, width));
  }
  lines.push(rule, 'USD a la tasa de cada pago');
  if (report.kind === 'Z') lines.push(centre('Día cerrado', width));
  return `${lines.join('\n')}\n`;
}
