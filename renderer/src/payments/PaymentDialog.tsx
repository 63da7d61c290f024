import { type KeyboardEvent, useEffect, useMemo, useState } from 'react';
import { cartIsGone } from '../../../shared/cart-expectation.ts';
import { usdToVes } from '../../../shared/money.ts';
import { parseVenezuelanId } from '../../../shared/venezuelan-id.ts';
import type { PaymentMethod, PaymentResult, Quote } from '../../../shared/schemas/payments.ts';
import { PAYMENT_METHODS } from '../../../shared/schemas/payments.ts';
import { formatDate, formatRate, validationIssueText } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { methodName, paymentErrorText, pt, usd, ves } from './payment-texts.ts';
import { KeyBurst } from './scanner-burst.ts';
import { errorParts, newRequestId, sessionClient } from './session-client.ts';
import {
  draftCurrency,
  draftFields,
  newDraft,
  paymentPreview,
  remainderAmount,
  type TenderDraft,
} from './tender-draft.ts';
import './payments.css';

export type PaymentTarget =
  { kind: 'cart'; eventId: number } | { kind: 'reservation'; transactionId: string; number: string };

export interface PaymentDialogProps {
  store: CounterStore;
  state: CounterState;
  target: PaymentTarget;
  /** The methods offered (a kiosk has no cash drawer). */
  methods?: readonly PaymentMethod[];
  allowDeposit?: boolean;
  large?: boolean;
  /**
   * Opened by the counter's Ctrl+Enter: one line of this method for the whole amount due, and the
   * focus on the confirm button, so the sale needs a second, deliberate key (Enter) or a click.
   */
  confirmWith?: PaymentMethod;
  onDone: (result: PaymentResult) => void;
  onClose: () => void;
}

let nextKey = 1;

/**
 * Payment at checkout or on a reservation: tenders in any mix of methods and currencies, with the
 * total, the balance and the change recomputed on every keystroke by shared/payments.ts.
 */
export function PaymentDialog({
  store,
  state,
  target,
  methods = PAYMENT_METHODS,
  allowDeposit = false,
  large = false,
  confirmWith,
  onDone,
  onClose,
}: PaymentDialogProps) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [drafts, setDrafts] = useState<TenderDraft[]>(() => [
    newDraft(nextKey++, confirmWith ?? methods[0]!),
  ]);
  const [customer, setCustomer] = useState({ name: '', idNumber: '', phone: '' });
  // The shared rule for cédula, RIF (check digit) and passport, told as the cashier types.
  const idParse = customer.idNumber.trim() === '' ? null : parseVenezuelanId(customer.idNumber);
  const idProblem = idParse && !idParse.ok ? idParse.problem : null;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const depositMode = allowDeposit && target.kind === 'cart';

  // Keyed by what is paid for: the parent re-renders several times a second (countdowns).
  const targetKey = target.kind === 'cart' ? `cart:${target.eventId}` : `tx:${target.transactionId}`;
  useEffect(() => {
    const [kind, id] = targetKey.split(':') as ['cart' | 'tx', string];
    const input = kind === 'cart' ? { eventId: Number(id) } : { transactionId: id };
    client.call('payments.quote', input).then(
      (q) => {
        setQuote(q);
        if (confirmWith) {
          // The whole amount due, in the line's currency, as the "Resto" button would fill it.
          const draft = newDraft(nextKey++, confirmWith);
          const preview = paymentPreview(q.balanceCents, [draft], q.vesPerUsd, q.depositMinimumBasisPoints);
          setDrafts([{ ...draft, amount: remainderAmount(preview, preview.checks[0]!) }]);
        }
      },
      (e: unknown) => {
        const p = errorParts(e);
        setError(paymentErrorText(locale, p.code, p.message, p.details));
      },
    );
  }, [client, targetKey, locale, confirmWith]);

  // Every key typed while the dialog is open, wherever the focus is: a scanner's burst is told apart
  // by its timing (scanner-burst.ts). Captured first, before the form sees the Enter.
  const burst = useMemo(() => new KeyBurst(), []);
  const [scanIgnored, setScanIgnored] = useState(false);
  useEffect(() => {
    const record = (e: globalThis.KeyboardEvent) => burst.key(e.key, e.timeStamp);
    window.addEventListener('keydown', record, true);
    return () => window.removeEventListener('keydown', record, true);
  }, [burst]);

  /**
   * Only a fresh Enter from a person confirms: a held key's repeats, Ctrl+Enter (the shortcut that
   * opened the dialog, pressed again) and the Enter that ends a barcode scanner's burst (a slip read
   * while the dialog was open) do nothing here but say so. Esc closes without charging.
   */
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.repeat || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
    } else if (e.key === 'Enter' && burst.enterIsScanned(e.timeStamp)) {
      e.preventDefault();
      setScanIgnored(true);
    } else if (e.key === 'Enter') {
      setScanIgnored(false);
    } else if (e.key === 'Escape' && !busy) {
      e.preventDefault();
      onClose();
    }
  };

  if (!quote) {
    return (
      <div className="modal-backdrop">
        <div className="panel modal payment-dialog" role="dialog" aria-label={pt(locale, 'pay.title')}>
          {error ? (
            <>
              <p className="payment-error" role="alert" data-testid="payment-error">
                {error}
              </p>
              <button type="button" onClick={onClose}>
                {pt(locale, 'pay.cancel')}
              </button>
            </>
          ) : (
            <p>…</p>
          )}
        </div>
      </div>
    );
  }

  const due = quote.balanceCents;
  const preview = paymentPreview(due, drafts, quote.vesPerUsd, quote.depositMinimumBasisPoints);
  const update = (key: number, patch: Partial<TenderDraft>) =>
    setDrafts((ds) => ds.map((d) => (d.key === key ? { ...d, ...patch } : d)));

  async function submit(kind: 'full' | 'deposit'): Promise<void> {
    if (!quote) return;
    setBusy(true);
    setError(null);
    try {
      const requestId = newRequestId();
      let result: PaymentResult;
      if (target.kind === 'reservation') {
        result = await client.call('payments.pay', {
          transactionId: target.transactionId,
          tenders: preview.tenders,
          requestId,
        });
      } else if (kind === 'deposit') {
        result = await client.call('payments.deposit', {
          eventId: target.eventId,
          tenders: preview.tenders,
          requestId,
          customer: {
            name: customer.name,
            ...(customer.idNumber.trim() ? { idNumber: customer.idNumber } : {}),
            ...(customer.phone.trim() ? { phone: customer.phone } : {}),
          },
        });
      } else {
        result = await client.call('payments.checkout', {
          eventId: target.eventId,
          tenders: preview.tenders,
          requestId,
        });
      }
      onDone(result);
    } catch (e) {
      const p = errorParts(e);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
      // The cart ran out or was closed (the server's sweep): show what is really held now.
      if (cartIsGone(p.code, p.details)) void store.refreshCart().catch(() => {});
    } finally {
      setBusy(false);
    }
  }

  const hint =
    target.kind === 'reservation'
      ? preview.instalment
      : preview.fullPayment === null
        ? null
        : preview.fullPayment;
  const hintText = hint ? paymentErrorText(locale, hint.code, '', hint.details) : null;
  const title =
    target.kind === 'reservation'
      ? pt(locale, 'pay.reservationTitle', { number: target.number })
      : pt(locale, 'pay.title');

  return (
    <div className="modal-backdrop">
      <form
        className={`panel modal payment-dialog${large ? ' large' : ''}`}
        role="dialog"
        aria-label={title}
        onKeyDown={onKeyDown}
        onSubmit={(e) => {
          e.preventDefault();
          void submit('full');
        }}
      >
        <h2>{title}</h2>
        <div className="payment-due">
          <span>{pt(locale, target.kind === 'reservation' ? 'pay.due' : 'pay.total')}</span>
          <strong data-testid="pay-due-usd">{usd(locale, due)}</strong>
          <strong data-testid="pay-due-ves" className="ves">
            {ves(locale, preview.dueVesCents)}
          </strong>
          <small>{pt(locale, 'pay.rate', { rate: formatRate(locale, quote.vesPerUsd) })}</small>
          {depositMode && (
            <small data-testid="pay-minimum">
              {pt(locale, 'pay.minimum', {
                percent: quote.depositMinimumBasisPoints / 100,
                usd: usd(locale, quote.depositMinimumCents),
                ves: ves(locale, quote.depositMinimumVesCents),
              })}
            </small>
          )}
        </div>

        <ol className="tender-lines">
          {preview.checks.map((check, i) => {
            const d = check.draft;
            const currency = draftCurrency(d);
            return (
              <li key={d.key} className="tender-line" data-testid={`tender-${i}`}>
                <label>
                  <span>{pt(locale, 'pay.method')}</span>
                  <select
                    aria-label={`${pt(locale, 'pay.method')} ${i + 1}`}
                    value={d.method}
                    onChange={(e) => update(d.key, { method: e.target.value as PaymentMethod })}
                  >
                    {methods.map((m) => (
                      <option key={m} value={m}>
                        {methodName(locale, m)}
                      </option>
                    ))}
                  </select>
                </label>
                {d.method === 'TRANSFER' && (
                  <label>
                    <span>{pt(locale, 'pay.currency')}</span>
                    <select
                      aria-label={`${pt(locale, 'pay.currency')} ${i + 1}`}
                      value={d.transferCurrency}
                      onChange={(e) => update(d.key, { transferCurrency: e.target.value as 'USD' | 'VES' })}
                    >
                      <option value="VES">Bs.</option>
                      <option value="USD">USD</option>
                    </select>
                  </label>
                )}
                <label>
                  <span>{pt(locale, 'pay.amount', { currency: currency === 'USD' ? 'USD' : 'Bs.' })}</span>
                  <input
                    aria-label={`${pt(locale, 'pay.amount', { currency: currency === 'USD' ? 'USD' : 'Bs.' })} ${i + 1}`}
                    inputMode="decimal"
                    autoFocus={!confirmWith && i === drafts.length - 1}
                    value={d.amount}
                    className={check.problem === 'amount' ? 'invalid' : ''}
                    onChange={(e) => update(d.key, { amount: e.target.value })}
                  />
                </label>
                <button
                  type="button"
                  className="rest"
                  onClick={() => update(d.key, { amount: remainderAmount(preview, check) })}
                  disabled={preview.remainingCents === 0}
                >
                  {pt(locale, 'pay.rest')}
                </button>
                {draftFields(d.method).map((field) => (
                  <label key={field}>
                    <span>{pt(locale, `pay.${field}`)}</span>
                    <input
                      aria-label={`${pt(locale, `pay.${field}`)} ${i + 1}`}
                      value={d[field]}
                      inputMode={
                        field === 'email'
                          ? 'email'
                          : field === 'reference' && d.method !== 'ZELLE' && d.method !== 'CARD'
                            ? 'numeric'
                            : 'text'
                      }
                      onChange={(e) => update(d.key, { [field]: e.target.value })}
                    />
                  </label>
                ))}
                {drafts.length > 1 && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => setDrafts((ds) => ds.filter((x) => x.key !== d.key))}
                  >
                    {pt(locale, 'pay.remove')}
                  </button>
                )}
                {check.issue && (
                  <small className="line-problem">{validationIssueText(locale, check.issue)}</small>
                )}
              </li>
            );
          })}
        </ol>
        {drafts.length < 12 && (
          <button
            type="button"
            onClick={() =>
              setDrafts((ds) => [...ds, newDraft(nextKey++, methods[ds.length % methods.length]!)])
            }
          >
            + {pt(locale, 'pay.add')}
          </button>
        )}

        <dl className="payment-summary">
          <dt>{pt(locale, 'pay.tendered')}</dt>
          <dd data-testid="pay-tendered">{usd(locale, preview.settlement.tenderedCents)}</dd>
          <dt>{pt(locale, 'pay.remaining')}</dt>
          <dd data-testid="pay-remaining" className={preview.remainingCents > 0 ? 'owing' : 'settled'}>
            {usd(locale, preview.remainingCents)} · {ves(locale, preview.remainingVesCents)}
          </dd>
          <dt>{pt(locale, 'pay.change')}</dt>
          <dd data-testid="pay-change">
            {preview.settlement.change
              ? preview.settlement.change.currency === 'USD'
                ? usd(locale, preview.settlement.change.cents)
                : ves(locale, preview.settlement.change.cents)
              : '—'}
          </dd>
        </dl>
        {hintText && preview.linesValid && (
          <p className="payment-hint" data-testid="payment-hint">
            {hintText}
          </p>
        )}

        {depositMode && (
          <fieldset className="customer">
            <legend>{pt(locale, 'pay.customer')}</legend>
            {(['name', 'idNumber', 'phone'] as const).map((field) => (
              <label key={field}>
                <span>
                  {pt(
                    locale,
                    field === 'name'
                      ? 'pay.customerName'
                      : field === 'idNumber'
                        ? 'pay.customerId'
                        : 'pay.customerPhone',
                  )}
                </span>
                <input
                  aria-label={pt(
                    locale,
                    field === 'name'
                      ? 'pay.customerName'
                      : field === 'idNumber'
                        ? 'pay.customerId'
                        : 'pay.customerPhone',
                  )}
                  value={customer[field]}
                  onChange={(e) => setCustomer((c) => ({ ...c, [field]: e.target.value }))}
                />
                {field === 'idNumber' && idProblem && (
                  <small className="field-problem" data-testid="id-problem">
                    {pt(locale, `id.${idProblem}`)}
                  </small>
                )}
              </label>
            ))}
          </fieldset>
        )}

        {error && (
          <p className="payment-error" role="alert" data-testid="payment-error">
            {error}
          </p>
        )}
        {scanIgnored && (
          <p className="payment-hint" role="status" data-testid="payment-scan-ignored">
            {pt(locale, 'pay.scanIgnored')}
          </p>
        )}

        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {pt(locale, 'pay.cancel')}
          </button>
          {depositMode && (
            <button
              type="button"
              disabled={busy || !preview.linesValid || customer.name.trim() === '' || idProblem !== null}
              onClick={() => void submit('deposit')}
            >
              {pt(locale, 'pay.deposit')}
            </button>
          )}
          <button
            type="submit"
            className="primary"
            autoFocus={confirmWith !== undefined}
            disabled={busy || (!preview.linesValid && due > 0)}
          >
            {busy
              ? pt(locale, 'pay.working')
              : pt(locale, target.kind === 'reservation' ? 'pay.payInstalment' : 'pay.payFull')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** The notice after a payment, in the cashier's language (`places`: tickets in the sale). */
export function paymentDoneText(state: CounterState, result: PaymentResult, places = 0): string {
  const locale = state.locale;
  const number = result.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase();
  if (result.kind === 'DEPOSIT') {
    return pt(locale, 'pay.reserved', {
      number,
      paid: usd(locale, result.paidCents),
      balance: usd(locale, result.balanceCents),
      time: result.reservedUntil === null ? '—' : formatDate(locale, result.reservedUntil),
    });
  }
  if (result.kind === 'INSTALMENT' && result.status === 'RESERVED') {
    return pt(locale, 'pay.instalmentDone', { balance: usd(locale, result.balanceCents) });
  }
  const sold =
    result.kind === 'INSTALMENT'
      ? pt(locale, 'pay.completed', { number })
      : pt(locale, 'pay.sold', {
          n: places,
          usd: usd(locale, result.totalCents),
          ves: ves(locale, usdToVes(result.totalCents, result.vesPerUsd)),
        });
  if (!result.change) return sold;
  const c = result.change;
  return `${sold} ${pt(locale, 'pay.soldChange', { change: c.currency === 'USD' ? usd(locale, c.cents) : ves(locale, c.cents) })}`;
}
