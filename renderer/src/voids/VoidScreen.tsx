import { useEffect, useMemo, useState } from 'react';
import { refundAmount } from '../../../shared/refunds.ts';
import { PAYMENT_METHODS, type PaymentMethod } from '../../../shared/schemas/payments.ts';
import type { VoidPreview, VoidResult } from '../../../shared/schemas/voids.ts';
import { formatDate } from '../i18n/index.ts';
import { pt, usd } from '../payments/payment-texts.ts';
import { errorParts, newRequestId, sessionClient } from '../payments/session-client.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { amount, voidErrorText, vt } from './void-texts.ts';
import './voids.css';

/**
 * Void and refund (issue 16): find the sale by the number on its paper, pick the tickets (all by
 * default; a deposit is cancelled whole), say why, choose how the money goes back (as it was paid by
 * default), and a supervisor approves with their PIN unless one is signed in. The terminal decides
 * everything (VoidService); this screen shows what it said.
 */
export function VoidScreen({
  store,
  state,
  initialNumber,
}: {
  store: CounterStore;
  state: CounterState;
  /** A sale number to look up at once (the reservations list's "Anular"). */
  initialNumber?: string;
}) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const supervisor = state.session?.user.role === 'supervisor';
  const [number, setNumber] = useState(initialNumber ?? '');
  const [sale, setSale] = useState<VoidPreview | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [method, setMethod] = useState<PaymentMethod | ''>('');
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<VoidResult | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per attempt at this void: a retry after a lost answer refunds nothing twice.
  const [requestId, setRequestId] = useState(newRequestId);

  const fail = (e: unknown): void => {
    const p = errorParts(e);
    setError(voidErrorText(locale, p.code, p.message, p.details));
  };

  async function show(found: VoidPreview): Promise<void> {
    setSale(found);
    setChosen(new Set(found.tickets.filter((t) => !t.voided && t.ticketNumber).map((t) => t.ticketNumber!)));
    setRequestId(newRequestId());
  }

  async function find(saleNumber = number): Promise<void> {
    setError(null);
    setDone(null);
    setSale(null);
    try {
      await show(await client.call('sales.voidPreview', { saleNumber }));
    } catch (e) {
      fail(e);
    }
  }

  useEffect(() => {
    if (initialNumber) void find(initialNumber);
    // Only on opening: typing a number and Buscar does the rest.
  }, []);

  const live = sale ? sale.tickets.filter((t) => !t.voided) : [];
  const deposit = sale?.status === 'RESERVED';
  const picked = deposit ? live : live.filter((t) => t.ticketNumber && chosen.has(t.ticketNumber));
  const whole = picked.length === live.length;
  const refund = sale
    ? refundAmount({
        paidCents: sale.paidCents,
        refundedCents: sale.refundedCents,
        chosenPriceCents: picked.reduce((sum, t) => sum + t.priceCents, 0),
        whole,
      })
    : 0;

  async function confirm(): Promise<void> {
    if (!sale) return;
    if (picked.length === 0) {
      setError(vt(locale, 'void.chooseTickets'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await client.call('sales.void', {
        transactionId: sale.transactionId,
        ...(deposit || whole ? {} : { ticketNumbers: picked.map((t) => t.ticketNumber!) }),
        reason: reason.trim(),
        ...(method ? { refundMethod: method } : {}),
        ...(method && reference.trim() ? { refundReference: reference.trim() } : {}),
        ...(supervisor ? {} : { supervisorPin: pin }),
        requestId,
      });
      setDone(result);
      setPin('');
      setReason('');
      store.notify(
        'success',
        result.refunds.length > 0
          ? vt(locale, 'void.done', {
              number: result.number,
              refund: result.refunds.map((l) => amount(locale, l.currency, l.amountCents)).join(' + '),
            })
          : vt(locale, 'void.doneNothing', { number: result.number }),
      );
      await show(await client.call('sales.voidPreview', { transactionId: sale.transactionId }));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  const voidable = sale?.voidable === true && live.length > 0;
  return (
    <section className="panel void-screen" aria-label={vt(locale, 'void.title')}>
      <form
        className="search-row"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <input
          aria-label={vt(locale, 'void.saleNumber')}
          placeholder={vt(locale, 'void.saleNumber')}
          value={number}
          autoFocus
          maxLength={12}
          onChange={(e) => setNumber(e.target.value.toUpperCase())}
        />
        <button type="submit" className="primary" disabled={number.trim().length < 8}>
          {vt(locale, 'void.find')}
        </button>
      </form>
      {error && (
        <p className="payment-error" role="alert" data-testid="void-error">
          {error}
        </p>
      )}
      {done && (
        <div className="void-done" data-testid="void-done" data-kind={done.kind}>
          <strong>{vt(locale, 'void.refund', { amount: usd(locale, done.refundUsdCents) })}</strong>
          <ul>
            {done.refunds.map((l, i) => (
              <li key={i} data-method={l.method}>
                {vt(locale, 'void.line', {
                  method: pt(locale, `method.${l.method}`),
                  amount: amount(locale, l.currency, l.amountCents),
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
      {sale && (
        <form
          className="void-sale"
          data-testid="void-sale"
          data-status={sale.status}
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          <h2>{vt(locale, 'void.sale', { number: sale.number, event: sale.eventName })}</h2>
          <p className="muted">
            {vt(locale, 'void.starts', { when: formatDate(locale, sale.startsAt) })}
            {sale.customerName && <> · {vt(locale, 'void.customer', { name: sale.customerName })}</>}
          </p>
          <p data-testid="void-paid">
            {vt(locale, 'void.paid', {
              paid: usd(locale, sale.paidCents),
              refunded: usd(locale, sale.refundedCents),
            })}
            {sale.paidWith.length > 0 && (
              <>
                <br />
                {vt(locale, 'void.paidWith', {
                  methods: sale.paidWith.map((p) => pt(locale, `method.${p.method}`)).join(', '),
                })}
              </>
            )}
          </p>
          {!sale.voidable && (sale.status === 'COMPLETED' || sale.status === 'RESERVED') && (
            <p className="payment-error">{vt(locale, 'void.started')}</p>
          )}
          {sale.status !== 'COMPLETED' && sale.status !== 'RESERVED' && (
            <p className="muted">{vt(locale, 'void.notVoidable', { status: sale.status })}</p>
          )}
          {deposit && <p className="muted">{vt(locale, 'void.deposit')}</p>}
          <fieldset>
            <legend>{vt(locale, 'void.tickets')}</legend>
            {sale.tickets.map((t, i) => (
              <label
                key={t.ticketNumber ?? `t${i}`}
                data-testid="void-ticket"
                data-voided={t.voided ? '1' : '0'}
              >
                <input
                  type="checkbox"
                  disabled={t.voided || deposit || !voidable || t.ticketNumber === null}
                  checked={t.voided || deposit || (t.ticketNumber !== null && chosen.has(t.ticketNumber))}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(t.ticketNumber!);
                    else next.delete(t.ticketNumber!);
                    setChosen(next);
                  }}
                />
                {t.ticketNumber ?? '—'} · {t.label}
                {t.places > 1 ? ` × ${t.places}` : ''} · {usd(locale, t.priceCents)}
                {t.voided && <span className="muted"> ({vt(locale, 'void.ticketVoided')})</span>}
              </label>
            ))}
          </fieldset>
          {voidable && (
            <>
              <p className="void-refund" data-testid="void-refund">
                {vt(locale, 'void.refund', { amount: usd(locale, refund) })}
              </p>
              <label>
                {vt(locale, 'void.refundHow')}
                <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod | '')}>
                  <option value="">{vt(locale, 'void.refundAsPaid')}</option>
                  {PAYMENT_METHODS.map((m) => (
                    <option key={m} value={m}>
                      {pt(locale, `method.${m}`)}
                    </option>
                  ))}
                </select>
              </label>
              {method && method !== 'CASH_USD' && method !== 'CASH_VES' && (
                <label>
                  {vt(locale, 'void.reference')}
                  <input value={reference} maxLength={40} onChange={(e) => setReference(e.target.value)} />
                </label>
              )}
              <label>
                {vt(locale, 'void.reason')}
                <input value={reason} maxLength={200} required onChange={(e) => setReason(e.target.value)} />
              </label>
              {!supervisor && (
                <>
                  <p className="muted">{vt(locale, 'void.needsSupervisor')}</p>
                  <label>
                    {vt(locale, 'void.pin')}
                    <input
                      type="password"
                      inputMode="numeric"
                      autoComplete="off"
                      maxLength={8}
                      value={pin}
                      onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
                    />
                  </label>
                </>
              )}
              <button
                type="submit"
                className="danger"
                disabled={busy || reason.trim().length < 3 || (!supervisor && pin.length < 4)}
              >
                {vt(locale, 'void.confirm')}
              </button>
            </>
          )}
        </form>
      )}
    </section>
  );
}
