import { CODE_PAGES } from './code-pages.ts';

/**
 * A streaming ESC/POS decoder: what a printer would do with the bytes, as data. The virtual printer
 * feeds it TCP chunks as they arrive (a command may be split across chunks), and tests read the
 * result to check that a ticket carries exactly the sale's data.
 *
 * Covered: text in the code pages of ./code-pages.ts; styles (ESC ! / ESC E / ESC G / ESC - / GS B /
 * GS ! / ESC a / ESC M / ESC {); QR and PDF417 (GS ( k); barcodes (GS k, both forms); raster images
 * (GS v 0, skipped with their size); feeds; cuts (GS V, ESC i/m); real-time status requests
 * (DLE EOT n) and drawer pulses. Anything else is reported as `unknown` with its bytes, never dropped
 * silently, and never allowed to swallow the bytes that follow it.
 */

export type Align = 'left' | 'center' | 'right';

export interface TextStyle {
  bold: boolean;
  /** 0 none, 1 thin, 2 thick. */
  underline: 0 | 1 | 2;
  invert: boolean;
  /** Character magnification, 1..8 (ESC ! double bits or GS !). */
  width: number;
  height: number;
  font: 'A' | 'B';
  upsideDown: boolean;
}

export interface TextRun {
  text: string;
  style: TextStyle;
}

export interface PrintedLine {
  kind: 'line';
  align: Align;
  runs: TextRun[];
  /** The plain text of the runs. */
  text: string;
}

export type PrintElement =
  | PrintedLine
  | {
      kind: 'qr';
      data: string;
      cellSize: number;
      correction: 'L' | 'M' | 'Q' | 'H';
      align: Align;
    }
  | { kind: 'pdf417'; data: string; align: Align }
  | {
      kind: 'barcode';
      system: number;
      data: string;
      height: number;
      moduleWidth: number;
      align: Align;
    }
  | { kind: 'image'; widthDots: number; heightDots: number; align: Align }
  | { kind: 'feed'; lines: number };

export type DecodeEvent =
  | { kind: 'element'; element: PrintElement }
  | { kind: 'cut'; partial: boolean }
  /** DLE EOT n (real-time: answered on arrival) or GS r n (answered in order, after what came before). */
  | { kind: 'status-request'; n: number; realtime: boolean }
  /** GS a n (Star: ESC RS a n): automatic status back on (n != 0) or off. */
  | { kind: 'asb-setting'; n: number }
  /** Star ESC ACK SOH: the status block, answered on arrival (real-time), even while offline. */
  | { kind: 'star-status-request' }
  /** Star ETB: executed in order, once what came before has printed; adds one to the ETB counter. */
  | { kind: 'etb' }
  /** Star ESC RS E n or CAN: the ETB counter back to 0. */
  | { kind: 'etb-reset' }
  | { kind: 'drawer'; pin: number }
  | { kind: 'beep' }
  | { kind: 'reset' }
  | { kind: 'code-page'; n: number; known: boolean }
  | { kind: 'unknown'; bytes: number[] };

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const FS = 0x1c;
const LF = 0x0a;
const CR = 0x0d;
const HT = 0x09;
const VT = 0x0b;
const FF = 0x0c;
const NUL = 0x00;

const NEED_MORE = -1;

export function defaultStyle(): TextStyle {
  return {
    bold: false,
    underline: 0,
    invert: false,
    width: 1,
    height: 1,
    font: 'A',
    upsideDown: false,
  };
}

const sameStyle = (a: TextStyle, b: TextStyle): boolean =>
  a.bold === b.bold &&
  a.underline === b.underline &&
  a.invert === b.invert &&
  a.width === b.width &&
  a.height === b.height &&
  a.font === b.font &&
  a.upsideDown === b.upsideDown;

function alignOf(n: number): Align {
  const v = n >= 48 ? n - 48 : n;
  return v === 1 ? 'center' : v === 2 ? 'right' : 'left';
}

export class EscPosDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private style = defaultStyle();
  private align: Align = 'left';
  private lineAlign: Align | null = null;
  private codePage = 0;
  private runs: TextRun[] = [];
  private qr = {
    data: '',
    cellSize: 3,
    correction: 'M' as 'L' | 'M' | 'Q' | 'H',
  };
  private pdf417 = '';
  private barcode = { height: 162, moduleWidth: 3 };

  /** Decodes `chunk`; bytes of a command that is not complete yet wait for the next chunk. */
  push(chunk: Uint8Array): DecodeEvent[] {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const events: DecodeEvent[] = [];
    let pos = 0;
    while (pos < data.length) {
      const used = this.step(data, pos, events);
      if (used === NEED_MORE) break;
      pos += used;
    }
    this.pending = data.subarray(pos);
    return events;
  }

  /** Flushes a line that was never ended by LF (a printer prints it before a cut or at the end). */
  flush(): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    this.endLine(events, false);
    return events;
  }

  /** Bytes received but not yet decodable (an incomplete command). */
  get incompleteBytes(): number {
    return this.pending.length;
  }

  private step(d: Buffer, p: number, out: DecodeEvent[]): number {
    const b = d[p]!;
    if (b === ESC) return this.esc(d, p, out);
    if (b === GS) return this.gs(d, p, out);
    if (b === DLE) return this.dle(d, p, out);
    if (b === FS) return this.fs(d, p, out);
    if (b === LF) {
      this.endLine(out, true);
      return 1;
    }
    if (b === VT || b === FF) {
      // node-thermal-printer sends VT as a line feed before cutting.
      this.endLine(out, false);
      out.push({ kind: 'element', element: { kind: 'feed', lines: 1 } });
      return 1;
    }
    if (b === CR || b === NUL) return 1;
    if (b === HT) {
      const column = this.runs.reduce((n, r) => n + r.text.length, 0);
      this.addText(' '.repeat(8 - (column % 8)));
      return 1;
    }
    if (b < 0x20) {
      out.push({ kind: 'unknown', bytes: [b] });
      return 1;
    }
    // A run of printable bytes at once: the common case, kept fast.
    let end = p;
    while (end < d.length && d[end]! >= 0x20) end++;
    this.addText(this.decodeText(d.subarray(p, end)));
    return end - p;
  }

  private decodeText(bytes: Buffer): string {
    const high = CODE_PAGES[this.codePage]?.high;
    let s = '';
    for (const byte of bytes) {
      if (byte < 0x80) s += String.fromCharCode(byte);
      else s += high ? high[byte - 0x80]! : '?';
    }
    return s;
  }

  private addText(text: string): void {
    if (this.lineAlign === null) this.lineAlign = this.align;
    const last = this.runs.at(-1);
    if (last && sameStyle(last.style, this.style)) last.text += text;
    else this.runs.push({ text, style: { ...this.style } });
  }

  private endLine(out: DecodeEvent[], always: boolean): void {
    if (!always && this.runs.length === 0) return;
    const runs = this.runs;
    out.push({
      kind: 'element',
      element: {
        kind: 'line',
        align: this.lineAlign ?? this.align,
        runs,
        text: runs.map((r) => r.text).join(''),
      },
    });
    this.runs = [];
    this.lineAlign = null;
  }

  private reset(): void {
    this.style = defaultStyle();
    this.align = 'left';
    this.codePage = 0;
  }

  /** ESC commands; returns bytes consumed or NEED_MORE. */
  private esc(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 1 >= d.length) return NEED_MORE;
    const c = d[p + 1]!;
    const arg = (i: number): number | undefined => d[p + 1 + i];
    const need = (n: number): boolean => p + 1 + n < d.length;
    switch (c) {
      case 0x40: // ESC @ initialise
        this.endLine(out, false);
        this.reset();
        out.push({ kind: 'reset' });
        return 2;
      case 0x21: {
        // ESC ! n: font B, emphasised, double height, double width, underline in one byte.
        if (!need(1)) return NEED_MORE;
        const n = arg(1)!;
        this.style = {
          ...this.style,
          font: n & 0x01 ? 'B' : 'A',
          bold: (n & 0x08) !== 0,
          height: n & 0x10 ? 2 : 1,
          width: n & 0x20 ? 2 : 1,
          underline: n & 0x80 ? 1 : 0,
        };
        return 3;
      }
      case 0x45: // ESC E n bold
      case 0x47: // ESC G n double-strike: prints as bold
        if (!need(1)) return NEED_MORE;
        this.style = { ...this.style, bold: (arg(1)! & 1) === 1 };
        return 3;
      case 0x2d: {
        if (!need(1)) return NEED_MORE;
        const n = arg(1)! >= 48 ? arg(1)! - 48 : arg(1)!;
        this.style = {
          ...this.style,
          underline: n === 2 ? 2 : n === 1 ? 1 : 0,
        };
        return 3;
      }
      case 0x61:
        if (!need(1)) return NEED_MORE;
        this.align = alignOf(arg(1)!);
        return 3;
      case 0x4d:
        if (!need(1)) return NEED_MORE;
        this.style = { ...this.style, font: (arg(1)! & 1) === 1 ? 'B' : 'A' };
        return 3;
      case 0x7b:
        if (!need(1)) return NEED_MORE;
        this.style = { ...this.style, upsideDown: (arg(1)! & 1) === 1 };
        return 3;
      case 0x74: {
        if (!need(1)) return NEED_MORE;
        const n = arg(1)!;
        this.codePage = n;
        out.push({ kind: 'code-page', n, known: n in CODE_PAGES });
        return 3;
      }
      case 0x64: // ESC d n: print and feed n lines
        if (!need(1)) return NEED_MORE;
        this.endLine(out, false);
        out.push({
          kind: 'element',
          element: { kind: 'feed', lines: arg(1)! },
        });
        return 3;
      case 0x4a: // ESC J n: feed n dots
        if (!need(1)) return NEED_MORE;
        this.endLine(out, false);
        out.push({
          kind: 'element',
          element: {
            kind: 'feed',
            lines: Math.max(1, Math.round(arg(1)! / 30)),
          },
        });
        return 3;
      case 0x69: // ESC i / ESC m: older cut commands
      case 0x6d:
        this.endLine(out, false);
        out.push({ kind: 'cut', partial: true });
        return 2;
      case 0x70: // ESC p m t1 t2: drawer kick
        if (!need(3)) return NEED_MORE;
        out.push({ kind: 'drawer', pin: arg(1)! & 1 });
        return 5;
      case 0x42: // ESC B n t: buzzer on many ESC/POS clones
        if (!need(2)) return NEED_MORE;
        out.push({ kind: 'beep' });
        return 4;
      case 0x32: // ESC 2 default line spacing
      case 0x3c: // ESC < return home
        return 2;
      case 0x33: // ESC 3 n line spacing
      case 0x20: // ESC SP n character spacing
      case 0x52: // ESC R n international set
      case 0x56: // ESC V n rotation
      case 0x55: // ESC U n unidirectional
      case 0x63: // ESC c ...: ESC c 3/4/5 n
      case 0x25: // ESC % n user-defined set on/off
        if (c === 0x63) {
          if (!need(2)) return NEED_MORE;
          return 4;
        }
        if (!need(1)) return NEED_MORE;
        return 3;
      case 0x24: // ESC $ nL nH absolute position
      case 0x5c: // ESC \ nL nH relative position
        if (!need(2)) return NEED_MORE;
        return 4;
      case 0x2a: {
        // ESC * m nL nH d...: bit image, 1 or 3 bytes per column.
        if (!need(3)) return NEED_MORE;
        const m = arg(1)!;
        const columns = arg(2)! + arg(3)! * 256;
        const size = columns * (m >= 32 ? 3 : 1);
        if (p + 5 + size > d.length) return NEED_MORE;
        this.endLine(out, false);
        out.push({
          kind: 'element',
          element: {
            kind: 'image',
            widthDots: columns,
            heightDots: m >= 32 ? 24 : 8,
            align: this.align,
          },
        });
        return 5 + size;
      }
      default:
        out.push({ kind: 'unknown', bytes: [ESC, c] });
        return 2;
    }
  }

  private gs(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 1 >= d.length) return NEED_MORE;
    const c = d[p + 1]!;
    const has = (n: number): boolean => p + 1 + n < d.length;
    const arg = (i: number): number => d[p + 1 + i]!;
    switch (c) {
      case 0x56: {
        // GS V m [n]: m 0/48 full, 1/49 partial; 65/66 take a feed amount.
        if (!has(1)) return NEED_MORE;
        const m = arg(1);
        const withFeed = m === 65 || m === 66 || m === 97 || m === 98 || m === 103 || m === 104;
        if (withFeed && !has(2)) return NEED_MORE;
        this.endLine(out, false);
        const partial = m === 1 || m === 49 || m === 66 || m === 98 || m === 104;
        out.push({ kind: 'cut', partial });
        return withFeed ? 4 : 3;
      }
      case 0x42:
        if (!has(1)) return NEED_MORE;
        this.style = { ...this.style, invert: (arg(1) & 1) === 1 };
        return 3;
      case 0x21: {
        if (!has(1)) return NEED_MORE;
        const n = arg(1);
        this.style = {
          ...this.style,
          width: ((n >> 4) & 0x07) + 1,
          height: (n & 0x07) + 1,
        };
        return 3;
      }
      case 0x48: // GS H HRI position
      case 0x66: // GS f HRI font
        if (!has(1)) return NEED_MORE;
        return 3;
      case 0x77:
        if (!has(1)) return NEED_MORE;
        this.barcode.moduleWidth = arg(1);
        return 3;
      case 0x68:
        if (!has(1)) return NEED_MORE;
        this.barcode.height = arg(1);
        return 3;
      case 0x4c: // GS L left margin
      case 0x57: // GS W print area width
      case 0x50: // GS P motion units
        if (!has(2)) return NEED_MORE;
        return 4;
      case 0x72: // GS r n transmit status, in order
        if (!has(1)) return NEED_MORE;
        this.endLine(out, false);
        out.push({
          kind: 'status-request',
          n: arg(1) >= 48 ? arg(1) - 48 : arg(1),
          realtime: false,
        });
        return 3;
      case 0x61: // GS a n automatic status back
        if (!has(1)) return NEED_MORE;
        out.push({ kind: 'asb-setting', n: arg(1) });
        return 3;
      case 0x49: // GS I n printer id
        if (!has(1)) return NEED_MORE;
        out.push({ kind: 'unknown', bytes: [GS, c, arg(1)] });
        return 3;
      case 0x6b:
        return this.barcodeCommand(d, p, out);
      case 0x28: {
        // GS ( X pL pH ...: a parameter block of pL + 256 pH bytes.
        if (!has(3)) return NEED_MORE;
        const fn = arg(1);
        const size = arg(2) + arg(3) * 256;
        if (p + 5 + size > d.length) return NEED_MORE;
        const body = d.subarray(p + 5, p + 5 + size);
        if (fn === 0x6b) this.symbol(body, out);
        return 5 + size;
      }
      case 0x76: {
        // GS v 0 m xL xH yL yH d...: raster image, xL+256xH bytes per row.
        if (!has(6)) return NEED_MORE;
        const bytesPerRow = arg(3) + arg(4) * 256;
        const rows = arg(5) + arg(6) * 256;
        const size = bytesPerRow * rows;
        if (p + 8 + size > d.length) return NEED_MORE;
        this.endLine(out, false);
        out.push({
          kind: 'element',
          element: {
            kind: 'image',
            widthDots: bytesPerRow * 8,
            heightDots: rows,
            align: this.align,
          },
        });
        return 8 + size;
      }
      default:
        out.push({ kind: 'unknown', bytes: [GS, c] });
        return 2;
    }
  }

  /** GS k: function A (m 0..6) is NUL-terminated; function B (m 65..79) carries a length byte. */
  private barcodeCommand(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 2 >= d.length) return NEED_MORE;
    const m = d[p + 2]!;
    let data: Buffer;
    let used: number;
    if (m <= 6) {
      const end = d.indexOf(NUL, p + 3);
      if (end < 0) return NEED_MORE;
      data = d.subarray(p + 3, end);
      used = end + 1 - p;
    } else {
      if (p + 3 >= d.length) return NEED_MORE;
      const n = d[p + 3]!;
      if (p + 4 + n > d.length) return NEED_MORE;
      data = d.subarray(p + 4, p + 4 + n);
      used = 4 + n;
    }
    let text = data.toString('latin1');
    // CODE128 data starts with its code set ({A, {B or {C}: a printing instruction, not content.
    if (m === 73 && /^\{[ABC]/.test(text)) text = text.slice(2);
    this.endLine(out, false);
    out.push({
      kind: 'element',
      element: {
        kind: 'barcode',
        system: m,
        data: text,
        height: this.barcode.height,
        moduleWidth: this.barcode.moduleWidth,
        align: this.align,
      },
    });
    return used;
  }

  /** The body of GS ( k: cn selects the symbol (48 PDF417, 49 QR), fn the function. */
  private symbol(body: Buffer, out: DecodeEvent[]): void {
    const cn = body[0];
    const fn = body[1];
    if (cn === 0x31) {
      if (fn === 0x43 && body[2] !== undefined) this.qr.cellSize = body[2];
      else if (fn === 0x45 && body[2] !== undefined) {
        const level = body[2] >= 48 ? body[2] - 48 : body[2];
        this.qr.correction = (['L', 'M', 'Q', 'H'] as const)[level] ?? 'M';
      } else if (fn === 0x50) this.qr.data = body.subarray(3).toString('utf8');
      else if (fn === 0x51) {
        this.endLine(out, false);
        out.push({
          kind: 'element',
          element: {
            kind: 'qr',
            data: this.qr.data,
            cellSize: this.qr.cellSize,
            correction: this.qr.correction,
            align: this.align,
          },
        });
      }
    } else if (cn === 0x30) {
      if (fn === 0x50) this.pdf417 = body.subarray(3).toString('utf8');
      else if (fn === 0x51) {
        this.endLine(out, false);
        out.push({
          kind: 'element',
          element: { kind: 'pdf417', data: this.pdf417, align: this.align },
        });
      }
    }
  }

  private dle(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 1 >= d.length) return NEED_MORE;
    const c = d[p + 1]!;
    if (c === 0x04 || c === 0x05) {
      // DLE EOT n: real-time status (answered at once, even mid-job); DLE ENQ n: recovery request.
      if (p + 2 >= d.length) return NEED_MORE;
      if (c === 0x04) out.push({ kind: 'status-request', n: d[p + 2]!, realtime: true });
      return 3;
    }
    if (c === 0x14) {
      // DLE DC4 fn m t: real-time drawer pulse and friends.
      if (p + 4 >= d.length) return NEED_MORE;
      if (d[p + 2] === 1) out.push({ kind: 'drawer', pin: d[p + 3]! & 1 });
      return 5;
    }
    out.push({ kind: 'unknown', bytes: [DLE, c] });
    return 2;
  }

  private fs(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 1 >= d.length) return NEED_MORE;
    const c = d[p + 1]!;
    if (c === 0x2e || c === 0x26) return 2; // FS . / FS &: Kanji mode off/on
    if (c === 0x70) {
      // FS p n m: print NV bit image
      if (p + 3 >= d.length) return NEED_MORE;
      return 4;
    }
    out.push({ kind: 'unknown', bytes: [FS, c] });
    return 2;
  }
}

/** Splits a decoded stream into printed documents: each ends at a cut. */
export function documentsOf(events: DecodeEvent[]): { elements: PrintElement[]; cut: boolean }[] {
  const docs: { elements: PrintElement[]; cut: boolean }[] = [];
  let current: PrintElement[] = [];
  for (const e of events) {
    if (e.kind === 'element') current.push(e.element);
    else if (e.kind === 'cut') {
      docs.push({ elements: current, cut: true });
      current = [];
    }
  }
  if (current.length) docs.push({ elements: current, cut: false });
  return docs;
}

/** Renders elements as monospace text, `columns` wide, the way a training screen shows them. */
export function elementsAsText(elements: PrintElement[], columns: number): string {
  const lines: string[] = [];
  const place = (text: string, align: Align): string => {
    const gap = Math.max(0, columns - text.length);
    if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + text;
    if (align === 'right') return ' '.repeat(gap) + text;
    return text;
  };
  for (const el of elements) {
    switch (el.kind) {
      case 'line': {
        // Alignment counts double-width letters twice, as the paper does.
        const width = el.runs.reduce((n, r) => n + r.text.length * r.style.width, 0);
        const pad = Math.max(0, columns - width);
        const lead = el.align === 'center' ? Math.floor(pad / 2) : el.align === 'right' ? pad : 0;
        lines.push((' '.repeat(lead) + el.text).trimEnd());
        break;
      }
      case 'qr':
        lines.push(place(`[QR ${el.data}]`, el.align));
        break;
      case 'pdf417':
        lines.push(place(`[PDF417 ${el.data}]`, el.align));
        break;
      case 'barcode':
        lines.push(place(`[BARCODE ${el.data}]`, el.align));
        break;
      case 'image':
        lines.push(place(`[IMAGE ${el.widthDots}x${el.heightDots}]`, el.align));
        break;
      case 'feed':
        for (let i = 0; i < el.lines; i++) lines.push('');
        break;
    }
  }
  while (lines.length && lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}
