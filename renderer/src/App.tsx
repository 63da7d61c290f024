import { useEffect, useSyncExternalStore } from 'react';
import { formatDate } from './i18n/index.ts';
import { CartPanel } from './components/CartPanel.tsx';
import { EventPicker } from './components/EventPicker.tsx';
import { KioskExit } from './components/KioskExit.tsx';
import { Legend } from './components/Legend.tsx';
import { Notices } from './components/Notices.tsx';
import { SignIn } from './components/SignIn.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { TrainingBanner } from './components/TrainingBanner.tsx';
import { ZonePanel } from './components/ZonePanel.tsx';
import { KioskApp } from './kiosk/KioskApp.tsx';
import { BackOffice } from './payments/BackOffice.tsx';
import { PrinterNotice } from './printing/PrinterNotice.tsx';
import { SeatMapCanvas } from './seat-map/SeatMapCanvas.tsx';
import type { CounterStore } from './state/counter-store.ts';

export function App({ store }: { store: CounterStore }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);

  // Shortcuts that work anywhere on the counter screen.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        // Opens the payment to confirm (cash USD, whole amount); it never sells by itself.
        e.preventDefault();
        if (!e.repeat) store.openCheckout('cash-usd');
      } else if (e.key === 'Escape') {
        store.dismiss();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  if (state.status?.kiosk)
    return (
      <div className="app">
        {/* The kiosk fills the screen: it shows the training banner inside its own layout. */}
        <KioskApp store={store} state={state} />
        <Notices store={store} state={state} />
        <KioskExit store={store} state={state} />
      </div>
    );

  let body;
  if (!state.session) body = <SignIn store={store} state={state} />;
  else if (!state.event) body = <EventPicker store={store} state={state} />;
  else
    body = (
      <main className="counter">
        <section className="map-area">
          {state.seatMap ? <SeatMapCanvas store={store} state={state} /> : <div className="loading">…</div>}
          <Legend store={store} state={state} />
        </section>
        <aside className="sidebar">
          <CartPanel store={store} state={state} />
          <ZonePanel store={store} state={state} />
        </aside>
      </main>
    );

  return (
    <div className="app">
      <header className="top-bar">
        <span className="brand">{store.t('appName')}</span>
        {state.event && (
          <span className="event-title">
            <strong>{state.event.name}</strong> · {state.event.venue} ·{' '}
            {formatDate(state.locale, state.event.startsAt)}
          </span>
        )}
        <span className="spacer" />
        <BackOffice store={store} state={state} />
        {state.event && (
          <button type="button" onClick={() => store.leaveEvent()}>
            {store.t('events.change')}
          </button>
        )}
        <button
          type="button"
          onClick={() => store.setLocale(state.locale === 'es' ? 'en' : 'es')}
          lang={state.locale === 'es' ? 'en' : 'es'}
        >
          {store.t('language')}
        </button>
        {state.session && (
          <button type="button" onClick={() => void store.signOut()}>
            {store.t('signOut')}
          </button>
        )}
      </header>
      <TrainingBanner store={store} state={state} />
      <Notices store={store} state={state} />
      <PrinterNotice store={store} state={state} />
      {body}
      <div className="shortcuts">{state.event ? store.t('shortcuts') : ''}</div>
      <StatusBar store={store} state={state} />
      <KioskExit store={store} state={state} />
    </div>
  );
}
