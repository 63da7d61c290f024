import { useMemo, useState } from 'react';
import type { ProviderMethod } from '../../../shared/payment-channels.ts';
import type { KioskPaymentOptions } from '../../../shared/schemas/payment-providers.ts';
import type { PaymentResult } from '../../../shared/schemas/payments.ts';
import type { Locale } from '../i18n/index.ts';
import { paymentErrorText, pt, usd, ves } from '../payments/payment-texts.ts';
import { errorParts, newRequestId, sessionClient } from '../payments/session-client.ts';
import { PAGO_MOVIL_BANKS } from './banks.ts';
import { kt } from './kiosk-texts.ts';
import { NumericKeypad } from './NumericKeypad.tsx';

type Provider = NonNullable<KioskPaymentOptions['provider']>;
type DigitField = 'phone' | 'reference';

/**
 * The customer's payment screen (not the cashier's: no change, no second tender, no bank codes):
 * the amount in bolívares and dollars, then a debit card through the POS beside the screen, or a
 * Pago Móvil the customer made from their phone, told by their bank's name, their phone and the
 * reference, on a keypad on the screen. Nothing the customer types is taken as an approval: the
 * kiosk's payment provider takes or finds the money and the terminal records what it confirmed.
 * With the training provider the button simulates the approval, and says so.
 */
export function KioskPayDialog({
  locale,
  eventId,
  provider,
  totalCents,
  totalVesCents,
  onDone,
  onClose,
}: {
  locale: Locale;
  eventId: number;
  provider: Provider;
  totalCents: number;
  totalVesCents: number;
  onDone: (result: PaymentResult) => void;
  onClose: () => void;
}) {
  const client = useMemo(() => sessionClient(), []);
  const [method, setMethod] = useState<ProviderMethod>(provider.methods[0] ?? 'CARD');
  const [claim, setClaim] = useState({ reference: '', phone: '', bankCode: '' });
  const [typing, setTyping] = useState<DigitField>('phone');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per attempt. When the answer is lost (NETWORK) the next press asks with the same key, so
  // a provider that already took the money is not asked to take it again.
  const [requestId, setRequestId] = useState(newRequestId);
  const bs = ves(locale, totalVesCents);
  // A real provider needs the customer's Pago Móvil to find it at the bank; the training provider
  // simulates it when the fields are left empty.
  const claimGiven = claim.reference.trim() !== '' || claim.phone.trim() !== '' || claim.bankCode !== '';
  const claimComplete = claim.reference.trim() !== '' && claim.phone.trim() !== '' && claim.bankCode !== '';
  const needsClaim = method === 'PAGO_MOVIL' && !provider.simulated;

  async function pay(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const result = await client.call('kiosk.pay', {
        eventId,
        method,
        requestId,
        ...(method === 'PAGO_MOVIL' && (claimGiven || needsClaim) ? { pagoMovil: claim } : {}),
      });
      onDone(result);
    } catch (e) {
      const p = errorParts(e);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
      if (p.code !== 'NETWORK') setRequestId(newRequestId());
    } finally {
      setBusy(false);
    }
  }

  const action = provider.simulated
    ? kt(locale, 'pay.simulate')
    : method === 'CARD'
      ? kt(locale, 'pay.cardButton', { ves: bs })
      : kt(locale, 'pay.verify');
  const title = kt(locale, 'pay.title');
  const digitField = (field: DigitField) => (
    <label className={typing === field ? 'typing' : ''}>
      <span>{kt(locale, field === 'phone' ? 'pay.phone' : 'pay.reference')}</span>
      <input
        aria-label={kt(locale, field === 'phone' ? 'pay.phone' : 'pay.reference')}
        // The keypad on the screen types here; no system keyboard pops up over it.
        inputMode="none"
        autoComplete="off"
        value={claim[field]}
        disabled={busy}
        placeholder={field === 'phone' ? '0414-1234567' : ''}
        onFocus={() => setTyping(field)}
        onChange={(e) => setClaim((c) => ({ ...c, [field]: e.target.value }))}
      />
    </label>
  );

  return (
    <div className="modal-backdrop kiosk-backdrop">
      <div className="panel modal kiosk-pay" role="dialog" aria-label={title} data-testid="kiosk-pay">
        <header className="kiosk-pay-total">
          <span>{title}</span>
          <strong data-testid="kiosk-pay-ves">{bs}</strong>
          <small>{usd(locale, totalCents)}</small>
        </header>
        <h2>{kt(locale, 'pay.how')}</h2>
        <div className="kiosk-methods" role="radiogroup" aria-label={kt(locale, 'pay.how')}>
          {provider.methods.map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={method === m}
              className={method === m ? 'primary' : ''}
              disabled={busy}
              onClick={() => setMethod(m)}
            >
              {kt(locale, m === 'CARD' ? 'pay.card' : 'pay.pagoMovil')}
            </button>
          ))}
        </div>
        <p className="kiosk-steps">
          {method === 'CARD' ? kt(locale, 'pay.cardSteps') : kt(locale, 'pay.pmSteps', { ves: bs })}
        </p>
        {method === 'PAGO_MOVIL' && (
          <div className="kiosk-claim">
            <label>
              <span>{kt(locale, 'pay.bank')}</span>
              <select
                aria-label={kt(locale, 'pay.bank')}
                value={claim.bankCode}
                disabled={busy}
                onChange={(e) => setClaim((c) => ({ ...c, bankCode: e.target.value }))}
              >
                <option value="">{kt(locale, 'pay.chooseBank')}</option>
                {PAGO_MOVIL_BANKS.map((bank) => (
                  <option key={bank.code} value={bank.code}>
                    {bank.name}
                  </option>
                ))}
              </select>
            </label>
            {digitField('phone')}
            {digitField('reference')}
            <NumericKeypad
              locale={locale}
              disabled={busy}
              onDigit={(d) => setClaim((c) => ({ ...c, [typing]: c[typing] + d }))}
              onDelete={() => setClaim((c) => ({ ...c, [typing]: c[typing].slice(0, -1) }))}
            />
          </div>
        )}
        {provider.simulated && (
          <p className="kiosk-training-hint" data-testid="kiosk-training-hint">
            {pt(locale, 'kiosk.trainingHint')}
          </p>
        )}
        {busy && <p aria-live="polite">{kt(locale, 'pay.waiting')}</p>}
        {error && (
          <p className="payment-error" role="alert" data-testid="payment-error">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {kt(locale, 'pay.back')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy || (needsClaim && !claimComplete)}
            onClick={() => void pay()}
          >
            {action}
          </button>
        </div>
      </div>
    </div>
  );
}
