import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import {
  assertChromium,
  clickSeat,
  ensureRendererBuilt,
  hoverSeat,
  launchChromium,
  openCounter,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from './counter-fixture.ts';
import { screenshotPath } from '../dashboard/dashboard-fixture.ts';

const RESULTS = join(ROOT, 'test-results/counter');
const THEATRE = /Gala de Zarzuela/;
const ANA = { name: /Ana Cajera/, pin: '1234' };
// A second counter: another cashier in another browser context (its own cookies and session).
const BETO = { name: /Beto Cajero/, pin: '5678' };

let served: ServedTerminal;
let browser: Browser;
let ana: Page;
let beto: Page;
let map: SeatMap;
let supervisorToken: string;

/** Waits until `read` returns `expected`, polling fast; returns how long it took (ms). */
async function within(ms: number, read: () => Promise<unknown>, expected: unknown): Promise<number> {
  const started = performance.now();
  let last: unknown;
  while (performance.now() - started < ms) {
    last = await read();
    if (last === expected) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`expected ${String(expected)} within ${ms} ms, last saw ${String(last)}`);
}

/** A seat's state in the terminal itself (not a screen): 's' sold, 'h' held, '.' free, … */
async function storedState(label: string): Promise<string> {
  const snap = await served.api<{ states: string }>('availability.snapshot', { eventId: 1 }, supervisorToken);
  return snap.states[map.seats.label.indexOf(label)]!;
}

/** What the seat tooltip says: 'LABEL:state' (the label guards against reading another seat). */
const tooltipState = async (page: Page) => {
  const tip = page.locator('#seat-tooltip');
  return `${await tip.getAttribute('data-seat')}:${await tip.getAttribute('data-state')}`;
};

describe.skipIf(skipE2e)('the counter app in Chromium against `taquilla serve`', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    served = await serveDemo();
    browser = await launchChromium();
    // The test reads the seat map as the supervisor (found by name, not by id).
    const users = await served.api<{ id: number; name: string }[]>('session.users', {});
    const supervisorId = users.find((u) => u.name === 'Luis Supervisor')!.id;
    const supervisor = await served.api<{ sessionToken: string }>('session.signIn', {
      userId: supervisorId,
      pin: '9999',
    });
    map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, supervisor.sessionToken);
    supervisorToken = supervisor.sessionToken;
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 60);
    await ana?.screenshot({ path: join(RESULTS, `failed-${name}-ana.png`) }).catch(() => {});
    await beto?.screenshot({ path: join(RESULTS, `failed-${name}-beto.png`) }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('a cashier signs in with a PIN and opens the seat map of an event', async () => {
    ({ page: ana } = await openCounter(browser, served, ANA, THEATRE));
    await expect(ana.getByTestId('status-cashier').textContent()).resolves.toContain('Ana Cajera');
    await within(3000, () => ana.getByTestId('status-live').getAttribute('class'), 'status-item live-live');
    await ana.screenshot({ path: join(RESULTS, '01-signed-in.png') });
  });

  it('a wrong PIN is refused in Spanish with the attempts left', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(served.url);
    await page.getByRole('button', { name: BETO.name }).click();
    await page.locator('#pin').fill('1111');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await expect(page.locator('.notice-error').first().textContent()).resolves.toContain(
      'PIN incorrecto. Intentos restantes: 4.',
    );
    await context.close();
  });

  it('keyboard and click select seats: each is held with a visible countdown', async () => {
    const canvas = ana.locator('canvas.seat-map-canvas');
    await canvas.focus(); // focus lands on the first seat
    await within(2000, () => ana.locator('#seat-tooltip').getAttribute('data-seat'), 'VIP-A-1');
    await ana.keyboard.press('Enter');
    await ana.locator('.cart-line[data-label="VIP-A-1"]').waitFor({ timeout: 5000 });
    await clickSeat(ana, map, 'VIP-A-5');
    await ana.locator('.cart-line[data-label="VIP-A-5"]').waitFor();
    await expect(ana.locator('.cart-line').count()).resolves.toBe(2);
    const countdown = await ana.getByTestId('hold-countdown').textContent();
    expect(countdown).toMatch(/^(10:00|9:[45]\d)$/);
    await expect(ana.getByTestId('total-usd').textContent()).resolves.toBe('USD 160,00');
    await expect(ana.getByTestId('total-ves').textContent()).resolves.toBe('Bs. 37.832,00');
    // Click again: released.
    await clickSeat(ana, map, 'VIP-A-5');
    await ana.locator('.cart-line[data-label="VIP-A-5"]').waitFor({ state: 'detached' });
  });

  it('a second session sees a new hold as taken within a second, and is refused with who and until', async () => {
    ({ page: beto } = await openCounter(browser, served, BETO, THEATRE));
    await hoverSeat(beto, map, 'VIP-A-10');
    await within(2000, () => tooltipState(beto), 'VIP-A-10:free');
    await clickSeat(ana, map, 'VIP-A-10');
    const seenAfter = await within(1000, () => tooltipState(beto), 'VIP-A-10:held');
    expect(seenAfter).toBeLessThan(1000);
    await clickSeat(beto, map, 'VIP-A-10');
    const refusal = await beto.locator('.notice-error').first().textContent();
    expect(refusal).toMatch(
      /No se pudo apartar: VIP-A-10 ya está tomado por Ana Cajera hasta las \d\d:\d\d:\d\d\./,
    );
    await beto.screenshot({ path: join(RESULTS, '02-second-session-refused.png') });
  });

  it('general admission takes a quantity; best available picks adjacent seats in one go', async () => {
    const standing = ana.locator('.zone-row[data-zone="GEN"]');
    await standing.locator('input').fill('3');
    await standing.getByRole('button', { name: 'Agregar' }).click();
    await ana.locator('.cart-line[data-label="General de pie"]').waitFor();
    const platea = ana.locator('.zone-row[data-zone="PLA"]');
    await platea.getByRole('button', { name: 'Mejores 2 juntos' }).click();
    await ana.locator('.cart-line[data-label="PLA-F-20"]').waitFor();
    await ana.locator('.cart-line[data-label="PLA-F-21"]').waitFor();
    await hoverSeat(ana, map, 'PLA-F-21');
    await within(2000, () => tooltipState(ana), 'PLA-F-21:mine');
    await hoverSeat(beto, map, 'PLA-F-20');
    await within(1000, () => tooltipState(beto), 'PLA-F-20:held');
    // Another counter holds two VIP seats, so the picture shows both kinds of hold.
    await beto
      .locator('.zone-row[data-zone="VIP"]')
      .getByRole('button', { name: 'Mejores 2 juntos' })
      .click();
    await beto.locator('.cart-line').nth(1).waitFor();
    await ana.keyboard.press('Escape');
    await hoverSeat(ana, map, 'PLA-F-21');
    await ana.waitForTimeout(1200);
    await ana.screenshot({ path: join(RESULTS, '03-cashier-cart.png') });
    copyFileSync(join(RESULTS, '03-cashier-cart.png'), screenshotPath('screenshot-cashier.png', RESULTS));
  });

  it('Shift picks several seats held together, all or nothing', async () => {
    await ana.keyboard.down('Shift');
    await clickSeat(ana, map, 'VIP-C-4');
    await clickSeat(ana, map, 'VIP-C-6');
    await ana.keyboard.up('Shift');
    await ana.getByRole('button', { name: 'Apartar 2 seleccionados' }).waitFor();
    // Meanwhile another counter takes one of them: the group is refused whole.
    await clickSeat(beto, map, 'VIP-C-6');
    await hoverSeat(ana, map, 'VIP-C-6');
    await within(1000, () => tooltipState(ana), 'VIP-C-6:held');
    await ana.getByRole('button', { name: 'Apartar 2 seleccionados' }).click();
    await ana.locator('.notice-error', { hasText: 'VIP-C-6 ya está tomado por Beto Cajero' }).waitFor();
    await expect(ana.locator('.cart-line[data-label="VIP-C-4"]').count()).resolves.toBe(0);
    await ana.getByRole('button', { name: 'Cancelar selección' }).click();
    await ana.keyboard.down('Shift');
    await clickSeat(ana, map, 'VIP-C-7');
    await clickSeat(ana, map, 'VIP-C-8');
    await ana.keyboard.up('Shift');
    await ana.getByRole('button', { name: 'Apartar 2 seleccionados' }).click();
    await ana.locator('.cart-line[data-label="VIP-C-7"]').waitFor();
    await ana.locator('.cart-line[data-label="VIP-C-8"]').waitFor();
  });

  it('a hold that runs out frees its seats for everyone and tells the cashier', async () => {
    await served.advanceClock(10 * 60_000 + 1000);
    const notice = ana.locator('.notice-error', { hasText: 'Se venció el tiempo de apartado' });
    await notice.first().waitFor({ timeout: 3000 });
    await expect(notice.first().textContent()).resolves.toContain('VIP-A-1');
    await ana.locator('.cart-empty').waitFor({ timeout: 3000 });
    await hoverSeat(beto, map, 'PLA-F-20');
    await within(3000, () => tooltipState(beto), 'PLA-F-20:free');
  });

  it('one Ctrl+Enter sells nothing: it opens the payment, cash USD for the whole amount, to confirm', async () => {
    await clickSeat(ana, map, 'VIP-B-3');
    await ana.locator('.cart-line[data-label="VIP-B-3"]').waitFor();
    await clickSeat(ana, map, 'VIP-B-4');
    await ana.locator('.cart-line[data-label="VIP-B-4"]').waitFor();
    const held = await storedState('VIP-B-4');
    await ana.keyboard.down('Control');
    await ana.keyboard.down('Enter');
    await ana.keyboard.up('Control');
    const dialog = ana.getByRole('dialog', { name: 'Cobro' });
    const confirm = dialog.getByRole('button', { name: 'Cobrar total' });
    // The confirm button takes the focus, with cash USD for the whole amount filled in.
    await within(3000, () => confirm.evaluate((b) => b === document.activeElement), true);
    await expect(dialog.getByLabel('Forma de pago 1').inputValue()).resolves.toBe('CASH_USD');
    await expect(dialog.getByLabel('Monto (USD) 1').inputValue()).resolves.toBe('160.00');
    await expect(dialog.getByTestId('pay-remaining').textContent()).resolves.toMatch(/^USD 0,00/);
    // The key is still held: its repeats reach the focused button and must not press it; nor does
    // the shortcut pressed again.
    for (let i = 0; i < 3; i++) await ana.keyboard.down('Enter');
    await ana.keyboard.up('Enter');
    await ana.keyboard.press('Control+Enter');
    // Long enough for a sale to have been sent and answered: the dialog is still open and idle.
    await ana.waitForTimeout(1500);
    await expect(confirm.isEnabled()).resolves.toBe(true);
    await expect(ana.locator('.notice-success').count()).resolves.toBe(0);
    await expect(storedState('VIP-B-4')).resolves.toBe(held);
    expect(held).not.toBe('s');
    // Esc closes it: still nothing sold, the cart is as it was.
    await ana.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await ana.locator('.cart-line[data-label="VIP-B-4"]').waitFor();
    await expect(storedState('VIP-B-4')).resolves.toBe(held);
  });

  it('Ctrl+Enter, then Enter on "Cobrar total", completes the sale: sold on the other screen', async () => {
    await ana.keyboard.press('Control+Enter');
    const confirm = ana.getByRole('dialog', { name: 'Cobro' }).getByRole('button', { name: 'Cobrar total' });
    await within(3000, () => confirm.evaluate((b) => b === document.activeElement), true);
    await ana.keyboard.press('Enter');
    const done = ana.locator('.notice-success span');
    await done.first().waitFor({ timeout: 5000 });
    await expect(done.first().textContent()).resolves.toBe(
      'Venta completada: 2 entradas, USD 160,00 (Bs. 37.832,00).',
    );
    await ana.locator('.cart-empty').waitFor();
    await hoverSeat(beto, map, 'VIP-B-4');
    await within(1000, () => tooltipState(beto), 'VIP-B-4:sold');
    await expect(storedState('VIP-B-4')).resolves.toBe('s');
    await ana.screenshot({ path: join(RESULTS, '04-sold.png') });
  });

  it('switches to English and back', async () => {
    await ana.getByRole('button', { name: 'English' }).click();
    await ana.getByRole('button', { name: 'Sign out' }).waitFor();
    await ana.getByRole('button', { name: 'Español' }).click();
    await ana.getByRole('button', { name: 'Cerrar sesión' }).waitFor();
  });
});
