import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReservationMatch } from '../../../shared/schemas/payments.ts';
import { formatSlipCode } from '../../../shared/slip-code.ts';
import { NotificationsPanel } from '../dashboard/NotificationsPanel.tsx';
import { formatDate } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { PaymentDialog, paymentDoneText } from './PaymentDialog.tsx';
import { paymentErrorText, pt, usd, ves } from './payment-texts.ts';
import { errorParts, sessionClient } from './session-client.ts';
import { vt } from '../voids/void-texts.ts';

/**
 * The reservations still owing (deposits and kiosk "Pagar en taquilla" slips), soonest to expire
 * first, with what is left in dollars and bolívares; and a search by customer name, cédula/RIF,
 * phone, sale number, printed ticket number or slip code (typed, or scanned: a barcode scanner types
 * it and Enter). Payments on a reservation are taken here.
 */
export function ReservationsScreen({
  store,
  state,
  onVoid,
}: {
  store: CounterStore;
  state: CounterState;
  /** Opens the void and refund screen on this sale or deposit (by its number). */
  onVoid?: (number: string) => void;
}) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [query, setQuery] = useState('');
  /** The search shown, or null for the list of reservations still owing. */
  const [searched, setSearched] = useState<string | null>(null);
  const [rows, setRows] = useState<ReservationMatch[] | null>(null);
  const [paying, setPaying] = useState<ReservationMatch | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the latest request's answer is shown (the list loading late never replaces a search).
  const latest = useRef(0);

  const load = useCallback(
    async (search: string | null): Promise<void> => {
      const request = ++latest.current;
      setError(null);
      try {
        const found =
          search === null
            ? await client.call('reservations.open', {})
            : await client.call('reservations.search', { query: search, includeClosed: true });
        if (request !== latest.current) return;
        setRows(found);
        setSearched(search);
      } catch (e) {
        if (request !== latest.current) return;
        const p = errorParts(e);
        setError(paymentErrorText(locale, p.code, p.message, p.details));
      }
    },
    [client, locale],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <>
      <NotificationsPanel locale={locale} />
      <section className="panel" aria-label={pt(locale, 'res.title')}>
        <form
          className="search-row"
          onSubmit={(e) => {
            e.preventDefault();
            void load(query.trim());
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
          {searched !== null && (
            <button
              type="button"
              onClick={() => {
                setQuery('');
                void load(null);
              }}
            >
              {pt(locale, 'res.showOpen')}
            </button>
          )}
        </form>
        <h2 className="list-heading" data-testid="reservations-heading">
          {searched === null ? pt(locale, 'res.open') : pt(locale, 'res.results', { query: searched })}
        </h2>
        {error && (
          <p className="payment-error" role="alert">
            {error}
          </p>
        )}
        {rows && rows.length === 0 && (
          <p>{searched === null ? pt(locale, 'res.noneOpen') : pt(locale, 'res.none')}</p>
        )}
        {rows && rows.length > 0 && (
          <table
            className="figures"
            data-testid={searched === null ? 'open-reservations' : 'reservation-results'}
          >
            <thead>
              <tr>
                <th>{pt(locale, 'res.number')}</th>
                <th>{pt(locale, 'dash.customer')}</th>
                <th>{pt(locale, 'dash.event')}</th>
                <th>{pt(locale, 'res.seats')}</th>
                <th className="num">{pt(locale, 'pay.total')}</th>
                <th className="num">{pt(locale, 'res.paid')}</th>
                <th className="num">{pt(locale, 'res.balance')}</th>
                <th className="num">{pt(locale, 'res.balanceVes')}</th>
                <th>{pt(locale, 'res.until')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.transactionId} data-number={m.number} data-status={m.status}>
                  <td>{m.number}</td>
                  <td>
                    {m.customerName ??
                      (m.slipCode ? pt(locale, 'res.slip', { code: formatSlipCode(m.slipCode) }) : '—')}
                    <br />
                    <small>{[m.customerIdNumber, m.customerPhone].filter(Boolean).join(' · ')}</small>
                  </td>
                  <td>{m.eventName}</td>
                  <td>
                    {m.seats.join(', ')}
                    {m.ticketNumbers.length > 0 && (
                      <>
                        <br />
                        <small>{pt(locale, 'res.tickets', { numbers: m.ticketNumbers.join(', ') })}</small>
                      </>
                    )}
                  </td>
                  <td className="num">{usd(locale, m.totalCents)}</td>
                  <td className="num">{usd(locale, m.paidCents)}</td>
                  <td className="num" data-testid={`balance-${m.number}`}>
                    {usd(locale, m.balanceCents)}
                  </td>
                  <td className="num" data-testid={`balance-ves-${m.number}`}>
                    {ves(locale, m.balanceVesCents)}
                  </td>
                  <td>
                    {m.expired
                      ? pt(locale, 'res.expired')
                      : m.status === 'COMPLETED'
                        ? pt(locale, 'res.sold')
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
                    {onVoid && (m.status === 'RESERVED' || m.status === 'COMPLETED') && !m.expired && (
                      <button type="button" onClick={() => onVoid(m.number)}>
                        {vt(locale, 'void.action')}
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
              // The list is read again first, so what the notice says is already on it.
              void load(searched).finally(() => store.notify('success', paymentDoneText(state, result)));
              void store.confirmPrinting();
            }}
          />
        )}
      </section>
    </>
  );
}
