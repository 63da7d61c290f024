/**
 * Draws Taquilla's app icon (a gold admission ticket on an indigo tile) and writes the PNGs that
 * electron-builder packages: build/icon.png (512×512, also the source of the Windows .ico) and
 * build/icons/NxN.png (Linux AppImage/deb). Run: `npm run icons`. The PNGs are committed; run this
 * again only when the design changes.
 *
 * Drawn with pureimage (pure JS, no native canvas). Every size is rendered at 4× and box-filtered
 * down, so the small sizes stay crisp and evenly anti-aliased.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import * as PImage from 'pureimage';

const SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;
const SUPERSAMPLE = 4;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Point = [number, number];

/** The ticket outline in unit coordinates (0..1), centred, before rotation. */
function ticketOutline(): { outline: Point[]; perforation: Point[] } {
  const w = 0.74;
  const h = 0.42;
  const left = 0.5 - w / 2;
  const top = 0.5 - h / 2;
  const right = left + w;
  const bottom = top + h;
  const corner = 0.05;
  const notch = 0.055;
  const perfX = left + w * 0.7;
  const pts: Point[] = [];
  const arc = (cx: number, cy: number, r: number, from: number, to: number, steps = 24) => {
    for (let i = 0; i <= steps; i++) {
      const a = from + ((to - from) * i) / steps;
      pts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
    }
  };
  // Clockwise from the top-left corner; the notches bite into the top and bottom edges.
  arc(left + corner, top + corner, corner, Math.PI, 1.5 * Math.PI);
  arc(perfX, top, notch, Math.PI, 0, 32); // top notch, curving down into the ticket
  arc(right - corner, top + corner, corner, 1.5 * Math.PI, 2 * Math.PI);
  arc(right - corner, bottom - corner, corner, 0, 0.5 * Math.PI);
  arc(perfX, bottom, notch, 0, -Math.PI, 32); // bottom notch, curving up
  arc(left + corner, bottom - corner, corner, 0.5 * Math.PI, Math.PI);
  const perforation: Point[] = [];
  const dots = 6;
  for (let i = 0; i < dots; i++) {
    const y = top + notch + 0.035 + ((h - 2 * notch - 0.07) * i) / (dots - 1);
    perforation.push([perfX, y]);
  }
  return { outline: pts, perforation };
}

/** A five-pointed star centred at (cx, cy) with outer radius r. */
function star(cx: number, cy: number, r: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? r : r * 0.45;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push([cx + radius * Math.cos(a), cy + radius * Math.sin(a)]);
  }
  return pts;
}

function rotate(points: Point[], degrees: number): Point[] {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  return points.map(([x, y]) => {
    const dx = x - 0.5;
    const dy = y - 0.5;
    return [0.5 + dx * cos - dy * sin, 0.5 + dx * sin + dy * cos];
  });
}

/** pureimage's typings declare numeric stops, but its runtime parses CSS colour strings (and only those). */
function colorStop(gradient: { addColorStop(t: number, color: number): void }, t: number, css: string): void {
  gradient.addColorStop(t, css as unknown as number);
}

function drawIcon(size: number): PImage.Bitmap {
  const img = PImage.make(size, size);
  const ctx = img.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, size, size);
  const path = (points: Point[], offset: Point = [0, 0]) => {
    ctx.beginPath();
    points.forEach(([x, y], i) => {
      const px = (x + offset[0]) * size;
      const py = (y + offset[1]) * size;
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    });
    ctx.closePath();
    ctx.fill();
  };

  // Tile: a rounded square, indigo with a lighter top.
  const tile = ctx.createLinearGradient(0, 0, 0, size);
  colorStop(tile, 0, '#4F46E5');
  colorStop(tile, 1, '#1E1B4B');
  ctx.fillStyle = tile;
  ctx.beginPath();
  ctx.roundRect(size * 0.04, size * 0.04, size * 0.92, size * 0.92, size * 0.2);
  ctx.fill();

  const angle = -14;
  const { outline, perforation } = ticketOutline();
  const body = rotate(outline, angle);
  // Shadow, then the ticket in gold.
  ctx.fillStyle = '#1B1846';
  path(body, [0.012, 0.03]);
  const gold = ctx.createLinearGradient(0, 0, 0, size); // spans the whole tile: pureimage does not clamp outside it
  colorStop(gold, 0.2, '#FCD34D');
  colorStop(gold, 0.8, '#F59E0B');
  ctx.fillStyle = gold;
  path(body);

  // Perforation between the ticket and its stub.
  ctx.fillStyle = '#B45309';
  for (const [x, y] of rotate(perforation, angle)) {
    ctx.beginPath();
    ctx.arc(x * size, y * size, size * 0.014, 0, Math.PI * 2);
    ctx.closePath();
    ctx.fill();
  }
  // A star on the admission side; a smaller one on the stub.
  ctx.fillStyle = '#312E81';
  path(rotate(star(0.4, 0.5, 0.13), angle));
  path(rotate(star(0.76, 0.5, 0.055), angle));
  return img;
}

/** Box-filters a supersampled bitmap down by `factor` into a PNG. */
function downsample(src: PImage.Bitmap, factor: number): PNG {
  const size = src.width / factor;
  const png = new PNG({ width: size, height: size });
  const n = factor * factor;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let dy = 0; dy < factor; dy++) {
        for (let dx = 0; dx < factor; dx++) {
          const i = ((y * factor + dy) * src.width + (x * factor + dx)) * 4;
          const alpha = src.data[i + 3]!;
          // Premultiplied, so transparent corners do not darken the edge.
          r += src.data[i]! * alpha;
          g += src.data[i + 1]! * alpha;
          b += src.data[i + 2]! * alpha;
          a += alpha;
        }
      }
      const o = (y * size + x) * 4;
      png.data[o] = a === 0 ? 0 : Math.round(r / a);
      png.data[o + 1] = a === 0 ? 0 : Math.round(g / a);
      png.data[o + 2] = a === 0 ? 0 : Math.round(b / a);
      png.data[o + 3] = Math.round(a / n);
    }
  }
  return png;
}

export function renderIcon(size: number): Buffer {
  return PNG.sync.write(downsample(drawIcon(size * SUPERSAMPLE), SUPERSAMPLE));
}

function main(): void {
  mkdirSync(`${ROOT}build/icons`, { recursive: true });
  for (const size of SIZES) {
    const png = renderIcon(size);
    writeFileSync(`${ROOT}build/icons/${size}x${size}.png`, png);
    if (size === 512) writeFileSync(`${ROOT}build/icon.png`, png);
  }
  process.stdout.write(`Wrote build/icon.png and build/icons/{${SIZES.join(',')}}.png\n`);
}

main();
