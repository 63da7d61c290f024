/**
 * The counter's seat map in headless Chromium against `taquilla serve`, on the 50,000-seat stadium:
 * time to first paint of the map after choosing the event, and the cost of a pan/zoom frame.
 * Skips (no figures, a note) when Chromium is missing.
 */
import type { Page } from 'playwright-core';
import { buildGrid } from '../../renderer/src/seat-map/hit-test.ts';
import type { SeatMap } from '../../shared/schemas/availability.ts';
import { signInAs } from '../e2e/dashboard/dashboard-fixture.ts';
import {
  CHROMIUM,
  chromiumMissing,
  ensureRendererBuilt,
  launchChromium,
  serveDemo,
} from '../e2e/counter/counter-fixture.ts';
import { type BenchSuite, type Figure, percentile } from './figures.ts';

const STADIUM = /Clásico/;

async function openEventList(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: /Ana Cajera/ }).click();
  await page.locator('#pin').fill('1234');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('button', { name: STADIUM }).waitFor();
}

/** Clicks the event and returns ms until the canvas has drawn the map with its availability. */
async function firstPaint(page: Page): Promise<number> {
  await page.evaluate(() => {
    const button = [...document.querySelectorAll('button.event-card')].find((b) =>
      b.textContent?.includes('Clásico'),
    ) as HTMLButtonElement;
    (window as unknown as { benchStart: number }).benchStart = performance.now();
    button.click();
  });
  const handle = await page.waitForFunction(
    () => {
      const canvas = document.querySelector('canvas.seat-map-canvas') as HTMLCanvasElement | null;
      if (!canvas || !canvas.dataset.version || canvas.dataset.version === '-1') return false;
      return performance.now() - (window as unknown as { benchStart: number }).benchStart;
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

/** Alternating wheel zooms, one per animation frame: draw cost and frame interval per frame. */
async function zoomFrames(page: Page, frames: number): Promise<{ draw: number[]; interval: number[] }> {
  return page.evaluate(async (n) => {
    const canvas = document.querySelector('canvas.seat-map-canvas') as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
    const draw: number[] = [];
    const interval: number[] = [];
    let last = await nextFrame();
    for (let i = 0; i < n; i++) {
      canvas.dispatchEvent(
        new WheelEvent('wheel', {
          deltaY: i % 20 < 10 ? -120 : 120,
          clientX: rect.left + rect.width * 0.5,
          clientY: rect.top + rect.height * 0.4,
          bubbles: true,
          cancelable: true,
        }),
      );
      await nextFrame();
      const now = await nextFrame();
      interval.push((now - last) / 2);
      last = now;
      draw.push(Number(canvas.dataset.drawMs));
    }
    return { draw, interval };
  }, frames);
}

/** Drags the map with the mouse: draw cost of each pan frame. */
async function panFrames(page: Page, steps: number): Promise<number[]> {
  const box = (await page.locator('canvas.seat-map-canvas').boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const draws: number[] = [];
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(x + Math.sin(i / 5) * 200, y + Math.cos(i / 5) * 120);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    draws.push(Number(await page.locator('canvas.seat-map-canvas').getAttribute('data-draw-ms')));
  }
  await page.mouse.up();
  return draws;
}

/**
 * Wheel-zooms at the middle of the map until a seat is `seatPx` CSS pixels apart (close enough
 * for row and seat labels), then pans: the draw cost of the densest frames a cashier sees.
 */
async function zoomInTo(page: Page, scale: number): Promise<void> {
  const canvas = page.locator('canvas.seat-map-canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
  for (let i = 0; i < 80; i++) {
    if (Number(await canvas.getAttribute('data-scale')) >= scale) return;
    await page.mouse.wheel(0, -120);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

export const suite: BenchSuite = {
  name: 'seat-map',
  run: async () => {
    if (chromiumMissing) return { figures: [], notes: { skipped: `no Chromium at ${CHROMIUM}` } };
    ensureRendererBuilt();
    const served = await serveDemo();
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      // tsx (esbuild keepNames) wraps named functions in __name(); give evaluated code a no-op one.
      await context.addInitScript('window.__name = (fn) => fn;');
      const page = await context.newPage();
      await openEventList(page, served.url);
      const cold = await firstPaint(page);
      const warm: number[] = [];
      for (let i = 0; i < 3; i++) {
        await page.getByRole('button', { name: 'Cambiar evento' }).click();
        await page.getByRole('button', { name: STADIUM }).waitFor();
        warm.push(await firstPaint(page));
      }
      await page.waitForTimeout(300);
      const zoom = await zoomFrames(page, 60);
      const pan = await panFrames(page, 30);
      // Zoomed in to ~24 px between seats, near the top of the bowl: every visible seat labelled.
      const supervisor = await signInAs(served, 'Luis Supervisor', '9999');
      const map = await served.api<SeatMap>('events.seatMap', { eventId: 2 }, supervisor);
      const pitch = buildGrid(map.seats.x, map.seats.y).pitch;
      await page.keyboard.press('Escape');
      await page.locator('canvas.seat-map-canvas').focus();
      await page.keyboard.press('0');
      await zoomInTo(page, 24 / pitch);
      const zoomedScale = Number(await page.locator('canvas.seat-map-canvas').getAttribute('data-scale'));
      const zoomedPan = sorted(await panFrames(page, 30));
      const zoomedSeats = Number(
        await page.locator('canvas.seat-map-canvas').getAttribute('data-seat-labels'),
      );
      const zoomDraw = sorted(zoom.draw);
      const zoomInterval = sorted(zoom.interval);
      const panDraw = sorted(pan);
      const figures: Figure[] = [
        {
          key: 'seatmap.stadium.firstPaint.cold',
          label: 'Stadium (50,000 seats): choose event → map painted, first load (ms)',
          value: cold,
          unit: 'ms',
          target: '< 2000 ms',
          met: cold < 2000,
        },
        {
          key: 'seatmap.stadium.firstPaint.warm',
          label: 'Stadium: choose event → map painted, again (median of 3, ms)',
          value: percentile(sorted(warm), 50),
          unit: 'ms',
          target: '< 1000 ms',
          met: percentile(sorted(warm), 50) < 1000,
        },
        {
          key: 'seatmap.stadium.zoom.draw.p50',
          label: 'Stadium: draw one zoom frame, p50 (ms)',
          value: percentile(zoomDraw, 50),
          unit: 'ms',
        },
        {
          key: 'seatmap.stadium.zoom.draw.p95',
          label: 'Stadium: draw one zoom frame, p95 (ms)',
          value: percentile(zoomDraw, 95),
          unit: 'ms',
          target: '< 16.7 ms',
          met: percentile(zoomDraw, 95) < 16.7,
        },
        {
          key: 'seatmap.stadium.zoom.frame.p95',
          label: 'Stadium: frame interval while zooming, p95 (ms)',
          value: percentile(zoomInterval, 95),
          unit: 'ms',
          target: '< 33 ms',
          met: percentile(zoomInterval, 95) < 33,
        },
        {
          key: 'seatmap.stadium.pan.draw.p95',
          label: 'Stadium: draw one pan frame (mouse drag), p95 (ms)',
          value: percentile(panDraw, 95),
          unit: 'ms',
          target: '< 16.7 ms',
          met: percentile(panDraw, 95) < 16.7,
        },
        {
          key: 'seatmap.stadium.zoomedIn.pan.draw.p95',
          label: 'Stadium zoomed in (~24 px a seat, labels): draw one pan frame, p95 (ms)',
          value: percentile(zoomedPan, 95),
          unit: 'ms',
          target: '< 16.7 ms',
          met: percentile(zoomedPan, 95) < 16.7,
        },
      ];
      return {
        figures,
        notes: {
          browser: 'headless Chromium, --disable-gpu (software canvas)',
          viewport: '1440x900',
          warmRuns: warm.map((v) => Math.round(v)),
          zoomedIn: {
            seatPitch: Number(pitch.toFixed(2)),
            scale: Number(zoomedScale.toFixed(2)),
            seatsNamedInLastFrame: zoomedSeats,
          },
        },
      };
    } finally {
      await browser.close();
      await served.stop();
    }
  },
};
