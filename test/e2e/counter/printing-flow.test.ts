import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import {
  assertChromium,
  clickSeat,
  ensureRendererBuilt,
  launchChromium,
  openCounter,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from './counter-fixture.ts';

/**
 * Issue 15 at the counter, in Chromium against `taquilla serve` printing to the virtual printer:
 * printer faults shown as notices with the tickets waiting, a stopped print reviewed by the cashier,
 * and a reprint by the short sale number approved with a supervisor's PIN.
 */
const RESULTS = join(ROOT, 'test-results/printing');
const THEATRE = /Gala de Zarzuela/;
const ANA = { name: /Ana Cajera/, pin: '1234' };

let served: ServedTerminal;
let browser: Browser;
let printer: VirtualPrinter;
let ana: Page;
let map: SeatMap;

const numbers = (): string[] =>
  printer.documents.flatMap((d) => [...d.text.matchAll(/Boleto N\.º (T1-\d{6})/g)].map((m) => m[1]!));

async function until(ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ctrl+Enter opens the payment with the whole amount in cash USD; Enter on "Cobrar total" sells. */
async function sellWithCtrlEnter(labels: string[]): Promise<void> {
  for (const label of labels) {
    await clickSeat(ana, map, label);
    await ana.locator(`.cart-line[data-label="${label}"]`).waitFor();
  }
  await ana.keyboard.press('Control+Enter');
  const confirm = ana.getByRole('dialog', { name: 'Cobro' }).getByRole('button', { name: 'Cobrar total' });
  await until(3000, () => confirm.evaluate((b) => b === document.activeElement));
  await ana.keyboard.press('Enter');
  await ana.locator('.cart-empty').waitFor();
}

describe.skipIf(skipE2e)('printing at the counter (Chromium, `taquilla serve`, virtual printer)', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    printer = new VirtualPrinter();
    await printer.start();
    served = await serveDemo();
    browser = await launchChromium();
    const users = await served.api<{ id: number; name: string }[]>('session.users', {});
    const supervisorId = users.find((u) => u.name === 'Luis Supervisor')!.id;
    const supervisor = await served.api<{ sessionToken: string }>('session.signIn', {
      userId: supervisorId,
      pin: '9999',
    });
    await served.api(
      'printer.settings.set',
      { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } },
      supervisor.sessionToken,
    );
    map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, supervisor.sessionToken);
    ({ page: ana } = await openCounter(browser, served, ANA, THEATRE));
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 60);
    await ana?.screenshot({ path: join(RESULTS, `failed-${name}.png`) }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await printer?.stop();
  });

  it('paper out: the sale confirmation and a lasting notice say so, with the tickets waiting; they print when a roll is loaded', async () => {
    printer.setPaperOut(true);
    await sellWithCtrlEnter(['PLA-F-1', 'PLA-F-2']);
    await ana
      .getByText(/La venta quedó registrada, pero la impresora no está lista: Impresora sin papel/)
      .waitFor();
    const notice = ana.getByTestId('printer-notice');
    await notice.waitFor();
    await expect(notice.getAttribute('data-state')).resolves.toBe('paper-out');
    await expect(notice.textContent()).resolves.toMatch(
      /Impresora sin papel: cargue un rollo nuevo y cierre la tapa\. En espera: 2 boletos \(T1-000001, T1-000002\) y 1 recibo\./,
    );
    await ana.screenshot({ path: join(RESULTS, '01-paper-out.png') });
    expect(printer.documents).toHaveLength(0);
    printer.setPaperOut(false);
    await until(15_000, () => printer.documents.length === 3);
    expect(numbers()).toEqual(['T1-000001', 'T1-000002']);
    await notice.waitFor({ state: 'detached', timeout: 15_000 });
  }, 60_000);

  it('the paper runs out mid-ticket: the cashier reviews what came out and the rest is reprinted marked COPIA', async () => {
    printer.paperOutAfter(0, 4);
    await sellWithCtrlEnter(['PLA-F-3']);
    const review = ana.getByRole('button', { name: /Revisar impresión \(1\)/ });
    await review.waitFor({ timeout: 15_000 });
    printer.setPaperOut(false);
    await review.click();
    const dialog = ana.getByRole('dialog', { name: 'Impresión interrumpida' });
    await expect(dialog.getByTestId('interrupted-job').textContent()).resolves.toMatch(
      /Boleto T1-000003 · PLA-F-3.*se acabó el papel/,
    );
    await ana.screenshot({ path: join(RESULTS, '02-review.png') });
    await dialog.getByLabel('No salió: reimprimir (COPIA)').check();
    await dialog.getByRole('button', { name: 'Confirmar' }).click();
    await ana.getByText('Listo: 1 copia en cola, marcada COPIA.').waitFor();
    await until(15_000, () =>
      printer.documents.some((d) => /T1-000003/.test(d.text) && /COPIA 1/.test(d.text)),
    );
    // The original finished on the new roll; the only other print of it is the marked copy.
    expect(numbers().filter((n) => n === 'T1-000003')).toHaveLength(2);
    expect(printer.find('T1-000003').filter((d) => !d.text.includes('COPIA'))).toHaveLength(1);
  }, 60_000);

  it('a reprint by the short sale number needs a supervisor PIN, receipt apart from the tickets', async () => {
    const receipt = printer.find('RECIBO')[0]!;
    const number = /Venta N\.º\s+(\S{8})/.exec(receipt.text)![1]!;
    const before = printer.documents.length;
    await ana.getByRole('button', { name: 'Reimprimir' }).click();
    const screen = ana.getByRole('region', { name: 'Reimprimir' });
    await screen.getByLabel('Número de venta').fill(number.toLowerCase());
    await screen.getByRole('button', { name: 'Buscar' }).click();
    await screen.getByTestId('reprint-ticket').first().waitFor();
    await expect(screen.getByTestId('reprint-ticket').count()).resolves.toBe(2);
    await screen.getByLabel(/Recibo/).check();
    await screen.getByLabel('PIN de supervisor').fill('1111');
    await screen.getByRole('button', { name: 'Reimprimir marcado COPIA' }).click();
    await screen
      .getByRole('alert')
      .filter({ hasText: /PIN incorrecto/ })
      .waitFor();
    await screen.getByLabel('PIN de supervisor').fill('9999');
    await screen.getByRole('button', { name: 'Reimprimir marcado COPIA' }).click();
    // Exact: the review's "Listo: 1 copia en cola…" of the test before may still be on screen.
    await ana.getByText('1 copia en cola, marcada COPIA.', { exact: true }).waitFor();
    await until(15_000, () => printer.documents.length === before + 1);
    const copy = printer.documents.at(-1)!;
    expect(copy.text).toContain('RECIBO');
    expect(copy.text).toContain('COPIA 1');
    await ana.screenshot({ path: join(RESULTS, '03-reprint.png') });
  }, 60_000);
});
