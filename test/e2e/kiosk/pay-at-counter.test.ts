import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
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
} from '../counter/counter-fixture.ts';
import { screenshotPath, signInAs } from '../dashboard/dashboard-fixture.ts';
import { printedDocuments } from './kiosk-fixture.ts';

const RESULTS = join(ROOT, 'test-results/kiosk');

let kiosk: ServedTerminal;
let counter: ServedTerminal;
let printer: VirtualPrinter;
let browser: Browser;
let kioskPage: Page;
let cashierPage: Page;
let supervisor: string;

async function seatStates(): Promise<Record<string, number>> {
  const snapshot = await counter.api<{ taken: { state: string }[] }>(
    'availability.snapshot',
    { eventId: 1 },
    supervisor,
  );
  const states: Record<string, number> = {};
  for (const s of snapshot.taken) states[s.state] = (states[s.state] ?? 0) + 1;
  return states;
}

/**
 * Issue 11: a LIVE kiosk with no payment provider (the default) takes no money. "Pagar en taquilla"
 * reserves the customer's seats with a code and prints a slip; a cashier at a counter `taquilla serve`
 * on the same store finds it by that code, takes the money and the tickets print.
 */
describe.skipIf(skipE2e)('"Pagar en taquilla": a live kiosk and a counter on one store, in Chromium', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    printer = new VirtualPrinter();
    await printer.start();
    kiosk = await serveDemo({ kiosk: true, setup: [['printer-settings', '--printer', printer.uri]] });
    counter = await serveDemo({ dbFile: kiosk.dbFile });
    browser = await launchChromium();
    supervisor = await signInAs(counter, 'Luis Supervisor', '9999');
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'es-VE',
      hasTouch: true,
    });
    kioskPage = await context.newPage();
    kioskPage.setDefaultTimeout(8000);
    await kioskPage.goto(kiosk.url);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 60);
    await kioskPage?.screenshot({ path: join(RESULTS, `failed-${name}-kiosk.png`) }).catch(() => {});
    await cashierPage?.screenshot({ path: join(RESULTS, `failed-${name}-counter.png`) }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await counter?.stop();
    await kiosk?.stop();
    await printer?.stop();
  });

  it('the customer picks seats; the kiosk offers only paying at the counter; a slip with a code prints', async () => {
    await kioskPage.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
    await kioskPage.getByRole('button', { name: /Gala de Zarzuela/ }).click();
    await kioskPage.waitForSelector('canvas[data-version]:not([data-version="-1"])');
    // A zone first, then its seats (issue 16).
    await kioskPage.locator('.kiosk-zone-card[data-zone="VIP"]').click();
    await kioskPage.getByRole('button', { name: 'Platea VIP: Mejores 2 asientos' }).click();
    await kioskPage.getByTestId('kiosk-cart').locator('li').nth(1).waitFor();
    const atCounter = kioskPage.getByRole('button', { name: 'Pagar en taquilla' });
    await atCounter.waitFor();
    // No provider on a live store: no card button, no simulated approval, no training banner.
    await expect(kioskPage.getByRole('button', { name: 'Pagar', exact: true }).count()).resolves.toBe(0);
    await expect(kioskPage.getByText('Simular aprobación').count()).resolves.toBe(0);
    await expect(kioskPage.getByTestId('training-banner').count()).resolves.toBe(0);
    await mapSettled(kioskPage);
    await kioskPage.screenshot({ path: screenshotPath('screenshot-kiosk.png', RESULTS) });

    const before = printer.documents.length;
    await atCounter.click();
    const dialog = kioskPage.getByRole('dialog', { name: 'Pagar en taquilla' });
    await expect(dialog.locator('p').first().textContent()).resolves.toMatch(
      /Sus 2 entradas quedan reservadas 30 minutos/,
    );
    await dialog.getByRole('button', { name: 'Reservar y pagar en taquilla' }).click();
    const slip = kioskPage.getByTestId('kiosk-slip');
    await slip.waitFor({ timeout: 5000 });
    const code = (await kioskPage.getByTestId('slip-code').getAttribute('data-code'))!;
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    await expect(kioskPage.getByTestId('slip-code').textContent()).resolves.toBe(
      `${code.slice(0, 3)}-${code.slice(3)}`,
    );
    await expect(seatStates()).resolves.toMatchObject({ reserved: 2 });
    await kioskPage.screenshot({ path: join(RESULTS, 'kiosk-slip.png') });

    const [text] = await printedDocuments(printer, before, 1);
    expect(text).toContain('PAGAR EN TAQUILLA');
    expect(text).toContain(`${code.slice(0, 3)}-${code.slice(3)}`);
    expect(text).toContain(`[QR ${code}]`);
    expect(text).toContain(`[BARCODE ${code}]`);
    expect(text).toMatch(/Asientos: VIP-\w+-\d+, VIP-\w+-\d+/);
    expect(text).not.toContain('Boleto');

    // The cashier scans the slip: the scanner types the code and Enter into the reservations search.
    const opened = await openCounter(
      browser,
      counter,
      { name: /Ana Cajera/, pin: '1234' },
      /Gala de Zarzuela/,
    );
    cashierPage = opened.page;
    cashierPage.setDefaultTimeout(8000);
    await cashierPage.getByRole('button', { name: 'Reservas' }).click();
    const search = cashierPage.getByLabel(/Buscar por nombre/);
    await search.fill(code.toLowerCase());
    await search.press('Enter');
    const row = cashierPage.locator('tr[data-status="RESERVED"]');
    await row.waitFor();
    await expect(row.locator('td').nth(1).textContent()).resolves.toContain(
      `Pagar en taquilla · ${code.slice(0, 3)}-${code.slice(3)}`,
    );
    const number = (await row.getAttribute('data-number'))!;

    const paid = printer.documents.length;
    await row.getByRole('button', { name: 'Abonar' }).click();
    await cashierPage.getByTestId('tender-0').getByRole('button', { name: 'Resto' }).click();
    await cashierPage.getByRole('button', { name: 'Registrar abono' }).click();
    await cashierPage
      .locator('.notice-success span', { hasText: `la reserva ${number} quedó vendida` })
      .first()
      .waitFor({ timeout: 5000 });
    await expect(seatStates()).resolves.toMatchObject({ sold: 2 });

    // Two tickets and the receipt, decoded by the virtual printer, with the cashier who took the money.
    const docs = await printedDocuments(printer, paid, 3);
    const tickets = docs.filter((d) => d.includes('Boleto N.º'));
    expect(tickets).toHaveLength(2);
    for (const t of tickets) {
      expect(t).toContain('Atendió: Ana Cajera');
      // The number on the counter's screen is the one on the paper.
      expect(t).toContain(`Venta: ${number}`);
      expect(t).not.toContain('ENTRENAMIENTO');
    }
    expect(docs.find((d) => d.includes('RECIBO'))).toContain('Efectivo USD');
  });
});
