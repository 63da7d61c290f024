import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultStyle, type PrintElement } from '../../../electron/services/printing/escpos-decoder.ts';
import { renderDocument } from '../../../electron/services/printing/ticket-image.ts';

const hasFont = existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf');

function line(text: string, style: Partial<ReturnType<typeof defaultStyle>>): PrintElement {
  return { kind: 'line', align: 'left', runs: [{ text, style: { ...defaultStyle(), ...style } }], text };
}

/** Bounding box of the pixels darker (or, with `light`, lighter) than mid-grey. */
async function ink(el: PrintElement, light = false) {
  const img = await renderDocument([el], 80);
  let minX = Infinity;
  let maxX = -1;
  let minY = Infinity;
  let maxY = -1;
  // Above the cut line drawn at the bottom.
  for (let y = 0; y < img.height - 8; y++) {
    for (let x = 0; x < img.width; x++) {
      const lum = img.getPixelRGBA(x, y) >>> 24;
      if (light ? lum > 128 && x > 8 : lum < 128) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  return { width: maxX - minX + 1, height: maxY - minY + 1, minX, maxX };
}

describe.skipIf(!hasFont)('drawing what the printer prints', () => {
  it('double-height text is as wide as normal text and twice as tall (it was drawn double-wide)', async () => {
    const normal = await ink(line('HHHH', {}));
    const tall = await ink(line('HHHH', { height: 2 }));
    const big = await ink(line('HHHH', { height: 2, width: 2 }));
    expect(Math.abs(tall.width - normal.width)).toBeLessThanOrEqual(2);
    expect(tall.height).toBeGreaterThan(normal.height * 1.7);
    expect(big.width).toBeGreaterThan(normal.width * 1.7);
  });

  it('the COPIA banner (inverted, double height) keeps its letters inside its black box', async () => {
    const banner = line(' COPIA 1 ', { invert: true, bold: true, height: 2 });
    const box = await ink(banner);
    const img = await renderDocument([banner], 80);
    // Letters are the white pixels inside the box; none may reach the box's edge (cut off).
    let white = 0;
    for (let y = 0; y < img.height - 8; y++) {
      for (let x = box.minX; x <= box.maxX; x++) if (img.getPixelRGBA(x, y) >>> 24 > 200) white++;
    }
    expect(box.width).toBe(9 * 12);
    expect(white).toBeGreaterThan(200);
    const rightEdge = [...Array(img.height - 8).keys()].filter(
      (y) => img.getPixelRGBA(box.maxX - 1, y) >>> 24 > 200 && y > 8 && y < 8 + box.height,
    );
    expect(rightEdge).toEqual([]);
  });
});
