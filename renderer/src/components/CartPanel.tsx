import { formatMoney, usdToVes } from '../../../shared/money.ts';
import { cartTotals } from '../cart/cart-totals.ts';
import { countdown, earliest } from '../countdown.ts';
import { formatRate, moneyLocale } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { Checkout } from './Checkout.tsx';

export function CartPanel({ store, state }: { store: CounterStore; state: CounterState }) {
  const { cart, locale } = state;
  const ml = moneyLocale(locale);
  const now = store.serverNow();
  const live = cart?.tickets.filter((t) => t.reservedUntil > now) ?? [];
  const totals = cart ? cartTotals(live, cart.vesPerUsd, now) : null;
  const ends = earliest(live.map((t) => t.reservedUntil));
  const remaining = ends === null ? null : countdown(ends, now);
  return (
    <section className="panel cart" aria-label={store.t('cart.title')}>
      <header className="cart-header">
        <h2>{store.t('cart.title')}</h2>
        {remaining && (
          <div className={`big-countdown${remaining.urgent ? ' urgent' : ''}`} role="timer" aria-live="off">
            <span>{store.t('cart.expiresIn')}</span>
            <strong data-testid="hold-countdown">{remaining.text}</strong>
            <button type="button" className="link extend" onClick={() => void store.extendHolds()}>
              {store.t('cart.extend')}
            </button>
          </div>
        )}
      </header>
      {live.length === 0 ? (
        <p className="cart-empty">{store.t('cart.empty')}</p>
      ) : (
        <ul className="cart-lines">
          {live.map((ticket) => {
            const c = countdown(ticket.reservedUntil, now);
            return (
              <li key={ticket.ticketId} className="cart-line" data-label={ticket.label}>
                <div>
                  <strong>
                    {ticket.quantity > 1 ? `${ticket.quantity} × ` : ''}
                    {ticket.label}
                  </strong>
                  <span>
                    {formatMoney({ currency: 'USD', cents: ticket.priceCents * ticket.quantity }, ml)} ·{' '}
                    {formatMoney(
                      {
                        currency: 'VES',
                        cents: usdToVes(ticket.priceCents * ticket.quantity, cart!.vesPerUsd),
                      },
                      ml,
                    )}
                  </span>
                </div>
                <span className={`line-countdown${c.urgent ? ' urgent' : ''}`}>{c.text}</span>
                <button type="button" className="link" onClick={() => void store.removeTicket(ticket)}>
                  {store.t('cart.remove')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {totals && cart && live.length > 0 && (
        <footer className="cart-footer">
          <div className="totals">
            <span>
              {store.t('cart.total')} · {store.t('cart.places', { n: totals.places })}
            </span>
            <strong data-testid="total-usd">
              {formatMoney({ currency: 'USD', cents: totals.usdCents }, ml)}
            </strong>
            <strong data-testid="total-ves" className="ves">
              {formatMoney({ currency: 'VES', cents: totals.vesCents }, ml)}
            </strong>
            <small>{store.t('cart.rate', { rate: formatRate(locale, cart.vesPerUsd) })}</small>
          </div>
          <div className="cart-actions">
            <button type="button" onClick={() => void store.clearCart()} disabled={live.length === 0}>
              {store.t('cart.clear')}
            </button>
            <Checkout store={store} disabled={live.length === 0 || state.busy} />
          </div>
        </footer>
      )}
    </section>
  );
}
