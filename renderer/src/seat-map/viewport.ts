/** Where the map is looked at from: screen = world × scale + offset. Pure, so pan/zoom are testable. */
export interface Viewport {
  scale: number;
  tx: number;
  ty: number;
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 40;

export function toScreen(v: Viewport, x: number, y: number): [number, number] {
  return [x * v.scale + v.tx, y * v.scale + v.ty];
}

export function toWorld(v: Viewport, sx: number, sy: number): [number, number] {
  return [(sx - v.tx) / v.scale, (sy - v.ty) / v.scale];
}

/** Zooms by `factor` keeping the world point under (sx, sy) where it is on screen. */
export function zoomAt(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const [wx, wy] = toWorld(v, sx, sy);
  return { scale, tx: sx - wx * scale, ty: sy - wy * scale };
}

export function pan(v: Viewport, dx: number, dy: number): Viewport {
  return { scale: v.scale, tx: v.tx + dx, ty: v.ty + dy };
}

/** The whole map centred in a width × height screen with a margin. */
export function fit(bounds: Bounds, width: number, height: number, margin = 24): Viewport {
  const w = Math.max(1, bounds.maxX - bounds.minX);
  const h = Math.max(1, bounds.maxY - bounds.minY);
  const scale = Math.min(
    MAX_SCALE,
    Math.max(MIN_SCALE, Math.min((width - 2 * margin) / w, (height - 2 * margin) / h)),
  );
  return {
    scale,
    tx: (width - w * scale) / 2 - bounds.minX * scale,
    ty: (height - h * scale) / 2 - bounds.minY * scale,
  };
}

/** Moves the view the least so that (x, y) is on screen with a margin (keyboard focus). */
export function reveal(
  v: Viewport,
  x: number,
  y: number,
  width: number,
  height: number,
  margin = 40,
): Viewport {
  const [sx, sy] = toScreen(v, x, y);
  let dx = 0;
  let dy = 0;
  if (sx < margin) dx = margin - sx;
  else if (sx > width - margin) dx = width - margin - sx;
  if (sy < margin) dy = margin - sy;
  else if (sy > height - margin) dy = height - margin - sy;
  return dx === 0 && dy === 0 ? v : pan(v, dx, dy);
}
