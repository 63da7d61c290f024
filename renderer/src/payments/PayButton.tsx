import { useState, useSyncExternalStore } from 'react';
import { cartTotals } from '../cart/cart-totals.ts';
import type { CounterStore } from '../state/counter-store.ts';
import { PaymentDialog, paymentDoneText } from './PaymentDialog.tsx';

/** The counter's "Cobrar": opens the payment dialog (full payment or deposit) on the cart. */
export function PayButton({ store, disabled }: { store: CounterStore; disabled: boolean }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [open, setOpen] = useState(false);
  const event = state.event;
  return (
    <>
      <button
        type="button"
        className="primary checkout"
        disabled={disabled || open}
        onClick={() => setOpen(true)}
      >
        {store.t('checkout.pay')}
      </button>
      {open && event && (
        <PaymentDialog
          store={store}
          state={state}
          target={{ kind: 'cart', eventId: event.id }}
          allowDeposit={state.session?.user.role !== 'kiosk'}
          onClose={() => setOpen(false)}
          onDone={(result) => {
            setOpen(false);
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
