import type { DayTakings } from '../../../shared/api/dashboard.ts';
import { formatAmount } from '../../../shared/i18n/formats.ts';
import type { Locale } from '../i18n/index.ts';
import { businessDayText, cutoffText, methodName, pt, usd, ves } from '../payments/payment-texts.ts';

/** What the business day took, per payment method, in the method's currency and in USD. */
export function TakingsPanel({ locale, takings }: { locale: Locale; takings: DayTakings }) {
  const cutoff = cutoffText(takings.cutoffHour);
  return (
    <section className="panel" aria-label={pt(locale, 'dash.takings')} data-testid="dashboard-takings">
      <h2>{pt(locale, 'dash.takings')}</h2>
      <p className="muted">
        {pt(locale, 'close.dayRange', { day: businessDayText(locale, takings.businessDay), cutoff })}
      </p>
      {takings.lines.length === 0 ? (
        <p>{pt(locale, 'dash.takingsNone')}</p>
      ) : (
        <table className="figures">
          <thead>
            <tr>
              <th>{pt(locale, 'close.method')}</th>
              <th className="num">{pt(locale, 'close.count')}</th>
              <th className="num">{pt(locale, 'close.received')}</th>
              <th className="num">{pt(locale, 'close.changeGiven')}</th>
              <th className="num">{pt(locale, 'close.net')}</th>
              <th className="num">{pt(locale, 'close.netUsd')}</th>
            </tr>
          </thead>
          <tbody>
            {takings.lines.map((l) => {
              const money = (cents: number) => formatAmount(locale, { currency: l.currency, cents });
              return (
                <tr key={`${l.method}:${l.currency}`} data-method={l.method} data-currency={l.currency}>
                  <td>
                    {methodName(locale, l.method)}
                    {l.method === 'TRANSFER' || l.method === 'ZELLE' ? ` (${l.currency})` : ''}
                  </td>
                  <td className="num">{l.count}</td>
                  <td className="num">{money(l.receivedCents)}</td>
                  <td className="num">{l.changeCents > 0 ? money(l.changeCents) : '—'}</td>
                  <td className="num" data-testid={`takings-${l.method}-${l.currency}`}>
                    {money(l.netCents)}
                  </td>
                  <td className="num">{usd(locale, l.netUsdCents)}</td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th colSpan={4}>{pt(locale, 'close.totals')}</th>
              <td className="num" data-testid="takings-total-ves">
                {ves(locale, takings.netVesCents)}
              </td>
              <td className="num" data-testid="takings-total-usd">
                {usd(locale, takings.netUsdCents)}
              </td>
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
