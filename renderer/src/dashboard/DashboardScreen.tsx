import { useEffect, useMemo, useState } from 'react';
import type { DashboardAlert } from '../../../shared/api/dashboard.ts';
import type { SeatMap } from '../../../shared/schemas/availability.ts';
import { formatDate, formatTime } from '../i18n/index.ts';
import { paymentErrorText, pt, usd } from '../payments/payment-texts.ts';
import { sessionClient } from '../payments/session-client.ts';
import type { CounterState } from '../state/counter-store.ts';
import { conversionText } from './alerts.ts';
import { useDashboardFeed } from './dashboard-feed.ts';
import { TakingsPanel } from './TakingsPanel.tsx';
import { HeatMap } from './HeatMap.tsx';
import { NotificationsPanel } from './NotificationsPanel.tsx';
import { PaymentProviderPanel } from './PaymentProviderPanel.tsx';
import { StateChart } from './StateChart.tsx';
import { DashboardRefunds } from '../voids/DashboardRefunds.tsx';

/** The supervisor's live view: holds, expiries, conversion, balances due, contested seats, alerts. */
export function DashboardScreen({ state }: { state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const { summary, error: failure } = useDashboardFeed(client);
  const [maps, setMaps] = useState<Record<number, SeatMap>>({});
  const error = failure ? paymentErrorText(locale, failure.code, failure.message, failure.details) : null;

  // Seat maps only for events with contested seats, fetched once each.
  useEffect(() => {
    if (!summary) return;
    for (const e of summary.reservations.events) {
      if (e.contested.length === 0 || maps[e.eventId]) continue;
      client.call('events.seatMap', { eventId: e.eventId }).then(
        (map) => setMaps((m) => ({ ...m, [e.eventId]: map })),
        () => {},
      );
    }
  }, [summary, maps, client]);

  if (!summary) return <p role={error ? 'alert' : undefined}>{error ?? '…'}</p>;
  const alerts = summary.alerts;
  const outstanding = summary.outstanding;
  const attention = new Map(summary.attention.map((a) => [a.eventId, a]));
  return (
    <div className="dashboard" data-testid="dashboard" data-at={summary.at}>
      <p className="muted">{pt(locale, 'dash.updated', { time: formatTime(locale, summary.at) })}</p>
      {error && <p className="payment-error">{error}</p>}
      <NotificationsPanel locale={locale} />
      <TakingsPanel locale={locale} takings={summary.takings} />
      <section className="panel" aria-label={pt(locale, 'dash.alerts')}>
        <h2>{pt(locale, 'dash.alerts')}</h2>
        {alerts.length === 0 ? (
          <p>{pt(locale, 'dash.noAlerts')}</p>
        ) : (
          <ul className="alerts" data-testid="dashboard-alerts">
            {alerts.map((a, i) => (
              <li key={i} className={a.severity} data-kind={a.kind}>
                {alertText(locale, a)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="dash-grid">
        {summary.reservations.events.map((e) => (
          <section
            key={e.eventId}
            className="panel"
            data-testid={`dash-event-${e.eventId}`}
            aria-label={e.name}
          >
            <h2>
              {e.name} · {formatDate(locale, e.startsAt)}
            </h2>
            <div className="kpis">
              <Kpi
                id={e.eventId}
                field="activeHolds"
                label={pt(locale, 'dash.activeHolds')}
                value={e.activeHolds}
              />
              <Kpi
                id={e.eventId}
                field="depositsExpiringSoon"
                label={pt(locale, 'dash.depositsExpiring')}
                value={attention.get(e.eventId)?.depositsExpiringSoon ?? 0}
                warn={(attention.get(e.eventId)?.depositsExpiringSoon ?? 0) > 0}
              />
              <Kpi
                id={e.eventId}
                field="conversionRate"
                label={pt(locale, 'dash.conversion')}
                value={conversionText(e.conversionRate)}
              />
              <Kpi id={e.eventId} field="reserved" label={pt(locale, 'dash.reserved')} value={e.reserved} />
              <Kpi id={e.eventId} field="sold" label={pt(locale, 'dash.sold')} value={e.sold} />
              <Kpi
                id={e.eventId}
                field="abandonedCarts"
                label={pt(locale, 'dash.abandoned')}
                value={e.abandonedCarts}
              />
            </div>
            <h3>{pt(locale, 'dash.heat')}</h3>
            {e.contested.length === 0 ? (
              <p>{pt(locale, 'dash.heatNone')}</p>
            ) : maps[e.eventId] ? (
              <HeatMap map={maps[e.eventId]!} contested={e.contested} label={pt(locale, 'dash.heat')} />
            ) : (
              <p>…</p>
            )}
          </section>
        ))}
      </div>
      <section className="panel" aria-label={pt(locale, 'dash.chart')}>
        <h2>{pt(locale, 'dash.chart')}</h2>
        <StateChart
          events={summary.reservations.events}
          label={pt(locale, 'dash.chart')}
          names={{
            sold: pt(locale, 'dash.sold'),
            reserved: pt(locale, 'dash.reserved'),
            activeHolds: pt(locale, 'dash.activeHolds'),
            expired: pt(locale, 'dash.expired'),
            cancelled: pt(locale, 'dash.cancelled'),
          }}
        />
      </section>
      <DashboardRefunds locale={locale} refunds={summary.refunds} />
      <section className="panel" aria-label={pt(locale, 'dash.outstanding')}>
        <h2>{pt(locale, 'dash.outstanding')}</h2>
        <p
          data-testid="outstanding-totals"
          data-reservations={outstanding.totals.reservations}
          data-balance={outstanding.totals.balanceCents}
        >
          {pt(locale, 'dash.outstandingTotal', {
            n: outstanding.totals.reservations,
            balance: usd(locale, outstanding.totals.balanceCents),
            soon: outstanding.totals.dueWithinDay,
          })}
        </p>
        <table className="figures">
          <thead>
            <tr>
              <th>{pt(locale, 'res.number')}</th>
              <th>{pt(locale, 'dash.event')}</th>
              <th>{pt(locale, 'dash.customer')}</th>
              <th className="num">{pt(locale, 'pay.total')}</th>
              <th className="num">{pt(locale, 'res.paid')}</th>
              <th className="num">{pt(locale, 'res.balance')}</th>
              <th>{pt(locale, 'dash.due')}</th>
            </tr>
          </thead>
          <tbody>
            {outstanding.events.flatMap((ev) =>
              ev.items.map((item) => (
                <tr key={item.transactionId}>
                  <td>{item.number}</td>
                  <td>{ev.name}</td>
                  <td>{item.customerName ?? '—'}</td>
                  <td className="num">{usd(locale, item.totalCents)}</td>
                  <td className="num">{usd(locale, item.paidCents)}</td>
                  <td className="num">{usd(locale, item.balanceCents)}</td>
                  <td>{item.dueAt ? formatDate(locale, item.dueAt) : '—'}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </section>
      <PaymentProviderPanel locale={locale} />
    </div>
  );
}

function Kpi({
  id,
  field,
  label,
  value,
  warn = false,
}: {
  id: number;
  field: string;
  label: string;
  value: number | string;
  warn?: boolean;
}) {
  return (
    <div className={`kpi${warn ? ' warn' : ''}`}>
      <span>{label}</span>
      <strong data-testid={`kpi-${id}-${field}`}>{value}</strong>
    </div>
  );
}

function alertText(locale: CounterState['locale'], a: DashboardAlert): string {
  switch (a.kind) {
    case 'depositsExpiring':
      return pt(locale, 'dash.alert.depositsExpiring', {
        event: a.event,
        n: a.n,
        minutes: a.minutes,
        balance: usd(locale, a.balanceCents),
      });
    case 'longHolds':
      return pt(locale, 'dash.alert.longHolds', { event: a.event, n: a.n, minutes: a.minutes });
    case 'contested':
      return pt(locale, 'dash.alert.contested', { event: a.event, seat: a.seat, n: a.n });
    case 'abandonment':
      return pt(locale, 'dash.alert.abandonment', { event: a.event, n: a.n, percent: a.percent });
    case 'dueSoon':
      return pt(locale, 'dash.alert.dueSoon', {
        event: a.event,
        n: a.n,
        hours: a.hours,
        balance: usd(locale, a.balanceCents),
      });
  }
}
