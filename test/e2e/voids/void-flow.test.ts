import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/store/database.ts';
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

const RESULTS = join(ROOT, 'test-results/voids');
const THEATRE = /Gala de Zarzuela/;
const ANA = { name: /Ana Cajera/, pin: '1234' };

let served: ServedTerminal;
let browser: Browser;
let ana: Page;
let anaApi: string;
let map: SeatMap;

const seat = (label: string) => map.seats.id[map.seats.label.indexOf(label)]!;

async function seatState(label: string): Promise<string> {
  const snap = await served.api<{ states: string }>('availability.snapshot', { eventId: 1 }, anaApi);
  return snap.states[map.seats.label.indexOf(label)]!;
}

/** A sale of `labels` through the API as Ana (another counter of hers), paid in dollars cash. */
async function sellAsAna(labels: string[], cents: number): Promise<string> {
  await served.api('holds.seats', { eventId: 1, seatIds: labels.map(seat) }, anaApi);
  const paid = await served.api<{ transactionId: string }>(
    'payments.checkout',
    { eventId: 1, tenders: [{ method: 'CASH_USD', amountCents: cents }] },
    anaApi,
  );
  return paid.transactionId;
}

function ticketsOf(transactionId: string): { ticket_number: string; code: string }[] {
  const db = openDatabase(served.dbFile, { readonly: true });
  try {
    return db
      .prepare<[string], { ticket_number: string; code: string }>(
        'SELECT ticket_number, code FROM issued_tickets WHERE transaction_id = ? ORDER BY reserved_ticket_id, place',
      )
      .all(transactionId);
  } finally {
    db.close();
  }
}

/** `taquilla verify-ticket` as a door would run it on the counter's store: its exit code and words. */
function verify(code: string): { status: number; out: string } {
  try {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, 'bin/taquilla.js'), 'verify-ticket', '--code', code, '--db', served.dbFile],
      { cwd: ROOT, stdio: 'pipe' },
    ).toString();
    return { status: 0, out };
  } catch (error) {
    const e = error as { status: number; stdout: Buffer; stderr: Buffer };
    return { status: e.status, out: `${e.stdout.toString()}${e.stderr.toString()}` };
  }
}

describe.skipIf(skipE2e)('void and refund in Chromium', () => {
  beforeAll(async () => {
    assertChromium();
    mkdirSync(RESULTS, { recursive: true });
    ensureRendererBuilt();
    served = await serveDemo();
    browser = await launchChromium();
    anaApi = await signInAs(served, 'Ana Cajera', '1234');
    map = await served.api<SeatMap>('events.seatMap', { eventId: 1 }, anaApi);
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

  it("a cashier voids one ticket of a sale with the supervisor's PIN: the refund is shown, the seat is on sale again on the map, and the door refuses the ticket", async () => {
    const price = map.zones.find((z) => z.code === 'VIP')!.priceCents;
    const transactionId = await sellAsAna(['VIP-A-3', 'VIP-A-4'], 2 * price);
    const [first, second] = ticketsOf(transactionId);
    const number = transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
    expect(await seatState('VIP-A-3')).toBe('s');
    expect(verify(first!.code).status).toBe(0);

    await ana.getByRole('button', { name: 'Anular / devolver', exact: true }).click();
    const screen = ana.getByRole('region', { name: 'Anular / devolver' });
    await screen.getByLabel('Número de venta').fill(number);
    await screen.getByRole('button', { name: 'Buscar' }).click();
    const sale = ana.getByTestId('void-sale');
    await sale.waitFor();
    await expect(ana.getByTestId('void-paid').textContent()).resolves.toContain('Efectivo USD');
    // Both tickets are chosen; leave the second one.
    const tickets = ana.getByTestId('void-ticket');
    await tickets.nth(1).waitFor();
    expect(await tickets.count()).toBe(2);
    await tickets.filter({ hasText: second!.ticket_number }).getByRole('checkbox').uncheck();
    const oneTicket = (price / 100).toFixed(2).replace('.', ',');
    await expect(ana.getByTestId('void-refund').textContent()).resolves.toBe(`A devolver: USD ${oneTicket}`);
    await sale.getByLabel('Motivo').fill('el cliente no puede asistir');
    // Without the PIN the button waits; a wrong PIN is refused in words.
    await expect(sale.getByRole('button', { name: 'Anular y devolver' }).isDisabled()).resolves.toBe(true);
    await sale.getByLabel('PIN del supervisor').fill('0000');
    await sale.getByRole('button', { name: 'Anular y devolver' }).click();
    await ana.getByTestId('void-error').waitFor();
    await sale.getByLabel('PIN del supervisor').fill('9999');
    await sale.getByRole('button', { name: 'Anular y devolver' }).click();
    const done = ana.getByTestId('void-done');
    await done.waitFor();
    await expect(done.locator('li[data-method="CASH_USD"]').textContent()).resolves.toBe(
      `Efectivo USD: USD ${oneTicket}`,
    );
    await ana
      .locator('.notice-success span', { hasText: `Venta ${number}: anulada.` })
      .first()
      .waitFor();
    await ana.locator('[data-testid="void-ticket"][data-voided="1"]').waitFor();
    expect(await ana.locator('[data-testid="void-ticket"][data-voided="1"]').count()).toBe(1);
    await ana.screenshot({ path: screenshotPath('screenshot-void.png', RESULTS), fullPage: true });

    // The seat is free again: the live map lets the next customer take it.
    expect(await seatState('VIP-A-3')).toBe('.');
    expect(await seatState('VIP-A-4')).toBe('s');
    await ana.getByRole('button', { name: 'Anular / devolver', exact: true }).click();
    await clickSeat(ana, map, 'VIP-A-3');
    await ana.locator('.cart-line[data-label="VIP-A-3"]').waitFor();

    // The door: the voided ticket is refused, the other still lets its holder in.
    const refused = verify(first!.code);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toContain('VOID / ANULADO');
    expect(verify(second!.code).status).toBe(0);
  });

  it('a deposit is cancelled from the reservations list: what was paid goes back and the seats are free', async () => {
    await served.api('holds.seats', { eventId: 1, seatIds: [seat('VIP-B-5'), seat('VIP-B-6')] }, anaApi);
    const deposit = await served.api<{ transactionId: string }>(
      'payments.deposit',
      {
        eventId: 1,
        tenders: [{ method: 'CASH_USD', amountCents: 5000 }],
        customer: { name: 'María Pérez', idNumber: 'V-12345678', phone: '04141234567' },
      },
      anaApi,
    );
    const number = deposit.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
    expect(await seatState('VIP-B-5')).toBe('r');

    const back = ana.getByRole('button', { name: 'Volver a la venta' });
    if (await back.isVisible()) await back.click();
    await ana.getByRole('button', { name: 'Reservas', exact: true }).click();
    const row = ana.locator(`[data-testid="open-reservations"] tr[data-number="${number}"]`);
    await row.getByRole('button', { name: 'Anular' }).click();
    const sale = ana.locator('[data-testid="void-sale"][data-status="RESERVED"]');
    await sale.waitFor();
    await expect(ana.getByTestId('void-refund').textContent()).resolves.toBe('A devolver: USD 50,00');
    await sale.getByLabel('Motivo').fill('la clienta desiste');
    await sale.getByLabel('PIN del supervisor').fill('9999');
    await sale.getByRole('button', { name: 'Anular y devolver' }).click();
    await ana.locator('[data-testid="void-done"][data-kind="DEPOSIT"]').waitFor();
    expect(await seatState('VIP-B-5')).toBe('.');
    expect(await seatState('VIP-B-6')).toBe('.');
  });
});
