import { useMemo, useState } from 'react';
import type { ReservationMatch } from '../../../shared/schemas/payments.ts';
import { formatSlipCode } from '../../../shared/slip-code.ts';
import { NotificationsPanel } from '../dashboard/NotificationsPanel.tsx';
import { formatDate } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { PaymentDialog, paymentDoneText } from './PaymentDialog.tsx';
import { paymentErrorText, pt, usd } from './payment-texts.ts';
import { errorParts, sessionClient } from './session-client.ts';

/**
 * Find a deposit reservation (name, cédula, phone or number), or a kiosk's "Pagar en taquilla"
 * reservation by the code on its slip (typed, or scanned: a barcode scanner types it and Enter), and
 * take payments on it.
 */
export function ReservationsScreen({ store, state }: { store: CounterStore; state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<ReservationMatch[] | null>(null);
  const [paying, setPaying] = useState<ReservationMatch | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function search(): Promise<void> {
    setError(null);
    try {
      setMatches(await client.call('reservations.search', { query, includeClosed: true }));
    } catch (e) {
      const p = errorParts(e);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
    }
  }

  return (
    <>
      <NotificationsPanel locale={locale} />
      <section className="panel" aria-label={pt(locale, 'res.title')}>
        <form
          className="search-row"
          onSubmit={(e) => {
            e.preventDefault();
            void search();
          }}
        >
          <input
            aria-label={pt(locale, 'res.search')}
            placeholder={pt(locale, 'res.search')}
            value={query}
            autoFocus
            onChange={(e) => setQuery(e.target.value)}
          />
          <button type="submit" className="primary" disabled={query.trim().length < 2}>
            {pt(locale, 'res.searchButton')}
          </button>
        </form>
        {error && (
          <p className="payment-error" role="alert">
            {error}
          </p>
        )}
        {matches && matches.length === 0 && <p>{pt(locale, 'res.none')}</p>}
        {matches && matches.length > 0 && (
          <table className="figures" data-testid="reservation-results">
            <thead>
              <tr>
                <th>{pt(locale, 'res.number')}</th>
                <th>{pt(locale, 'dash.customer')}</th>
                <th>{pt(locale, 'dash.event')}</th>
                <th>{pt(locale, 'res.seats')}</th>
                <th className="num">{pt(locale, 'pay.total')}</th>
                <th className="num">{pt(locale, 'res.paid')}</th>
                <th className="num">{pt(locale, 'res.balance')}</th>
                <th>{pt(locale, 'res.until')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {matches.map((m) => (
                <tr key={m.transactionId} data-number={m.number} data-status={m.status}>
                  <td>{m.number}</td>
                  <td>
                    {m.customerName ??
                      (m.slipCode ? pt(locale, 'res.slip', { code: formatSlipCode(m.slipCode) }) : '—')}
                    <br />
                    <small>{[m.customerIdNumber, m.customerPhone].filter(Boolean).join(' · ')}</small>
                  </td>
                  <td>{m.eventName}</td>
                  <td>{m.seats.join(', ')}</td>
                  <td className="num">{usd(locale, m.totalCents)}</td>
                  <td className="num">{usd(locale, m.paidCents)}</td>
                  <td className="num" data-testid={`balance-${m.number}`}>
                    {usd(locale, m.balanceCents)}
                  </td>
                  <td>
                    {m.expired
                      ? pt(locale, 'res.expired')
                      : m.reservedUntil
                        ? formatDate(locale, m.reservedUntil)
                        : m.status}
                  </td>
                  <td>
                    {m.status === 'RESERVED' && (
                      <button type="button" className="primary" onClick={() => setPaying(m)}>
                        {pt(locale, 'res.pay')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {paying && (
          <PaymentDialog
            store={store}
            state={state}
            target={{ kind: 'reservation', transactionId: paying.transactionId, number: paying.number }}
            onClose={() => setPaying(null)}
            onDone={(result) => {
              setPaying(null);
              store.notify('success', paymentDoneText(state, result));
              void store.confirmPrinting();
              void search();
            }}
          />
        )}
      </section>
    </>
  );
}
