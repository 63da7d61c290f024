import { useCallback, useEffect, useMemo, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/index.ts';
import type { ClosingReport, ClosingSummary } from '../../../shared/schemas/payments.ts';
import { formatDate } from '../i18n/index.ts';
import { methodName, paymentErrorText, pt, usd, ves } from '../payments/payment-texts.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import type { CounterState } from '../state/counter-store.ts';
import { csvDataUrl } from './csv-download.ts';

/** X report (view, the day stays open) and Z report (closes the day), with a CSV export. */
export function DayClosingScreen({ state }: { state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [report, setReport] = useState<ClosingReport | null>(null);
  const [closings, setClosings] = useState<MethodOutput<'reports.closings'>>([]);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const supervisor = state.session?.user.role === 'supervisor';
  const me = state.session ? `${state.session.user.role}:${state.session.user.name}` : '';

  const fail = useCallback(
    (e: unknown) => {
      const p = errorParts(e);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
    },
    [locale],
  );

  const refresh = useCallback(async () => {
    setError(null);
    try {
      setReport(await client.call('reports.x', {}));
      setClosings(await client.call('reports.closings', {}));
    } catch (e) {
      fail(e);
    }
  }, [client, fail]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function download(number?: number): Promise<void> {
    try {
      const { filename, csv } = await client.call('reports.csv', number === undefined ? {} : { number });
      const a = document.createElement('a');
      a.href = csvDataUrl(csv);
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      fail(e);
    }
  }

  async function closeDay(): Promise<void> {
    setConfirming(false);
    try {
      const z = await client.call('reports.z', {});
      setReport(z);
      setClosings(await client.call('reports.closings', {}));
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div className="day-closing" data-testid="day-closing">
      <div className="search-row">
        <button type="button" onClick={() => void refresh()}>
          {pt(locale, 'close.x')}
        </button>
        <button type="button" className="primary" onClick={() => setConfirming(true)}>
          {pt(locale, 'close.z')}
        </button>
        <button
          type="button"
          onClick={() => void download(report?.kind === 'Z' ? (report.number ?? undefined) : undefined)}
        >
          {pt(locale, 'close.csv')}
        </button>
      </div>
      {confirming && (
        <div className="panel" role="alertdialog" aria-label={pt(locale, 'close.z')}>
          <p>{pt(locale, 'close.zConfirm', { cashier: state.session?.user.name ?? '' })}</p>
          <div className="modal-actions">
            <button type="button" onClick={() => setConfirming(false)}>
              {pt(locale, 'pay.cancel')}
            </button>
            <button type="button" className="primary" onClick={() => void closeDay()}>
              {pt(locale, 'close.z')}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="payment-error" role="alert" data-testid="closing-error">
          {error}
        </p>
      )}
      {report && (
        <section
          className="panel"
          data-testid="closing-report"
          data-kind={report.kind}
          data-number={report.number ?? ''}
        >
          <h2>
            {pt(locale, 'close.kind', { kind: report.kind })}
            {report.number !== null ? ` ${pt(locale, 'close.number', { number: report.number })}` : ''} ·{' '}
            {pt(locale, 'close.day', { day: report.businessDay })} ·{' '}
            {report.cashier?.replace(/^(cashier|supervisor):/, '') ??
              (supervisor ? pt(locale, 'close.all') : me)}
          </h2>
          <SummaryTable locale={locale} summary={report.totals} testId="closing-totals" />
          {report.cashiers.length > 1 &&
            report.cashiers.map((c) => (
              <div key={c.cashier}>
                <h3>{c.cashier.replace(/^(cashier|supervisor):/, '')}</h3>
                <SummaryTable locale={locale} summary={c} />
              </div>
            ))}
        </section>
      )}
      {closings.length > 0 && (
        <section className="panel">
          <h2>{pt(locale, 'close.previous')}</h2>
          <table className="figures">
            <tbody>
              {closings.map((c) => (
                <tr key={c.number}>
                  <td>Z {c.number}</td>
                  <td>{c.businessDay}</td>
                  <td>{c.cashier.replace(/^(cashier|supervisor):/, '')}</td>
                  <td>{formatDate(locale, c.closedAt)}</td>
                  <td>
                    <button type="button" className="link" onClick={() => void download(c.number)}>
                      {pt(locale, 'close.csv')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

function SummaryTable({
  locale,
  summary,
  testId,
}: {
  locale: CounterState['locale'];
  summary: ClosingSummary;
  testId?: string;
}) {
  if (summary.payments === 0) return <p>{pt(locale, 'close.empty')}</p>;
  const money = (currency: 'USD' | 'VES', cents: number) =>
    currency === 'USD' ? usd(locale, cents) : ves(locale, cents);
  return (
    <>
      <p>
        {pt(locale, 'close.summary', {
          payments: summary.payments,
          sales: summary.sales,
          deposits: summary.deposits,
          instalments: summary.instalments,
        })}
      </p>
      <table className="figures" data-testid={testId}>
        <thead>
          <tr>
            <th>{pt(locale, 'close.method')}</th>
            <th>{pt(locale, 'close.currency')}</th>
            <th className="num">{pt(locale, 'close.count')}</th>
            <th className="num">{pt(locale, 'close.received')}</th>
            <th className="num">{pt(locale, 'close.changeGiven')}</th>
            <th className="num">{pt(locale, 'close.net')}</th>
            <th className="num">{pt(locale, 'close.netUsd')}</th>
          </tr>
        </thead>
        <tbody>
          {summary.lines.map((l) => (
            <tr key={`${l.method}-${l.currency}`} data-method={l.method} data-currency={l.currency}>
              <td>{methodName(locale, l.method)}</td>
              <td>{l.currency === 'USD' ? 'USD' : 'Bs.'}</td>
              <td className="num">{l.count}</td>
              <td className="num">{money(l.currency, l.receivedCents)}</td>
              <td className="num">{money(l.currency, l.changeCents)}</td>
              <td className="num">{money(l.currency, l.netCents)}</td>
              <td className="num">{usd(locale, l.netUsdCents)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th colSpan={6}>{pt(locale, 'close.totals')}</th>
            <th className="num" data-testid={testId ? `${testId}-usd` : undefined}>
              {usd(locale, summary.netUsdCents)}
            </th>
          </tr>
        </tfoot>
      </table>
    </>
  );
}
