import type { Browser, Page } from 'playwright-core';
import { type SeatState, seatStateFromCode } from '../../shared/lifecycle.ts';
import type { Counter, SignedIn } from './venue-fixture.ts';

const layouts = new Map<string, Map<number, number>>();

/** A seat's state as this counter's own map has it (its availability snapshot). */
export async function seatState(counter: Counter, who: SignedIn, seatId: number): Promise<SeatState> {
  const key = `${counter.base}`;
  let indexOf = layouts.get(key);
  if (!indexOf) {
    const map = await counter.call('events.seatMap', { eventId: 1 }, who);
    indexOf = new Map(map.seats.id.map((id, i) => [id, i]));
    layouts.set(key, indexOf);
  }
  const snapshot = await counter.call('availability.snapshot', { eventId: 1 }, who);
  return seatStateFromCode(snapshot.states[indexOf.get(seatId)!]!);
}

/** A browser on the counter: signed in and looking at the event's map. */
export async function openCounterPage(
  browser: Browser,
  counter: Counter,
  userName: string,
  pin: string,
  eventName: RegExp,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'es-VE' });
  const page = await context.newPage();
  await page.goto(counter.url);
  await page.getByRole('button', { name: userName }).click();
  await page.locator('#pin').fill(pin);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('button', { name: eventName }).click();
  await page.waitForSelector('canvas[data-version]:not([data-version="-1"])');
  return page;
}

/** What the seat tooltip says: 'LABEL:state' (the label guards against reading another seat). */
export async function tooltipState(page: Page): Promise<string> {
  const tip = page.locator('#seat-tooltip');
  return `${await tip.getAttribute('data-seat')}:${await tip.getAttribute('data-state')}`;
}
