import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import thermal from 'node-thermal-printer';
import type { CharacterSetName, Columns } from '../../../shared/schemas/printing.ts';
import { CODE_PAGE_NUMBER, printable } from './transliterate.ts';

/**
 * A roll of paper the layouts write on, one printed line at a time. Two command sets behind it:
 * ESC/POS (node-thermal-printer, with raw commands where it is wrong) and Star Line mode
 * (@point-of-sale/receipt-printer-encoder, which stores the QR data before printing it). Layouts
 * decide what fits; a Paper never wraps or cuts a line on its own.
 */
export interface LineStyle {
  bold?: boolean;
  underline?: boolean;
  invert?: boolean;
  /** Character magnification: 2 = double width (and height, unless tall is given alone). */
  wide?: boolean;
  tall?: boolean;
}

export type Align = 'left' | 'center' | 'right';

export interface Paper {
  readonly columns: Columns;
  /** Dots across the print head: 576 (48 columns), 512 (42), 384 (32). */
  readonly dots: number;
  /** The text as this paper's code page prints it (transliterated). */
  text(s: string): string;
  /** One printed line; its width (doubled when wide) must fit the columns. */
  line(text: string, style?: LineStyle, align?: Align): void;
  feed(lines: number): void;
  /** A QR code, centred, with a quiet zone of blank paper above and below. */
  qr(data: string, cellSize: number): void;
  /**
   * CODE128, centred, module width chosen so the symbol and its quiet zones fit the head (a printer
   * skips a barcode wider than its head without a word); printed as text if it cannot fit.
   */
  barcode128(data: string, height: number): void;
  /** Opens the cash drawer on connector pin 2 or 5. */
  pulse(pin: 2 | 5): void;
  cut(): void;
  bytes(): Buffer;
}

export interface PaperOptions {
  columns: Columns;
  characterSet: CharacterSetName;
}

export const DOTS: Record<Columns, number> = { 48: 576, 42: 512, 32: 384 };

/**
 * Module width (dots) for a CODE128 symbol of `data` (code set B) that fits `dots` with its quiet
 * zones (10 modules each side): a printer skips a barcode wider than its head without a word.
 */
export function code128ModuleWidth(data: string, dots: number): number {
  const modules = 11 * (data.length + 3) + 2 + 20;
  const width = Math.min(3, Math.floor(dots / modules));
  // GS w takes 2 to 6 on Epson: below 2 the symbol cannot be printed at this width.
  return width >= 2 ? width : 0;
}

const ESC_AT = Buffer.from([0x1b, 0x40]);

const { ThermalPrinter, PrinterTypes, CharacterSet, BreakLine } = thermal;
type ThermalPrinterInstance = InstanceType<typeof ThermalPrinter>;

/** ESC/POS through node-thermal-printer: every job starts with ESC @, then the code page. */
export class EscPosPaper implements Paper {
  readonly columns: Columns;
  readonly dots: number;
  private readonly p: ThermalPrinterInstance;
  private readonly cs: CharacterSetName;

  constructor(o: PaperOptions) {
    this.columns = o.columns;
    this.dots = DOTS[o.columns];
    this.cs = o.characterSet;
    const config = {
      type: PrinterTypes.EPSON,
      width: o.columns,
      characterSet: CharacterSet[o.characterSet],
      // The layouts fold their own lines; the library must not fold them again.
      breakLine: BreakLine.NONE,
    };
    this.p = new ThermalPrinter(config as ConstructorParameters<typeof ThermalPrinter>[0]);
  }

  text(s: string): string {
    return printable(s, this.cs);
  }

  line(text: string, style: LineStyle = {}, align: Align = 'left'): void {
    const p = this.p;
    if (align === 'center') p.alignCenter();
    else if (align === 'right') p.alignRight();
    else p.alignLeft();
    // GS ! n: width in bits 4-6, height in bits 0-2 (node-thermal-printer's setTextSize swaps them).
    // Size first: ESC ! (the library's "normal") clears bold.
    if (style.wide || style.tall) p.append(Buffer.from([0x1d, 0x21, (style.wide ? 0x10 : 0) | 0x01]));
    if (style.bold) p.bold(true);
    if (style.underline) p.underline(true);
    if (style.invert) p.invert(true);
    p.println(text);
    if (style.invert) p.invert(false);
    if (style.underline) p.underline(false);
    if (style.bold) p.bold(false);
    if (style.wide || style.tall) p.setTextNormal();
  }

  feed(lines: number): void {
    for (let i = 0; i < lines; i++) this.p.newLine();
  }

  qr(data: string, cellSize: number): void {
    // A blank line above and below: the quiet zone (4 modules) a scanner needs, whatever printed next.
    this.p.alignCenter();
    this.p.newLine();
    this.p.printQR(data, { cellSize, correction: 'M', model: 2 });
    this.p.newLine();
    this.p.alignLeft();
  }

  barcode128(data: string, height: number): void {
    const width = code128ModuleWidth(data, this.dots);
    this.p.alignCenter();
    if (width > 0) {
      // The typings say SMALL | MEDIUM | LARGE; the Epson type takes the GS w dots (2-6) as given.
      const settings = { height, width, hriPos: 2 } as unknown as Parameters<
        ThermalPrinterInstance['code128']
      >[1];
      this.p.code128(data, settings);
      this.p.newLine();
    } else this.p.println(data);
    this.p.alignLeft();
  }

  pulse(pin: 2 | 5): void {
    // ESC p m t1 t2 in full: node-thermal-printer sends ESC p m alone, and the printer would take the
    // next two bytes of the ticket as t1 t2. 25 x 2 ms on, 250 x 2 ms off: the drawer's usual pulse.
    this.p.append(Buffer.from([0x1b, 0x70, pin === 2 ? 0 : 1, 25, 250]));
  }

  cut(): void {
    this.p.cut();
  }

  bytes(): Buffer {
    return Buffer.concat([ESC_AT, this.p.getBuffer()]);
  }
}

/** Star's ESC GS t numbers: PC858 (4) also serves PC850 text (Star has no PC850), WPC1252 is 32. */
const STAR_CODE_PAGE: Record<CharacterSetName, 'cp858' | 'windows1252'> = {
  PC858_EURO: 'cp858',
  PC850_MULTILINGUAL: 'cp858',
  WPC1252: 'windows1252',
};

/** Star Line mode through @point-of-sale/receipt-printer-encoder. */
export class StarLinePaper implements Paper {
  readonly columns: Columns;
  readonly dots: number;
  private readonly e: ReceiptPrinterEncoder;
  private readonly cs: CharacterSetName;

  constructor(o: PaperOptions) {
    this.columns = o.columns;
    this.dots = DOTS[o.columns];
    this.cs = o.characterSet === 'PC850_MULTILINGUAL' ? 'PC858_EURO' : o.characterSet;
    this.e = new ReceiptPrinterEncoder({
      language: 'star-line',
      columns: o.columns,
      codepageMapping: 'star',
    });
    this.e.initialize().codepage(STAR_CODE_PAGE[o.characterSet]);
  }

  text(s: string): string {
    return printable(s, this.cs);
  }

  line(text: string, style: LineStyle = {}, align: Align = 'left'): void {
    const e = this.e;
    e.align(align);
    if (style.wide || style.tall) e.size(style.wide ? 2 : 1, style.tall || style.wide ? 2 : 1);
    if (style.bold) e.bold(true);
    if (style.underline) e.underline(true);
    if (style.invert) e.invert(true);
    e.line(text);
    if (style.invert) e.invert(false);
    if (style.underline) e.underline(false);
    if (style.bold) e.bold(false);
    if (style.wide || style.tall) e.size(1, 1);
  }

  feed(lines: number): void {
    this.e.newline(lines);
  }

  qr(data: string, cellSize: number): void {
    this.e.align('center').newline().qrcode(data, { model: 2, size: cellSize, errorlevel: 'm' }).newline();
    this.e.align('left');
  }

  barcode128(data: string, height: number): void {
    const width = code128ModuleWidth(data, this.dots);
    this.e.align('center');
    if (width > 0) this.e.barcode(data, 'code128', { height, width, text: true }).newline();
    else this.e.line(data);
    this.e.align('left');
  }

  pulse(pin: 2 | 5): void {
    this.e.pulse(pin === 2 ? 0 : 1);
  }

  cut(): void {
    this.e.cut('partial');
  }

  bytes(): Buffer {
    const bytes = Buffer.from(this.e.encode());
    // The encoder ends every command with a line feed, even the cut: that blank line would start
    // the next ticket.
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
    return bytes.subarray(0, end);
  }
}

export function paperFor(commandSet: 'escpos' | 'star-line', o: PaperOptions): Paper {
  return commandSet === 'star-line' ? new StarLinePaper(o) : new EscPosPaper(o);
}

export { CODE_PAGE_NUMBER };
