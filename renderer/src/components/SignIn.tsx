import { useState } from 'react';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { usePinRefusal } from './pin-refusal.ts';

/**
 * Pick who you are, type the PIN. The terminal checks it; five misses lock the user for a while, and
 * the form says how many tries are left or until when the lock holds.
 */
export function SignIn({ store, state }: { store: CounterStore; state: CounterState }) {
  const [userId, setUserId] = useState<number | null>(null);
  const [pin, setPin] = useState('');
  const t = store.t.bind(store);
  const chosen = state.users.find((u) => u.id === userId) ?? null;
  const refusal = usePinRefusal(store, state, 'sign-in', userId);
  return (
    <main className="sign-in">
      <section className="panel sign-in-panel">
        <h1>{t('appName')}</h1>
        <h2>{t('signIn.who')}</h2>
        {state.users.length === 0 && <p>{t('signIn.noUsers')}</p>}
        <div className="user-list">
          {state.users.map((user) => (
            <button
              type="button"
              key={user.id}
              className={`user-button${user.id === userId ? ' chosen' : ''}`}
              aria-pressed={user.id === userId}
              onClick={() => {
                setUserId(user.id);
                setPin('');
              }}
            >
              <strong>{user.name}</strong>
              <span>{t(user.role === 'supervisor' ? 'signIn.supervisor' : 'signIn.cashier')}</span>
            </button>
          ))}
        </div>
        {chosen && (
          <form
            className="pin-form"
            onSubmit={(e) => {
              e.preventDefault();
              void store.signIn(chosen.id, pin).then(() => setPin(''));
            }}
          >
            <label htmlFor="pin">{t('signIn.pin')}</label>
            <input
              id="pin"
              name="pin"
              type="password"
              inputMode="numeric"
              autoComplete="off"
              autoFocus
              maxLength={8}
              value={pin}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            />
            <button
              type="submit"
              className="primary"
              disabled={pin.length < 4 || state.busy || refusal.locked}
            >
              {t('signIn.submit')}
            </button>
            {refusal.text && (
              <p className="pin-refusal" role="status" data-testid="pin-status">
                {refusal.text}
              </p>
            )}
          </form>
        )}
      </section>
    </main>
  );
}
