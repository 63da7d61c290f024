import { SEAT_COLORS } from '../seat-map/colors.ts';
import { SEAT_VIEWS } from '../state/availability.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';

export function Legend({ store, state }: { store: CounterStore; state: CounterState }) {
  const zones = state.seatMap?.map.zones.filter((z) => z.kind === 'numbered') ?? [];
  return (
    <aside className="legend" aria-label={store.t('legend.title')}>
      {SEAT_VIEWS.map((view) => (
        <span key={view} className="legend-item">
          {view === 'free' ? (
            <span className="swatch-group">
              {[...new Set(zones.map((z) => z.color ?? '#3b82f6'))].slice(0, 3).map((color) => (
                <i key={color} className="swatch" data-color={color} style={{ background: color }} />
              ))}
            </span>
          ) : (
            <i className="swatch" style={{ background: SEAT_COLORS[view] }} />
          )}
          {store.t(`seat.${view}`)}
        </span>
      ))}
    </aside>
  );
}
