import { useEffect, useRef, useState } from 'react';
import { formatMoney } from '../../../shared/money.ts';
import { moneyLocale } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';

/** At most this many places in one go, as in the zone list. */
export const MAX_GENERAL_QUANTITY = 10;

/**
 * A general-admission zone tapped on the map: how many places, then "Agregar". Shown over the
 * zone's box; Enter adds, Esc closes.
 */
export function GeneralPicker({
  store,
  state,
  zoneId,
  left,
  top,
  onClose,
}: {
  store: CounterStore;
  state: CounterState;
  zoneId: number;
  left: number;
  top: number;
  onClose: () => void;
}) {
  const [quantity, setQuantity] = useState(2);
  const addRef = useRef<HTMLButtonElement>(null);
  useEffect(() => addRef.current?.focus(), [zoneId]);
  const zone = state.seatMap?.zoneById.get(zoneId);
  if (!zone) return null;
  const free = state.availability?.zones.get(zone.id)?.free ?? zone.capacity;
  const most = Math.max(1, Math.min(MAX_GENERAL_QUANTITY, free));
  const n = Math.min(quantity, most);
  const ml = moneyLocale(state.locale);
  const title = store.t('map.generalTitle', { zone: zone.name });
  return (
    <div
      className="general-picker panel"
      role="dialog"
      aria-label={title}
      data-testid="general-picker"
      data-zone={zone.code}
      style={{ left: `${left}px`, top: `${top}px` }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <strong>{title}</strong>
      <span>
        {formatMoney({ currency: 'USD', cents: zone.priceCents }, ml)} · {store.t('zones.free', { n: free })}
      </span>
      <div className="general-quantity">
        <button
          type="button"
          aria-label={store.t('map.less')}
          disabled={n <= 1}
          onClick={() => setQuantity(Math.max(1, n - 1))}
        >
          −
        </button>
        <output aria-live="polite" data-testid="general-quantity">
          {n}
        </output>
        <button
          type="button"
          aria-label={store.t('map.more')}
          disabled={n >= most}
          onClick={() => setQuantity(Math.min(most, n + 1))}
        >
          +
        </button>
      </div>
      <div className="general-actions">
        <button type="button" onClick={onClose}>
          {store.t('map.close')}
        </button>
        <button
          ref={addRef}
          type="button"
          className="primary"
          disabled={state.busy || free === 0}
          onClick={() => {
            void store.holdGeneral(zone.id, n).then((ok) => {
              if (ok) onClose();
            });
          }}
        >
          {store.t('zones.add')} {n}
        </button>
      </div>
    </div>
  );
}
