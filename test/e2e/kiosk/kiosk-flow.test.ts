import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertChromium,
  ensureRendererBuilt,
  launchChromium,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from '../counter/counter-fixture.ts';
import { screenshotPath, signInAs } from '../dashboard/dashboard-fixture.ts';

const RESULTS = join(ROOT, 'test-results/kiosk');
/** Short for the test (8 s, warning in the last 2 s); a real kiosk defaults to 60 s. */
const IDLE_SECONDS = 8;

let served: ServedTerminal;
let browser: Browser;
let page: Page;
let supervisor: string;

async function heldCount(): Promise<number> {
  const snapshot = await served.api<{ at: number; taken: { state: string; until: number | null }[] }>(
    'availability.snapshot',
    { eventId: 1 },
    supervisor,
  );
  return snapshot.taken.filter((s) => s.state === 'held').length;
}

async function startBuying(): Promise<void> {
  await page.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: /Gala de Zarzuela/ }).click();
  await page.waitForSelector('canvas[data-version]:not([data-version="-1"])');
  await page.getByRole('button', { name: 'Platea VIP: Mejores 2 asientos' }).click();
  await page.getByTestId('kiosk-cart').locator('li').nth(1).waitFor();
}

describe.skipIf(skipE2e)('kiosk mode in Chromium against `taquilla serve --kiosk`', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    // serveDemo's child inherits the environment: TAQUILLA_KIOSK=1 is what `--kiosk` sets.
    process.env.TAQUILLA_KIOSK = '1';
    try {
      served = await serveDemo();
    } finally {
      delete process.env.TAQUILLA_KIOSK;
    }
    browser = await launchChromium();
    supervisor = await signInAs(served, 'Luis Supervisor', '9999');
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'es-VE',
      hasTouch: true,
    });
    await context.addInitScript(
      (seconds) => localStorage.setItem('taquilla.kiosk.idleSeconds', String(seconds)),
      IDLE_SECONDS,
    );
    page = await context.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(served.url);
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

  it('signs itself in as a kiosk (no PIN, no deposits) and offers only card and Pago Móvil', async () => {
    await startBuying();
    await expect(heldCount()).resolves.toBe(2);
    await page.screenshot({ path: screenshotPath('screenshot-kiosk.png', RESULTS) });
    await page.getByRole('button', { name: 'Pagar' }).click();
    // allTextContents does not wait: let the dialog's first tender line render first.
    await page.getByTestId('tender-0').locator('select').waitFor();
    const options = await page.getByTestId('tender-0').locator('select option').allTextContents();
    expect(options).toEqual(['Tarjeta de débito (punto de venta)', 'Pago Móvil']);
    await expect(page.getByRole('button', { name: 'Reservar con abono' }).count()).resolves.toBe(0);
    // A kiosk session may not take deposits even by calling the API itself.
    const kiosk = await served.api<{ sessionToken: string }>('kiosk.start', {});
    await expect(
      served.api(
        'payments.deposit',
        { eventId: 1, tenders: [], customer: { name: 'x', phone: '04141234567' } },
        kiosk.sessionToken,
      ),
    ).rejects.toThrow(/ROLE_NOT_ALLOWED/);
  });

  it('a card payment completes the sale and tells the customer to collect the tickets', async () => {
    await page.getByRole('button', { name: 'Simular aprobación' }).click();
    await expect(page.getByTestId('pay-remaining').textContent()).resolves.toBe('USD 0,00 · Bs. 0,00');
    await page.getByRole('button', { name: 'Cobrar total' }).click();
    const done = page.getByTestId('kiosk-done');
    await done.waitFor({ timeout: 5000 });
    await expect(done.locator('h2').textContent()).resolves.toBe('¡Listo! Retire sus entradas.');
    await expect(heldCount()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Empezar de nuevo' }).click();
    await page.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
  });

  it('left idle, it asks "¿Sigue ahí?", then releases the holds and returns to the start', async () => {
    await startBuying();
    await expect(heldCount()).resolves.toBe(2);
    const warning = page.getByTestId('kiosk-idle');
    await warning.waitFor({ timeout: IDLE_SECONDS * 1000 });
    await expect(warning.locator('h2').textContent()).resolves.toBe('¿Sigue ahí?');
    await page.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
    await expect(heldCount()).resolves.toBe(0);
  });
});
