import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatMoney, usdToVes } from '../../../shared/money.ts';
import { countdown } from '../countdown.ts';
import { formatTime, moneyLocale, translate } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { FOCUS_COLOR, FREE_FALLBACK, MINE_RING, SEAT_COLORS } from './colors.ts';
import { hitTest } from './hit-test.ts';
import { paintSeatPixels, pixelColor } from './pixel-painter.ts';
import { type Direction, nextSeat } from './keyboard-nav.ts';
import { fit, pan, reveal, toScreen, toWorld, type Viewport, zoomAt } from './viewport.ts';

interface Props {
  store: CounterStore;
  state: CounterState;
  onGeneralZone: (zoneId: number) => void;
}

const ARROWS: Record<string, Direction> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};
const CLICK_SLOP_PX = 5;
/** Seats up to this many device pixels wide are painted as pixels, not paths. */
const PIXEL_MODE_MAX_PX = 7;

/**
 * The seat map on a <canvas>: 50,000 seats are rectangles batched by colour, not DOM nodes. Wheel
 * zooms at the pointer, drag pans, click holds or releases; the keyboard does the same (arrows,
 * Enter/Space, +/-, 0, Esc). The view transform is mirrored in data- attributes for tests.
 */
export function SeatMapCanvas({ store, state, onGeneralZone }: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<Viewport>({ scale: 1, tx: 0, ty: 0 });
  const sizeRef = useRef({ width: 0, height: 0 });
  const drag = useRef<{ x: number; y: number; moved: boolean; id: number } | null>(null);
  const frame = useRef<number | null>(null);
  const imageRef = useRef<ImageData | null>(null);
  const [hover, setHover] = useState<number>(-1);
  const [focus, setFocusState] = useState<number>(-1);
  // Key handlers read the ref: a key pressed right after focusing must see the new seat.
  const focusRef = useRef(-1);
  const setFocus = useCallback((index: number) => {
    focusRef.current = index;
    setFocusState(index);
  }, []);
  const [, setViewTick] = useState(0);
  const { seatMap, availability, locale } = state;

  const draw = useCallback(() => {
    frame.current = null;
    const canvas = canvasRef.current;
    if (!canvas || !seatMap) return;
    const started = performance.now();
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = sizeRef.current;
    const v = viewRef.current;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const { map, grid } = seatMap;
    const size = Math.max(1.5, grid.pitch * 0.8 * v.scale);
    const half = size / 2;
    const xs = map.seats.x;
    const ys = map.seats.y;
    const zoneIds = map.seats.zoneId;
    const zoneIndex = new Map(map.zones.map((z, i) => [z.id, i]));
    const mine = new Path2D();
    const viewOf = store.seatViews();
    if (size * dpr <= PIXEL_MODE_MAX_PX) {
      // Zoomed out: seats are a few pixels; write them straight into an image buffer.
      const freeColors = map.zones.map((z) => pixelColor(z.color ?? FREE_FALLBACK));
      const stateColors = {
        held: pixelColor(SEAT_COLORS.held),
        reserved: pixelColor(SEAT_COLORS.reserved),
        sold: pixelColor(SEAT_COLORS.sold),
        blocked: pixelColor(SEAT_COLORS.blocked),
      };
      let image = imageRef.current;
      if (!image || image.width !== canvas.width || image.height !== canvas.height) {
        image = ctx.createImageData(canvas.width, canvas.height);
        imageRef.current = image;
      }
      paintSeatPixels(
        new Uint32Array(image.data.buffer),
        image.width,
        image.height,
        xs,
        ys,
        v,
        dpr,
        size * dpr,
        (i) => {
          const view = viewOf(i);
          if (view === 'free') return freeColors[zoneIndex.get(zoneIds[i]!) ?? 0]!;
          if (view === 'mine') {
            mine.rect(xs[i]! * v.scale + v.tx - half, ys[i]! * v.scale + v.ty - half, size, size);
            return 0;
          }
          return stateColors[view];
        },
      );
      ctx.putImageData(image, 0, 0);
    } else {
      // Zoomed in: one path per colour, only for seats on screen.
      const freePaths = map.zones.map(() => new Path2D());
      const paths = {
        held: new Path2D(),
        reserved: new Path2D(),
        sold: new Path2D(),
        blocked: new Path2D(),
      };
      for (let i = 0; i < xs.length; i++) {
        const sx = xs[i]! * v.scale + v.tx;
        const sy = ys[i]! * v.scale + v.ty;
        if (sx < -size || sy < -size || sx > width + size || sy > height + size) continue;
        const view = viewOf(i);
        const path =
          view === 'free'
            ? freePaths[zoneIndex.get(zoneIds[i]!) ?? 0]!
            : view === 'mine'
              ? mine
              : paths[view];
        path.rect(sx - half, sy - half, size, size);
      }
      map.zones.forEach((zone, i) => {
        ctx.fillStyle = zone.color ?? FREE_FALLBACK;
        ctx.fill(freePaths[i]!);
      });
      for (const view of ['sold', 'blocked', 'reserved', 'held'] as const) {
        ctx.fillStyle = SEAT_COLORS[view];
        ctx.fill(paths[view]);
      }
    }
    ctx.fillStyle = SEAT_COLORS.mine;
    ctx.fill(mine);
    ctx.strokeStyle = MINE_RING;
    ctx.lineWidth = Math.max(1, Math.min(2, size / 6));
    ctx.stroke(mine);
    // General admission areas (drawn after the seats: putImageData replaces what is under it).
    for (const zone of map.zones) {
      if (zone.kind !== 'general' || zone.x === null || zone.y === null || !zone.width || !zone.height)
        continue;
      const [x, y] = toScreen(v, zone.x, zone.y);
      ctx.fillStyle = `${zone.color ?? FREE_FALLBACK}33`;
      ctx.strokeStyle = zone.color ?? FREE_FALLBACK;
      ctx.lineWidth = 1.5;
      ctx.fillRect(x, y, zone.width * v.scale, zone.height * v.scale);
      ctx.strokeRect(x, y, zone.width * v.scale, zone.height * v.scale);
      const free = availability?.zones.get(zone.id)?.free ?? zone.capacity;
      ctx.fillStyle = '#0f172a';
      ctx.font = '600 13px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(
        `${zone.name} · ${translate(locale, 'zones.free', { n: free.toLocaleString(locale === 'es' ? 'es-VE' : 'en') })}`,
        x + (zone.width * v.scale) / 2,
        y + (zone.height * v.scale) / 2,
      );
    }
    // The Shift-picked group: dashed outlines until it is held.
    if (state.pending.length > 0) {
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = SEAT_COLORS.mine;
      ctx.lineWidth = 2;
      for (const index of state.pending) {
        const [sx, sy] = toScreen(v, xs[index]!, ys[index]!);
        ctx.strokeRect(sx - half - 2, sy - half - 2, size + 4, size + 4);
      }
      ctx.setLineDash([]);
    }
    for (const [index, color, widthPx] of [
      [hover, '#64748b', 1.5],
      [focus, FOCUS_COLOR, 2.5],
    ] as const) {
      if (index < 0) continue;
      const [sx, sy] = toScreen(v, xs[index]!, ys[index]!);
      ctx.strokeStyle = color;
      ctx.lineWidth = widthPx;
      ctx.strokeRect(sx - half - 3, sy - half - 3, size + 6, size + 6);
    }
    const canvasEl = canvas;
    canvasEl.dataset.scale = String(v.scale);
    canvasEl.dataset.tx = String(v.tx);
    canvasEl.dataset.ty = String(v.ty);
    canvasEl.dataset.version = String(availability?.version ?? -1);
    canvasEl.dataset.drawn = String(Number(canvasEl.dataset.drawn ?? 0) + 1);
    // What one frame of drawing cost: read by the seat-map benchmark.
    canvasEl.dataset.drawMs = (performance.now() - started).toFixed(2);
  }, [seatMap, availability, locale, store, hover, focus, state.pending]);

  const schedule = useCallback(() => {
    if (frame.current === null) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  const setView = useCallback(
    (next: Viewport) => {
      viewRef.current = next;
      schedule();
      setViewTick((n) => n + 1);
    },
    [schedule],
  );

  // Size the canvas to its box (device pixels) and fit the map the first time.
  useLayoutEffect(() => {
    const wrap = wrapRef.current;
    const canvas = canvasRef.current;
    if (!wrap || !canvas || !seatMap) return;
    let fitted = false;
    const resize = () => {
      const rect = wrap.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      sizeRef.current = { width: rect.width, height: rect.height };
      canvas.width = Math.round(rect.width * dpr);
      canvas.height = Math.round(rect.height * dpr);
      canvas.style.width = `${rect.width}px`;
      canvas.style.height = `${rect.height}px`;
      if (!fitted && rect.width > 0) {
        fitted = true;
        viewRef.current = fit(seatMap.grid.bounds, rect.width, rect.height);
      }
      draw();
    };
    resize();
    const observer = new ResizeObserver(resize);
    observer.observe(wrap);
    return () => observer.disconnect();
    // Re-fit only for a new map.
  }, [seatMap]);

  useEffect(() => {
    schedule();
  }, [schedule, state.revision]);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      setView(
        zoomAt(viewRef.current, Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top),
      );
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [setView]);

  const seatAt = (clientX: number, clientY: number): number => {
    const canvas = canvasRef.current;
    if (!canvas || !seatMap) return -1;
    const rect = canvas.getBoundingClientRect();
    const [wx, wy] = toWorld(viewRef.current, clientX - rect.left, clientY - rect.top);
    const minRadius = 6 / viewRef.current.scale;
    return hitTest(seatMap.grid, wx, wy, Math.max(seatMap.grid.pitch / 2, minRadius));
  };

  const generalZoneAt = (clientX: number, clientY: number): number | null => {
    const canvas = canvasRef.current;
    if (!canvas || !seatMap) return null;
    const rect = canvas.getBoundingClientRect();
    const [wx, wy] = toWorld(viewRef.current, clientX - rect.left, clientY - rect.top);
    const zone = seatMap.map.zones.find(
      (z) =>
        z.kind === 'general' &&
        z.x !== null &&
        z.y !== null &&
        z.width !== null &&
        z.height !== null &&
        wx >= z.x &&
        wx <= z.x + z.width &&
        wy >= z.y &&
        wy <= z.y + z.height,
    );
    return zone?.id ?? null;
  };

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (d) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (d.moved || Math.abs(dx) + Math.abs(dy) > CLICK_SLOP_PX) {
        d.moved = true;
        d.x = e.clientX;
        d.y = e.clientY;
        setView(pan(viewRef.current, dx, dy));
      }
      return;
    }
    const index = seatAt(e.clientX, e.clientY);
    if (index !== hover) setHover(index);
  };

  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved) return;
    const index = seatAt(e.clientX, e.clientY);
    if (index >= 0) {
      setFocus(index);
      if (e.shiftKey) store.togglePending(index);
      else void store.toggleSeat(index);
      return;
    }
    const zoneId = generalZoneAt(e.clientX, e.clientY);
    if (zoneId !== null) onGeneralZone(zoneId);
  };

  const moveFocus = (next: number) => {
    if (!seatMap || next < 0) return;
    setFocus(next);
    const { width, height } = sizeRef.current;
    setView(reveal(viewRef.current, seatMap.map.seats.x[next]!, seatMap.map.seats.y[next]!, width, height));
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    if (!seatMap) return;
    if (hover >= 0) setHover(-1);
    const { width, height } = sizeRef.current;
    const direction = ARROWS[e.key];
    if (direction) {
      e.preventDefault();
      const from = focusRef.current;
      moveFocus(from < 0 ? 0 : nextSeat(seatMap.map.seats.x, seatMap.map.seats.y, from, direction));
    } else if ((e.key === 'Enter' || e.key === ' ') && !e.ctrlKey) {
      e.preventDefault();
      if (focusRef.current < 0) moveFocus(0);
      else if (e.shiftKey) store.togglePending(focusRef.current);
      else if (state.pending.length > 0) void store.holdPending();
      else void store.toggleSeat(focusRef.current);
    } else if (e.key === '+' || e.key === '=') {
      setView(zoomAt(viewRef.current, 1.25, width / 2, height / 2));
    } else if (e.key === '-') {
      setView(zoomAt(viewRef.current, 0.8, width / 2, height / 2));
    } else if (e.key === '0') {
      setView(fit(seatMap.grid.bounds, width, height));
    } else if (e.key === 'Escape') {
      setFocus(-1);
      store.clearPending();
      store.dismiss();
    }
  };

  const zoomButton = (factor: number) => {
    const { width, height } = sizeRef.current;
    setView(zoomAt(viewRef.current, factor, width / 2, height / 2));
  };

  // The pointer wins while it is over a seat; the keyboard clears it (see onKeyDown).
  const shown = hover >= 0 ? hover : focus;
  return (
    <div className="seat-map" ref={wrapRef}>
      <canvas
        ref={canvasRef}
        className="seat-map-canvas"
        tabIndex={0}
        role="application"
        aria-label={translate(locale, 'map.label')}
        aria-describedby="seat-tooltip"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(-1)}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (focusRef.current < 0) setFocus(0);
        }}
      />
      {state.pending.length > 0 && (
        <div className="pending-bar">
          <button type="button" className="primary" onClick={() => void store.holdPending()}>
            {translate(locale, 'map.holdSelection', { n: state.pending.length })}
          </button>
          <button type="button" onClick={() => store.clearPending()}>
            {translate(locale, 'map.clearSelection')}
          </button>
        </div>
      )}
      <div className="map-controls">
        <button type="button" onClick={() => zoomButton(1.25)} aria-label={translate(locale, 'map.zoomIn')}>
          +
        </button>
        <button type="button" onClick={() => zoomButton(0.8)} aria-label={translate(locale, 'map.zoomOut')}>
          −
        </button>
        <button
          type="button"
          onClick={() =>
            seatMap && setView(fit(seatMap.grid.bounds, sizeRef.current.width, sizeRef.current.height))
          }
        >
          {translate(locale, 'map.fit')}
        </button>
      </div>
      <SeatTooltip store={store} state={state} index={shown} view={viewRef.current} />
    </div>
  );
}

function SeatTooltip({
  store,
  state,
  index,
  view,
}: {
  store: CounterStore;
  state: CounterState;
  index: number;
  view: Viewport;
}) {
  const { seatMap, availability, locale, cart } = state;
  if (!seatMap || index < 0) return <div id="seat-tooltip" className="seat-tooltip hidden" role="status" />;
  const seats = seatMap.map.seats;
  const zone = seatMap.zoneById.get(seats.zoneId[index]!);
  const price = seats.priceCents[index]!;
  const rate = cart?.vesPerUsd ?? state.event?.vesPerUsd ?? '1';
  const seatView = store.viewOf(index);
  const holder = availability?.holders.get(seats.id[index]!);
  let stateText = translate(locale, `seat.${seatView}`);
  if (seatView === 'mine' && holder?.until) {
    stateText += ` · ${translate(locale, 'seat.left', { time: countdown(holder.until, store.serverNow()).text })}`;
  } else if ((seatView === 'held' || seatView === 'reserved') && holder?.until) {
    stateText += ` · ${translate(locale, 'seat.until', { time: formatTime(locale, holder.until) })}`;
  }
  const [sx, sy] = toScreen(view, seats.x[index]!, seats.y[index]!);
  return (
    <div
      id="seat-tooltip"
      className={`seat-tooltip state-${seatView}`}
      role="status"
      data-seat={seats.label[index]}
      data-state={seatView}
      style={{ left: `${sx + 14}px`, top: `${sy + 14}px` }}
    >
      <strong>{seats.label[index]}</strong>
      <span>
        {zone?.name} · {formatMoney({ currency: 'USD', cents: price }, moneyLocale(locale))} ·{' '}
        {formatMoney({ currency: 'VES', cents: usdToVes(price, rate) }, moneyLocale(locale))}
      </span>
      <em>{stateText}</em>
    </div>
  );
}
