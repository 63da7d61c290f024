import { useEffect, useState } from 'react';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { usePinRefusal } from './pin-refusal.ts';

/**
 * Kiosk mode only: Ctrl+Shift+Q asks for a supervisor PIN; the terminal decides, counting every try.
 * The dialog itself says how many tries are left, or until when the override is locked.
 */
export function KioskExit({ store, state }: { store: CounterStore; state: CounterState }) {
  const [open, setOpen] = useState(false);
  const [pin, setPin] = useState('');
  const kiosk = state.status?.kiosk === true;
  const refusal = usePinRefusal(store, state, 'kiosk-exit');
  useEffect(() => {
    if (!kiosk) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && e.shiftKey && e.key.toLowerCase() === 'q') {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [kiosk]);
  if (!kiosk || !open) return null;
  return (
    <div className="modal-backdrop">
      <form
        className="panel modal"
        aria-label={store.t('kiosk.exit')}
        onSubmit={(e) => {
          e.preventDefault();
          void store.exitKiosk(pin).then((accepted) => {
            setPin('');
            if (accepted) setOpen(false);
          });
        }}
      >
        <h2>{store.t('kiosk.exit')}</h2>
        <label htmlFor="supervisor-pin">{store.t('kiosk.pin')}</label>
        <input
          id="supervisor-pin"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          autoFocus
          maxLength={8}
          disabled={refusal.locked}
          value={pin}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
        />
        {refusal.text && (
          <p className="pin-refusal" role="alert" data-testid="kiosk-exit-status">
            {refusal.text}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={() => setOpen(false)}>
            {store.t('dismiss')}
          </button>
          <button type="submit" className="primary" disabled={pin.length < 4 || refusal.locked}>
            {store.t('kiosk.exit')}
          </button>
        </div>
      </form>
    </div>
  );
}
