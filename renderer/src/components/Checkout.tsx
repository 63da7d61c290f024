import { useState } from 'react';
import type { CounterStore } from '../state/counter-store.ts';

/**
 * The checkout seam: today one button, full payment, one API call (store.payInFull). Payment
 * methods and partial payments (other issues) replace what this component renders and calls.
 */
export function Checkout({ store, disabled }: { store: CounterStore; disabled: boolean }) {
  const [paying, setPaying] = useState(false);
  return (
    <button
      type="button"
      className="primary checkout"
      disabled={disabled || paying}
      onClick={() => {
        setPaying(true);
        void store.payInFull().finally(() => setPaying(false));
      }}
    >
      {paying ? store.t('checkout.paying') : store.t('checkout.pay')}
    </button>
  );
}
