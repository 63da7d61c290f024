import { useState } from 'react';
import { formatMoney, usdToVes } from '../../../shared/money.ts';
import { moneyLocale } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';

/**
 * Zones with price and free places; best-N-together for numbered zones, a quantity for standing.
 * A zone's name moves the map to it.
 */
export function ZonePanel({ store, state }: { store: CounterStore; state: CounterState }) {
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const { seatMap, availability, event, locale } = state;
  if (!seatMap || !event) return null;
  const ml = moneyLocale(locale);
  const focusZone = state.mapFocus?.zoneId ?? null;
  return (
    <section className="panel zones" aria-label={store.t('zones.title')}>
      <h2>{store.t('zones.title')}</h2>
      <ul>
        {seatMap.map.zones.map((zone) => {
          const free = availability?.zones.get(zone.id)?.free ?? zone.capacity;
          const quantity = quantities[zone.id] ?? 2;
          const inputId = `qty-${zone.id}`;
          return (
            <li
              key={zone.id}
              className={`zone-row${focusZone === zone.id ? ' focused' : ''}`}
              data-zone={zone.code}
            >
              <i className="swatch" style={{ background: zone.color ?? '#3b82f6' }} />
              <button
                type="button"
                className="zone-info"
                aria-label={store.t('zones.show', { zone: zone.name })}
                onClick={() => store.showZone(zone.id)}
              >
                <strong>{zone.name}</strong>
                <span>
                  {formatMoney({ currency: 'USD', cents: zone.priceCents }, ml)} ·{' '}
                  {formatMoney({ currency: 'VES', cents: usdToVes(zone.priceCents, event.vesPerUsd) }, ml)}
                </span>
                <span className="zone-free" data-free={free}>
                  {store.t('zones.free', { n: free })}
                </span>
              </button>
              <form
                className="zone-action"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (zone.kind === 'general') void store.holdGeneral(zone.id, quantity);
                  else void store.bestAvailable(zone.id, quantity);
                }}
              >
                <label htmlFor={inputId} className="visually-hidden">
                  {store.t('zones.quantity')}
                </label>
                <input
                  id={inputId}
                  type="number"
                  min={1}
                  max={zone.kind === 'general' ? 10 : 10}
                  value={quantity}
                  onChange={(e) =>
                    setQuantities({
                      ...quantities,
                      [zone.id]: Math.max(1, Math.min(10, Number(e.target.value) || 1)),
                    })
                  }
                />
                <button
                  type="submit"
                  title={zone.kind === 'numbered' ? store.t('zones.best', { n: quantity }) : undefined}
                >
                  {zone.kind === 'general' ? store.t('zones.add') : store.t('zones.best', { n: quantity })}
                </button>
              </form>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
