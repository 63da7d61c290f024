import { useMemo, useState } from 'react';
import type { PrintedSale } from '../../../shared/schemas/printing.ts';
import { formatDate } from '../i18n/index.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { printingErrorText, prt } from './printing-texts.ts';
import './printing.css';

/**
 * Reprint from the counter: find the sale by the short number on the screen and on the paper, pick
 * tickets and/or the receipt, and have a supervisor approve (their PIN, unless one is signed in).
 * Every copy prints marked COPIA n and is written to the audit log.
 */
export function ReprintScreen({ store, state }: { store: CounterStore; state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const supervisor = state.session?.user.role === 'supervisor';
  const [number, setNumber] = useState('');
  const [sale, setSale] = useState<PrintedSale | null>(null);
  const [tickets, setTickets] = useState<Set<string>>(new Set());
  const [receipt, setReceipt] = useState(false);
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = (e: unknown): void => {
    const p = errorParts(e);
    setError(printingErrorText(locale, p.code, p.message, p.details));
  };

  async function find(): Promise<void> {
    setError(null);
    setSale(null);
    try {
      setSale(await client.call('sales.printed', { saleNumber: number }));
      setTickets(new Set());
      setReceipt(false);
    } catch (e) {
      fail(e);
    }
  }

  async function reprint(): Promise<void> {
    if (!sale) return;
    if (tickets.size === 0 && !receipt) {
      setError(prt(locale, 'reprint.nothing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await client.call('sales.reprint', {
        transactionId: sale.transactionId,
        ...(tickets.size > 0 ? { ticketNumbers: [...tickets] } : {}),
        receipt,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(supervisor ? {} : { supervisorPin: pin }),
      });
      store.notify('success', prt(locale, 'reprint.done', { n: result.jobs.length }));
      setPin('');
      setSale(await client.call('sales.printed', { saleNumber: sale.saleNumber }));
      setTickets(new Set());
      setReceipt(false);
      void store.confirmPrinting();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel reprint-screen" aria-label={prt(locale, 'reprint.title')}>
      <form
        className="search-row"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <input
          aria-label={prt(locale, 'reprint.saleNumber')}
          placeholder={prt(locale, 'reprint.saleNumber')}
          value={number}
          autoFocus
          maxLength={12}
          onChange={(e) => setNumber(e.target.value.toUpperCase())}
        />
        <button type="submit" className="primary" disabled={number.trim().length < 8}>
          {prt(locale, 'reprint.find')}
        </button>
      </form>
      {error && (
        <p className="payment-error" role="alert">
          {error}
        </p>
      )}
      {sale && (
        <form
          className="reprint-sale"
          onSubmit={(e) => {
            e.preventDefault();
            void reprint();
          }}
        >
          <h2>
            {prt(locale, 'reprint.sale', {
              number: sale.saleNumber,
              event: sale.event,
              cashier: sale.cashier,
            })}
          </h2>
          <p className="muted">{formatDate(locale, sale.issuedAt)}</p>
          {sale.tickets.length > 0 && (
            <fieldset>
              <legend>{prt(locale, 'reprint.tickets')}</legend>
              {sale.tickets.map((t) => (
                <label key={t.ticketNumber} data-testid="reprint-ticket">
                  <input
                    type="checkbox"
                    checked={tickets.has(t.ticketNumber)}
                    onChange={(e) => {
                      const next = new Set(tickets);
                      if (e.target.checked) next.add(t.ticketNumber);
                      else next.delete(t.ticketNumber);
                      setTickets(next);
                    }}
                  />
                  {t.ticketNumber} · {t.place}{' '}
                  <span className="muted">({prt(locale, 'reprint.copies', { n: t.copies })})</span>
                </label>
              ))}
            </fieldset>
          )}
          {sale.receipt && (
            <label>
              <input type="checkbox" checked={receipt} onChange={(e) => setReceipt(e.target.checked)} />
              {prt(locale, 'reprint.receipt')}{' '}
              <span className="muted">({prt(locale, 'reprint.copies', { n: sale.receipt.copies })})</span>
            </label>
          )}
          <label>
            {prt(locale, 'reprint.reason')}
            <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
          </label>
          {!supervisor && (
            <>
              <p className="muted">{prt(locale, 'reprint.needsSupervisor')}</p>
              <label>
                {prt(locale, 'reprint.pin')}
                <input
                  type="password"
                  inputMode="numeric"
                  maxLength={8}
                  value={pin}
                  onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
                />
              </label>
            </>
          )}
          <button
            type="submit"
            className="primary"
            disabled={busy || (tickets.size === 0 && !receipt) || (!supervisor && pin.length < 4)}
          >
            {prt(locale, 'reprint.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
