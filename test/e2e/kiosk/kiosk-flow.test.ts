import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import {
  assertChromium,
  ensureRendererBuilt,
  launchChromium,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from '../counter/counter-fixture.ts';
import { printedDocuments } from './kiosk-fixture.ts';

const RESULTS = join(ROOT, 'test-results/kiosk');
/** Short for the test (8 s, warning in the last 2 s); a real kiosk defaults to 60 s. */
const IDLE_SECONDS = 8;

let served: ServedTerminal;
let printer: VirtualPrinter;
let browser: Browser;
let page: Page;
/** A session of its own to read the map with (a kiosk signs no staff in). */
let reader: string;

async function heldCount(): Promise<number> {
  const snapshot = await served.api<{ at: number; taken: { state: string; until: number | null }[] }>(
    'availability.snapshot',
    { eventId: 1 },
    reader,
  );
  return snapshot.taken.filter((s) => s.state === 'held').length;
}

async function startBuying(): Promise<void> {
  await page.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: /Gala de Zarzuela/ }).click();
  await page.waitForSelector('canvas[data-version]:not([data-version="-1"])');
  // A zone first, then its seats (issue 16).
  await page.locator('.kiosk-zone-card[data-zone="VIP"]').click();
  await page.getByRole('button', { name: 'Platea VIP: Mejores 2 asientos' }).click();
  await page.getByTestId('kiosk-cart').locator('li').nth(1).waitFor();
}

/**
 * A kiosk on a TRAINING store (`seed-demo --training`, `payment-provider --set training`): the only
 * place simulated approvals exist. Before issue 11 these tests pressed "Simular aprobación" on a live
 * store, which sold tickets for no money; a live kiosk now has no such button (pay-at-counter.test.ts).
 */
describe.skipIf(skipE2e)('kiosk mode in training, in Chromium against `taquilla serve --kiosk`', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    printer = new VirtualPrinter();
    await printer.start();
    served = await serveDemo({
      training: true,
      kiosk: true,
      setup: [
        ['printer-settings', '--printer', printer.uri],
        ['payment-provider', '--set', 'training'],
      ],
    });
    browser = await launchChromium();
    reader = (await served.api<{ sessionToken: string }>('kiosk.start', {})).sessionToken;
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
    await printer?.stop();
  });

  it('signs itself in (no PIN, no deposits), says it is training, and pays only by card or Pago Móvil', async () => {
    await startBuying();
    await expect(heldCount()).resolves.toBe(2);
    // Visible in the kiosk's own layout, not under it: the point at its left edge is the banner.
    const banner = page.getByTestId('training-banner');
    await expect(banner.textContent()).resolves.toMatch(/ENTRENAMIENTO/);
    await expect(
      banner.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.left + 8, r.top + r.height / 2));
      }),
    ).resolves.toBe(true);
    await page.getByRole('button', { name: 'Pagar', exact: true }).click();
    const methods = page.getByRole('radiogroup').getByRole('radio');
    await methods.first().waitFor();
    await expect(methods.allTextContents()).resolves.toEqual(['Tarjeta de débito', 'Pago Móvil']);
    await expect(page.getByTestId('kiosk-training-hint').textContent()).resolves.toMatch(/simulada/);
    await page.screenshot({ path: join(RESULTS, 'kiosk-training-pay.png') });
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

  it('a simulated approval completes the sale, and every ticket prints ENTRENAMIENTO', async () => {
    const before = printer.documents.length;
    await page.getByRole('button', { name: 'Simular aprobación' }).click();
    const done = page.getByTestId('kiosk-done');
    await done.waitFor({ timeout: 5000 });
    await expect(done.locator('h2').textContent()).resolves.toBe('¡Listo! Retire sus entradas.');
    await expect(heldCount()).resolves.toBe(0);
    // Two tickets and the receipt, decoded by the virtual printer.
    const docs = await printedDocuments(printer, before, 3);
    expect(docs.filter((d) => d.includes('Boleto N.º'))).toHaveLength(2);
    expect(docs[2]).toMatch(/Tarjeta de débito ENT\d{9}/);
    for (const text of docs) expect(text.match(/ENTRENAMIENTO - SIN VALOR/g)).toHaveLength(2);
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
