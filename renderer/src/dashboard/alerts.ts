/** How the dashboard draws its figures (the alerts themselves are DashboardService's). */
/** Conversion as people read it: '67 %', or '—' before anything has settled. */
export function conversionText(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)} %`;
}

/** Heat 0..1 of a contested seat relative to the most contested one. */
export function heat(refused: number, max: number): number {
  return max <= 0 ? 0 : Math.min(1, refused / max);
}

/** A colour from pale yellow (little contested) to deep red (most contested). */
export function heatColor(h: number): string {
  const hue = Math.round(50 - 50 * h);
  const light = Math.round(70 - 25 * h);
  return `hsl(${hue} 90% ${light}%)`;
}
