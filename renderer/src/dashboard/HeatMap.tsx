import { useEffect, useRef } from 'react';
import type { ContestedSeat } from '../../../shared/api/dashboard.ts';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { heat, heatColor } from './alerts.ts';

/**
 * Contested seats drawn where they are on the event's map: every seat a faint dot, contested ones
 * coloured by how many hold attempts were refused on them.
 */
export function HeatMap({
  map,
  contested,
  label,
}: {
  map: SeatMap;
  contested: ContestedSeat[];
  label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    const width = el.clientWidth || 320;
    const height = el.clientHeight || 220;
    const dpr = window.devicePixelRatio || 1;
    el.width = width * dpr;
    el.height = height * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const { x, y } = map.seats;
    if (x.length === 0) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < x.length; i++) {
      minX = Math.min(minX, x[i]!);
      maxX = Math.max(maxX, x[i]!);
      minY = Math.min(minY, y[i]!);
      maxY = Math.max(maxY, y[i]!);
    }
    const pad = 12;
    const scale = Math.min(
      (width - 2 * pad) / Math.max(1, maxX - minX),
      (height - 2 * pad) / Math.max(1, maxY - minY),
    );
    const r = Math.max(1, Math.min(6, scale * 0.4));
    const px = (i: number) => pad + (x[i]! - minX) * scale;
    const py = (i: number) => pad + (y[i]! - minY) * scale;
    ctx.fillStyle = '#cbd5e1';
    for (let i = 0; i < x.length; i++) ctx.fillRect(px(i) - r / 2, py(i) - r / 2, r, r);
    const indexOf = new Map(map.seats.id.map((id, i) => [id, i]));
    const max = contested.reduce((m, c) => Math.max(m, c.refused), 0);
    for (const seat of contested) {
      const i = indexOf.get(seat.seatId);
      if (i === undefined) continue;
      ctx.fillStyle = heatColor(heat(seat.refused, max));
      ctx.beginPath();
      ctx.arc(px(i), py(i), Math.max(4, r * 1.6), 0, Math.PI * 2);
      ctx.fill();
    }
  }, [map, contested]);
  return (
    <canvas
      ref={canvas}
      className="heat-canvas"
      role="img"
      aria-label={label}
      data-contested={contested.map((c) => `${c.label}:${c.refused}`).join(',')}
    />
  );
}
