import { formatTime } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';

/** Free space as people read it: 120 MB, 1,5 GB. */
function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

export function StatusBar({ store, state }: { store: CounterStore; state: CounterState }) {
  const s = state.status;
  const network = s?.network ?? 'unknown';
  const printer = s?.printer ?? 'unknown';
  return (
    <footer className="status-bar" role="contentinfo">
      <span className={`status-item net-${network}`} data-testid="status-network">
        <i className="dot" />
        {store.t(`status.network.${network}`, { queue: s?.syncQueue ?? 0 })}
      </span>
      {(network === 'offline' || state.venueFeed === 'down') && (
        <button type="button" className="link" data-testid="reconnect" onClick={() => void store.reconnect()}>
          {store.t('status.reconnect')}
        </button>
      )}
      <span className="status-item">
        {store.t('status.printer')}:{' '}
        {printer === 'unknown' ? store.t('status.unknown') : store.t(`status.printer.${printer}`)}
      </span>
      {state.event && (
        // The map is live only if this screen's channel is up and, on an enrolled terminal, other
        // counters' changes are reaching it through the server.
        <span
          className={`status-item live-${state.venueFeed === 'down' ? 'lost' : state.live}`}
          data-testid="status-live"
        >
          <i className="dot" />
          {store.t('status.live')}:{' '}
          {state.venueFeed === 'down' && state.live === 'live'
            ? store.t('status.live.venueDown')
            : store.t(`status.live.${state.live}`)}
        </span>
      )}
      {s?.disk === 'low' && (
        <span className="status-item disk-low" data-testid="status-disk" role="alert">
          {store.t('status.disk.low', { free: formatBytes(s.diskFreeBytes ?? 0) })}
        </span>
      )}
      {s?.kiosk && <span className="status-item">{store.t('status.kiosk')}</span>}
      <span className="status-spacer" />
      {state.session && (
        <span className="status-item" data-testid="status-cashier">
          {store.t('status.cashier')}: {state.session.user.name}
        </span>
      )}
      <span className="status-item clock">{formatTime(state.locale, store.serverNow())} (Caracas)</span>
    </footer>
  );
}
