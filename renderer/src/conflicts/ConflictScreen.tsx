import { useEffect, useMemo, useState } from 'react';
import type { ConflictActionName, ConflictOutcome, ConflictView } from '../../../shared/schemas/conflicts.ts';
import { saleNumberOf } from '../../../shared/schemas/printing.ts';
import { formatDate } from '../i18n/index.ts';
import { usd } from '../payments/payment-texts.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { conflictErrorText, ct } from './conflict-texts.ts';
import './conflicts.css';

/**
 * The supervisor's conflicts (issue 14): each offline sale the central server refused, with its three
 * ways out — move the customer, refund, or accept the sale — approved by a supervisor's PIN unless one
 * is signed in. The terminal does everything (ConflictDesk); this screen says only what it confirmed.
 */
export function ConflictScreen({ store, state }: { store: CounterStore; state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const supervisor = state.session?.user.role === 'supervisor';
  const [conflicts, setConflicts] = useState<ConflictView[] | null>(null);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = (e: unknown): void => {
    const p = errorParts(e);
    setError(conflictErrorText(locale, p.code, p.message, p.details));
  };

  async function load(): Promise<void> {
    try {
      setConflicts(await client.call('conflicts.list', { all: false }));
    } catch (e) {
      fail(e);
    }
  }

  useEffect(() => {
    void load();
  }, []);

  function told(outcome: ConflictOutcome): string {
    const said =
      outcome.resolution === 'moved'
        ? ct(locale, 'conflict.moved', { seats: (outcome.seatLabels ?? []).join(', ') })
        : outcome.resolution === 'refunded'
          ? ct(locale, 'conflict.refunded', { amount: usd(locale, outcome.refundUsdCents ?? 0) })
          : outcome.soldElsewhere && outcome.soldElsewhere.length > 0
            ? ct(locale, 'conflict.acceptedShared', { seats: outcome.soldElsewhere.join(', ') })
            : ct(locale, 'conflict.accepted');
    return outcome.recordedAtServer ? said : `${said} ${ct(locale, 'conflict.notRecorded')}`;
  }

  async function resolve(conflict: ConflictView, action: ConflictActionName): Promise<void> {
    const note = (notes[conflict.id] ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const outcome = await client.call('conflicts.resolve', {
        conflictId: conflict.id,
        action,
        ...(note ? { note } : {}),
        ...(supervisor ? {} : { supervisorPin: pin }),
      });
      setPin('');
      store.notify(outcome.recordedAtServer ? 'success' : 'info', told(outcome));
      await load();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel conflict-screen" aria-label={ct(locale, 'conflict.title')}>
      <p className="muted">{ct(locale, 'conflict.intro')}</p>
      {error && (
        <p className="payment-error" role="alert" data-testid="conflict-error">
          {error}
        </p>
      )}
      {!supervisor && (
        <label className="conflict-pin">
          {ct(locale, 'conflict.pin')}
          <input
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
          />
          <span className="muted">{ct(locale, 'conflict.needsSupervisor')}</span>
        </label>
      )}
      {conflicts?.length === 0 && <p data-testid="conflicts-none">{ct(locale, 'conflict.none')}</p>}
      <ul className="conflict-list">
        {(conflicts ?? []).map((c) => {
          const note = notes[c.id] ?? '';
          const canAct = !busy && (supervisor || pin.length >= 4);
          return (
            <li key={c.id} data-testid="conflict" data-conflict={c.id}>
              <strong>
                {ct(locale, 'conflict.row', {
                  sale: c.saleId ? saleNumberOf(c.saleId) : `#${c.id}`,
                  seats: c.seatLabels.join(', ') || '—',
                  tickets: c.ticketNumbers.join(', ') || '—',
                })}
              </strong>
              {/* The server's own words (English) stay at hand for support, behind the code. */}
              <span className="muted" title={c.error}>
                {formatDate(locale, c.createdAt)} · {ct(locale, 'conflict.why', { code: c.errorCode })}
              </span>
              <label>
                {ct(locale, 'conflict.note')}
                <input
                  value={note}
                  maxLength={200}
                  onChange={(e) => setNotes({ ...notes, [c.id]: e.target.value })}
                />
              </label>
              <div className="conflict-actions">
                <button
                  type="button"
                  className="primary"
                  disabled={!canAct}
                  onClick={() => void resolve(c, 'move')}
                >
                  {ct(locale, 'conflict.move')}
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={!canAct || note.trim().length < 3}
                  onClick={() => void resolve(c, 'refund')}
                >
                  {ct(locale, 'conflict.refund')}
                </button>
                <button
                  type="button"
                  disabled={!canAct || note.trim().length < 3}
                  onClick={() => void resolve(c, 'override')}
                >
                  {ct(locale, 'conflict.override')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
