import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { screenshotPath, signInAs } from '../dashboard/dashboard-fixture.ts';
import {
  assertChromium,
  ensureRendererBuilt,
  launchChromium,
  mapSettled,
  openCounter,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from './counter-fixture.ts';

const RESULTS = join(ROOT, 'test-results/map');
/** A common counter PC's screen. */
const VIEWPORT = { width: 1366, height: 768 };

let served: ServedTerminal;
let browser: Browser;
let page: Page;
let canvas: Locator;
let stadium: SeatMap;

interface View {
  scale: number;
  tx: number;
  ty: number;
}

async function view(): Promise<View> {
  return canvas.evaluate((el) => ({
    scale: Number(el.dataset.scale),
    tx: Number(el.dataset.tx),
    ty: Number(el.dataset.ty),
  }));
}

async function drawn(
  name: 'zoneLabels' | 'rowLabels' | 'seatLabels' | 'landmarks' | 'seatPx',
): Promise<number> {
  return canvas.evaluate((el, key) => Number(el.dataset[key]), name);
}

/** Waits until the map has handled its `seq`-th move request and stopped gliding. */
async function movedTo(seq: number): Promise<void> {
  await page.waitForSelector(`canvas.seat-map-canvas[data-focus-seq="${seq}"][data-gliding="0"]`);
}

/** Where map point (x, y) is on the canvas (CSS px from its top left) at the current view. */
async function onCanvas(x: number, y: number): Promise<{ x: number; y: number }> {
  const v = await view();
  return { x: x * v.scale + v.tx, y: y * v.scale + v.ty };
}

/** The canvas pixel's colour at CSS point (x, y) of the canvas, as #rrggbb. */
async function pixel(x: number, y: number): Promise<string> {
  return canvas.evaluate(
    (el, p) => {
      const c = el as HTMLCanvasElement;
      const dpr = c.width / c.getBoundingClientRect().width;
      const [r, g, b] = c
        .getContext('2d')!
        .getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data;
      return `#${[r, g, b].map((v) => v!.toString(16).padStart(2, '0')).join('')}`;
    },
    { x, y },
  );
}

async function canvasSize(): Promise<{ width: number; height: number }> {
  const box = (await canvas.boundingBox())!;
  return { width: box.width, height: box.height };
}

/**
 * Issue 16: a stadium map a cashier can find their way in, at a counter PC's 1366×768, on the
 * 50,000-seat demo stadium: section names and the field drawn; a zone chosen in the list moves the
 * map to it; "Mejores N juntos" shows what it took; row and seat names as the map zooms in; the
 * field's standing area takes a quantity when clicked.
 */
describe.skipIf(skipE2e)('the stadium map in Chromium at 1366×768', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    served = await serveDemo();
    browser = await launchChromium();
    const supervisor = await signInAs(served, 'Luis Supervisor', '9999');
    stadium = await served.api<SeatMap>('events.seatMap', { eventId: 2 }, supervisor);
    ({ page } = await openCounter(browser, served, { name: /Ana Cajera/, pin: '1234' }, /Clásico/, VIEWPORT));
    canvas = page.locator('canvas.seat-map-canvas');
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 60);
    await page?.screenshot({ path: join(RESULTS, `failed-${name}.png`) }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('shows the whole bowl with every section named and the field drawn, no seat names yet', async () => {
    await mapSettled(page);
    await expect(drawn('zoneLabels')).resolves.toBe(20);
    await expect(drawn('landmarks')).resolves.toBe(1);
    await expect(drawn('seatLabels')).resolves.toBe(0);
    // The field is painted inside the bowl, left of the standing area on it.
    const field = stadium.landmarks[0]!;
    const p = await onCanvas(field.x + field.width * 0.2, field.y + field.height / 2);
    await expect(pixel(p.x, p.y)).resolves.toBe('#dcfce7');
    await page.screenshot({ path: join(RESULTS, '01-stadium.png') });
  });

  it('a section chosen in the zone list: the map moves to it and frames it', async () => {
    const before = await view();
    await page.getByRole('button', { name: 'Ver Sección 12 en el mapa' }).click();
    await movedTo(1);
    const after = await view();
    expect(after.scale).toBeGreaterThan(before.scale * 2);
    const { width, height } = await canvasSize();
    const zone = stadium.zones.find((z) => z.name === 'Sección 12')!;
    const seats = stadium.seats.zoneId.flatMap((id, i) => (id === zone.id ? [i] : []));
    let inside = 0;
    for (const i of seats) {
      const p = await onCanvasFast(after, stadium.seats.x[i]!, stadium.seats.y[i]!);
      if (p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height) inside += 1;
    }
    // The whole section is on screen, and it is what the screen is about.
    expect(inside).toBe(seats.length);
    await expect(page.locator('.zone-row.focused').getAttribute('data-zone')).resolves.toBe(zone.code);
  });

  it('"Mejores 4 juntos" moves the map to the four seats it held and rings them', async () => {
    await page.getByRole('button', { name: 'Ver todo' }).click();
    await mapSettled(page);
    const row = page.locator('.zone-row[data-zone="S07"]');
    await row.locator('input').fill('4');
    await row.getByRole('button', { name: 'Mejores 4 juntos' }).click();
    await page.locator('.cart-line').nth(3).waitFor();
    await movedTo(2);
    const labels = await page
      .locator('.cart-line')
      .evaluateAll((lines) => lines.map((l) => (l as HTMLElement).dataset.label!));
    expect(labels).toHaveLength(4);
    const ringed = (await canvas.getAttribute('data-highlight'))!.split(',').map(Number);
    expect(ringed.map((i) => stadium.seats.label[i]).sort()).toEqual([...labels].sort());
    const { width, height } = await canvasSize();
    for (const i of ringed) {
      const p = await onCanvas(stadium.seats.x[i]!, stadium.seats.y[i]!);
      expect(p.x).toBeGreaterThan(40);
      expect(p.x).toBeLessThan(width - 40);
      expect(p.y).toBeGreaterThan(40);
      expect(p.y).toBeLessThan(height - 40);
      // Drawn as this cashier's (green), big enough to see which seats.
      await expect(pixel(p.x, p.y - (await drawn('seatPx')) * 0.35)).resolves.toBe('#22c55e');
    }
    await expect(drawn('seatPx')).resolves.toBeGreaterThanOrEqual(20);
    // Its section's name is off screen at this zoom: the corner says where this is.
    await expect(page.getByTestId('map-place').textContent()).resolves.toBe('Sección 7');
    await page.screenshot({ path: screenshotPath('screenshot-stadium.png', RESULTS) });
  });

  it('zoomed in, rows and then seats are named; zoomed out, they are not', async () => {
    await page.getByRole('button', { name: 'Ver todo' }).click();
    await mapSettled(page);
    await expect(drawn('rowLabels')).resolves.toBe(0);
    await expect(drawn('seatLabels')).resolves.toBe(0);
    // The wheel zooms at the pointer: over a seat in the middle of Sección 5.
    const seat = stadium.seats.label.indexOf('S05-25-25');
    const box = (await canvas.boundingBox())!;
    const p = await onCanvas(stadium.seats.x[seat]!, stadium.seats.y[seat]!);
    await page.mouse.move(box.x + p.x, box.y + p.y);
    let rowsFirst = false;
    for (let i = 0; i < 60 && (await drawn('seatLabels')) === 0; i++) {
      await page.mouse.wheel(0, -100);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      if ((await drawn('seatLabels')) === 0 && (await drawn('rowLabels')) > 0) rowsFirst = true;
    }
    // Rows are named before seats are (there is room for a row's name first).
    expect(rowsFirst).toBe(true);
    await expect(drawn('rowLabels')).resolves.toBeGreaterThan(0);
    await expect(drawn('seatLabels')).resolves.toBeGreaterThan(0);
    await expect(drawn('seatPx')).resolves.toBeGreaterThanOrEqual(16);
    // The section names gave way to the seats' own.
    await page.screenshot({ path: join(RESULTS, '02-zoomed-in.png') });
  });

  it("the field's standing area, clicked, asks how many and adds them to the cart", async () => {
    await page.getByRole('button', { name: 'Ver todo' }).click();
    await mapSettled(page);
    const field = stadium.zones.find((z) => z.kind === 'general')!;
    const box = (await canvas.boundingBox())!;
    const p = await onCanvas(field.x! + field.width! / 2, field.y! + field.height! * 0.75);
    await page.mouse.click(box.x + p.x, box.y + p.y);
    const picker = page.getByTestId('general-picker');
    await picker.waitFor();
    await expect(picker.getAttribute('data-zone')).resolves.toBe(field.code);
    await picker.getByRole('button', { name: 'Una más' }).click();
    await expect(picker.getByTestId('general-quantity').textContent()).resolves.toBe('3');
    await picker.getByRole('button', { name: 'Agregar 3' }).click();
    const line = page.locator(`.cart-line[data-label="${field.name}"]`);
    await line.waitFor();
    await expect(line.textContent()).resolves.toContain('3 × ');
    await picker.waitFor({ state: 'detached' });
  });
});

/** onCanvas without a round trip, for many seats at one view. */
function onCanvasFast(v: View, x: number, y: number): { x: number; y: number } {
  return { x: x * v.scale + v.tx, y: y * v.scale + v.ty };
}
