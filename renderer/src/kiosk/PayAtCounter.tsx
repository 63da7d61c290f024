import { useMemo, useState } from 'react';
import { usdToVes } from '../../../shared/money.ts';
import type { CounterSlip } from '../../../shared/schemas/payment-providers.ts';
import { formatSlipCode } from '../../../shared/slip-code.ts';
import { formatClock, type Locale } from '../i18n/index.ts';
import { paymentErrorText, pt, usd, ves } from '../payments/payment-texts.ts';
import { errorParts, newRequestId, sessionClient } from '../payments/session-client.ts';

/**
 * "Pagar en taquilla" (issue 11): the customer confirms, the terminal reserves the seats for a few
 * minutes and prints a slip with a code; the cashier finds it by that code and takes the money.
 */
export function PayAtCounterDialog({
  locale,
  eventId,
  places,
  minutes,
  onDone,
  onClose,
}: {
  locale: Locale;
  eventId: number;
  places: number;
  minutes: number;
  onDone: (slip: CounterSlip) => void;
  onClose: () => void;
}) {
  const client = useMemo(() => sessionClient(), []);
  // One key for this dialog: pressing again after a lost answer gets the same slip, not a second one.
  const requestId = useMemo(() => newRequestId(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function reserve(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      onDone(await client.call('kiosk.payAtCounter', { eventId, requestId }));
    } catch (e) {
      const p = errorParts(e);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
    } finally {
      setBusy(false);
    }
  }

  const title = pt(locale, 'kiosk.counterTitle');
  return (
    <div className="modal-backdrop">
      <div className="panel modal payment-dialog large" role="dialog" aria-label={title}>
        <h2>{title}</h2>
        <p>{pt(locale, 'kiosk.counterBody', { n: places, minutes })}</p>
        {error && (
          <p className="payment-error" role="alert" data-testid="payment-error">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {pt(locale, 'pay.cancel')}
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void reserve()}>
            {pt(locale, 'kiosk.counterConfirm')}
          </button>
        </div>
      </div>
    </div>
  );
}

/** What the customer reads once the slip is printing: the code, large, and until when it holds. */
export function SlipScreen({
  locale,
  slip,
  onStartOver,
}: {
  locale: Locale;
  slip: CounterSlip;
  onStartOver: () => void;
}) {
  return (
    <div className="kiosk-done kiosk-slip" data-testid="kiosk-slip">
      <h2>{pt(locale, 'kiosk.slipTitle')}</h2>
      <p>{pt(locale, 'kiosk.slipCode')}</p>
      <p className="slip-code" data-testid="slip-code" data-code={slip.code}>
        {formatSlipCode(slip.code)}
      </p>
      <p>
        <strong>{pt(locale, 'kiosk.slipUntil', { time: formatClock(locale, slip.reservedUntil) })}</strong>
      </p>
      <p>
        {pt(locale, 'kiosk.slipBody', {
          seats: slip.seats.join(', '),
          usd: usd(locale, slip.totalCents),
          ves: ves(locale, usdToVes(slip.totalCents, slip.vesPerUsd)),
        })}
      </p>
      <button type="button" className="primary" onClick={onStartOver}>
        {pt(locale, 'kiosk.startOver')}
      </button>
    </div>
  );
}
