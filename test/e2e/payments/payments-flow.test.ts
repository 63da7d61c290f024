import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

const RESULTS = join(ROOT, 'test-results/payments');
const THEATRE = /Gala de Zarzuela/;
const ANA = { name: /Ana Cajera/, pin: '1234' };

let served: ServedTerminal;
let browser: Browser;
let ana: Page;
let map: SeatMap;
let supervisor: string;

const tender = (page: Page, i: number) => page.getByTestId(`tender-${i}`);

/** Fills tender line `i`: method, amount, and the reference fields by their labels. */
async function fillTender(
  page: Page,
  i: number,
  method: string,
  amount: string,
  fields: Record<string, string> = {},
): Promise<void> {
  const line = tender(page, i);
  await line.locator('select').first().selectOption(method);
  await line.getByLabel(/^Monto/).fill(amount);
  for (const [label, value] of Object.entries(fields))
    await line.getByLabel(new RegExp(`^${label}`)).fill(value);
}

async function holdSeats(page: Page, labels: string[]): Promise<void> {
  for (const label of labels) {
    await clickSeat(page, map, label);
    await page.locator(`.cart-line[data-label="${label}"]`).waitFor();
  }
}

async function seatState(label: string): Promise<string> {
  const snapshot = await served.api<{ taken: { seatId: number; state: string; until: number | null }[] }>(
    'availability.snapshot',
    { eventId: 1 },
    supervisor,
  );
  const id = map.seats.id[map.seats.label.indexOf(label)];
  return snapshot.taken.find((s) => s.seatId === id)?.state ?? 'free';
}

describe.skipIf(skipE2e)('payments at the counter in Chromium against `taquilla serve`', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    served = await serveDemo();
    browser = await launchChromium();
    supervisor = await signInAs(served, 'Luis Supervisor', '9999');
    map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, supervisor);
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
  });

  it('a sale paid in dollars and bolívares shows the balance and the change live, and completes', async () => {
    await holdSeats(ana, ['VIP-A-1']);
    await ana.getByRole('button', { name: 'Cobrar', exact: true }).click();
    await expect(ana.getByTestId('pay-due-usd').textContent()).resolves.toBe('USD 80,00');
    await expect(ana.getByTestId('pay-due-ves').textContent()).resolves.toBe('Bs. 18.916,00');
    await fillTender(ana, 0, 'CASH_USD', '50');
    await expect(ana.getByTestId('pay-remaining').textContent()).resolves.toBe('USD 30,00 · Bs. 7.093,50');
    await ana.getByRole('button', { name: '+ Agregar pago' }).click();
    await fillTender(ana, 1, 'CASH_VES', '5000');
    // Short: the terminal's own rule says so before the cashier presses anything.
    await expect(ana.getByTestId('payment-hint').textContent()).resolves.toContain('Pago insuficiente');
    await fillTender(ana, 1, 'CASH_VES', '8000');
    await expect(ana.getByTestId('pay-remaining').textContent()).resolves.toBe('USD 0,00 · Bs. 0,00');
    await expect(ana.getByTestId('pay-change').textContent()).resolves.toBe('Bs. 906,50');
    await ana.screenshot({ path: screenshotPath('screenshot-payment.png', RESULTS) });
    await ana.getByRole('button', { name: 'Cobrar total' }).click();
    const done = ana.locator('.notice-success span');
    await done.first().waitFor({ timeout: 5000 });
    await expect(done.first().textContent()).resolves.toBe(
      'Venta completada: 1 entrada, USD 80,00 (Bs. 18.916,00). Entregue vuelto: Bs. 906,50.',
    );
    await ana.locator('.cart-empty').waitFor();
    await expect(seatState('VIP-A-1')).resolves.toBe('sold');
  });

  it("speaks a cashier's Spanish: one format for rate and money, refusals field by field, a status bar she reads", async () => {
    // A terminal not enrolled with a central server says so, not "Red: desconocido".
    await expect(ana.getByTestId('status-network').textContent()).resolves.toBe(
      'Sin servidor central (esta caja vende sola)',
    );
    await holdSeats(ana, ['VIP-B-1']);
    await ana.getByRole('button', { name: 'Cobrar', exact: true }).click();
    // The rate as money is written (not "Tasa: 236.4500 Bs./USD" beside "Bs. 18.916,00").
    await expect(ana.getByText('Tasa: USD 1,00 = Bs. 236,45').count()).resolves.toBeGreaterThan(0);
    await fillTender(ana, 0, 'PAGO_MOVIL', '18916', {
      Referencia: '12',
      Teléfono: '04141234567',
      Banco: '0102',
    });
    // The schema's refusal reaches the cashier in Spanish, naming the field.
    await expect(tender(ana, 0).locator('.line-problem').textContent()).resolves.toBe(
      'Referencia: la referencia tiene de 4 a 20 dígitos',
    );
    await ana.screenshot({ path: screenshotPath('screenshot-payment-refusal.png', RESULTS) });
    await ana.getByRole('button', { name: 'Cancelar', exact: true }).click();
    await ana.getByRole('button', { name: 'Vaciar', exact: true }).click();
    await ana.locator('.cart-empty').waitFor();
  });

  it('a deposit below the minimum is refused in Spanish; at the minimum it reserves; later payments complete it', async () => {
    await holdSeats(ana, ['VIP-A-2', 'VIP-A-3']);
    await ana.getByRole('button', { name: 'Cobrar', exact: true }).click();
    await expect(ana.getByTestId('pay-minimum').textContent()).resolves.toContain('USD 48,00');
    await fillTender(ana, 0, 'ZELLE', '20', { Referencia: 'ZL12345' });
    await ana.getByLabel('Nombre').fill('María Pérez');
    await ana.getByLabel('Cédula').fill('v12.345.678');
    await ana.getByLabel('Teléfono', { exact: true }).fill('0414-555.12.12');
    await ana.getByRole('button', { name: 'Reservar con abono' }).click();
    await expect(ana.getByTestId('payment-error').textContent()).resolves.toBe(
      'El abono mínimo es USD 48,00 (30 % del total); entregado USD 20,00.',
    );
    // Pago Móvil in bolívares, exactly USD 50 at the event's rate.
    await fillTender(ana, 0, 'PAGO_MOVIL', '11822,50', {
      Referencia: '00123456',
      Teléfono: '0414-1234567',
      Banco: '0102',
    });
    await expect(ana.getByTestId('pay-remaining').textContent()).resolves.toBe('USD 110,00 · Bs. 26.009,50');
    await ana.getByRole('button', { name: 'Reservar con abono' }).click();
    const reserved = ana.locator('.notice-success span', { hasText: 'Reserva' });
    await reserved.first().waitFor({ timeout: 5000 });
    await expect(reserved.first().textContent()).resolves.toMatch(/pagado USD 50,00, resta USD 110,00/);
    await expect(seatState('VIP-A-3')).resolves.toBe('reserved');

    await ana.getByRole('button', { name: 'Reservas' }).click();
    await ana.getByLabel(/Buscar por nombre/).fill('V-12345678');
    await ana.getByRole('button', { name: 'Buscar', exact: true }).click();
    const row = ana.locator('tr[data-status="RESERVED"]');
    await row.waitFor();
    await expect(row.locator('td').nth(6).textContent()).resolves.toBe('USD 110,00');
    await row.getByRole('button', { name: 'Abonar' }).click();
    await expect(ana.getByTestId('pay-due-usd').textContent()).resolves.toBe('USD 110,00');
    await fillTender(ana, 0, 'CASH_USD', '60');
    await ana.getByRole('button', { name: 'Registrar abono' }).click();
    await ana
      .locator('.notice-success span', { hasText: 'resta USD 50,00' })
      .first()
      .waitFor({ timeout: 5000 });
    // The list is searched again after the notice: on a loaded machine its answer may come later.
    await expect.poll(() => row.locator('td').nth(6).textContent()).toBe('USD 50,00');

    await row.getByRole('button', { name: 'Abonar' }).click();
    await ana.getByTestId('tender-0').getByRole('button', { name: 'Resto' }).click();
    await ana.getByRole('button', { name: 'Registrar abono' }).click();
    await ana
      .locator('.notice-success span', { hasText: 'quedó vendida' })
      .first()
      .waitFor({ timeout: 5000 });
    await ana.locator('tr[data-status="COMPLETED"]').waitFor();
    await expect(seatState('VIP-A-2')).resolves.toBe('sold');
    await ana.getByRole('button', { name: 'Volver a la venta' }).click();
  });

  it('day closing: the X report shows takings by method and currency, Z closes the day once, CSV downloads', async () => {
    await ana.getByRole('button', { name: 'Cierre de caja' }).click();
    const report = ana.getByTestId('closing-report');
    await report.waitFor();
    await expect(report.getAttribute('data-kind')).resolves.toBe('X');
    const row = (method: string) =>
      ana.locator(`[data-testid="closing-totals"] tr[data-method="${method}"] td`);
    // Cash dollars: 50 (sale) + 60 + 50 (instalments); bolívares: 8.000 in, 906,50 back.
    await expect(row('CASH_USD').allTextContents()).resolves.toEqual([
      'Efectivo USD',
      'USD',
      '3',
      'USD 160,00',
      'USD 0,00',
      'USD 160,00',
      'USD 160,00',
    ]);
    await expect(row('CASH_VES').allTextContents()).resolves.toEqual([
      'Efectivo Bs.',
      'Bs.',
      '1',
      'Bs. 8.000,00',
      'Bs. 906,50',
      'Bs. 7.093,50',
      'USD 30,00',
    ]);
    await expect(row('PAGO_MOVIL').nth(3).textContent()).resolves.toBe('Bs. 11.822,50');
    await expect(ana.getByTestId('closing-totals-usd').textContent()).resolves.toBe('USD 240,00');

    await ana.getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.getByRole('alertdialog').getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.locator('[data-testid="closing-report"][data-kind="Z"]').waitFor();
    await expect(report.getAttribute('data-number')).resolves.toBe('1');
    const [download] = await Promise.all([
      ana.waitForEvent('download'),
      ana.getByRole('button', { name: 'Exportar CSV' }).first().click(),
    ]);
    const csv = await download.path().then((path) => readFileSync(path, 'utf8'));
    expect(download.suggestedFilename()).toMatch(/^z-1-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv).toContain('Z,1,');
    expect(csv).toContain('CASH_VES,VES,1,8000.00,906.50,7093.50,30.00');

    await ana.getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await ana.getByRole('alertdialog').getByRole('button', { name: 'Reporte Z (cerrar el día)' }).click();
    await expect(ana.getByTestId('closing-error').textContent()).resolves.toMatch(
      /^El día .+ de Ana Cajera ya fue cerrado \(Z n\.º 1\)\.$/,
    );
    await ana.getByRole('button', { name: 'Volver a la venta' }).click();
  });

  it('a payment on a reservation that expired meanwhile is refused and the cashier is told why', async () => {
    await holdSeats(ana, ['VIP-A-4']);
    await ana.getByRole('button', { name: 'Cobrar', exact: true }).click();
    await fillTender(ana, 0, 'CASH_USD', '30');
    await ana.getByLabel('Nombre').fill('José Rivas');
    await ana.getByLabel('Teléfono', { exact: true }).fill('04125550000');
    await ana.getByRole('button', { name: 'Reservar con abono' }).click();
    await ana.locator('.notice-success span', { hasText: 'Reserva' }).first().waitFor({ timeout: 5000 });

    await ana.getByRole('button', { name: 'Reservas' }).click();
    await ana.getByLabel(/Buscar por nombre/).fill('jose rivas');
    await ana.getByRole('button', { name: 'Buscar', exact: true }).click();
    await ana.locator('tr[data-status="RESERVED"]').getByRole('button', { name: 'Abonar' }).click();
    await fillTender(ana, 0, 'CASH_USD', '50');
    // The customer took too long: past the 72 h of the reservation.
    await served.advanceClock(73 * 3600_000);
    await ana.getByRole('button', { name: 'Registrar abono' }).click();
    await expect(ana.getByTestId('payment-error').textContent()).resolves.toMatch(
      /^La reserva de José Rivas venció a las .+: ya no admite pagos y sus asientos se liberaron\.$/,
    );
    await ana.screenshot({ path: join(RESULTS, 'expired-reservation.png') });
    await expect(seatState('VIP-A-4')).resolves.toBe('free');
  });
});
