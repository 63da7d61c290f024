import { useCallback, useEffect, useMemo, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/index.ts';
import type { ClosingReport, ClosingSummary, DrawerState } from '../../../shared/schemas/day-closing.ts';
import { formatDate } from '../i18n/index.ts';
import {
  businessDayText,
  cutoffText,
  methodName,
  paymentErrorText,
  pt,
  usd,
  ves,
} from '../payments/payment-texts.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import type { CounterState } from '../state/counter-store.ts';
import { csvDataUrl } from './csv-download.ts';
import { type DrawerActions, DrawerPanel, DrawerTable } from './DrawerPanel.tsx';
import './day-closing.css';

/**
 * The staff member's cash drawer (open with a float, cash in and out, close by counting), the X
 * report (view, the day stays open) and the Z report (closes the business day), printed on the
 * receipt printer or exported as CSV. A supervisor picks whose report to see or close.
 */
export function DayClosingScreen({ state }: { state: CounterState }) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [drawer, setDrawer] = useState<DrawerState | null>(null);
  const [report, setReport] = useState<ClosingReport | null>(null);
  const [closings, setClosings] = useState<MethodOutput<'reports.closings'>>([]);
  const [staffList, setStaffList] = useState<MethodOutput<'session.users'>>([]);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const supervisor = state.session?.user.role === 'supervisor';
  const myId = state.session?.user.id;
  /** Whose report: a staff id, or 'all' (a supervisor's X of everyone). */
  const [who, setWho] = useState<number | 'all'>(supervisor ? 'all' : (myId ?? 'all'));
  const whoInput = useMemo(() => (who === 'all' ? {} : { staffId: who }), [who]);

  const fail = useCallback(
    (e: unknown) => {
      const p = errorParts(e);
      setInfo(null);
      setError(paymentErrorText(locale, p.code, p.message, p.details));
    },
    [locale],
  );

  const refresh = useCallback(async () => {
    setError(null);
    try {
      setDrawer(await client.call('drawer.state', {}));
      setReport(await client.call('reports.x', whoInput));
      setClosings(await client.call('reports.closings', {}));
    } catch (e) {
      fail(e);
    }
  }, [client, fail, whoInput]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!supervisor) return;
    client.call('session.users', {}).then(setStaffList, fail);
  }, [client, fail, supervisor]);

  /** Runs a drawer call; the drawer and the X are read again after it. */
  const act = useCallback(
    async (call: () => Promise<unknown>): Promise<boolean> => {
      setError(null);
      setInfo(null);
      try {
        await call();
        await refresh();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    [fail, refresh],
  );

  const actions: DrawerActions = {
    open: (floatUsdCents, floatVesCents) =>
      act(() => client.call('drawer.open', { floatUsdCents, floatVesCents })),
    move: (input) => act(() => client.call('drawer.move', input)),
    count: (countedUsdCents, countedVesCents, note) =>
      act(() =>
        client.call('drawer.close', {
          countedUsdCents,
          countedVesCents,
          ...(note.trim() ? { note } : {}),
        }),
      ),
  };

  async function download(number?: number): Promise<void> {
    try {
      const { filename, csv } = await client.call(
        'reports.csv',
        number === undefined ? whoInput : { number },
      );
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

  async function print(number?: number): Promise<void> {
    setError(null);
    setInfo(null);
    try {
      const { copy } = await client.call('reports.print', number === undefined ? whoInput : { number });
      setInfo(copy > 0 ? pt(locale, 'close.printedCopy', { copy }) : pt(locale, 'close.printed'));
    } catch (e) {
      fail(e);
    }
  }

  async function closeDay(): Promise<void> {
    setConfirming(false);
    setError(null);
    setInfo(null);
    try {
      const z = await client.call('reports.z', who === 'all' ? {} : { staffId: who });
      setReport(z);
      setClosings(await client.call('reports.closings', {}));
      setDrawer(await client.call('drawer.state', {}));
    } catch (e) {
      fail(e);
    }
  }

  const zTarget =
    who === 'all' || who === myId
      ? (state.session?.user.name ?? '')
      : (staffList.find((u) => u.id === who)?.name ?? String(who));

  return (
    <div className="day-closing" data-testid="day-closing">
      {drawer && <DrawerPanel locale={locale} state={drawer} supervisor={supervisor} actions={actions} />}
      <section className="panel">
        <div className="search-row">
          {supervisor && (
            <label>
              <span>{pt(locale, 'close.staff')} </span>
              <select
                aria-label={pt(locale, 'close.staff')}
                value={String(who)}
                onChange={(e) => setWho(e.target.value === 'all' ? 'all' : Number(e.target.value))}
              >
                <option value="all">{pt(locale, 'close.everyone')}</option>
                {staffList.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" onClick={() => void refresh()}>
            {pt(locale, 'close.x')}
          </button>
          <button type="button" className="primary" onClick={() => setConfirming(true)}>
            {pt(locale, 'close.z')}
          </button>
          <button
            type="button"
            onClick={() => void print(report?.kind === 'Z' ? (report.number ?? undefined) : undefined)}
          >
            {pt(locale, 'close.print')}
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
            <p>{pt(locale, 'close.zConfirm', { cashier: zTarget })}</p>
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
        {info && (
          <p className="closing-info" role="status" data-testid="closing-info">
            {info}
          </p>
        )}
      </section>
      {report && (
        <section
          className="panel"
          data-testid="closing-report"
          data-kind={report.kind}
          data-number={report.number ?? ''}
          data-day={report.businessDay}
        >
          <h2>
            {pt(locale, 'close.kind', { kind: report.kind })}
            {report.number !== null ? ` ${pt(locale, 'close.number', { number: report.number })}` : ''} ·{' '}
            {pt(locale, 'close.dayRange', {
              day: businessDayText(locale, report.businessDay),
              cutoff: cutoffText(report.cutoffHour),
            })}{' '}
            · {report.cashierName ?? pt(locale, 'close.all')}
          </h2>
          <SummaryTable locale={locale} summary={report.totals} testId="closing-totals" />
          {report.cashiers.length > 1 &&
            report.cashiers.map((c) => (
              <div key={c.cashier}>
                <h3>{c.cashierName}</h3>
                <SummaryTable locale={locale} summary={c} />
              </div>
            ))}
        </section>
      )}
      {closings.length > 0 && (
        <section className="panel">
          <h2>{pt(locale, 'close.previous')}</h2>
          <table className="figures" data-testid="closings">
            <tbody>
              {closings.map((c) => (
                <tr key={c.number} data-number={c.number}>
                  <td>Z {c.number}</td>
                  <td>{businessDayText(locale, c.businessDay)}</td>
                  <td>{c.cashierName}</td>
                  <td>{formatDate(locale, c.closedAt)}</td>
                  <td>
                    <button type="button" className="link" onClick={() => void print(c.number)}>
                      {pt(locale, 'close.print')}
                    </button>{' '}
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
  if (summary.payments === 0 && summary.shifts === 0) return <p>{pt(locale, 'close.empty')}</p>;
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
          <tr>
            <th colSpan={6}>{pt(locale, 'close.totalsVes')}</th>
            <th className="num" data-testid={testId ? `${testId}-ves` : undefined}>
              {ves(locale, summary.netVesCents)}
            </th>
          </tr>
        </tfoot>
      </table>
      {summary.shifts > 0 && (
        <>
          <h3>{pt(locale, 'close.drawer')}</h3>
          <DrawerTable
            locale={locale}
            drawer={summary.drawer}
            testId={testId ? `${testId}-drawer` : undefined}
          />
        </>
      )}
      {summary.outsideDrawer.length > 0 && (
        <p className="payment-hint" data-testid={testId ? `${testId}-outside` : undefined}>
          {pt(locale, 'drawer.outside', {
            amounts: summary.outsideDrawer.map((o) => money(o.currency, o.netCents)).join(' · '),
          })}
        </p>
      )}
    </>
  );
}
