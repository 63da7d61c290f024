import { useEffect, useSyncExternalStore } from 'react';
import { cartTotals } from '../cart/cart-totals.ts';
import type { CounterStore } from '../state/counter-store.ts';
import { PaymentDialog, paymentDoneText } from './PaymentDialog.tsx';

/**
 * The counter's "Cobrar": opens the payment dialog (full payment or deposit) on the cart. Ctrl+Enter
 * opens the same dialog through the store, with cash USD for the whole amount filled in.
 */
export function PayButton({ store, disabled }: { store: CounterStore; disabled: boolean }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const checkout = state.checkout;
  const event = state.event;
  // The cart emptied (holds ran out, event left): the dialog goes with the button, and stays closed.
  useEffect(() => () => store.closeCheckout(), [store]);
  return (
    <>
      <button
        type="button"
        className="primary checkout"
        disabled={disabled || checkout !== null}
        onClick={() => store.openCheckout()}
      >
        {store.t('checkout.pay')}
      </button>
      {checkout && event && (
        <PaymentDialog
          store={store}
          state={state}
          target={{ kind: 'cart', eventId: event.id }}
          allowDeposit={state.session?.user.role !== 'kiosk'}
          {...(checkout.prefill === 'cash-usd' ? { confirmWith: 'CASH_USD' as const } : {})}
          onClose={() => store.closeCheckout()}
          onDone={(result) => {
            store.closeCheckout();
            const places = cartTotals(
              state.cart?.tickets ?? [],
              state.cart?.vesPerUsd ?? '1',
              store.serverNow(),
            ).places;
            store.notify('success', paymentDoneText(state, result, places));
            void store.refreshCart();
            void store.confirmPrinting();
          }}
        />
      )}
    </>
  );
}
