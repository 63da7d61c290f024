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

const RESULTS = join(ROOT, 'test-results/kiosk');

let served: ServedTerminal;
let browser: Browser;
let page: Page;

async function tryPin(pin: string): Promise<string> {
  const dialog = page.getByRole('form', { name: 'Salir del modo quiosco' });
  await dialog.locator('#supervisor-pin').fill(pin);
  const before = await page
    .getByTestId('kiosk-exit-status')
    .textContent({ timeout: 100 })
    .catch(() => null);
  await dialog.getByRole('button', { name: 'Salir del modo quiosco' }).click();
  const status = page.getByTestId('kiosk-exit-status');
  await expect.poll(async () => status.textContent().catch(() => null), { timeout: 5000 }).not.toBe(before);
  return (await status.textContent())!;
}

describe.skipIf(skipE2e)('leaving kiosk mode in Chromium: the supervisor PIN is counted and locks', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    process.env.TAQUILLA_KIOSK = '1';
    try {
      served = await serveDemo();
    } finally {
      delete process.env.TAQUILLA_KIOSK;
    }
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-VE' });
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

  it('counts down the attempts left, then locks the dialog with the time it ends', async () => {
    await page.keyboard.press('Control+Shift+Q');
    await page.getByRole('form', { name: 'Salir del modo quiosco' }).waitFor();
    for (const left of [4, 3, 2, 1]) {
      await expect(tryPin('1111')).resolves.toBe(`PIN incorrecto. Intentos restantes: ${left}.`);
    }
    await expect(tryPin('2222')).resolves.toMatch(
      /^PIN de supervisor bloqueado por demasiados intentos\. Intente de nuevo a las \d\d:\d\d:\d\d\.$/,
    );
    await expect(page.locator('#supervisor-pin').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: join(RESULTS, 'kiosk-exit-locked.png') });
    // The lock is the terminal's, not the page's: the right PIN from another kiosk session is refused.
    const kiosk = await served.api<{ sessionToken: string }>('kiosk.start', {});
    await expect(
      served.api('session.supervisorOverride', { pin: '9999' }, kiosk.sessionToken),
    ).rejects.toThrow(/LOCKED_OUT.*supervisor-override/);
  });

  it('opens again when the lock ends, and the supervisor PIN is accepted', async () => {
    await served.advanceClock(5 * 60_000 + 1000);
    // The page learns the server's time with its next status refresh (every 5 s).
    await expect.poll(() => page.locator('#supervisor-pin').isDisabled(), { timeout: 8000 }).toBe(false);
    await expect(page.getByTestId('kiosk-exit-status').count()).resolves.toBe(0);
    const dialog = page.getByRole('form', { name: 'Salir del modo quiosco' });
    await dialog.locator('#supervisor-pin').fill('9999');
    await dialog.getByRole('button', { name: 'Salir del modo quiosco' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.locator('.notice-info').first().textContent()).resolves.toContain(
      'PIN de supervisor aceptado.',
    );
  });
});
