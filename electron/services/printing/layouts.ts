import thermal from 'node-thermal-printer';
import { formatMoney, usdToVes } from '../../../shared/money.ts';
import type {
  CharacterSetName,
  PrinterSettings,
  PrinterType,
  ReceiptPrintData,
  SlipPrintData,
  TicketPrintData,
} from '../../../shared/schemas/printing.ts';
import type { ClosingReport } from '../../../shared/schemas/day-closing.ts';
import { formatSlipCode } from '../../../shared/slip-code.ts';
import { reportText } from '../day-closing/report-export.ts';
import { CODE_PAGES } from './code-pages.ts';

/**
 * Ticket, receipt and test-page layouts, built with node-thermal-printer into ESC/POS bytes. Nothing
 * here talks to a printer: the queue sends the bytes, the virtual printer decodes them.
 */

const { ThermalPrinter, PrinterTypes, CharacterSet, BreakLine } = thermal;

export interface LayoutOptions {
  type: PrinterType;
  paperWidth: 58 | 80;
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
    characterSet: settings.characterSet,
  };
}

/** Font A columns: 48 on 80 mm paper (576 dots), 32 on 58 mm (384 dots). */
export function columnsFor(paperWidth: 58 | 80): number {
  return paperWidth === 80 ? 48 : 32;
}

const CODE_PAGE_NUMBER: Record<CharacterSetName, number> = {
  PC858_EURO: 19,
  PC850_MULTILINGUAL: 2,
  WPC1252: 16,
};

/** Characters the chosen code page can print, so node-thermal-printer never switches pages mid-line. */
const printableSets = new Map<CharacterSetName, Set<string>>();
function printableSet(cs: CharacterSetName): Set<string> {
  let set = printableSets.get(cs);
  if (!set) {
    set = new Set([...CODE_PAGES[CODE_PAGE_NUMBER[cs]]!.high].filter((c) => c !== '\ufffd'));
    printableSets.set(cs, set);
  }
  return set;
}

/** Text a thermal printer can print: Intl's narrow spaces become spaces, unknown letters lose accents. */
export function printable(text: string, cs: CharacterSetName): string {
  const set = printableSet(cs);
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) out += ch;
    else if (ch === '\u202f' || ch === '\u00a0' || ch === '\u2009') out += ' ';
    else if (set.has(ch)) out += ch;
    else {
      const bare = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += bare.length === 1 && bare.codePointAt(0)! < 0x7f ? bare : '?';
    }
  }
  return out;
}

const dateFormat = new Intl.DateTimeFormat('es-VE', {
  timeZone: 'America/Caracas',
  weekday: 'short',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** Event and sale times as the venue reads them: America/Caracas, Spanish. */
export function caracasDateTime(epochMs: number): string {
  return dateFormat.format(epochMs).replace(/[\u202f\u00a0]/g, ' ');
}

const timeFormat = new Intl.DateTimeFormat('es-VE', {
  timeZone: 'America/Caracas',
  hour: '2-digit',
  minute: '2-digit',
});

/** A time of today as the venue reads it ('10:30 a. m.'). */
export function caracasTime(epochMs: number): string {
  return timeFormat.format(epochMs).replace(/[\u202f\u00a0]/g, ' ');
}

type Printer = InstanceType<typeof ThermalPrinter>;

function newPrinter(o: LayoutOptions): {
  p: Printer;
  text: (s: string) => string;
  columns: number;
} {
  const columns = columnsFor(o.paperWidth);
  // No `interface`: the layout only builds bytes (getBuffer); the queue owns the connection.
  const config = {
    type: o.type === 'star' ? PrinterTypes.STAR : PrinterTypes.EPSON,
    width: columns,
    characterSet: CharacterSet[o.characterSet],
    breakLine: BreakLine.WORD,
  };
  const p = new ThermalPrinter(config as ConstructorParameters<typeof ThermalPrinter>[0]);
  return { p, text: (s) => printable(s, o.characterSet), columns };
}

function finish(p: Printer): Buffer {
  p.cut();
  return Buffer.from(p.getBuffer());
}

const usd = (cents: number): string => formatMoney({ currency: 'USD', cents });
const ves = (cents: number): string => formatMoney({ currency: 'VES', cents });

/** Words folded into lines of at most `width` characters (a longer word is cut). */
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

/** Label left, amount right on one line; a label too long for the line is shortened, never wrapped. */
function pair(p: Printer, columns: number, left: string, right: string): void {
  const room = columns - right.length - 1;
  p.leftRight(left.length > room ? `${left.slice(0, Math.max(0, room - 1))}.` : left, right);
}

/** The rate as the cashier reads it: what one dollar is in bolívares. */
function rateLine(vesPerUsd: string): string {
  return `Tasa: USD 1,00 = ${ves(usdToVes(100, vesPerUsd))}`;
}

/** Printable on every code page we support (no em dash), inverted so it cannot be missed. */
export const TRAINING_BANNER = 'ENTRENAMIENTO - SIN VALOR';

function trainingBanner(p: Printer, o: LayoutOptions, text: (s: string) => string): void {
  if (!o.training) return;
  p.alignCenter();
  p.invert(true);
  p.bold(true);
  p.println(text(` ${TRAINING_BANNER} `));
  p.bold(false);
  p.invert(false);
}

function copyBanner(p: Printer, text: (s: string) => string, copy: number, retry: boolean): void {
  if (copy > 0) {
    p.alignCenter();
    p.invert(true);
    // ESC ! (the size command) also clears bold, so size comes first.
    p.setTextDoubleHeight();
    p.bold(true);
    p.println(text(` COPIA ${copy} `));
    p.setTextNormal();
    p.bold(false);
    p.invert(false);
  }
  if (retry) {
    p.alignCenter();
    p.underline(true);
    p.println(text('REIMPRESIÓN: el intento anterior no se confirmó'));
    p.underline(false);
  }
}

export interface PrintMarks {
  /** 0 for the original, n for "COPIA n". */
  copy: number;
  /** A previous attempt may have printed: say so on paper. */
  retry: boolean;
}

export const ORIGINAL: PrintMarks = { copy: 0, retry: false };

export function buildTicket(t: TicketPrintData, o: LayoutOptions = defaultLayout, marks = ORIGINAL): Buffer {
  const { p, text, columns } = newPrinter(o);
  trainingBanner(p, o, text);
  p.alignCenter();
  p.bold(true);
  p.println(text(t.venue));
  p.bold(false);
  p.setTextSize(1, 1);
  // Double width: half the columns, folded here by words so the printer never breaks a word.
  for (const line of foldWords(text(t.event), Math.floor(columns / 2))) p.println(line);
  p.setTextNormal();
  p.println(text(caracasDateTime(t.startsAt)));
  p.drawLine();
  p.alignLeft();
  p.println(text(`Zona: ${t.zone}`));
  if (t.row !== null && t.seat !== null) {
    // ESC ! (the size command) also clears bold, so size comes first.
    p.setTextDoubleHeight();
    p.bold(true);
    p.println(text(`Fila ${t.row}  Asiento ${t.seat}`));
    p.setTextNormal();
    p.bold(false);
  } else {
    // ESC ! (the size command) also clears bold, so size comes first.
    p.setTextDoubleHeight();
    p.bold(true);
    p.println(text('Admisión general'));
    p.setTextNormal();
    p.bold(false);
  }
  pair(p, columns, text('Precio'), text(usd(t.priceCents)));
  pair(p, columns, '', text(ves(usdToVes(t.priceCents, t.vesPerUsd))));
  p.println(text(rateLine(t.vesPerUsd)));
  p.drawLine();
  p.alignCenter();
  p.printQR(t.code, {
    cellSize: o.paperWidth === 80 ? 5 : 4,
    correction: 'M',
    model: 2,
  });
  p.bold(true);
  p.println(text(`Boleto N.º ${t.ticketNumber}`));
  p.bold(false);
  p.alignLeft();
  p.println(text(`Cajero: ${t.cashier}`));
  p.println(text(`Venta: ${t.transactionId.slice(0, 8)}  ${caracasDateTime(t.issuedAt)}`).slice(0, columns));
  copyBanner(p, text, marks.copy, marks.retry);
  trainingBanner(p, o, text);
  return finish(p);
}

export const METHOD_LABEL: Record<string, string> = {
  CASH_USD: 'Efectivo USD',
  CASH_VES: 'Efectivo Bs.',
  PAGO_MOVIL: 'Pago Móvil',
  ZELLE: 'Zelle',
  CARD: 'Punto de venta',
  TRANSFER: 'Transferencia',
};

export function buildReceipt(
  r: ReceiptPrintData,
  o: LayoutOptions = defaultLayout,
  marks = ORIGINAL,
): Buffer {
  const { p, text, columns } = newPrinter(o);
  trainingBanner(p, o, text);
  p.alignCenter();
  p.bold(true);
  p.println(text(r.venue));
  p.println(text('RECIBO'));
  p.bold(false);
  p.println(text(r.event));
  p.println(text(caracasDateTime(r.startsAt)));
  p.drawLine();
  p.alignLeft();
  p.println(text(`Venta: ${r.transactionId}`));
  p.println(text(`Fecha: ${caracasDateTime(r.at)}`));
  p.drawLine();
  for (const line of r.lines) {
    const label = line.quantity > 1 ? `${line.quantity} x ${line.description}` : line.description;
    pair(p, columns, text(label), text(usd(line.totalCents)));
  }
  p.drawLine();
  p.bold(true);
  pair(p, columns, text('TOTAL'), text(usd(r.totalCents)));
  p.bold(false);
  pair(p, columns, '', text(ves(usdToVes(r.totalCents, r.vesPerUsd))));
  p.println(text(rateLine(r.vesPerUsd)));
  if (r.payments && r.payments.length > 0) {
    p.drawLine();
    p.println(text('Pagos'));
    for (const pay of r.payments) {
      const label = pay.reference
        ? `${METHOD_LABEL[pay.method]} ${pay.reference}`
        : METHOD_LABEL[pay.method]!;
      pair(p, columns, text(label), text(formatMoney({ currency: pay.currency, cents: pay.amountCents })));
    }
  }
  if (r.change && r.change.cents > 0) {
    pair(p, columns, text('Cambio'), text(formatMoney(r.change)));
  }
  if (r.balanceCents !== undefined && r.balanceCents > 0) {
    p.drawLine();
    p.bold(true);
    p.println(text('ABONO - saldo pendiente'));
    p.bold(false);
    pair(p, columns, text('Saldo'), text(usd(r.balanceCents)));
    pair(p, columns, '', text(ves(usdToVes(r.balanceCents, r.vesPerUsd))));
    if (r.reservedUntil) p.println(text(`Reservado hasta: ${caracasDateTime(r.reservedUntil)}`));
  }
  p.drawLine();
  p.println(text(`Cajero: ${r.cashier}`));
  p.alignCenter();
  p.println(text('¡Gracias por su compra!'));
  copyBanner(p, text, marks.copy, marks.retry);
  trainingBanner(p, o, text);
  return finish(p);
}

/**
 * A kiosk's "Pagar en taquilla" slip: the code large (typed) and as a QR and a CODE128 barcode
 * (scanned), what it keeps and until when. It says it is not a ticket: the tickets print at the
 * counter once it is paid.
 */
export function buildSlip(slip: SlipPrintData, o: LayoutOptions = defaultLayout, marks = ORIGINAL): Buffer {
  const { p, text, columns } = newPrinter(o);
  trainingBanner(p, o, text);
  p.alignCenter();
  p.bold(true);
  p.println(text(slip.venue));
  p.bold(false);
  p.println(text(slip.event));
  p.println(text(caracasDateTime(slip.startsAt)));
  p.drawLine();
  // ESC ! (the size command) also clears bold, so size comes first.
  p.setTextDoubleHeight();
  p.bold(true);
  p.println(text('PAGAR EN TAQUILLA'));
  p.setTextNormal();
  p.bold(false);
  p.println(text('Código'));
  p.setTextQuadArea();
  p.println(formatSlipCode(slip.code));
  p.setTextNormal();
  p.printQR(slip.code, { cellSize: o.paperWidth === 80 ? 6 : 5, correction: 'M', model: 2 });
  // CODE128-B of six characters is 112 modules: 336 dots at the default module width, inside even a
  // 58 mm head's 384 (a wider barcode would be skipped silently by the printer).
  p.code128(slip.code, { height: 60 });
  p.newLine();
  p.drawLine();
  p.alignLeft();
  for (const line of foldWords(text(`Asientos: ${slip.seats.join(', ')}`), columns)) p.println(line);
  pair(p, columns, text('Total'), text(usd(slip.totalCents)));
  pair(p, columns, '', text(ves(usdToVes(slip.totalCents, slip.vesPerUsd))));
  p.drawLine();
  p.alignCenter();
  p.println(text('Pague antes de las'));
  // ESC ! (the size command) also clears bold, so size comes first.
  p.setTextDoubleHeight();
  p.bold(true);
  p.println(text(caracasTime(slip.reservedUntil)));
  p.setTextNormal();
  p.bold(false);
  p.alignLeft();
  const note =
    'Este comprobante no es una entrada. Presente el código en la taquilla y pague allí; sus ' +
    'entradas se imprimen al pagar. Pasada la hora, los asientos vuelven a la venta.';
  for (const line of foldWords(text(note), columns)) p.println(line);
  p.println(text(`Reserva: ${slip.transactionId.slice(0, 8).toUpperCase()}`));
  for (const line of foldWords(text(`Emitido: ${caracasDateTime(slip.issuedAt)}`), columns)) p.println(line);
  copyBanner(p, text, marks.copy, marks.retry);
  trainingBanner(p, o, text);
  return finish(p);
}

export function buildTestPage(settings: PrinterSettings, uri: string, at: number): Buffer {
  const { p, text } = newPrinter(layoutOf(settings));
  p.alignCenter();
  p.setTextQuadArea();
  p.println(text('Taquilla'));
  p.setTextNormal();
  p.println(text('Página de prueba'));
  p.drawLine();
  p.alignLeft();
  p.println(text(`Impresora: ${uri}`));
  p.println(text(`Tipo: ${settings.type}  Papel: ${settings.paperWidth} mm`));
  p.println(text(`Página de códigos: ${settings.characterSet}`));
  p.println(text(`Fecha: ${caracasDateTime(at)}`));
  p.println(text('Acentos: á é í ó ú Á É Í Ó Ú ñ Ñ ü ¿ ¡'));
  p.bold(true);
  p.println(text('Negrita'));
  p.bold(false);
  p.underline(true);
  p.println(text('Subrayado'));
  p.underline(false);
  p.invert(true);
  p.println(text(' Invertido '));
  p.invert(false);
  p.alignCenter();
  p.printQR('https://taquilla.local/prueba', {
    cellSize: 4,
    correction: 'M',
    model: 2,
  });
  p.code128('TAQUILLA-123', { height: 60 });
  p.newLine();
  return finish(p);
}

/**
 * An X or Z report (issue 16) on the receipt printer: the day-closing capability's text layout
 * (reportText) at the paper's columns, its title in bold, the Z's number and COPIA marks like a
 * receipt's.
 */
export function buildReport(
  report: ClosingReport,
  o: LayoutOptions = defaultLayout,
  marks = ORIGINAL,
): Buffer {
  const { p, text, columns } = newPrinter(o);
  trainingBanner(p, o, text);
  p.alignLeft();
  const [venue, title, ...body] = reportText(report, columns).trimEnd().split('\n');
  p.bold(true);
  p.println(text(venue!));
  p.println(text(title!));
  p.bold(false);
  for (const line of body) p.println(text(line));
  copyBanner(p, text, marks.copy, marks.retry);
  trainingBanner(p, o, text);
  return finish(p);
}
