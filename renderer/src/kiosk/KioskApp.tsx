import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { usdToVes } from '../../../shared/money.ts';
import type { CounterSlip, KioskPaymentOptions } from '../../../shared/schemas/payment-providers.ts';
import type { PaymentResult } from '../../../shared/schemas/payments.ts';
import { cartTotals } from '../cart/cart-totals.ts';
import { formatDate } from '../i18n/index.ts';
import { paymentErrorText, pt, usd, ves } from '../payments/payment-texts.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import { TrainingBanner } from '../components/TrainingBanner.tsx';
import { SeatMapCanvas } from '../seat-map/SeatMapCanvas.tsx';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { IDLE_SETTING_KEY, idlePhase, idleSettings } from './idle-timer.ts';
import { KioskCart } from './KioskCart.tsx';
import { KioskPayDialog } from './KioskPayDialog.tsx';
import { KioskZoneBar, KioskZoneList } from './KioskZones.tsx';
import { PayAtCounterDialog, SlipScreen } from './PayAtCounter.tsx';
import '../payments/payments.css';
import './kiosk.css';

/**
 * How far apart seats are in a kiosk's zone (CSS px between seat centres): a seat is drawn 84 % of
 * that (`SEAT_FILL`), 45 px, above the 44 px a finger needs.
 */
export const KIOSK_SEAT_PX = 54;
const DONE_SCREEN_MS = 20_000;
/** Long enough to read the code off the screen if the slip did not print. */
const SLIP_SCREEN_MS = 60_000;
/** Where the API client keeps the session token (renderer/src/api/client.ts). */
const SESSION_KEY = 'taquilla.session';

/**
 * The customer-facing flow: pick an event, pick seats (map or best N), then pay by card or Pago Móvil
 * through the kiosk's payment provider and collect the tickets, or (always, and the only way with no
 * provider) "Pagar en taquilla": the seats are reserved for a few minutes and a slip with a code
 * prints. Left alone, it warns, then releases the session's holds and starts over. Leaving kiosk mode
 * needs a supervisor PIN (components/KioskExit.tsx).
 */
export function KioskApp({ store, state }: { store: CounterStore; state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [error, setError] = useState<string | null>(null);
  const [paying, setPaying] = useState<'provider' | 'counter' | null>(null);
  const [done, setDone] = useState<PaymentResult | null>(null);
  const [slip, setSlip] = useState<CounterSlip | null>(null);
  const [options, setOptions] = useState<KioskPaymentOptions | null>(null);
  const settings = useMemo(() => idleSettings(window.localStorage?.getItem(IDLE_SETTING_KEY) ?? null), []);
  const lastActivity = useRef(Date.now());
  const [now, setNow] = useState(Date.now());
  const resetting = useRef(false);
  // The zone the customer is choosing seats in; null while choosing a zone.
  const [zoneId, setZoneId] = useState<number | null>(null);
  const chooseZone = useCallback(
    (next: number | null) => {
      setZoneId(next);
      if (next === null) store.showAll();
      else store.showZone(next);
    },
    [store],
  );
  useEffect(() => setZoneId(null), [state.event?.id]);

  // A kiosk signs itself in: a customer session with no PIN, then a fresh page on it.
  useEffect(() => {
    // Only once the counter store has finished starting without a session: before that, a stored
    // token may still be resuming.
    const resuming = window.sessionStorage?.getItem(SESSION_KEY) != null;
    if (state.session || !state.started || resuming || resetting.current) return;
    resetting.current = true;
    client.call('kiosk.start', {}).then(
      (started) => {
        client.setSession(started.sessionToken);
        window.location.reload();
      },
      (e: unknown) => {
        resetting.current = false;
        const p = errorParts(e);
        setError(paymentErrorText(locale, p.code, p.message, p.details));
      },
    );
  }, [state.session, state.started, client, locale]);

  // How this kiosk takes money for the chosen event (a supervisor may change the provider any time).
  const eventId = state.event?.id ?? null;
  useEffect(() => {
    if (!state.session || eventId === null) return;
    let stale = false;
    client.call('kiosk.paymentOptions', { eventId }).then(
      (next) => {
        if (!stale) setOptions(next);
      },
      (e: unknown) => {
        const p = errorParts(e);
        if (!stale) setError(paymentErrorText(locale, p.code, p.message, p.details));
      },
    );
    return () => {
      stale = true;
    };
  }, [client, eventId, state.session, locale]);

  /** Back to the start: the session's holds are released (signOut) and a new session begins. */
  const reset = useCallback(async () => {
    if (resetting.current) return;
    setPaying(null);
    setDone(null);
    setSlip(null);
    await store.signOut();
  }, [store]);

  useEffect(() => {
    const touch = () => {
      lastActivity.current = Date.now();
    };
    const events = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => {
      for (const e of events) window.removeEventListener(e, touch);
      clearInterval(timer);
    };
  }, []);

  const busy = state.event !== null || done !== null || slip !== null;
  const idle = busy ? idlePhase(lastActivity.current, now, settings) : ({ phase: 'active' } as const);
  useEffect(() => {
    if (idle.phase === 'expired') void reset();
  }, [idle.phase, reset]);
  useEffect(() => {
    if (!done && !slip) return;
    const timer = setTimeout(() => void reset(), done ? DONE_SCREEN_MS : SLIP_SCREEN_MS);
    return () => clearTimeout(timer);
  }, [done, slip, reset]);

  const serverNow = store.serverNow();
  const live = state.cart?.tickets.filter((t) => t.reservedUntil > serverNow) ?? [];
  const totals = state.cart ? cartTotals(live, state.cart.vesPerUsd, serverNow) : null;

  let body;
  if (!state.session) {
    body = (
      <div className="kiosk-body single">
        <p role={error ? 'alert' : undefined}>{error ?? '…'}</p>
      </div>
    );
  } else if (slip) {
    body = (
      <div className="kiosk-body single">
        <SlipScreen locale={locale} slip={slip} onStartOver={() => void reset()} />
      </div>
    );
  } else if (done) {
    body = (
      <div className="kiosk-body single">
        <div className="kiosk-done" data-testid="kiosk-done">
          <h2>{pt(locale, 'kiosk.done')}</h2>
          <p>
            {pt(locale, 'kiosk.doneBody', {
              number: done.transactionId.replace(/-/g, '').slice(0, 8).toUpperCase(),
              usd: usd(locale, done.totalCents),
              ves: ves(locale, usdToVes(done.totalCents, done.vesPerUsd)),
            })}
          </p>
          <button type="button" className="primary" onClick={() => void reset()}>
            {pt(locale, 'kiosk.startOver')}
          </button>
        </div>
      </div>
    );
  } else if (!state.event) {
    body = (
      <div className="kiosk-body single">
        <div className="kiosk-events" data-testid="kiosk-start">
          <h2>{pt(locale, 'kiosk.pickEvent')}</h2>
          {state.events.map((e) => (
            <button key={e.id} type="button" onClick={() => void store.chooseEvent(e.id)}>
              <strong>{e.name}</strong>
              <span>
                {e.venue} · {formatDate(locale, e.startsAt)}
              </span>
            </button>
          ))}
        </div>
      </div>
    );
  } else {
    const chosen = zoneId !== null && state.seatMap?.zoneById.has(zoneId) ? zoneId : null;
    body = (
      <div className="kiosk-body kiosk-shop" data-step={chosen === null ? 'zones' : 'seats'}>
        {chosen !== null && (
          <KioskZoneBar store={store} state={state} zoneId={chosen} onBack={() => chooseZone(null)} />
        )}
        <section className="map-area seat-map-host">
          {state.seatMap ? (
            <SeatMapCanvas
              store={store}
              state={state}
              kiosk
              pick={chosen === null ? 'zones' : 'seats'}
              onZone={chooseZone}
              zoneId={chosen}
              {...(chosen === null ? {} : { minSeatPx: KIOSK_SEAT_PX })}
            />
          ) : (
            <div>…</div>
          )}
        </section>
        {chosen === null && <KioskZoneList state={state} onZone={chooseZone} />}
        <div className="kiosk-checkout">
          <KioskCart store={store} state={state} options={options} onPay={setPaying} />
          <button type="button" className="kiosk-start-over" onClick={() => void reset()}>
            {pt(locale, 'kiosk.startOver')}
          </button>
        </div>
        {paying === 'provider' && options?.provider && totals && (
          <KioskPayDialog
            locale={locale}
            eventId={state.event.id}
            provider={options.provider}
            totalCents={totals.usdCents}
            totalVesCents={totals.vesCents}
            onClose={() => setPaying(null)}
            onDone={(result) => {
              setPaying(null);
              setDone(result);
              void store.refreshCart();
            }}
          />
        )}
        {paying === 'counter' && options && (
          <PayAtCounterDialog
            locale={locale}
            eventId={state.event.id}
            places={live.reduce((n, t) => n + t.quantity, 0)}
            minutes={options.payAtCounterMinutes}
            onClose={() => setPaying(null)}
            onDone={(next) => {
              setPaying(null);
              setSlip(next);
              void store.refreshCart();
            }}
          />
        )}
      </div>
    );
  }

  return (
    <div className="kiosk" data-testid="kiosk">
      <header className="kiosk-top">
        <h1>{state.event ? state.event.name : pt(locale, 'kiosk.welcome')}</h1>
        <button
          type="button"
          onClick={() => store.setLocale(locale === 'es' ? 'en' : 'es')}
          lang={locale === 'es' ? 'en' : 'es'}
        >
          {locale === 'es' ? 'English' : 'Español'}
        </button>
      </header>
      <TrainingBanner store={store} state={state} />
      {body}
      {idle.phase === 'warning' && (
        <div className="modal-backdrop">
          <div
            className="panel modal kiosk-idle"
            role="alertdialog"
            aria-label={pt(locale, 'kiosk.idle')}
            data-testid="kiosk-idle"
          >
            <h2>{pt(locale, 'kiosk.idle')}</h2>
            <p>{pt(locale, 'kiosk.idleBody', { s: idle.secondsLeft })}</p>
            <button
              type="button"
              className="primary"
              onClick={() => {
                lastActivity.current = Date.now();
                setNow(Date.now());
              }}
            >
              {pt(locale, 'kiosk.stay')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
