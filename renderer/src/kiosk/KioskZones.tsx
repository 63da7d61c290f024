import { usdToVes } from '../../../shared/money.ts';
import { usd, ves } from '../payments/payment-texts.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { kt, ktn } from './kiosk-texts.ts';

/** Quantities a customer picks with one touch. */
export const KIOSK_QUANTITIES = [1, 2, 3, 4, 5, 6];

type Zone = NonNullable<CounterState['seatMap']>['map']['zones'][number];

function freeOf(state: CounterState, zone: Zone): number {
  return state.availability?.zones.get(zone.id)?.free ?? zone.capacity;
}

/** Every zone as a large card: name, price in dollars and bolívares, places left. */
export function KioskZoneList({ state, onZone }: { state: CounterState; onZone: (zoneId: number) => void }) {
  const { locale, seatMap, event } = state;
  if (!seatMap || !event) return null;
  return (
    <section className="kiosk-zones" aria-label={kt(locale, 'shop.chooseZone')}>
      <h2>{kt(locale, 'shop.chooseZone')}</h2>
      <p className="kiosk-hint">{kt(locale, 'shop.chooseZoneHint')}</p>
      <div className="kiosk-zone-grid">
        {seatMap.map.zones.map((zone) => {
          const free = freeOf(state, zone);
          return (
            <button
              key={zone.id}
              type="button"
              className="kiosk-zone-card"
              data-zone={zone.code}
              disabled={free === 0}
              onClick={() => onZone(zone.id)}
            >
              <i className="swatch" style={{ background: zone.color ?? '#3b82f6' }} />
              <strong>{zone.name}</strong>
              <span>
                {usd(locale, zone.priceCents)} · {ves(locale, usdToVes(zone.priceCents, event.vesPerUsd))}
              </span>
              <small>{free === 0 ? kt(locale, 'shop.soldOut') : ktn(locale, 'shop.free', free)}</small>
            </button>
          );
        })}
      </div>
    </section>
  );
}

/** The chosen zone: its name and price, the way back to all zones, and N seats with one touch. */
export function KioskZoneBar({
  store,
  state,
  zoneId,
  onBack,
}: {
  store: CounterStore;
  state: CounterState;
  zoneId: number;
  onBack: () => void;
}) {
  const { locale } = state;
  const zone = state.seatMap?.zoneById.get(zoneId);
  if (!zone) return null;
  const free = freeOf(state, zone);
  return (
    <section className="kiosk-zone-bar" aria-label={kt(locale, 'map.zoneLabel')} data-zone={zone.code}>
      <div className="kiosk-zone-title">
        <button type="button" onClick={onBack}>
          ← {kt(locale, 'shop.allZones')}
        </button>
        <i className="swatch" style={{ background: zone.color ?? '#3b82f6' }} />
        <strong>{zone.name}</strong>
        <span>
          {usd(locale, zone.priceCents)} · {ktn(locale, 'shop.free', free)}
        </span>
      </div>
      <div className="kiosk-quick">
        <h3>{kt(locale, zone.kind === 'numbered' ? 'shop.together' : 'shop.howMany')}</h3>
        <div className="kiosk-qty">
          {KIOSK_QUANTITIES.map((n) => (
            <button
              key={n}
              type="button"
              aria-label={
                zone.kind === 'numbered'
                  ? `${zone.name}: ${ktn(locale, 'shop.best', n)}`
                  : `${zone.name}: ${ktn(locale, 'shop.add', n)}`
              }
              disabled={state.busy || n > free}
              onClick={() =>
                void (zone.kind === 'numbered'
                  ? store.bestAvailable(zone.id, n)
                  : store.holdGeneral(zone.id, n))
              }
            >
              {n}
            </button>
          ))}
        </div>
        {zone.kind === 'numbered' && <p className="kiosk-hint">{kt(locale, 'shop.tapSeats')}</p>}
      </div>
    </section>
  );
}
