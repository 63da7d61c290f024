import { message, type MessageKeyOf, type MessageValues } from '../../../shared/i18n/catalog.ts';
import { formatDateTime, formatClock } from '../../../shared/i18n/formats.ts';
import { actorName } from '../../../shared/i18n/people.ts';
import { formatMoney, usdToVes } from '../../../shared/money.ts';
import {
  type CharacterSetName,
  type Columns,
  columnsOf,
  commandSetOf,
  type PrinterSettings,
  type PrinterType,
  type ReceiptPrintData,
  saleNumberOf,
  type SlipPrintData,
  type TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import type { ClosingReport } from '../../../shared/schemas/day-closing.ts';
import { formatSlipCode } from '../../../shared/slip-code.ts';
import { reportText } from '../day-closing/report-export.ts';
import { type Align, type LineStyle, type Paper, paperFor } from './paper.ts';

/**
 * Ticket, receipt, slip and test-page layouts for 32 (58 mm), 42 and 48 (80 mm) columns, in ESC/POS or Star
 * Line mode (paper.ts). Nothing is ever cut: a long value wraps by words, a label beside an amount
 * wraps above it. Nothing here talks to a printer: the queue sends the bytes, the virtual printer
 * decodes them.
 */

export interface LayoutOptions {
  type: PrinterType;
  paperWidth: 58 | 80;
  /** Font A columns; omitted: 32 on 58 mm, 48 on 80 mm. */
  columns?: Columns;
  characterSet: CharacterSetName;
  /** A training store's paper: every ticket and receipt says it is worth nothing, top and bottom. */
  training?: boolean;
}

export const defaultLayout: LayoutOptions = {
  type: 'epson',
  paperWidth: 80,
  characterSet: 'PC858_EURO',
};

export function layoutOf(settings: PrinterSettings): LayoutOptions {
  return {
    type: settings.type,
    paperWidth: settings.paperWidth,
    ...(settings.columns ? { columns: settings.columns } : {}),
    characterSet: settings.characterSet,
  };
}

/** Font A columns for a layout. */
export function columnsFor(o: Pick<LayoutOptions, 'paperWidth' | 'columns'>): Columns {
  return columnsOf(o);
}

export { printable } from './transliterate.ts';

/** Paper speaks the venue's language: Spanish (es-VE), the catalogue's `paper` section. */
const w = (key: MessageKeyOf<'paper'>, values?: MessageValues): string => message('es', 'paper', key, values);

/** Event and sale times as the venue reads them: America/Caracas, Spanish. */
export function caracasDateTime(epochMs: number): string {
  return formatDateTime('es', epochMs);
}

/** A time of today as the venue reads it (20:45). */
export function caracasTime(epochMs: number): string {
  return formatClock('es', epochMs);
}

function newPaper(o: LayoutOptions): Paper {
  return paperFor(commandSetOf(o.type), { columns: columnsFor(o), characterSet: o.characterSet });
}

const usd = (cents: number): string => formatMoney({ currency: 'USD', cents });
const ves = (cents: number): string => formatMoney({ currency: 'VES', cents });

/** Words folded into lines of at most `width` characters (a word longer than a line is split, not lost). */
export function foldWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let w = word; w.length > 0;) {
      const room = line ? width - line.length - 1 : width;
      if (w.length <= room) {
        line = line ? `${line} ${w}` : w;
        w = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A paragraph: transliterated, folded to the columns (half of them for double-width text). */
function block(paper: Paper, text: string, style: LineStyle = {}, align: Align = 'left'): void {
  const width = style.wide ? Math.floor(paper.columns / 2) : paper.columns;
  const printable = paper.text(text);
  if (printable.length <= width) paper.line(printable, style, align);
  else for (const line of foldWords(printable, width)) paper.line(line, style, align);
}

/**
 * Label left, value right. When both do not fit one line the label wraps above and the value keeps
 * its own line, right-aligned: never shortened, never cut.
 */
function pair(paper: Paper, left: string, right: string, style: LineStyle = {}): void {
  const l = paper.text(left);
  const r = paper.text(right);
  const columns = paper.columns;
  if (l.length + 1 + r.length <= columns) {
    paper.line(`${l}${' '.repeat(columns - l.length - r.length)}${r}`, style);
    return;
  }
  const lines = foldWords(l, columns);
  const last = lines.pop() ?? '';
  for (const line of lines) paper.line(line, style);
  if (last.length + 1 + r.length <= columns) {
    paper.line(`${last}${' '.repeat(columns - last.length - r.length)}${r}`, style);
  } else {
    if (last) paper.line(last, style);
    for (const line of foldWords(r, columns)) paper.line(line, style, 'right');
  }
}

function rule(paper: Paper): void {
  paper.line('-'.repeat(paper.columns));
}

/** The rate as the cashier reads it: what one dollar is in bolívares. */
function rateLine(vesPerUsd: string): string {
  return w('rate', { ves: ves(usdToVes(100, vesPerUsd)) });
}

/** Printable on every code page we support (no em dash), inverted so it cannot be missed. */
export const TRAINING_BANNER = 'ENTRENAMIENTO - SIN VALOR';

function trainingBanner(paper: Paper, o: LayoutOptions): void {
  if (!o.training) return;
  // 27 characters: fits 32 columns with its padding.
  paper.line(paper.text(` ${TRAINING_BANNER} `), { invert: true, bold: true }, 'center');
}

function copyBanner(paper: Paper, copy: number): void {
  if (copy > 0) paper.line(` COPIA ${copy} `, { invert: true, bold: true, tall: true }, 'center');
}

export interface PrintMarks {
  /** 0 for the original, n for "COPIA n" (every reprint, whatever its reason). */
  copy: number;
}

export const ORIGINAL: PrintMarks = { copy: 0 };

export function buildTicket(t: TicketPrintData, o: LayoutOptions = defaultLayout, marks = ORIGINAL): Buffer {
  const paper = newPaper(o);
  trainingBanner(paper, o);
  block(paper, t.venue, { bold: true }, 'center');
  // Double width and height: half the columns, folded by words so the printer never breaks a word.
  block(paper, t.event, { wide: true }, 'center');
  block(paper, caracasDateTime(t.startsAt), {}, 'center');
  rule(paper);
  block(paper, w('ticket.zone', { zone: t.zone }));
  if (t.row !== null && t.seat !== null)
    block(paper, w('ticket.seat', { row: t.row, seat: t.seat }), { tall: true, bold: true });
  else block(paper, w('ticket.general'), { tall: true, bold: true });
  pair(paper, w('ticket.price'), usd(t.priceCents));
  pair(paper, '', ves(usdToVes(t.priceCents, t.vesPerUsd)));
  block(paper, rateLine(t.vesPerUsd));
  rule(paper);
  paper.qr(t.code, paper.columns === 32 ? 4 : 5);
  block(paper, w('ticket.number', { number: t.ticketNumber }), { bold: true }, 'center');
  block(paper, w('servedBy', { who: actorName('es', t.cashier) }));
  pair(paper, w('ticket.sale', { number: saleNumberOf(t.transactionId) }), caracasDateTime(t.issuedAt));
  copyBanner(paper, marks.copy);
  trainingBanner(paper, o);
  paper.cut();
  return paper.bytes();
}

/** How a payment method reads on paper (the catalogue's `paper` section, the same on every slip and report). */
export function methodLabel(method: string): string {
  const key = `method.${method}` as MessageKeyOf<'paper'>;
  const text = w(key);
  return text === key ? method : text;
}

/**
 * A sale's receipt, or a deposit's (kind 'deposit'): what the reservation keeps, its code for the
 * next payment, what was paid, the balance in both currencies and until when it holds.
 */
export function buildReceipt(
  r: ReceiptPrintData,
  o: LayoutOptions = defaultLayout,
  marks = ORIGINAL,
  extras: { drawer?: 2 | 5 } = {},
): Buffer {
  const paper = newPaper(o);
  const deposit = r.kind === 'deposit';
  if (extras.drawer) paper.pulse(extras.drawer);
  trainingBanner(paper, o);
  block(paper, r.venue, { bold: true }, 'center');
  block(paper, w(deposit ? 'receipt.depositTitle' : 'receipt.title'), { bold: true }, 'center');
  block(paper, r.event, {}, 'center');
  block(paper, caracasDateTime(r.startsAt), {}, 'center');
  rule(paper);
  pair(paper, w('receipt.sale'), saleNumberOf(r.transactionId), { bold: true });
  block(paper, w('receipt.date', { at: r.at }));
  if (r.customer) block(paper, w('receipt.customer', { customer: r.customer }));
  rule(paper);
  for (const line of r.lines) {
    const label = line.quantity > 1 ? `${line.quantity} x ${line.description}` : line.description;
    pair(paper, label, usd(line.totalCents));
  }
  rule(paper);
  pair(paper, w('receipt.total'), usd(r.totalCents), { bold: true });
  pair(paper, '', ves(usdToVes(r.totalCents, r.vesPerUsd)));
  block(paper, rateLine(r.vesPerUsd));
  if (r.payments && r.payments.length > 0) {
    rule(paper);
    block(paper, w(deposit ? 'receipt.deposited' : 'receipt.payments'));
    for (const pay of r.payments) {
      // The reference is what the bank and the customer check: it wraps, it is never cut.
      const label = pay.reference ? `${methodLabel(pay.method)} ${pay.reference}` : methodLabel(pay.method);
      pair(paper, label, formatMoney({ currency: pay.currency, cents: pay.amountCents }));
    }
  }
  if (r.change && r.change.cents > 0) pair(paper, w('receipt.change'), formatMoney(r.change));
  if (deposit || (r.balanceCents !== undefined && r.balanceCents > 0)) {
    rule(paper);
    block(paper, w('receipt.balanceTitle'), { bold: true });
    pair(paper, w('receipt.balance'), usd(r.balanceCents ?? r.totalCents), { bold: true });
    pair(paper, '', ves(usdToVes(r.balanceCents ?? r.totalCents, r.vesPerUsd)));
    if (r.reservedUntil) {
      block(paper, w('receipt.reservedUntil'));
      block(paper, caracasDateTime(r.reservedUntil), { bold: true });
    }
    if (deposit) {
      // The code the customer brings back to pay the rest, from any counter.
      block(paper, w('receipt.code'), {}, 'center');
      block(paper, saleNumberOf(r.transactionId), { wide: true, bold: true }, 'center');
      paper.barcode128(saleNumberOf(r.transactionId), 60);
      block(paper, w('receipt.release'), {}, 'center');
    }
  }
  rule(paper);
  block(paper, w('servedBy', { who: actorName('es', r.cashier) }));
  block(paper, w(deposit ? 'receipt.depositThanks' : 'receipt.thanks'), {}, 'center');
  copyBanner(paper, marks.copy);
  trainingBanner(paper, o);
  paper.cut();
  return paper.bytes();
}

/**
 * A kiosk's "Pagar en taquilla" slip: the code large (typed) and as a QR and a CODE128 barcode
 * (scanned), what it keeps and until when. It says it is not a ticket: the tickets print at the
 * counter once it is paid.
 */
export function buildSlip(slip: SlipPrintData, o: LayoutOptions = defaultLayout, marks = ORIGINAL): Buffer {
  const paper = newPaper(o);
  trainingBanner(paper, o);
  block(paper, slip.venue, { bold: true }, 'center');
  block(paper, slip.event, {}, 'center');
  block(paper, caracasDateTime(slip.startsAt), {}, 'center');
  rule(paper);
  block(paper, w('slip.title'), { tall: true, bold: true }, 'center');
  block(paper, w('slip.code'), {}, 'center');
  // Double width and height: 'ACE-347' takes 14 of even 32 columns.
  block(paper, formatSlipCode(slip.code), { wide: true, bold: true }, 'center');
  paper.qr(slip.code, o.paperWidth === 80 ? 6 : 5);
  paper.barcode128(slip.code, 60);
  rule(paper);
  block(paper, w('slip.seats', { seats: slip.seats.join(', ') }));
  pair(paper, w('slip.total'), usd(slip.totalCents));
  pair(paper, '', ves(usdToVes(slip.totalCents, slip.vesPerUsd)));
  rule(paper);
  block(paper, w('slip.payBefore'), {}, 'center');
  block(paper, caracasTime(slip.reservedUntil), { tall: true, bold: true }, 'center');
  block(paper, w('slip.notATicket'));
  block(paper, w('slip.reservation', { number: saleNumberOf(slip.transactionId) }));
  pair(paper, w('slip.issued'), caracasDateTime(slip.issuedAt));
  copyBanner(paper, marks.copy);
  trainingBanner(paper, o);
  paper.cut();
  return paper.bytes();
}

export function buildTestPage(settings: PrinterSettings, uri: string, at: number): Buffer {
  const paper = newPaper(layoutOf(settings));
  block(paper, 'Taquilla', { wide: true }, 'center');
  block(paper, 'Página de prueba', {}, 'center');
  rule(paper);
  block(paper, `Impresora: ${uri}`);
  block(
    paper,
    `Tipo: ${settings.type} (${commandSetOf(settings.type) === 'escpos' ? 'ESC/POS, compatible Epson' : 'Star Line'})`,
  );
  block(paper, `Papel: ${settings.paperWidth} mm, ${columnsFor(settings)} columnas`);
  block(paper, `Página de códigos: ${settings.characterSet}`);
  block(paper, `Fecha: ${caracasDateTime(at)}`);
  block(paper, 'Acentos: á é í ó ú Á É Í Ó Ú ñ Ñ ü ¿ ¡');
  block(paper, 'Comillas y rayas: “Gala” — ‘sí’…');
  paper.line('1234567890'.repeat(5).slice(0, paper.columns));
  paper.line(paper.text('Negrita'), { bold: true });
  paper.line(paper.text('Subrayado'), { underline: true });
  paper.line(paper.text(' Invertido '), { invert: true });
  paper.line(paper.text('Doble alto'), { tall: true });
  paper.qr('https://taquilla.local/prueba', paper.columns === 32 ? 4 : 5);
  paper.barcode128('TAQUILLA-123', 60);
  paper.cut();
  return paper.bytes();
}

/**
 * An X or Z report (issue 16) on the receipt printer: the day-closing capability's text layout
 * (reportText) at the paper's columns, its heading in bold, COPIA on a reprint, ENTRENAMIENTO on a
 * training store.
 */
export function buildReport(
  report: ClosingReport,
  o: LayoutOptions = defaultLayout,
  marks = ORIGINAL,
): Buffer {
  const paper = newPaper(o);
  trainingBanner(paper, o);
  const [venue, title, ...body] = reportText(report, paper.columns).trimEnd().split('\n');
  paper.line(paper.text(venue!.trim()), { bold: true }, 'center');
  paper.line(paper.text(title!.trim()), { bold: true }, 'center');
  for (const line of body) paper.line(paper.text(line));
  copyBanner(paper, marks.copy);
  trainingBanner(paper, o);
  paper.cut();
  return paper.bytes();
}
