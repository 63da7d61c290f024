import type { CounterState, CounterStore } from '../state/counter-store.ts';

/** Shown on every screen of a training store, counter and kiosk alike: practice must never pass for real. */
export function TrainingBanner({ store, state }: { store: CounterStore; state: CounterState }) {
  if (state.status?.mode !== 'training') return null;
  return (
    <div className="training-banner" role="status" data-testid="training-banner">
      {store.t('status.training')}
    </div>
  );
}
