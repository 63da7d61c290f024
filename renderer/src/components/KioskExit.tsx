import { useEffect, useState } from 'react';
import type { CounterState, CounterStore } from '../state/counter-store.ts';

/** Kiosk mode only: Ctrl+Shift+Q asks for a supervisor PIN; the terminal decides. */
export function KioskExit({ store, state }: { store: CounterStore; state: CounterState }) {
  const [open, setOpen] = useState(false);
  const [pin, setPin] = useState('');
  const kiosk = state.status?.kiosk === true;
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
          void store.exitKiosk(pin).then(() => setPin(''));
        }}
      >
        <h2>{store.t('kiosk.exit')}</h2>
        <label htmlFor="supervisor-pin">{store.t('kiosk.pin')}</label>
        <input
          id="supervisor-pin"
          type="password"
          inputMode="numeric"
          autoFocus
          maxLength={8}
          value={pin}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
        />
        <div className="modal-actions">
          <button type="button" onClick={() => setOpen(false)}>
            {store.t('dismiss')}
          </button>
          <button type="submit" className="primary" disabled={pin.length < 4}>
            {store.t('kiosk.exit')}
          </button>
        </div>
      </form>
    </div>
  );
}
