import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { conversionText } from '../../../renderer/src/dashboard/alerts.ts';
import {
  assertChromium,
  ensureRendererBuilt,
  launchChromium,
  ROOT,
  type ServedTerminal,
  serveDemo,
  skipE2e,
} from '../counter/counter-fixture.ts';
import { screenshotPath, signInAs } from './dashboard-fixture.ts';

const RESULTS = join(ROOT, 'test-results/dashboard');

let served: ServedTerminal;
let browser: Browser;
let page: Page;

interface CliEvent {
  eventId: number;
  activeHolds: number;
  expiringWithinHour: number;
  conversionRate: number | null;
  reserved: number;
  sold: number;
  abandonedCarts: number;
  contested: { label: string; refused: number }[];
}

function cli<T>(...args: string[]): T {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'bin/taquilla.js'), ...args, '--db', served.dbFile, '--json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as T;
}

/** Some of everything the dashboard counts: holds, a contested seat, a deposit, a sale, abandoned carts. */
async function activity(): Promise<void> {
  const ana = await signInAs(served, 'Ana Cajera', '1234');
  const beto = await signInAs(served, 'Beto Cajero', '5678').catch(() =>
    signInAs(served, 'Luis Supervisor', '9999'),
  );
  const map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, ana);
  const seat = (label: string) => map.seats.id[map.seats.label.indexOf(label)]!;
  // Ana holds three seats; the other cashier tries one of them four times (contested).
  await served.api(
    'holds.seats',
    { eventId: 1, seatIds: [seat('VIP-C-1'), seat('VIP-C-2'), seat('VIP-C-3')] },
    ana,
  );
  for (let i = 0; i < 4; i++) {
    await served.api('holds.seats', { eventId: 1, seatIds: [seat('VIP-C-2')] }, beto).catch(() => {});
  }
  // Three carts abandoned by the other cashier.
  for (const label of ['PLA-F-1', 'PLA-F-2', 'PLA-F-3']) {
    await served.api('holds.seats', { eventId: 1, seatIds: [seat(label)] }, beto);
    await served.api('holds.clear', { eventId: 1 }, beto);
  }
  // A sale and a deposit, through the payment API.
  await served.api('holds.seats', { eventId: 1, seatIds: [seat('VIP-D-1')] }, beto);
  await served.api(
    'payments.checkout',
    { eventId: 1, tenders: [{ method: 'CASH_USD', amountCents: 10_000 }] },
    beto,
  );
  await served.api('holds.seats', { eventId: 1, seatIds: [seat('VIP-D-2'), seat('VIP-D-3')] }, beto);
  await served.api(
    'payments.deposit',
    {
      eventId: 1,
      tenders: [{ method: 'CASH_USD', amountCents: 6_000 }],
      customer: { name: 'Carmen Díaz', phone: '04161234567' },
    },
    beto,
  );
}

describe.skipIf(skipE2e)('the supervisor dashboard in Chromium', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    served = await serveDemo();
    browser = await launchChromium();
    await activity();
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'es-VE' });
    page = await context.newPage();
    await page.goto(served.url);
    await page.getByRole('button', { name: /Luis Supervisor/ }).click();
    await page.locator('#pin').fill('9999');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('button', { name: 'Tablero' }).click();
    await page.getByTestId('dashboard').waitFor();
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    await page?.screenshot({ path: join(RESULTS, 'failed.png') }).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('shows the same figures `taquilla reservation-stats --json` prints for the same store', async () => {
    const stats = cli<{ events: CliEvent[] }>('reservation-stats');
    expect(stats.events[0]!.activeHolds).toBe(3);
    expect(stats.events[0]!.contested[0]).toMatchObject({ label: 'VIP-C-2', refused: 4 });
    for (const e of stats.events) {
      const kpi = (field: string) => page.getByTestId(`kpi-${e.eventId}-${field}`).textContent();
      await expect(kpi('activeHolds')).resolves.toBe(String(e.activeHolds));
      // Holds of 10 minutes all expire within the hour: the dashboard counts deposits running out instead.
      await expect(kpi('depositsExpiringSoon')).resolves.toBe('0');
      await expect(kpi('conversionRate')).resolves.toBe(conversionText(e.conversionRate));
      await expect(kpi('reserved')).resolves.toBe(String(e.reserved));
      await expect(kpi('sold')).resolves.toBe(String(e.sold));
      await expect(kpi('abandonedCarts')).resolves.toBe(String(e.abandonedCarts));
    }
    const heat = page.locator('canvas.heat-canvas').first();
    await heat.waitFor();
    await expect(heat.getAttribute('data-contested')).resolves.toBe(
      stats.events[0]!.contested.map((c) => `${c.label}:${c.refused}`).join(','),
    );
    const outstanding = cli<{ totals: { reservations: number; balanceCents: number } }>(
      'outstanding-payments',
    );
    const totals = page.getByTestId('outstanding-totals');
    await expect(totals.getAttribute('data-reservations')).resolves.toBe(
      String(outstanding.totals.reservations),
    );
    await expect(totals.getAttribute('data-balance')).resolves.toBe(String(outstanding.totals.balanceCents));
  });

  it('raises alerts that mean something: a contested seat, an abandonment pattern, not ordinary holds', async () => {
    const alerts = page.getByTestId('dashboard-alerts');
    // Three live 10-minute holds are normal: no "vencen en menos de una hora".
    await expect(alerts.textContent()).resolves.not.toContain('menos de una hora');
    await expect(alerts.locator('[data-kind="longHolds"]').count()).resolves.toBe(0);
    await expect(alerts.locator('[data-kind="depositsExpiring"]').count()).resolves.toBe(0);
    await expect(alerts.locator('[data-kind="contested"]').first().textContent()).resolves.toBe(
      'Gala de Zarzuela: el asiento VIP-C-2 tuvo 4 intentos rechazados.',
    );
    await expect(alerts.locator('[data-kind="abandonment"]').count()).resolves.toBe(1);
    await expect(alerts.locator('[data-kind="dueSoon"]').count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('screenshot-dashboard.png', RESULTS), fullPage: false });
  });

  it("shows the business day's takings by payment method, in USD and Bs.", async () => {
    const takings = page.getByTestId('dashboard-takings');
    // A VIP seat (USD 80, paid with a USD 100 bill: USD 20 back) and a deposit of USD 60, cash in dollars.
    await expect(takings.getByTestId('takings-CASH_USD-USD').textContent()).resolves.toBe('USD 140,00');
    await expect(takings.getByTestId('takings-total-usd').textContent()).resolves.toBe('USD 140,00');
    await expect(takings.getByTestId('takings-total-ves').textContent()).resolves.toMatch(
      /^Bs\. [\d.]+,\d\d$/,
    );
  });

  it('follows the change feed, not a timer: quiet means no requests, a hold shows at once', async () => {
    let summaries = 0;
    const count = (r: { url(): string }) => {
      if (r.url().endsWith('/api/dashboard.summary')) summaries++;
    };
    page.on('request', count);
    await page.waitForTimeout(4000);
    // The old screen polled every 3 s; nothing changed, so nothing is asked.
    expect(summaries).toBe(0);
    page.off('request', count);
  });

  it('follows new activity without a reload', async () => {
    const ana = await signInAs(served, 'Ana Cajera', '1234');
    const map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, ana);
    await served.api(
      'holds.seats',
      { eventId: 1, seatIds: [map.seats.id[map.seats.label.indexOf('VIP-E-1')]!] },
      ana,
    );
    const expected = String(cli<{ events: CliEvent[] }>('reservation-stats').events[0]!.activeHolds);
    await page.waitForFunction(
      ([want]) => document.querySelector('[data-testid="kpi-1-activeHolds"]')?.textContent === want,
      [expected],
      { timeout: 8000 },
    );
  });
});
