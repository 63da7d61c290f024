import { formatDate } from '../i18n/index.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';

export function EventPicker({ store, state }: { store: CounterStore; state: CounterState }) {
  return (
    <main className="event-picker">
      <h1>{store.t('events.title')}</h1>
      <div className="event-list">
        {state.events.map((event) => (
          <button
            type="button"
            key={event.id}
            className="event-card"
            onClick={() => void store.chooseEvent(event.id)}
          >
            <strong>{event.name}</strong>
            <span>{event.venue}</span>
            <span>{formatDate(state.locale, event.startsAt)}</span>
            <span>{store.t('events.seats', { n: event.seats })}</span>
          </button>
        ))}
      </div>
    </main>
  );
}
