import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import * as PImage from 'pureimage';
import QRCode from 'qrcode';
import type { PrintElement } from './escpos-decoder.ts';

/**
 * Draws a decoded document as the paper would look: 576 dots wide on 80 mm paper, 384 on 58 mm,
 * 12x24-dot Font A cells. Text needs a monospace TTF; without one the PNG still shows QR codes,
 * barcodes and rules, and text cells as grey bars (the .txt beside it has the words).
 */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
  '/usr/share/fonts/TTF/DejaVuSansMono.ttf',
  'C:\\Windows\\Fonts\\consola.ttf',
];
const FONT_FAMILY = 'TaquillaMono';
let fontReady: Promise<boolean> | null = null;

function loadFont(): Promise<boolean> {
  fontReady ??= (async () => {
    const file = FONT_CANDIDATES.find((f) => existsSync(f));
    if (!file) return false;
    try {
      await PImage.registerFont(file, FONT_FAMILY).load();
      return true;
    } catch {
      return false;
    }
  })();
  return fontReady;
}

const CELL_W = 12;
const CELL_H = 24;
const MARGIN = 8;

type Ctx = ReturnType<ReturnType<typeof PImage.make>['getContext']>;

interface Block {
  height: number;
  draw: (ctx: Ctx, y: number, width: number, hasFont: boolean) => void;
}

function xFor(align: string, contentWidth: number, width: number): number {
  if (align === 'center') return Math.max(MARGIN, Math.floor((width - contentWidth) / 2));
  if (align === 'right') return Math.max(0, width - contentWidth - MARGIN);
  return MARGIN;
}

function blockOf(el: PrintElement): Block {
  switch (el.kind) {
    case 'line': {
      const height = CELL_H * Math.max(1, ...el.runs.map((r) => r.style.height));
      return {
        height: height + 4,
        draw: (ctx, y, width, hasFont) => {
          const total = el.runs.reduce((n, r) => n + r.text.length * CELL_W * r.style.width, 0);
          let x = xFor(el.align, total, width);
          for (const run of el.runs) {
            const w = run.text.length * CELL_W * run.style.width;
            const h = CELL_H * run.style.height;
            const top = y + height - h;
            if (run.style.invert) {
              ctx.fillStyle = '#000000';
              ctx.fillRect(x, top, w, h);
            }
            ctx.fillStyle = run.style.invert ? '#ffffff' : '#000000';
            if (hasFont) {
              // A TTF glyph 20 px high advances ~12 px: Font A's cell. The font grows with the width
              // magnification and is stretched vertically for the height: double-height text stays
              // one cell wide (drawn double-wide, it overflowed its inverted box and was cut off).
              ctx.font = `${20 * run.style.width}px ${FONT_FAMILY}`;
              const base = top + h - 6 * run.style.height;
              const stretch = run.style.height / run.style.width;
              for (const dx of run.style.bold ? [0, 1] : [0]) {
                ctx.save();
                ctx.translate(x + dx, base);
                ctx.scale(1, stretch);
                ctx.fillText(run.text, 0, 0);
                ctx.restore();
              }
            } else {
              for (let i = 0; i < run.text.length; i++) {
                if (run.text[i] !== ' ')
                  ctx.fillRect(x + i * CELL_W * run.style.width + 2, top + 6, CELL_W - 4, h - 10);
              }
            }
            if (run.style.underline) ctx.fillRect(x, top + h - 2, w, run.style.underline);
            x += w;
          }
        },
      };
    }
    case 'qr': {
      const qr = QRCode.create(el.data || ' ', { errorCorrectionLevel: el.correction });
      const cell = Math.max(2, el.cellSize);
      const size = qr.modules.size * cell;
      return {
        height: size + 16,
        draw: (ctx, y, width) => {
          const x0 = xFor(el.align, size, width);
          ctx.fillStyle = '#000000';
          for (let r = 0; r < qr.modules.size; r++) {
            for (let c = 0; c < qr.modules.size; c++) {
              if (qr.modules.get(r, c)) ctx.fillRect(x0 + c * cell, y + 8 + r * cell, cell, cell);
            }
          }
        },
      };
    }
    case 'barcode':
    case 'pdf417': {
      const height = el.kind === 'barcode' ? Math.min(160, el.height) : 60;
      return {
        height: height + CELL_H + 8,
        draw: (ctx, y, width, hasFont) => {
          // Not a scannable barcode: a picture of one with its text (the decoder has the data).
          const bars = [...el.data].flatMap((ch) => [...ch.charCodeAt(0).toString(2).padStart(8, '0')]);
          const w = Math.min(width - 2 * MARGIN, bars.length * 2);
          const x0 = xFor(el.align, w, width);
          ctx.fillStyle = '#000000';
          bars.slice(0, w / 2).forEach((b, i) => {
            if (b === '1') ctx.fillRect(x0 + i * 2, y + 4, 2, height);
          });
          if (hasFont) {
            ctx.font = `20px ${FONT_FAMILY}`;
            ctx.fillText(el.data, xFor(el.align, el.data.length * CELL_W, width), y + height + CELL_H);
          }
        },
      };
    }
    case 'image':
      return {
        height: el.heightDots + 4,
        draw: (ctx, y, width) => {
          ctx.fillStyle = '#cccccc';
          ctx.fillRect(xFor(el.align, el.widthDots, width), y, el.widthDots, el.heightDots);
        },
      };
    case 'feed':
      return { height: CELL_H * el.lines, draw: () => undefined };
  }
}

/** The document drawn as a bitmap, as wide as the paper's head plus a margin each side. */
export async function renderDocument(
  elements: PrintElement[],
  paperWidth: 58 | 80 = 80,
): Promise<ReturnType<typeof PImage.make>> {
  const hasFont = await loadFont();
  // The printable width plus a margin each side, so a full 48/32-column line is not clipped.
  const width = (paperWidth === 80 ? 576 : 384) + 2 * MARGIN;
  const blocks = elements.map(blockOf);
  const height = blocks.reduce((h, b) => h + b.height, 0) + 2 * MARGIN + 12;
  const image = PImage.make(width, height);
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  let y = MARGIN;
  for (const b of blocks) {
    b.draw(ctx, y, width, hasFont);
    y += b.height;
  }
  // The cut.
  ctx.fillStyle = '#888888';
  for (let x = 0; x < width; x += 12) ctx.fillRect(x, height - 6, 6, 2);
  return image;
}

/** The document as a PNG (bytes). */
export async function renderDocumentPng(elements: PrintElement[], paperWidth: 58 | 80 = 80): Promise<Buffer> {
  const image = await renderDocument(elements, paperWidth);
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await PImage.encodePNGToStream(image, sink);
  return Buffer.concat(chunks);
}
