import { PayButton } from '../payments/PayButton.tsx';
import type { CounterStore } from '../state/counter-store.ts';

/**
 * The checkout seam: the payment dialog (renderer/src/payments) takes the money in any mix of
 * methods and currencies, or a deposit that reserves the seats.
 */
export function Checkout({ store, disabled }: { store: CounterStore; disabled: boolean }) {
  return <PayButton store={store} disabled={disabled} />;
}
