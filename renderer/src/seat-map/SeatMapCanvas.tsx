import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatMoney, usdToVes } from '../../../shared/money.ts';
import { countdown } from '../countdown.ts';
import { formatTime, moneyLocale, translate } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { drawMap } from './draw-map.ts';
import { GeneralPicker } from './GeneralPicker.tsx';
import { hitTest } from './hit-test.ts';
import { type Direction, nextSeat } from './keyboard-nav.ts';
import {
  betweenViews,
  constrainView,
  ROW_LABELS_FROM_PX,
  scaleForSeatPx,
  seatBounds,
  seatPx,
  viewOf,
} from './map-geometry.ts';
import {
  type Bounds,
  fit,
  MIN_SCALE,
  pan,
  reveal,
  toScreen,
  toWorld,
  type Viewport,
  zoomAt,
} from './viewport.ts';

interface Props {
  store: CounterStore;
  state: CounterState;
  /**
   * What a tap does: 'seats' (the counter, a kiosk's section) holds or releases the seat under it
   * and opens a standing zone's quantity; 'zones' (a kiosk's overview) picks the zone under it.
   */
  pick?: 'seats' | 'zones';
  onZone?: (zoneId: number) => void;
  /** Seats are never closer than this on screen (CSS px between seat centres): a finger's size. */
  minSeatPx?: number;
  /** Keep the view on this zone: a drag stops at its edges. */
  zoneId?: number | null;
  /** Bigger names and no "Ver todo" (the kiosk has its own way back). */
  kiosk?: boolean;
}

const ARROWS: Record<string, Direction> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};
const CLICK_SLOP_PX = 8;
/** A view change asked for (zone list, best available) glides there in this long. */
const GLIDE_MS = 350;
/** How long the seats best-available took stay ringed. */
const HIGHLIGHT_MS = 6000;
/** A best-available pick is shown at most this close (CSS px between seats), with its rows around. */
const REVEAL_SEAT_PX = 28;

/**
 * The seat map on a <canvas>: 50,000 seats are rectangles batched by colour, not DOM nodes. Wheel or
 * pinch zooms, drag pans, a tap holds or releases; the keyboard does the same (arrows, Enter/Space,
 * +/-, 0, Esc). Names of zones, rows and seats appear as the zoom makes room for them. The view
 * transform and what a frame drew are mirrored in data- attributes for tests and the benchmark.
 */
export function SeatMapCanvas({
  store,
  state,
  pick = 'seats',
  onZone,
  minSeatPx,
  zoneId = null,
  kiosk = false,
}: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const placeRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<Viewport>({ scale: 1, tx: 0, ty: 0 });
  const sizeRef = useRef({ width: 0, height: 0 });
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  /** The gesture under way: a tap until it moves, a drag, or a pinch once a second finger lands. */
  const gesture = useRef<{ startX: number; startY: number; moved: boolean; pinch: number | null } | null>(
    null,
  );
  const frame = useRef<number | null>(null);
  const glide = useRef<number | null>(null);
  const cache = useRef<{ image: ImageData | null; visible: Int32Array | null }>({
    image: null,
    visible: null,
  });
  const [hover, setHover] = useState<number>(-1);
  const [focus, setFocusState] = useState<number>(-1);
  const [general, setGeneral] = useState<number | null>(null);
  const highlight = useRef<{ seats: number[]; until: number }>({ seats: [], until: 0 });
  const handledFocus = useRef(0);
  // Until someone moves the map, it keeps showing everything as its box changes size.
  const autoFit = useRef(true);
  // Key handlers read the ref: a key pressed right after focusing must see the new seat.
  const focusRef = useRef(-1);
  const setFocus = useCallback((index: number) => {
    focusRef.current = index;
    setFocusState(index);
  }, []);
  const [, setViewTick] = useState(0);
  const { seatMap, availability, locale } = state;

  const limits = useCallback((): { minScale: number; within: Bounds | null } => {
    const pitch = seatMap?.grid.pitch ?? 1;
    const zone = zoneId === null ? undefined : seatMap?.shapes.get(zoneId);
    return {
      minScale: minSeatPx === undefined ? MIN_SCALE : scaleForSeatPx(pitch, minSeatPx),
      within: zone ? zone.bounds : null,
    };
  }, [seatMap, zoneId, minSeatPx]);

  const draw = useCallback(() => {
    frame.current = null;
    const canvas = canvasRef.current;
    if (!canvas || !seatMap) return;
    const started = performance.now();
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = sizeRef.current;
    const now = performance.now();
    const facts = drawMap(ctx, canvas, {
      model: seatMap,
      view: viewRef.current,
      width,
      height,
      dpr: window.devicePixelRatio || 1,
      seatViews: store.seatViews(),
      freeOf: (id) => availability?.zones.get(id)?.free ?? seatMap.zoneById.get(id)?.capacity ?? 0,
      text: {
        stage: translate(locale, 'map.stage'),
        field: translate(locale, 'map.field'),
        free: (name, n) => `${name} · ${translate(locale, 'zones.free', { n })}`,
      },
      pending: state.pending,
      highlight: highlight.current.until > now ? highlight.current.seats : [],
      hover,
      focus,
      textScale: kiosk ? 1.5 : 1,
      names: pick === 'zones' ? 'zones' : 'all',
      onlyZone: kiosk ? zoneId : null,
      cache: cache.current,
    });
    const v = viewRef.current;
    // Zoomed in past the zones' names: the zone in the middle of the screen is named in a corner.
    const place = placeRef.current;
    if (place) {
      const [cx, cy] = toWorld(v, width / 2, height / 2);
      const middle =
        seatPx(seatMap.grid.pitch, v.scale) >= ROW_LABELS_FROM_PX
          ? hitTest(seatMap.grid, cx, cy, Math.max(width, height) / 2 / v.scale)
          : -1;
      const name = middle >= 0 ? (seatMap.zoneById.get(seatMap.map.seats.zoneId[middle]!)?.name ?? '') : '';
      if (place.textContent !== name) place.textContent = name;
      place.hidden = name === '' || kiosk;
    }
    const data = canvas.dataset;
    data.scale = String(v.scale);
    data.tx = String(v.tx);
    data.ty = String(v.ty);
    data.version = String(availability?.version ?? -1);
    data.drawn = String(Number(data.drawn ?? 0) + 1);
    data.seatPx = facts.seatPx.toFixed(1);
    data.zoneLabels = String(facts.zoneLabels);
    data.rowLabels = String(facts.rowLabels);
    data.seatLabels = String(facts.seatLabels);
    data.landmarks = String(facts.landmarks);
    data.highlight = highlight.current.until > now ? highlight.current.seats.join(',') : '';
    data.focusSeq = String(handledFocus.current);
    data.gliding = glide.current === null ? '0' : '1';
    // What one frame of drawing cost: read by the seat-map benchmark.
    data.drawMs = (performance.now() - started).toFixed(2);
  }, [seatMap, availability, locale, store, hover, focus, state.pending, kiosk, pick, zoneId]);

  const schedule = useCallback(() => {
    if (frame.current === null) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  const stopGlide = useCallback(() => {
    if (glide.current !== null) cancelAnimationFrame(glide.current);
    glide.current = null;
  }, []);

  const setView = useCallback(
    (next: Viewport) => {
      stopGlide();
      autoFit.current = false;
      const { width, height } = sizeRef.current;
      viewRef.current = constrainView(next, width, height, limits());
      schedule();
      setViewTick((n) => n + 1);
    },
    [schedule, stopGlide, limits],
  );

  /** Moves the view to `target` over GLIDE_MS (at once when the system asks for less motion). */
  const glideTo = useCallback(
    (target: Viewport, thenFit = false) => {
      stopGlide();
      autoFit.current = false;
      const { width, height } = sizeRef.current;
      const to = constrainView(target, width, height, limits());
      const from = viewRef.current;
      const reduced = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
      const started = performance.now();
      const step = () => {
        const t = reduced ? 1 : (performance.now() - started) / GLIDE_MS;
        viewRef.current = betweenViews(from, to, t, width, height);
        glide.current = t < 1 ? requestAnimationFrame(step) : null;
        draw();
        if (glide.current === null) {
          autoFit.current = thenFit;
          setViewTick((n) => n + 1);
        }
      };
      glide.current = requestAnimationFrame(step);
      // Said at once, not at the next frame: a test (or anyone) waiting for the map to settle.
      if (canvasRef.current) canvasRef.current.dataset.gliding = '1';
    },
    [draw, stopGlide, limits],
  );

  // Size the canvas to its box (device pixels) and fit the map the first time.
  useLayoutEffect(() => {
    const wrap = wrapRef.current;
    const canvas = canvasRef.current;
    if (!wrap || !canvas || !seatMap) return;
    const resize = () => {
      const rect = wrap.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      sizeRef.current = { width: rect.width, height: rect.height };
      canvas.width = Math.round(rect.width * dpr);
      canvas.height = Math.round(rect.height * dpr);
      canvas.style.width = `${rect.width}px`;
      canvas.style.height = `${rect.height}px`;
      if (autoFit.current && rect.width > 0) viewRef.current = fit(seatMap.bounds, rect.width, rect.height);
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

  useEffect(() => stopGlide, [stopGlide]);

  // A zone chosen in the list, or seats best-available took: glide there (and ring the seats).
  useEffect(() => {
    const request = state.mapFocus;
    if (!request || !seatMap || request.seq === handledFocus.current) return;
    const { width, height } = sizeRef.current;
    if (width === 0) return;
    handledFocus.current = request.seq;
    const { x, y } = seatMap.map.seats;
    const pitch = seatMap.grid.pitch;
    const seats = seatBounds(x, y, request.seats);
    const zone = request.zoneId === null ? undefined : seatMap.shapes.get(request.zoneId);
    const minimum = minSeatPx === undefined ? {} : { minSeatPx };
    if (seats) {
      highlight.current = { seats: request.seats, until: performance.now() + HIGHLIGHT_MS };
      glideTo(viewOf(seats, width, height, pitch, { margin: 80, maxSeatPx: REVEAL_SEAT_PX, ...minimum }));
    } else if (zone) {
      glideTo(viewOf(zone.bounds, width, height, pitch, { margin: 24, ...minimum }));
      // The counter's zone list: a standing zone opens its quantity too (a kiosk asks beside the map).
      const kind = seatMap.zoneById.get(zone.zoneId)?.kind;
      if (kind === 'general' && pick === 'seats' && !kiosk) setGeneral(zone.zoneId);
    } else if (request.zoneId === null) {
      glideTo(fit(seatMap.bounds, width, height), true);
    }
  }, [state.mapFocus, seatMap, glideTo, minSeatPx, pick, kiosk]);

  // A kiosk's section: the view obeys the section's limits from the moment they change.
  useEffect(() => {
    if (sizeRef.current.width > 0 && glide.current === null) setView(viewRef.current);
  }, [limits, setView]);

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

  const worldAt = (clientX: number, clientY: number): [number, number] => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return toWorld(viewRef.current, clientX - rect.left, clientY - rect.top);
  };

  /** The seat under the pointer; a finger's target is the seat's whole cell, and never under 22 px. */
  const seatAt = (clientX: number, clientY: number, reach = 1): number => {
    if (!canvasRef.current || !seatMap) return -1;
    const [wx, wy] = worldAt(clientX, clientY);
    const scale = viewRef.current.scale;
    const pitch = seatMap.grid.pitch;
    const radius = kiosk ? Math.max(pitch * 0.71, 22 / scale) : Math.max(pitch / 2, 6 / scale);
    return hitTest(seatMap.grid, wx, wy, radius * reach);
  };

  const generalZoneAt = (clientX: number, clientY: number): number | null => {
    if (!canvasRef.current || !seatMap) return null;
    const [wx, wy] = worldAt(clientX, clientY);
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

  const onTap = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!seatMap) return;
    if (pick === 'zones') {
      // An overview: the zone of the seat nearest the finger, within a few seats, or the box tapped.
      const index = seatAt(e.clientX, e.clientY, 3);
      const zone = index >= 0 ? seatMap.map.seats.zoneId[index]! : generalZoneAt(e.clientX, e.clientY);
      if (zone !== null) onZone?.(zone);
      return;
    }
    const index = seatAt(e.clientX, e.clientY);
    const tappedZone = index >= 0 ? seatMap.map.seats.zoneId[index]! : null;
    if (kiosk && zoneId !== null && tappedZone !== null && tappedZone !== zoneId) {
      // A faded seat of another zone: that zone is chosen, nothing is held.
      onZone?.(tappedZone);
      return;
    }
    if (index >= 0) {
      setFocus(index);
      setGeneral(null);
      if (e.shiftKey) store.togglePending(index);
      else void store.toggleSeat(index);
      return;
    }
    setGeneral(generalZoneAt(e.clientX, e.clientY));
  };

  const distance = () => {
    const [a, b] = [...pointers.current.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  };
  const middle = () => {
    const [a, b] = [...pointers.current.values()];
    return a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : { x: 0, y: 0 };
  };

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size === 1) {
      gesture.current = { startX: e.clientX, startY: e.clientY, moved: false, pinch: null };
    } else if (gesture.current && pointers.current.size === 2) {
      // A second finger: a pinch, never a tap.
      gesture.current.moved = true;
      gesture.current.pinch = distance();
    }
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const last = pointers.current.get(e.pointerId);
    const g = gesture.current;
    if (!last || !g) {
      if (pointers.current.size === 0 && e.pointerType === 'mouse') {
        const index = pick === 'seats' ? seatAt(e.clientX, e.clientY) : -1;
        if (index !== hover) setHover(index);
      }
      return;
    }
    if (g.pinch !== null && pointers.current.size >= 2) {
      const before = middle();
      pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const after = middle();
      const d = distance();
      const rect = canvasRef.current!.getBoundingClientRect();
      let next = zoomAt(viewRef.current, d / Math.max(1, g.pinch), after.x - rect.left, after.y - rect.top);
      next = pan(next, after.x - before.x, after.y - before.y);
      g.pinch = d;
      setView(next);
      return;
    }
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (!g.moved && Math.abs(e.clientX - g.startX) + Math.abs(e.clientY - g.startY) <= CLICK_SLOP_PX) return;
    g.moved = true;
    setView(pan(viewRef.current, e.clientX - last.x, e.clientY - last.y));
  };

  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const had = pointers.current.delete(e.pointerId);
    const g = gesture.current;
    if (pointers.current.size > 0) {
      // One finger of a pinch lifted: the other goes on as a drag, not a tap.
      if (g) g.pinch = null;
      return;
    }
    gesture.current = null;
    if (had && g && !g.moved && e.type === 'pointerup') onTap(e);
  };

  const moveFocus = (next: number) => {
    if (!seatMap || next < 0) return;
    setFocus(next);
    const { width, height } = sizeRef.current;
    setView(reveal(viewRef.current, seatMap.map.seats.x[next]!, seatMap.map.seats.y[next]!, width, height));
  };

  const showAll = () => {
    if (!seatMap) return;
    const { width, height } = sizeRef.current;
    const zone = zoneId === null ? undefined : seatMap.shapes.get(zoneId);
    glideTo(
      zone
        ? viewOf(zone.bounds, width, height, seatMap.grid.pitch, minSeatPx === undefined ? {} : { minSeatPx })
        : fit(seatMap.bounds, width, height),
      !zone,
    );
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
      showAll();
    } else if (e.key === 'Escape') {
      setFocus(-1);
      setGeneral(null);
      store.clearPending();
      store.dismiss();
    }
  };

  const zoomButton = (factor: number) => {
    const { width, height } = sizeRef.current;
    setView(zoomAt(viewRef.current, factor, width / 2, height / 2));
  };

  // Where the standing zone's quantity shows: over the middle of its box, kept inside the map.
  let pickerAt: { left: number; top: number } | null = null;
  const generalZone = general === null ? undefined : seatMap?.zoneById.get(general);
  if (
    generalZone &&
    generalZone.x !== null &&
    generalZone.y !== null &&
    generalZone.width &&
    generalZone.height
  ) {
    const [sx, sy] = toScreen(
      viewRef.current,
      generalZone.x + generalZone.width / 2,
      generalZone.y + generalZone.height / 2,
    );
    const { width, height } = sizeRef.current;
    pickerAt = {
      left: Math.min(Math.max(8, sx - 150), Math.max(8, width - 308)),
      top: Math.min(Math.max(8, sy + 18), Math.max(8, height - 220)),
    };
  } else if (generalZone) {
    pickerAt = { left: 8, top: 56 };
  }

  // The pointer wins while it is over a seat; the keyboard clears it (see onKeyDown).
  const shown = hover >= 0 ? hover : focus;
  return (
    <div className={`seat-map${kiosk ? ' kiosk-map' : ''}`} ref={wrapRef}>
      <canvas
        ref={canvasRef}
        className="seat-map-canvas"
        tabIndex={0}
        role="application"
        aria-label={translate(locale, 'map.label')}
        aria-describedby="seat-tooltip"
        data-pick={pick}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => setHover(-1)}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (focusRef.current < 0 && pick === 'seats') setFocus(0);
        }}
      />
      <div className="map-place" ref={placeRef} data-testid="map-place" aria-live="polite" hidden />
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
        {!kiosk && (
          <button type="button" onClick={showAll}>
            {translate(locale, 'map.fit')}
          </button>
        )}
      </div>
      {general !== null && pickerAt && (
        <GeneralPicker
          store={store}
          state={state}
          zoneId={general}
          left={pickerAt.left}
          top={pickerAt.top}
          onClose={() => setGeneral(null)}
        />
      )}
      {/* The cashier's seat facts (labels, who holds it); a kiosk's cart says it in the customer's words. */}
      <SeatTooltip
        store={store}
        state={state}
        index={pick === 'seats' && !kiosk ? shown : -1}
        view={viewRef.current}
      />
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
