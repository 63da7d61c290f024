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
} from '../counter/counter-fixture.ts';
import { screenshotPath, signInAs } from '../dashboard/dashboard-fixture.ts';

const RESULTS = join(ROOT, 'test-results/cash-drawer');
const THEATRE = /Gala de Zarzuela/;
const ANA = { name: /Ana Cajera/, pin: '1234' };
const HOUR = 3_600_000;

let served: ServedTerminal;
let browser: Browser;
let printer: VirtualPrinter;
let ana: Page;
let map: SeatMap;
let luis: string;
let anaApi: string;

const seat = (label: string) => map.seats.id[map.seats.label.indexOf(label)]!;

/** The decoded text of the next document the printer cuts that contains `needle`. */
async function printedWith(needle: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const doc = printer.documents.find((d) => d.text.includes(needle));
    if (doc) return doc.text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing printed with ${needle}: ${printer.documents.map((d) => d.text).join('\n---\n')}`);
}

async function openScreen(name: 'Cierre de caja' | 'Reservas'): Promise<void> {
  const back = ana.getByRole('button', { name: 'Volver a la venta' });
  if (await back.isVisible()) await back.click();
  await ana.getByRole('button', { name, exact: true }).click();
}

/** What a cell of the drawer's table reads: row (float, expected, over-short…), currency. */
function drawerCell(table: string, row: string, currency: 'USD' | 'VES') {
  return ana.locator(`[data-testid="${table}"] tr[data-row="${row}"] td[data-currency="${currency}"]`);
}

/** Sells one seat through the API as Ana (another counter of hers), paid in dollars cash. */
async function sellAsAna(label: string, cents: number): Promise<void> {
  await served.api('holds.seats', { eventId: 1, seatIds: [seat(label)] }, anaApi);
  await served.api(
    'payments.checkout',
    { eventId: 1, tenders: [{ method: 'CASH_USD', amountCents: cents }] },
    anaApi,
  );
}

/** How long until `hour:minute` in Caracas (UTC−4) on the calendar day `days` after now's. */
function untilCaracas(now: number, days: number, hour: number, minute: number): number {
  const caracas = new Date(now - 4 * HOUR);
  const target = Date.UTC(
    caracas.getUTCFullYear(),
    caracas.getUTCMonth(),
    caracas.getUTCDate() + days,
    hour + 4,
    minute,
  );
  return target - now;
}

function caracasDay(epochMs: number): string {
  return new Date(epochMs - 4 * HOUR).toISOString().slice(0, 10);
}

describe.skipIf(skipE2e)('the cash drawer, X and Z, and the reservations list in Chromium', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    printer = new VirtualPrinter();
    await printer.start();
    served = await serveDemo();
    browser = await launchChromium();
    luis = await signInAs(served, 'Luis Supervisor', '9999');
    anaApi = await signInAs(served, 'Ana Cajera', '1234');
    await served.api(
      'printer.settings.set',
      { connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } },
      luis,
    );
    map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, luis);
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

  it('a cashier opens her drawer with a float, sells with change, takes cash out with a supervisor’s PIN, counts, and the Z takes and prints it', async () => {
    await openScreen('Cierre de caja');
    const drawer = ana.getByTestId('drawer');
    await ana.locator('[data-testid="drawer"][data-status="NONE"]').waitFor();
    await ana.getByLabel('Fondo inicial USD').fill('50');
    await ana.getByLabel('Fondo inicial Bs.').fill('2.000,00');
    await drawer.getByRole('button', { name: 'Abrir caja' }).click();
    await ana.locator('[data-testid="drawer"][data-status="OPEN"]').waitFor();
    await expect(drawerCell('drawer-open', 'float', 'VES').textContent()).resolves.toBe('Bs. 2.000,00');

    // A sale of USD 80 paid with USD 100 in cash: USD 20 back.
    await ana.getByRole('button', { name: 'Volver a la venta' }).click();
    await clickSeat(ana, map, 'VIP-A-1');
    await ana.locator('.cart-line[data-label="VIP-A-1"]').waitFor();
    await ana.getByRole('button', { name: 'Cobrar', exact: true }).click();
    const line = ana.getByTestId('tender-0');
    await line.locator('select').first().selectOption('CASH_USD');
    await line.getByLabel(/^Monto/).fill('100');
    await ana.getByRole('button', { name: 'Cobrar total' }).click();
    await ana.locator('.notice-success span', { hasText: 'Entregue vuelto: USD 20,00' }).first().waitFor();

    await openScreen('Cierre de caja');
    await ana.locator('[data-testid="drawer"][data-status="OPEN"]').waitFor();
    await expect(drawerCell('drawer-open', 'expected', 'USD').textContent()).resolves.toBe('USD 130,00');

    // Cash out needs a supervisor's PIN; cash in does not.
    await drawer.getByRole('button', { name: 'Salida de efectivo' }).click();
    const move = ana.getByTestId('drawer-move');
    await move.getByLabel('Monto').fill('10');
    await move.getByLabel('Motivo').fill('hielo para la barra');
    await move.getByLabel('PIN del supervisor').fill('9999');
    await move.getByRole('button', { name: 'Registrar' }).click();
    await ana.locator('[data-testid="drawer-movements"] li', { hasText: 'aprobó Luis Supervisor' }).waitFor();
    await drawer.getByRole('button', { name: 'Entrada de efectivo' }).click();
    await move.getByLabel('Moneda').selectOption('VES');
    await move.getByLabel('Monto').fill('500');
    await move.getByLabel('Motivo').fill('sencillo del banco');
    await move.getByRole('button', { name: 'Registrar' }).click();
    await ana.locator('[data-testid="drawer-movements"] li[data-kind="PAID_IN"]').waitFor();
    await expect(drawerCell('drawer-open', 'expected', 'USD').textContent()).resolves.toBe('USD 120,00');
    await expect(drawerCell('drawer-open', 'expected', 'VES').textContent()).resolves.toBe('Bs. 2.500,00');
    await ana.screenshot({ path: screenshotPath('screenshot-cash-drawer.png', RESULTS), fullPage: true });

    // The Z waits for the count.
    await ana.getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.getByRole('alertdialog').getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await expect(ana.getByTestId('closing-error').textContent()).resolves.toMatch(
      /^La caja abierta a las \d\d:\d\d \(día \d\d\/\d\d\/\d{4}\) sigue abierta: ciérrela con el arqueo primero\.$/,
    );

    await drawer.getByRole('button', { name: 'Cerrar caja (arqueo)' }).click();
    const count = ana.getByTestId('drawer-count');
    await count.getByLabel('Contado USD').fill('119');
    await count.getByLabel('Contado Bs.').fill('2500');
    await count.getByRole('button', { name: 'Cerrar caja con este conteo' }).click();
    await ana.locator('[data-testid="drawer"][data-status="CLOSED"]').waitFor();
    await expect(drawerCell('drawer-counted', 'over-short', 'USD').textContent()).resolves.toBe(
      'Faltante USD 1,00',
    );
    await expect(drawerCell('drawer-counted', 'over-short', 'VES').textContent()).resolves.toBe(
      'Cuadre exacto',
    );

    await ana.getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.getByRole('alertdialog').getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.locator('[data-testid="closing-report"][data-kind="Z"]').waitFor();
    await expect(ana.getByTestId('closing-totals-usd').textContent()).resolves.toBe('USD 80,00');
    await expect(ana.getByTestId('closing-totals-ves').textContent()).resolves.toBe('Bs. 18.916,00');
    await expect(
      ana
        .locator('[data-testid="closing-totals-drawer"] tr[data-row="counted"] td[data-currency="USD"]')
        .textContent(),
    ).resolves.toBe('USD 119,00');
    await ana.locator('[data-testid="drawer"][data-status="NONE"]').waitFor();
    await ana.screenshot({ path: screenshotPath('screenshot-day-closing.png', RESULTS), fullPage: true });

    await ana.getByRole('button', { name: 'Imprimir', exact: true }).first().click();
    await expect(ana.getByTestId('closing-info').textContent()).resolves.toBe('Enviado a la impresora.');
    const paper = await printedWith('REPORTE Z N.º 0001');
    expect(paper).toMatch(/Personal\s+Ana Cajera/);
    expect(paper).toMatch(/Faltante\s+USD 1,00/);
    expect(paper).toMatch(/Salidas de caja\s+-USD 10,00/);
    await ana
      .locator('[data-testid="closings"] tr[data-number="1"]')
      .getByRole('button', { name: 'Imprimir' })
      .click();
    await ana
      .locator('[data-testid="closing-info"]', { hasText: 'Enviado a la impresora (copia 1).' })
      .waitFor();
    await printedWith('COPIA 1');
    // A whole shift in one browser flow: on a loaded 2-core box it outlasts the 30 s default.
  }, 90_000);

  it('the reservations screen opens on what is owed, soonest to expire first, in USD and Bs.; a ticket number finds its sale', async () => {
    for (const [label, hours] of [
      ['VIP-B-1', 72],
      ['VIP-B-2', 24],
    ] as const) {
      await served.api('holds.seats', { eventId: 1, seatIds: [seat(label)] }, luis);
      await served.api(
        'payments.deposit',
        {
          eventId: 1,
          customer: {
            name: hours === 24 ? 'Beatriz Rojas' : 'Lácteos Los Andes',
            idNumber: hours === 24 ? 'v-14.123.456' : 'J-40123456-9',
          },
          tenders: [{ method: 'CASH_USD', amountCents: 3000 }],
          hours,
        },
        luis,
      );
    }
    await openScreen('Reservas');
    const rows = ana.locator('[data-testid="open-reservations"] tbody tr');
    await rows.first().waitFor();
    await expect(ana.getByTestId('reservations-heading').textContent()).resolves.toMatch(/^Por cobrar/);
    const customers = await rows.locator('td:nth-child(2)').allTextContents();
    expect(customers).toEqual(['Beatriz RojasV-14123456', 'Lácteos Los AndesJ-40123456-9']);
    // USD 80 seat, USD 30 paid: USD 50 owed, Bs. 11.822,50 at 236,45.
    const first = rows.first();
    await expect(first.locator('td').nth(6).textContent()).resolves.toBe('USD 50,00');
    await expect(first.locator('td').nth(7).textContent()).resolves.toBe('Bs. 11.822,50');
    await ana.screenshot({ path: screenshotPath('screenshot-reservations.png', RESULTS) });

    await ana.getByLabel(/Buscar por nombre/).fill('t1-1');
    await ana.getByRole('button', { name: 'Buscar', exact: true }).click();
    const sold = ana.locator('[data-testid="reservation-results"] tr[data-status="COMPLETED"]');
    await sold.waitFor();
    await expect(sold.locator('td').nth(3).textContent()).resolves.toBe('VIP-A-1Entradas T1-000001');
    await ana.getByRole('button', { name: 'Ver las reservas por cobrar' }).click();
    await ana.getByTestId('open-reservations').waitFor();
    await ana.getByRole('button', { name: 'Volver a la venta' }).click();
  });

  it('a night past midnight is the day it began: the Z at 00:40 closes the evening before, the next evening closes apart', async () => {
    const { serverTime } = await served.api<{ serverTime: number }>('terminal.status', {});
    // Tomorrow at 23:30 in Caracas (today's business day is already closed by the Z above).
    await served.advanceClock(untilCaracas(serverTime, 1, 23, 30));
    const evening = serverTime + untilCaracas(serverTime, 1, 23, 30);
    await sellAsAna('VIP-C-1', 8000);
    await served.advanceClock(70 * 60_000); // 00:40
    await openScreen('Cierre de caja');
    const report = ana.getByTestId('closing-report');
    await report.waitFor();
    const day = caracasDay(evening);
    await expect(report.getAttribute('data-day')).resolves.toBe(day);
    await ana.getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.getByRole('alertdialog').getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.locator('[data-testid="closing-report"][data-kind="Z"]').waitFor();
    await expect(report.getAttribute('data-day')).resolves.toBe(day);
    const [y, m, d] = day.split('-');
    await expect(report.locator('h2').textContent()).resolves.toContain(
      `Día ${d}/${m}/${y} (de 04:00 a 04:00)`,
    );

    // The next evening sells and closes on its own day: no "day already closed".
    await served.advanceClock(20 * HOUR);
    await sellAsAna('VIP-C-2', 8000);
    await ana.getByRole('button', { name: 'Reporte X (ver)' }).click();
    await ana.getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.getByRole('alertdialog').getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.locator('[data-testid="closing-report"][data-kind="Z"][data-number="3"]').waitFor();
    await expect(report.getAttribute('data-day')).resolves.toBe(caracasDay(evening + 24 * HOUR));
    await expect(ana.getByTestId('closing-error').count()).resolves.toBe(0);
  });
});
