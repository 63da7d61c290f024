import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { signInAs } from '../dashboard/dashboard-fixture.ts';

/**
 * The tester's finding (issue 11 follow-up): after Ctrl+Enter opened the payment dialog with cash
 * for the whole amount, any Enter confirmed it, a barcode scanner's too: scanning a slip while the
 * dialog was open sold the cart for cash. A scanner types a burst of characters a few milliseconds
 * apart and ends it with Enter; that Enter must never confirm a payment.
 */
const RESULTS = join(ROOT, 'test-results/payments');
const ANA = { name: /Ana Cajera/, pin: '1234' };

let served: ServedTerminal;
let browser: Browser;
let ana: Page;
let map: SeatMap;
let supervisor: string;

async function seatState(label: string): Promise<string> {
  const snapshot = await served.api<{ taken: { seatId: number; state: string }[] }>(
    'availability.snapshot',
    { eventId: 1 },
    supervisor,
  );
  const id = map.seats.id[map.seats.label.indexOf(label)];
  return snapshot.taken.find((s) => s.seatId === id)?.state ?? 'free';
}

describe.skipIf(skipE2e)("a barcode scanner's Enter never confirms a payment, in Chromium", () => {
  beforeAll(async () => {
    assertChromium();
    ensureRendererBuilt();
    served = await serveDemo();
    browser = await launchChromium();
    supervisor = await signInAs(served, 'Luis Supervisor', '9999');
    map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, supervisor);
    ({ page: ana } = await openCounter(browser, served, ANA, /Gala de Zarzuela/));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('a slip scanned while the Ctrl+Enter dialog is open sells nothing; a deliberate Enter then does', async () => {
    for (const label of ['VIP-C-3', 'VIP-C-4']) {
      await clickSeat(ana, map, label);
      await ana.locator(`.cart-line[data-label="${label}"]`).waitFor();
    }
    await ana.keyboard.press('Control+Enter');
    const dialog = ana.getByRole('dialog', { name: 'Cobro' });
    const confirm = dialog.getByRole('button', { name: 'Cobrar total' });
    await expect
      .poll(() => confirm.evaluate((b) => b === document.activeElement), { timeout: 5000 })
      .toBe(true);
    await expect(dialog.getByLabel('Monto (USD) 1').inputValue()).resolves.toBe('160.00');

    // The scanner: a slip code typed machine-fast, then its Enter, with the focus on "Cobrar total".
    await ana.keyboard.type('K7P-XR4');
    await ana.keyboard.press('Enter');
    // Long enough for a sale to have been sent and answered: nothing was sold, and the dialog says why.
    await ana.waitForTimeout(1500);
    await expect(ana.locator('.notice-success').count()).resolves.toBe(0);
    await expect(seatState('VIP-C-4')).resolves.toBe('held');
    await dialog.getByTestId('payment-scan-ignored').waitFor();
    await expect(dialog.getByTestId('payment-scan-ignored').textContent()).resolves.toMatch(
      /^Se leyó un código con el lector: el cobro NO se confirmó/,
    );
    await ana.screenshot({ path: join(RESULTS, 'scanner-burst-ignored.png') });

    // A person's Enter, a moment later, is the confirmation.
    await ana.waitForTimeout(400);
    await expect
      .poll(() => confirm.evaluate((b) => b === document.activeElement), { timeout: 2000 })
      .toBe(true);
    await ana.keyboard.press('Enter');
    await ana.locator('.notice-success').first().waitFor({ timeout: 5000 });
    await expect(seatState('VIP-C-4')).resolves.toBe('sold');
  });
});
