import { useCallback, useEffect, useMemo, useState } from 'react';
import type { LeaseViewMessage } from '../../../shared/api/leases.ts';
import { type LeasePolicyEntry, policyPlaces } from '../../../shared/lease-policy.ts';
import { formatDate } from '../i18n/index.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import { leaseErrorText, lt } from './lease-texts.ts';

/**
 * The supervisor's view of this counter's offline leases (issue 14): what it carries, until when it
 * sells from each, what it sold, the event policies it keeps them by, and giving a lease back.
 */
export function LeasesScreen({ store, state }: { store: CounterStore; state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [leases, setLeases] = useState<LeaseViewMessage[]>([]);
  const [policies, setPolicies] = useState<LeasePolicyEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = (e: unknown): void => {
    const p = errorParts(e);
    setError(leaseErrorText(locale, p.code, p.message, p.details));
  };

  const load = useCallback(async () => {
    try {
      setLeases(await client.call('leases.list', { all: false }));
      setPolicies(await client.call('leases.policies', {}));
      setError(null);
    } catch (e) {
      fail(e);
    }
  }, [client, locale]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  async function giveBack(leaseId: string): Promise<void> {
    setBusy(true);
    try {
      const { returned } = await client.call('leases.return', { leaseId });
      store.notify('success', lt(locale, 'leases.returnedNotice', { n: returned }));
      await load();
      await store.refreshLeased();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel leases-screen" aria-label={lt(locale, 'leases.title')}>
      <p className="muted">{lt(locale, 'leases.intro')}</p>
      {error && (
        <p className="payment-error" role="alert">
          {error}
        </p>
      )}
      <ul className="lease-policies" data-testid="lease-policies">
        {policies.length === 0 ? (
          <li className="muted">{lt(locale, 'leases.noPolicy')}</li>
        ) : (
          policies.map((p) => (
            <li key={p.eventId}>
              {lt(locale, 'leases.policy', {
                eventId: p.eventId,
                places: policyPlaces(p.policy),
                minutes: p.policy.durationMinutes,
                before: p.policy.renewBeforeMinutes,
              })}
              {p.policy.soldOutBelow > 0 &&
                `; ${lt(locale, 'leases.policySoldOut', { n: p.policy.soldOutBelow })}`}
            </li>
          ))
        )}
      </ul>
      {leases.length === 0 ? (
        <p data-testid="leases-none">{lt(locale, 'leases.none')}</p>
      ) : (
        <table className="leases">
          <tbody>
            {leases.map((l) => (
              <tr key={l.leaseId} data-testid="lease-row">
                <td>{lt(locale, 'leases.event', { eventId: l.eventId })}</td>
                <td>
                  {lt(
                    locale,
                    l.status !== 'OPEN' ? 'leases.returned' : l.selling ? 'leases.selling' : 'leases.ended',
                  )}
                </td>
                <td>{lt(locale, 'leases.until', { when: formatDate(locale, l.sellsUntil) })}</td>
                <td>
                  {l.seatIds.length > 0 &&
                    lt(locale, 'leases.seats', { n: l.seatIds.length, sold: l.soldSeatIds.length })}
                  {l.general && lt(locale, 'leases.places', { n: l.general.quantity, sold: l.general.sold })}
                </td>
                <td>{lt(locale, 'leases.numbers', { from: l.nextTicket, to: l.ticketTo })}</td>
                <td>
                  <button type="button" disabled={busy} onClick={() => void giveBack(l.leaseId)}>
                    {lt(locale, 'leases.return')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => void load()}>
        {lt(locale, 'leases.refresh')}
      </button>
    </section>
  );
}
