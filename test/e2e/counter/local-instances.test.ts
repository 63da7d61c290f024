import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../dashboard/dashboard-fixture.ts';
import {
  assertChromium,
  ensureRendererBuilt,
  launchChromium,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from './counter-fixture.ts';

/**
 * Browsers do not scope cookies by port: everything on 127.0.0.1 shares one cookie jar. Two
 * terminals on one PC (a counter and a kiosk) and any other local web app live side by side in it.
 */

interface OtherApp {
  origin: string;
  /** The Cookie header of every request the browser made to this app. */
  cookies: string[];
  close: () => Promise<void>;
}

/** Another web app on this PC, on its own port: it serves one page and notes the cookies it gets. */
async function startOtherApp(): Promise<OtherApp> {
  const cookies: string[] = [];
  const server: Server = createServer((req, res) => {
    cookies.push(req.headers.cookie ?? '');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>otra app</title><p>otra app</p>');
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cookies,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe.skipIf(skipE2e)('two terminals and another web app on one PC, in one Chromium', () => {
  let counter: ServedTerminal;
  let kiosk: ServedTerminal;
  let other: OtherApp;
  let browser: Browser;
  let context: BrowserContext;
  let counterPage: Page;

  beforeAll(async () => {
    assertChromium();
    ensureRendererBuilt();
    counter = await serveDemo();
    process.env.TAQUILLA_KIOSK = '1';
    try {
      kiosk = await serveDemo();
    } finally {
      delete process.env.TAQUILLA_KIOSK;
    }
    other = await startOtherApp();
    browser = await launchChromium();
    // One profile, one cookie jar, as on the PC: the counter and the kiosk open in the same browser.
    context = await browser.newContext({ locale: 'es-VE' });
    counterPage = await context.newPage();
    counterPage.setDefaultTimeout(8000);
    await counterPage.goto(counter.url);
    await counterPage.getByRole('button', { name: /Ana Cajera/ }).click();
    await counterPage.locator('#pin').fill('1234');
    await counterPage.getByRole('button', { name: 'Entrar' }).click();
    await counterPage.getByRole('button', { name: /Gala de Zarzuela/ }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await counter?.stop();
    await kiosk?.stop();
    await other?.close();
  });

  it('opening a second terminal (the kiosk, another port) leaves the first one working', async () => {
    const kioskPage = await context.newPage();
    await kioskPage.goto(kiosk.url);
    await kioskPage.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
    // The counter reloads (or calls its API) after the kiosk set its own cookie: still itself.
    await counterPage.reload();
    await counterPage.getByRole('button', { name: /Gala de Zarzuela/ }).click();
    await counterPage.waitForSelector('canvas[data-version]:not([data-version="-1"])');
    // And the kiosk still works after the counter was used again.
    await kioskPage.reload();
    await kioskPage.getByTestId('kiosk-start').waitFor({ timeout: 10_000 });
    await kioskPage.close();
  });

  it("another local web app never receives the terminal's cookie", async () => {
    const page = await context.newPage();
    await page.goto(`${other.origin}/`);
    await page.goto(`${other.origin}/api/session.users`);
    await page.goto(`${other.origin}/t/anything/`);
    await page.close();
    // Three pages (and whatever the browser fetches beside them, e.g. a favicon).
    expect(other.cookies.length).toBeGreaterThanOrEqual(3);
    for (const header of other.cookies) expect(header).not.toMatch(/taquilla/i);
  });

  it("a page on another port cannot send sign-in guesses with the terminal's cookie", async () => {
    const ana = (await counter.api<{ id: number; name: string }[]>('session.users', {})).find(
      (u) => u.name === 'Ana Cajera',
    )!;
    // A browser where only the counter was opened: its cookie is the one in the jar.
    const own = await browser.newContext({ locale: 'es-VE' });
    const counterTab = await own.newPage();
    await counterTab.goto(counter.url);
    // Where the app lives once the token was traded for the cookie: even a page that learnt this
    // address (so the browser does attach the cookie) is refused by its Origin.
    const appUrl = counterTab.url();
    expect(appUrl).toMatch(/\/t\/[\w-]+\/$/);
    const page = await own.newPage();
    await page.goto(`${other.origin}/`);
    const answers = await page.evaluate(
      async ({ targets, userId }) => {
        const out: string[] = [];
        // Six wrong PINs would lock Ana out if any of them reached the PIN check.
        for (let i = 0; i < 6; i++) {
          for (const mode of ['no-cors', 'cors'] as const) {
            try {
              const res = await fetch(targets[i % 2]!, {
                method: 'POST',
                mode,
                credentials: 'include',
                headers: { 'content-type': 'text/plain' },
                body: JSON.stringify({ userId, pin: `000${i}` }),
              });
              out.push(`${mode}:${res.type}:${res.status}`);
            } catch (error) {
              out.push(`${mode}:refused:${String(error)}`);
            }
          }
        }
        return { out, cookie: document.cookie };
      },
      { targets: [`${counter.base}/api/session.signIn`, `${appUrl}api/session.signIn`], userId: ana.id },
    );
    await own.close();
    // The page learns nothing: no readable answer, no cookie.
    expect(answers.cookie).toBe('');
    for (const a of answers.out) expect(a).toMatch(/^(no-cors:opaque:0|cors:refused:)/);
    // And none of the guesses was checked: Ana is not locked out, her PIN still opens the counter.
    await expect(signInAs(counter, 'Ana Cajera', '1234')).resolves.toMatch(/.+/);
  });
});
