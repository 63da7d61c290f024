import { useEffect, useMemo, useState } from 'react';
import type { PaymentProviderSetting } from '../../../shared/schemas/payment-providers.ts';
import type { Locale } from '../i18n/index.ts';
import { paymentErrorText, pt } from '../payments/payment-texts.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';

/**
 * The supervisor chooses which payment provider confirms the kiosk's card and Pago Móvil payments,
 * or none (the kiosk then offers "Pagar en taquilla"). The terminal decides what exists: an unknown
 * name, or the training provider on a live store, is refused and nothing changes (issue 11).
 */
export function PaymentProviderPanel({ locale }: { locale: Locale }) {
  const client = useMemo(() => sessionClient(), []);
  const [setting, setSetting] = useState<PaymentProviderSetting | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    client.call('paymentProvider.get', {}).then(setSetting, () => {});
  }, [client]);

  async function save(provider: string | null): Promise<void> {
    setError(null);
    try {
      setSetting(await client.call('paymentProvider.set', { provider }));
      setName('');
    } catch (e) {
      const p = errorParts(e);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
    }
  }

  if (!setting) return null;
  return (
    <section className="panel provider-setting" aria-label={pt(locale, 'provider.title')}>
      <h2>{pt(locale, 'provider.title')}</h2>
      <p data-testid="provider-current">
        {setting.provider === null
          ? pt(locale, 'provider.none')
          : pt(locale, 'provider.current', { provider: setting.provider })}{' '}
        {pt(locale, 'provider.available', { available: setting.available.join(', ') || pt(locale, 'none') })}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(name);
        }}
      >
        <label>
          <span>{pt(locale, 'provider.name')}</span>
          <input
            aria-label={pt(locale, 'provider.name')}
            list="payment-providers"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <datalist id="payment-providers">
            {setting.available.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <button type="submit" className="primary" disabled={name.trim() === ''}>
          {pt(locale, 'provider.save')}
        </button>
        <button type="button" disabled={setting.provider === null} onClick={() => void save(null)}>
          {pt(locale, 'provider.clear')}
        </button>
      </form>
      {error && (
        <p className="payment-error" role="alert" data-testid="provider-error">
          {error}
        </p>
      )}
    </section>
  );
}
