import type { DashboardSummary } from '../../../shared/api/dashboard.ts';
import type { Locale } from '../i18n/index.ts';
import { pt, usd } from '../payments/payment-texts.ts';
import { amount, vt } from './void-texts.ts';

/** The dashboard's refunds of the open day (everyone's, as the X counts them), by method. */
export function DashboardRefunds({
  locale,
  refunds,
}: {
  locale: Locale;
  refunds: DashboardSummary['refunds'];
}) {
  return (
    <section className="panel" aria-label={vt(locale, 'dash.refunds')}>
      <h2>{vt(locale, 'dash.refunds')}</h2>
      <p data-testid="dashboard-refunds" data-count={refunds.count} data-usd={refunds.usdCents}>
        {refunds.count === 0
          ? vt(locale, 'dash.refundsNone')
          : vt(locale, refunds.count === 1 ? 'dash.refundsOne' : 'dash.refundsMany', {
              n: refunds.count,
              amount: usd(locale, refunds.usdCents),
            })}
      </p>
      {refunds.lines.length > 0 && (
        <ul>
          {refunds.lines.map((l) => (
            <li key={`${l.method}-${l.currency}`} data-method={l.method}>
              {pt(locale, `method.${l.method}`)}: {amount(locale, l.currency, l.cents)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
