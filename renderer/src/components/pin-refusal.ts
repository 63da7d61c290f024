import { useEffect, useState } from 'react';
import { errorText } from '../i18n/error-text.ts';
import type { CounterState, CounterStore, PinRefusal } from '../state/counter-store.ts';

/**
 * The last PIN refusal for this PIN field, in the current language (attempts left, or locked until
 * when), and whether its lock still holds by server time. Re-renders when the lock ends.
 */
export function usePinRefusal(
  store: CounterStore,
  state: CounterState,
  purpose: PinRefusal['for'],
  userId: number | null = null,
): { text: string | null; locked: boolean } {
  const refusal = state.pinRefusal;
  const mine = refusal && refusal.for === purpose && refusal.userId === userId ? refusal : null;
  const lockedUntil = mine?.lockedUntil ?? null;
  const locked = lockedUntil !== null && lockedUntil > store.serverNow();
  const [, setEnded] = useState(0);
  useEffect(() => {
    if (!locked || lockedUntil === null) return;
    const timer = setTimeout(() => setEnded((n) => n + 1), lockedUntil - store.serverNow() + 100);
    return () => clearTimeout(timer);
  }, [locked, lockedUntil, store]);
  // A lock that has ended says nothing more: the next try is counted afresh.
  if (!mine || (mine.code === 'LOCKED_OUT' && !locked)) return { text: null, locked: false };
  return { text: errorText(state.locale, mine.code, '', mine.details), locked };
}
