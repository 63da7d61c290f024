import type { CounterState, CounterStore } from '../state/counter-store.ts';

export function Notices({ store, state }: { store: CounterStore; state: CounterState }) {
  return (
    <div className="notices" role="alert" aria-live="assertive">
      {state.notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-kind={n.kind}>
          <span>{n.text}</span>
          <button
            type="button"
            className="link"
            onClick={() => store.dismiss(n.id)}
            aria-label={store.t('dismiss')}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
