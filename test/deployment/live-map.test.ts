import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import {
  assertChromium,
  ensureRendererBuilt,
  hoverSeat,
  launchChromium,
  skipE2e,
} from '../e2e/counter/counter-fixture.ts';
import { openCounterPage, seatState, tooltipState } from './browser.ts';
import { CASH, type Counter, type SignedIn, startVenue, THEATRE, type Venue } from './venue-fixture.ts';

/**
 * One live map for the venue (finding 3): a hold or sale on any counter shows on every other
 * counter's map, through the server's change feed; when that feed is down, the counter says so.
 */
let venue: Venue;
let a: Counter;
let b: Counter;
let c: Counter;
let ana: SignedIn;
let beto: SignedIn;
let luis: SignedIn;
let map: SeatMap;
const GENERAL = 7;

function seat(label: string): number {
  const i = map.seats.label.indexOf(label);
  if (i < 0) throw new Error(`no seat ${label}`);
  return map.seats.id[i]!;
}

beforeAll(async () => {
  venue = await startVenue();
  [a, b, c] = venue.counters as [Counter, Counter, Counter];
  [ana, beto, luis] = await Promise.all([a.signIn('ana'), b.signIn('beto'), c.signIn('luis')]);
  map = await a.call('events.seatMap', { eventId: THEATRE }, ana);
});
afterAll(async () => {
  await venue?.close();
});

describe('every counter follows the venue’s map', () => {
  it('a hold on one counter shows as held on the others within a second', async () => {
    const x = seat('VIP-B-1');
    const before = await b.call('availability.snapshot', { eventId: THEATRE }, beto);
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [x] }, ana);
    for (const [counter, who] of [
      [b, beto],
      [c, luis],
    ] as const) {
      await venue.eventually(() => seatState(counter, who, x).then((s) => expect(s).toBe('held')), 1000);
    }
    // The feed carries it too: a screen following from its version is told the seat changed.
    const changes = await b.call(
      'availability.changes',
      { eventId: THEATRE, sinceVersion: before.version },
      beto,
    );
    expect(changes.reset === false && changes.seats.find((s) => s.seatId === x)?.state).toBe('held');
    // And the hold is not the other counters' own.
    const snapshot = await b.call('availability.snapshot', { eventId: THEATRE }, beto);
    expect(snapshot.taken.find((t) => t.seatId === x)).toMatchObject({ state: 'held' });
    expect(snapshot.taken.find((t) => t.seatId === x)?.sessionId).not.toBe(beto.sessionId);
  });

  it('a sale and a release on one counter show on the others within a second', async () => {
    const [x, y] = [seat('VIP-B-2'), seat('VIP-B-3')];
    await b.call('holds.seats', { eventId: THEATRE, seatIds: [x, y] }, beto);
    await b.call('holds.releaseSeats', { eventId: THEATRE, seatIds: [y] }, beto);
    await b.call('payments.checkout', { eventId: THEATRE, tenders: [CASH] }, beto);
    await venue.eventually(async () => {
      expect(await seatState(a, ana, x)).toBe('sold');
      expect(await seatState(c, luis, x)).toBe('sold');
      expect(await seatState(a, ana, y)).toBe('free');
    }, 1000);
  });

  it('standing places taken on one counter leave the zone on the others', async () => {
    const free = async (counter: Counter, who: SignedIn) =>
      (await counter.call('availability.snapshot', { eventId: THEATRE }, who)).zones.find(
        (z) => z.zoneId === GENERAL,
      )!.free;
    const before = await free(c, luis);
    await a.call('holds.general', { eventId: THEATRE, zoneId: GENERAL, quantity: 4 }, ana);
    await venue.eventually(async () => expect(await free(c, luis)).toBe(before - 4), 1000);
  });

  it('a counter cut off from the server stops claiming a live map, and catches up when the link returns', async () => {
    const status = () => c.call('terminal.status', {}, luis);
    expect(await status()).toMatchObject({ network: 'online', venueFeed: 'live' });
    await c.link('refuse');
    await venue.eventually(async () => expect(await status()).toMatchObject({ venueFeed: 'down' }), 3000);
    // Meanwhile a sale elsewhere...
    const x = seat('VIP-C-1');
    await a.call('holds.seats', { eventId: THEATRE, seatIds: [x] }, ana);
    expect(await seatState(c, luis, x)).toBe('free');
    await c.link('pass');
    await venue.eventually(async () => expect(await status()).toMatchObject({ venueFeed: 'live' }), 5000);
    await venue.eventually(async () => expect(await seatState(c, luis, x)).toBe('held'), 1000);
  });
});

describe.skipIf(skipE2e)('the venue’s map in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    assertChromium();
    ensureRendererBuilt();
    browser = await launchChromium();
    page = await openCounterPage(browser, b, 'Beto Cajero', '5678', /Gala de Zarzuela/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('a seat another counter holds turns "held" on this counter’s map within a second', async () => {
    await hoverSeat(page, map, 'VIP-D-7');
    await venue.eventually(async () => expect(await tooltipState(page)).toBe('VIP-D-7:free'), 2000);
    await c.call('holds.seats', { eventId: THEATRE, seatIds: [seat('VIP-D-7')] }, luis);
    await venue.eventually(async () => expect(await tooltipState(page)).toBe('VIP-D-7:held'), 1000);
  });

  it('with the link cut, the status bar says so in Spanish and stops saying "en vivo"', async () => {
    const live = page.getByTestId('status-live');
    await venue.eventually(async () => expect(await live.textContent()).toContain('en vivo'), 3000);
    await b.link('stall');
    await venue.eventually(async () => {
      expect(await page.getByTestId('status-network').textContent()).toContain(
        'Sin conexión con el servidor',
      );
      expect(await live.textContent()).not.toContain('en vivo');
    }, 4000);
    // "Reconectar" is offered while the link is down; once it is back, it brings the counter back now.
    await page.getByTestId('reconnect').waitFor();
    await b.link('pass');
    await page.getByTestId('reconnect').click();
    await venue.eventually(async () => expect(await live.textContent()).toContain('en vivo'), 6000);
    await expect(page.getByTestId('status-network').textContent()).resolves.toContain('En línea');
  });
});
