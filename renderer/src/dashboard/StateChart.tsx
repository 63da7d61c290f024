import type { EventReservationStats } from '../../../shared/api/dashboard.ts';

const PARTS = [
  { key: 'sold', color: '#15803d' },
  { key: 'reserved', color: '#7c3aed' },
  { key: 'activeHolds', color: '#0ea5e9' },
  { key: 'expired', color: '#b45309' },
  { key: 'cancelled', color: '#94a3b8' },
] as const;

export type StateKey = (typeof PARTS)[number]['key'];

/** One stacked bar per event: where its tickets are (sold, reserved, held, expired, cancelled). SVG, no library. */
export function StateChart({
  events,
  label,
  names,
}: {
  events: EventReservationStats[];
  label: string;
  names: Record<StateKey, string>;
}) {
  const barH = 22;
  const gap = 10;
  const labelW = 170;
  const width = 640;
  const height = events.length * (barH + gap) + 30;
  const max = Math.max(1, ...events.map((e) => PARTS.reduce((s, p) => s + e[p.key], 0)));
  const plotW = width - labelW - 50;
  return (
    <svg
      className="state-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      width="100%"
    >
      {events.map((e, row) => {
        let x = labelW;
        const y = row * (barH + gap);
        const total = PARTS.reduce((s, p) => s + e[p.key], 0);
        return (
          <g key={e.eventId}>
            <text x={0} y={y + barH * 0.7} fontSize="12" fill="#0f172a">
              {e.name.length > 24 ? `${e.name.slice(0, 23)}…` : e.name}
            </text>
            {PARTS.map((p) => {
              const w = (e[p.key] / max) * plotW;
              const rect =
                w > 0 ? (
                  <rect key={p.key} x={x} y={y} width={w} height={barH} fill={p.color}>
                    <title>{`${names[p.key]}: ${e[p.key]}`}</title>
                  </rect>
                ) : null;
              x += w;
              return rect;
            })}
            <text x={x + 6} y={y + barH * 0.7} fontSize="12" fill="#64748b">
              {total}
            </text>
          </g>
        );
      })}
      <g transform={`translate(0 ${events.length * (barH + gap) + 8})`}>
        {PARTS.map((p, i) => (
          <g key={p.key} transform={`translate(${i * 150} 0)`}>
            <rect width={12} height={12} fill={p.color} />
            <text x={16} y={10} fontSize="11" fill="#0f172a">
              {names[p.key]}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
