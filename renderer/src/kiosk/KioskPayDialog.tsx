import { useMemo, useState } from 'react';
import type { ProviderMethod } from '../../../shared/payment-channels.ts';
import type { KioskPaymentOptions } from '../../../shared/schemas/payment-providers.ts';
import type { PaymentResult } from '../../../shared/schemas/payments.ts';
import type { Locale } from '../i18n/index.ts';
import { methodName, paymentErrorText, pt, usd, ves } from '../payments/payment-texts.ts';
import { errorParts, newRequestId, sessionClient } from '../payments/session-client.ts';

type Provider = NonNullable<KioskPaymentOptions['provider']>;

/**
 * The customer pays by card or Pago Móvil through the kiosk's payment provider (issue 11). Nothing
 * the customer types is taken as an approval: the provider takes the money and the terminal records
 * what it confirmed. With the training provider the button simulates the approval, and says so.
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per attempt. When the answer is lost (NETWORK) the next press asks with the same key, so
  // a provider that already took the money is not asked to take it again.
  const [requestId, setRequestId] = useState(newRequestId);
  const bs = ves(locale, totalVesCents);
  // A real provider needs the customer's Pago Móvil reference to find it at the bank; the training
  // provider simulates it when the fields are left empty.
  const claimGiven =
    claim.reference.trim() !== '' || claim.phone.trim() !== '' || claim.bankCode.trim() !== '';
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
    ? pt(locale, 'kiosk.simulate')
    : method === 'CARD'
      ? pt(locale, 'kiosk.charge', { ves: bs })
      : pt(locale, 'kiosk.verify');
  const title = pt(locale, 'kiosk.payTitle', { ves: bs, usd: usd(locale, totalCents) });

  return (
    <div className="modal-backdrop">
      <div className="panel modal payment-dialog large kiosk-pay" role="dialog" aria-label={title}>
        <h2>{title}</h2>
        <div className="kiosk-methods" role="radiogroup" aria-label={pt(locale, 'pay.method')}>
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
              {methodName(locale, m)}
            </button>
          ))}
        </div>
        <p>{method === 'CARD' ? pt(locale, 'kiosk.cardHint') : pt(locale, 'kiosk.pmHint', { ves: bs })}</p>
        {method === 'PAGO_MOVIL' && (
          <div className="kiosk-claim">
            {(['reference', 'phone', 'bankCode'] as const).map((field) => (
              <label key={field}>
                <span>{pt(locale, `pay.${field}`)}</span>
                <input
                  aria-label={pt(locale, `pay.${field}`)}
                  inputMode="numeric"
                  value={claim[field]}
                  disabled={busy}
                  onChange={(e) => setClaim((c) => ({ ...c, [field]: e.target.value }))}
                />
              </label>
            ))}
          </div>
        )}
        {provider.simulated && (
          <p className="kiosk-training-hint" data-testid="kiosk-training-hint">
            {pt(locale, 'kiosk.trainingHint')}
          </p>
        )}
        {busy && <p aria-live="polite">{pt(locale, 'kiosk.waiting')}</p>}
        {error && (
          <p className="payment-error" role="alert" data-testid="payment-error">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {pt(locale, 'pay.cancel')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy || (needsClaim && !claimGiven)}
            onClick={() => void pay()}
          >
            {action}
          </button>
        </div>
      </div>
    </div>
  );
}
