import type { Cart } from '../../../shared/api/counter.ts';
import type { KioskPaymentOptions } from '../../../shared/schemas/payment-providers.ts';
import { cartTotals } from '../cart/cart-totals.ts';
import { countdown, earliest } from '../countdown.ts';
import { pt, usd, ves } from '../payments/payment-texts.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { kt, ktn } from './kiosk-texts.ts';

type Ticket = Cart['tickets'][number];

/** A ticket as a customer reads it: "Platea · fila F · asiento 12", "2 × General de pie". */
export function ticketWords(state: CounterState, ticket: Ticket): string {
  const zone = state.seatMap?.zoneById.get(ticket.zoneId)?.name ?? ticket.label;
  if (ticket.seatId === null) return kt(state.locale, 'cart.general', { n: ticket.quantity, zone });
  const index = state.seatMap?.indexOf.get(ticket.seatId);
  if (index === undefined) return ticket.label;
  const seats = state.seatMap!.map.seats;
  return kt(state.locale, 'cart.seat', { zone, row: seats.row[index]!, number: seats.number[index]! });
}

/**
 * The customer's cart: a countdown of the holds (the earliest), what is in it, the total in
 * bolívares and dollars, and the ways to pay. In the last minute the countdown turns red and offers
 * more time (capped by the terminal, like any extension).
 */
export function KioskCart({
  store,
  state,
  options,
  onPay,
}: {
  store: CounterStore;
  state: CounterState;
  options: KioskPaymentOptions | null;
  onPay: (how: 'provider' | 'counter') => void;
}) {
  const { locale, cart } = state;
  const now = store.serverNow();
  const live = cart?.tickets.filter((t) => t.reservedUntil > now) ?? [];
  const totals = cart ? cartTotals(live, cart.vesPerUsd, now) : null;
  const ends = earliest(live.map((t) => t.reservedUntil));
  const left = ends === null ? null : countdown(ends, now);
  return (
    <section
      className="kiosk-cart-panel panel"
      aria-label={kt(locale, 'cart.title')}
      data-testid="kiosk-cart-panel"
    >
      <header>
        <h2>{kt(locale, 'cart.title')}</h2>
        {left && (
          <div className={`kiosk-countdown${left.urgent ? ' urgent' : ''}`} role="timer" aria-live="off">
            <span>{kt(locale, 'cart.timeLeft')}</span>
            <strong data-testid="kiosk-countdown">{left.text}</strong>
            {left.urgent && (
              <button type="button" onClick={() => void store.extendHolds()}>
                {kt(locale, 'cart.more')}
              </button>
            )}
          </div>
        )}
      </header>
      {live.length === 0 ? (
        <p className="kiosk-cart-empty">{kt(locale, 'cart.empty')}</p>
      ) : (
        <>
          <ul className="kiosk-cart" data-testid="kiosk-cart">
            {live.map((t) => {
              const words = ticketWords(state, t);
              return (
                <li key={t.ticketId} data-label={t.label}>
                  <span>{words}</span>
                  <span>{usd(locale, t.priceCents * t.quantity)}</span>
                  <button
                    type="button"
                    className="kiosk-remove"
                    aria-label={kt(locale, 'cart.remove', { what: words })}
                    disabled={state.busy}
                    onClick={() => void store.removeTicket(t)}
                  >
                    ×
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="kiosk-hold-hint">{kt(locale, 'cart.timeHint')}</p>
        </>
      )}
      {totals && live.length > 0 && (
        <p className="kiosk-total">
          <span>{ktn(locale, 'cart.total', totals.places)}</span>
          <strong data-testid="kiosk-total">{usd(locale, totals.usdCents)}</strong>
          <strong className="ves">{ves(locale, totals.vesCents)}</strong>
        </p>
      )}
      <div className="kiosk-pay-actions">
        {options?.provider && (
          <button
            type="button"
            className="primary"
            disabled={live.length === 0}
            onClick={() => onPay('provider')}
          >
            {pt(locale, 'kiosk.pay')}
          </button>
        )}
        {options && (
          <button
            type="button"
            className={options.provider ? '' : 'primary'}
            disabled={live.length === 0}
            onClick={() => onPay('counter')}
          >
            {pt(locale, 'kiosk.payAtCounter')}
          </button>
        )}
      </div>
    </section>
  );
}
