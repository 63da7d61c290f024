import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { ConflictScreen } from '../conflicts/ConflictScreen.tsx';
import { ct } from '../conflicts/conflict-texts.ts';
import { DashboardScreen } from '../dashboard/DashboardScreen.tsx';
import { DayClosingScreen } from '../day-closing/DayClosingScreen.tsx';
import { prt } from '../printing/printing-texts.ts';
import { ReprintScreen } from '../printing/ReprintScreen.tsx';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { type PaymentTextKey, pt } from './payment-texts.ts';
import { ReservationsScreen } from './ReservationsScreen.tsx';
import { VoidScreen } from '../voids/VoidScreen.tsx';
import { LeasesScreen } from '../leases/LeasesScreen.tsx';
import { lt } from '../leases/lease-texts.ts';
import { vt } from '../voids/void-texts.ts';

type Screen = 'reservations' | 'reprint' | 'voids' | 'conflicts' | 'dashboard' | 'closing' | 'leases';

const TITLES: Record<Exclude<Screen, 'reprint' | 'voids' | 'conflicts' | 'leases'>, PaymentTextKey> = {
  reservations: 'nav.reservations',
  dashboard: 'nav.dashboard',
  closing: 'nav.closing',
};

function title(locale: CounterState['locale'], screen: Screen): string {
  if (screen === 'reprint') return prt(locale, 'reprint.title');
  if (screen === 'voids') return vt(locale, 'void.title');
  if (screen === 'conflicts') return ct(locale, 'conflict.title');
  if (screen === 'leases') return lt(locale, 'leases.title');
  return pt(locale, TITLES[screen]);
}

/**
 * The top bar's way to the back-office screens (reservations with deposits, the supervisor's
 * dashboard, day closing). Each opens over the counter, which keeps its cart and live feed.
 */
export function BackOffice({ store, state }: { store: CounterStore; state: CounterState }) {
  const [screen, setScreen] = useState<Screen | null>(null);
  /** The sale the reservations list asked to void (the void screen opens on it). */
  const [voiding, setVoiding] = useState<string | undefined>(undefined);
  const role = state.session?.user.role;
  useEffect(() => {
    if (!state.session) setScreen(null);
  }, [state.session]);
  if (!role || role === 'kiosk') return null;
  // Conflicts only on a counter enrolled with a central server (a standalone one has none).
  const enrolled = state.status?.syncQueue !== null && state.status?.syncQueue !== undefined;
  const screens: Screen[] = [
    'reservations',
    'reprint',
    'voids',
    ...(enrolled ? (['conflicts'] as const) : []),
    ...(role === 'supervisor' ? (['dashboard'] as const) : []),
    'closing',
    ...(role === 'supervisor' ? (['leases'] as const) : []),
  ];
  return (
    <>
      <nav className="back-office" aria-label="Back office">
        {screens.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={screen === s}
            className={screen === s ? 'primary' : ''}
            onClick={() => {
              setVoiding(undefined);
              setScreen(screen === s ? null : s);
            }}
          >
            {title(state.locale, s)}
          </button>
        ))}
      </nav>
      {screen &&
        // Outside the top bar (its colours are for a dark background), over the counter.
        createPortal(
          <div className="screen-overlay" role="region" aria-label={title(state.locale, screen)}>
            <header>
              <h1>{screen === 'dashboard' ? pt(state.locale, 'dash.title') : title(state.locale, screen)}</h1>
              <button type="button" onClick={() => setScreen(null)}>
                {pt(state.locale, 'nav.close')}
              </button>
            </header>
            {screen === 'reservations' && (
              <ReservationsScreen
                store={store}
                state={state}
                onVoid={(number) => {
                  setVoiding(number);
                  setScreen('voids');
                }}
              />
            )}
            {screen === 'reprint' && <ReprintScreen store={store} state={state} />}
            {screen === 'voids' && (
              <VoidScreen key={voiding ?? ''} store={store} state={state} initialNumber={voiding} />
            )}
            {screen === 'conflicts' && <ConflictScreen store={store} state={state} />}
            {screen === 'dashboard' && <DashboardScreen state={state} />}
            {screen === 'closing' && <DayClosingScreen state={state} />}
            {screen === 'leases' && <LeasesScreen store={store} state={state} />}
          </div>,
          document.body,
        )}
    </>
  );
}
