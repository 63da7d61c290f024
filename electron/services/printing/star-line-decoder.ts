import { CODE_PAGES } from './code-pages.ts';
import {
  type Align,
  type DecodeEvent,
  defaultStyle,
  type PrintElement,
  type TextRun,
  type TextStyle,
} from './escpos-decoder.ts';

/**
 * A streaming decoder of Star Line mode (Star TSP100/TSP650/mC-Print in their native mode), giving
 * the same events as the ESC/POS decoder so the virtual printer and the tests read both alike.
 *
 * Covered: ESC @ and CAN; ESC E/F bold; ESC - underline; ESC 4/5 highlight (white on black); ESC i
 * size; ESC GS a alignment; ESC GS t code page (Star numbers: 4 PC858, 32 Windows-1252, 1 PC437);
 * QR (ESC GS y S model/level/size, ESC GS y D store, ESC GS y P print — a QR printed before its data
 * is stored comes out empty, as on the printer); barcodes (ESC b n1 n2 n3 n4 data RS); cuts (ESC d n);
 * the drawer (ESC BEL n1 n2 then BEL or SUB); line spacing and print-mode commands (consumed); raster
 * lines (ESC X, skipped by size); status: ESC ACK SOH (real-time status request), ETB (update the ETB
 * counter), ESC RS E n and CAN (reset it), ESC RS a n (automatic status on/off). Anything else is
 * `unknown`, never swallowing what follows.
 */
const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;
const CR = 0x0d;
const CAN = 0x18;
const RS = 0x1e;
const BEL = 0x07;
const SUB = 0x1a;
const ETB = 0x17;
const ACK = 0x06;
const SOH = 0x01;
const NEED_MORE = -1;

/** Star's ESC GS t numbers, as the ESC t numbers of ./code-pages.ts. */
const STAR_PAGE: Record<number, number> = { 0: 0, 1: 0, 3: 0, 4: 19, 32: 16 };

export class StarLineDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private style = defaultStyle();
  private align: Align = 'left';
  private lineAlign: Align | null = null;
  private codePage = 0;
  private runs: TextRun[] = [];
  private qr = { data: null as string | null, cellSize: 3, correction: 'M' as 'L' | 'M' | 'Q' | 'H' };

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

  flush(): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    this.endLine(events, false);
    return events;
  }

  private element(out: DecodeEvent[], element: PrintElement): void {
    this.endLine(out, false);
    out.push({ kind: 'element', element });
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

  private addText(text: string): void {
    if (this.lineAlign === null) this.lineAlign = this.align;
    const last = this.runs.at(-1);
    const same = (a: TextStyle, b: TextStyle) => JSON.stringify(a) === JSON.stringify(b);
    if (last && same(last.style, this.style)) last.text += text;
    else this.runs.push({ text, style: { ...this.style } });
  }

  private step(d: Buffer, p: number, out: DecodeEvent[]): number {
    const b = d[p]!;
    if (b === ESC) return this.esc(d, p, out);
    if (b === LF) {
      this.endLine(out, true);
      return 1;
    }
    if (b === CAN) {
      out.push({ kind: 'etb-reset' });
      return 1;
    }
    if (b === ETB) {
      this.endLine(out, false);
      out.push({ kind: 'etb' });
      return 1;
    }
    if (b === CR || b === 0) return 1;
    if (b < 0x20) {
      out.push({ kind: 'unknown', bytes: [b] });
      return 1;
    }
    let end = p;
    while (end < d.length && d[end]! >= 0x20) end++;
    const high = CODE_PAGES[this.codePage]?.high;
    let s = '';
    for (const byte of d.subarray(p, end))
      s += byte < 0x80 ? String.fromCharCode(byte) : (high?.[byte - 0x80] ?? '?');
    this.addText(s);
    return end - p;
  }

  private esc(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 1 >= d.length) return NEED_MORE;
    const c = d[p + 1]!;
    const has = (n: number): boolean => p + 1 + n < d.length;
    const arg = (i: number): number => d[p + 1 + i]!;
    switch (c) {
      case 0x40: // ESC @
        this.endLine(out, false);
        this.style = defaultStyle();
        this.align = 'left';
        this.codePage = 0;
        out.push({ kind: 'reset' });
        return 2;
      case 0x45: // ESC E bold on
      case 0x46: // ESC F bold off
        this.style = { ...this.style, bold: c === 0x45 };
        return 2;
      case 0x34: // ESC 4 highlight on
      case 0x35: // ESC 5 highlight off
        this.style = { ...this.style, invert: c === 0x34 };
        return 2;
      case 0x2d: {
        if (!has(1)) return NEED_MORE;
        const n = arg(1) >= 48 ? arg(1) - 48 : arg(1);
        this.style = { ...this.style, underline: n ? 1 : 0 };
        return 3;
      }
      case 0x69: // ESC i n1 n2: height, width expansion
        if (!has(2)) return NEED_MORE;
        this.style = { ...this.style, height: arg(1) + 1, width: arg(2) + 1 };
        return 4;
      case 0x64: // ESC d n: cut (0/2 full, 1/3 partial)
        if (!has(1)) return NEED_MORE;
        this.endLine(out, false);
        out.push({ kind: 'cut', partial: (arg(1) & 1) === 1 });
        return 3;
      case 0x07: {
        // ESC BEL n1 n2, then BEL (drawer 1) or SUB (drawer 2).
        if (!has(3)) return NEED_MORE;
        const drive = arg(3);
        if (drive === BEL || drive === SUB) out.push({ kind: 'drawer', pin: drive === BEL ? 0 : 1 });
        return 5;
      }
      case 0x7a: // ESC z n line spacing
        if (!has(1)) return NEED_MORE;
        return 3;
      case 0x30: // ESC 0: 3 mm line spacing
        return 2;
      case 0x1e: {
        // ESC RS F n: font; ESC RS E n: ETB counter to 0; ESC RS a n: automatic status on/off.
        if (!has(2)) return NEED_MORE;
        if (arg(1) === 0x45) out.push({ kind: 'etb-reset' });
        else if (arg(1) === 0x61)
          out.push({ kind: 'asb-setting', n: arg(2) >= 0x30 ? arg(2) - 0x30 : arg(2) });
        else if (arg(1) !== 0x46) out.push({ kind: 'unknown', bytes: [ESC, 0x1e, arg(1), arg(2)] });
        return 4;
      }
      case ACK: // ESC ACK SOH: real-time status request
        if (!has(1)) return NEED_MORE;
        if (arg(1) === SOH) {
          out.push({ kind: 'star-status-request' });
          return 3;
        }
        out.push({ kind: 'unknown', bytes: [ESC, ACK] });
        return 2;
      case 0x62: {
        // ESC b n1 n2 n3 n4 data RS
        if (!has(5)) return NEED_MORE;
        const end = d.indexOf(RS, p + 6);
        if (end < 0) return NEED_MORE;
        this.element(out, {
          kind: 'barcode',
          system: arg(1),
          data: d.subarray(p + 6, end).toString('latin1'),
          height: arg(4),
          moduleWidth: arg(3),
          align: this.align,
        });
        return end + 1 - p;
      }
      case 0x58: {
        // ESC X nL nH d1..dk: one 24-dot raster line, 3 bytes per column.
        if (!has(2)) return NEED_MORE;
        const columns = arg(1) + arg(2) * 256;
        if (p + 4 + columns * 3 > d.length) return NEED_MORE;
        this.element(out, { kind: 'image', widthDots: columns, heightDots: 24, align: this.align });
        return 4 + columns * 3;
      }
      case GS:
        return this.escGs(d, p, out);
      default:
        out.push({ kind: 'unknown', bytes: [ESC, c] });
        return 2;
    }
  }

  /** ESC GS ...: alignment, code page, QR, print mode. */
  private escGs(d: Buffer, p: number, out: DecodeEvent[]): number {
    if (p + 2 >= d.length) return NEED_MORE;
    const c = d[p + 2]!;
    const has = (n: number): boolean => p + 2 + n < d.length;
    const arg = (i: number): number => d[p + 2 + i]!;
    switch (c) {
      case 0x61: {
        if (!has(1)) return NEED_MORE;
        const n = arg(1) >= 48 ? arg(1) - 48 : arg(1);
        this.align = n === 1 ? 'center' : n === 2 ? 'right' : 'left';
        return 4;
      }
      case 0x74: {
        if (!has(1)) return NEED_MORE;
        const page = STAR_PAGE[arg(1)];
        this.codePage = page ?? -1;
        out.push({ kind: 'code-page', n: arg(1), known: page !== undefined });
        return 4;
      }
      case 0x50: // ESC GS P n: print start control
        if (!has(1)) return NEED_MORE;
        return 4;
      case 0x79: {
        if (!has(1)) return NEED_MORE;
        const fn = arg(1);
        if (fn === 0x53) {
          // ESC GS y S n1 n2: 0 model, 1 error level, 2 cell size.
          if (!has(3)) return NEED_MORE;
          const which = arg(2) >= 0x30 ? arg(2) - 0x30 : arg(2);
          if (which === 1) this.qr.correction = (['L', 'M', 'Q', 'H'] as const)[arg(3)] ?? 'M';
          if (which === 2) this.qr.cellSize = arg(3);
          return 6;
        }
        if (fn === 0x44) {
          // ESC GS y D 1 m nL nH data: store the data.
          if (!has(5)) return NEED_MORE;
          const n = arg(4) + arg(5) * 256;
          if (p + 8 + n > d.length) return NEED_MORE;
          this.qr.data = d.subarray(p + 8, p + 8 + n).toString('latin1');
          return 8 + n;
        }
        if (fn === 0x50) {
          // ESC GS y P: print what was stored (nothing, if nothing was).
          if (this.qr.data !== null) {
            this.element(out, {
              kind: 'qr',
              data: this.qr.data,
              cellSize: this.qr.cellSize,
              correction: this.qr.correction,
              align: this.align,
            });
          } else out.push({ kind: 'unknown', bytes: [ESC, GS, 0x79, 0x50] });
          this.qr.data = null;
          return 4;
        }
        out.push({ kind: 'unknown', bytes: [ESC, GS, 0x79, fn] });
        return 4;
      }
      default:
        out.push({ kind: 'unknown', bytes: [ESC, GS, c] });
        return 3;
    }
  }
}
