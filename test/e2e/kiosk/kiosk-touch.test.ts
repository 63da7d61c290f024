import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import {
  assertChromium,
  ensureRendererBuilt,
  launchChromium,
  mapSettled,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from '../counter/counter-fixture.ts';
import { screenshotPath } from '../dashboard/dashboard-fixture.ts';

const RESULTS = join(ROOT, 'test-results/kiosk');
/** A portrait kiosk screen. */
const PORTRAIT = { width: 1080, height: 1920 };
/** The smallest target a finger hits reliably (CSS px), both ways. */
const FINGER = 44;

let served: ServedTerminal;
let browser: Browser;
let page: Page;
let theatre: SeatMap;

/**
 * Every visible control of `scope` (buttons, fields, choices) that is smaller than a finger; throws
 * when there were hardly any to measure (the check would prove nothing).
 */
async function tooSmall(scope: Locator): Promise<string[]> {
  const { checked, small } = await scope.evaluate((root, min) => {
    let checked = 0;
    const small: string[] = [];
    for (const el of root.querySelectorAll<HTMLElement>('button, input, select, [role="radio"], a[href]')) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
      if (r.bottom < 0 || r.top > innerHeight) continue;
      checked += 1;
      if (r.width < min || r.height < min) {
        const name = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName;
        small.push(`${name} ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return { checked, small };
  }, FINGER);
  if (checked < 8) throw new Error(`only ${checked} controls on screen to measure`);
  return small;
}

async function canvasData(key: string): Promise<string> {
  return page.locator('canvas.seat-map-canvas').evaluate((el, k) => el.dataset[k] ?? '', key);
}

/** Where a seat is on the page right now (from the canvas's view transform). */
async function seatOnPage(label: string): Promise<{ x: number; y: number }> {
  const i = theatre.seats.label.indexOf(label);
  const canvas = page.locator('canvas.seat-map-canvas');
  const box = (await canvas.boundingBox())!;
  const scale = Number(await canvasData('scale'));
  const tx = Number(await canvasData('tx'));
  const ty = Number(await canvasData('ty'));
  return { x: box.x + theatre.seats.x[i]! * scale + tx, y: box.y + theatre.seats.y[i]! * scale + ty };
}

/**
 * Issue 16: a kiosk made for fingers, on a portrait 1080×1920 touch screen (on the 1280×800 screen
 * before, theatre seats were about 6 px). The customer chooses a zone first; its seats are then at
 * least 44 px, as is every control; the cart counts down the holds; the payment screen is the
 * customer's.
 */
describe.skipIf(skipE2e)('a portrait touch kiosk in Chromium against `taquilla serve --kiosk`', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    served = await serveDemo({
      training: true,
      kiosk: true,
      setup: [['payment-provider', '--set', 'training']],
    });
    browser = await launchChromium();
    // A kiosk signs no staff in: the test reads the map as a customer session of its own.
    const customer = await served.api<{ sessionToken: string }>('kiosk.start', {});
    theatre = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, customer.sessionToken);
    const context = await browser.newContext({ viewport: PORTRAIT, locale: 'es-VE', hasTouch: true });
    page = await context.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(served.url);
    await page.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
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

  it('asks for a zone first, on a map and as cards, every control finger-sized', async () => {
    await page.getByRole('button', { name: /Gala de Zarzuela/ }).tap();
    await page.waitForSelector('canvas[data-version]:not([data-version="-1"])');
    await mapSettled(page);
    await expect(page.locator('.kiosk-shop').getAttribute('data-step')).resolves.toBe('zones');
    // The whole theatre is on screen: seats too small to touch one by one, so none is offered.
    expect(Number(await canvasData('seatPx'))).toBeLessThan(FINGER);
    await expect(canvasData('pick')).resolves.toBe('zones');
    await expect(page.locator('.kiosk-zone-card').count()).resolves.toBe(7);
    await expect(tooSmall(page.getByTestId('kiosk'))).resolves.toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'portrait-1-zones.png') });
  });

  it('a touch on the map opens that zone: its seats are at least 44 px and named', async () => {
    // Touch the stalls in the overview: the zone is chosen, nothing is held.
    const p = await seatOnPage('PLA-M-10');
    await page.touchscreen.tap(p.x, p.y);
    await page.waitForSelector('.kiosk-zone-bar[data-zone="PLA"]');
    await mapSettled(page);
    await expect(page.locator('.kiosk-shop').getAttribute('data-step')).resolves.toBe('seats');
    expect(Number(await canvasData('seatPx'))).toBeGreaterThanOrEqual(FINGER);
    expect(Number(await canvasData('seatLabels'))).toBeGreaterThan(0);
    expect(Number(await canvasData('rowLabels'))).toBeGreaterThan(0);
    await expect(page.getByTestId('kiosk-cart').count()).resolves.toBe(0);
    // "−" stops where seats would shrink below a finger.
    const zoomOut = page.getByRole('button', { name: 'Alejar' });
    for (let i = 0; i < 4; i++) await zoomOut.tap();
    expect(Number(await canvasData('seatPx'))).toBeGreaterThanOrEqual(FINGER);
    await expect(tooSmall(page.getByTestId('kiosk'))).resolves.toEqual([]);
  });

  it('a touched seat is held, and the cart counts down its time in big digits', async () => {
    const label = theatre.seats.label.find((l, i) => l.startsWith('PLA-') && theatre.seats.number[i] === 12)!;
    const seat = await seatOnPage(label);
    const box = (await page.locator('canvas.seat-map-canvas').boundingBox())!;
    expect(seat.y).toBeGreaterThan(box.y);
    expect(seat.y).toBeLessThan(box.y + box.height);
    // A finger lands off centre: a quarter of a seat away still takes that seat.
    const quarter = Number(await canvasData('seatPx')) / 4;
    await page.touchscreen.tap(seat.x + quarter, seat.y - quarter);
    const line = page.getByTestId('kiosk-cart').locator(`li[data-label="${label}"]`);
    await line.waitFor();
    const [, row, number] = label.split('-');
    await expect(line.textContent()).resolves.toContain(`Platea · fila ${row} · asiento ${number}`);
    const countdown = page.getByTestId('kiosk-countdown');
    await expect(countdown.textContent()).resolves.toMatch(/^(10:00|9:5\d)$/);
    const height = (await countdown.boundingBox())!.height;
    expect(height).toBeGreaterThanOrEqual(40);
  });

  it('"2" takes the best two seats together and the map shows them ringed', async () => {
    await page.getByRole('button', { name: 'Platea: Mejores 2 asientos' }).tap();
    await page.getByTestId('kiosk-cart').locator('li').nth(2).waitFor();
    await page.waitForSelector('canvas.seat-map-canvas[data-focus-seq="2"][data-gliding="0"]');
    const ringed = (await canvasData('highlight')).split(',').map(Number);
    expect(ringed).toHaveLength(2);
    const box = (await page.locator('canvas.seat-map-canvas').boundingBox())!;
    for (const i of ringed) {
      const p = await seatOnPage(theatre.seats.label[i]!);
      expect(p.x).toBeGreaterThan(box.x);
      expect(p.x).toBeLessThan(box.x + box.width);
      expect(p.y).toBeGreaterThan(box.y);
      expect(p.y).toBeLessThan(box.y + box.height);
    }
    expect(Number(await canvasData('seatPx'))).toBeGreaterThanOrEqual(FINGER);
    await expect(tooSmall(page.getByTestId('kiosk'))).resolves.toEqual([]);
    await page.screenshot({ path: screenshotPath('screenshot-kiosk-seats.png', RESULTS) });
  });

  it('in the last minute the countdown turns red and offers more time', async () => {
    await served.advanceClock(9 * 60_000 + 15_000);
    const countdown = page.getByTestId('kiosk-countdown');
    await expect.poll(() => countdown.textContent(), { timeout: 3000 }).toMatch(/^0:[0-4]\d$/);
    await page.locator('.kiosk-countdown.urgent').waitFor();
    await page.getByRole('button', { name: 'Necesito más tiempo' }).tap();
    await expect.poll(() => countdown.textContent(), { timeout: 3000 }).toMatch(/^(10:00|9:5\d)$/);
  });

  it("pays on the customer's screen: amount in bolívares, card or Pago Móvil by bank name, a keypad", async () => {
    await page.getByRole('button', { name: 'Pagar', exact: true }).tap();
    const dialog = page.getByTestId('kiosk-pay');
    await dialog.waitFor();
    const text = (await dialog.textContent())!;
    expect(text).toContain('Total a pagar');
    expect(text).toMatch(/Bs\. [\d.]+,\d\d/);
    // Nothing of the cashier's payment dialog.
    for (const cashierWord of ['Vuelto', 'Agregar pago', 'código', 'Entregado', 'Resto', 'Cobrar']) {
      expect(text).not.toContain(cashierWord);
    }
    await dialog.getByRole('radio', { name: 'Pago Móvil' }).tap();
    const bank = dialog.getByLabel('Su banco');
    await expect(bank.locator('option', { hasText: 'Banesco' }).count()).resolves.toBe(1);
    await bank.selectOption({ label: 'Banesco' });
    await dialog.getByLabel('Su teléfono').tap();
    for (const digit of '04141234567') await dialog.getByRole('button', { name: digit, exact: true }).tap();
    await expect(dialog.getByLabel('Su teléfono').inputValue()).resolves.toBe('04141234567');
    await dialog.getByLabel('Número de referencia').tap();
    for (const digit of '0012345') await dialog.getByRole('button', { name: digit, exact: true }).tap();
    await dialog.getByRole('button', { name: 'Borrar' }).tap();
    await expect(dialog.getByLabel('Número de referencia').inputValue()).resolves.toBe('001234');
    await expect(tooSmall(dialog)).resolves.toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'portrait-2-pay.png') });
    await dialog.getByRole('button', { name: 'Volver' }).tap();
    await dialog.waitFor({ state: 'detached' });
  });

  it('speaks English with the switch, and back to Spanish', async () => {
    await page.getByRole('button', { name: 'English' }).tap();
    await page.getByRole('button', { name: /All zones/ }).waitFor();
    await expect(page.locator('.kiosk-countdown span').textContent()).resolves.toBe('Time to pay');
    await expect(page.getByRole('button', { name: 'Platea: Best 2 seats' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Español' }).tap();
    await page.getByRole('button', { name: /Todas las zonas/ }).tap();
    await page.waitForSelector('.kiosk-shop[data-step="zones"]');
  });
});
