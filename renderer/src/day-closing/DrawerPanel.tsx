import { useState } from 'react';
import { parseAmount } from '../../../shared/money.ts';
import type { CashShift, DrawerCurrency, DrawerState } from '../../../shared/schemas/day-closing.ts';
import { formatClock, type Locale } from '../i18n/index.ts';
import { businessDayText, cutoffText, pt, usd, ves } from '../payments/payment-texts.ts';

type Currency = 'USD' | 'VES';

/** What the screen asks the terminal; each resolves true when done (false: refused, error shown). */
export interface DrawerActions {
  open: (floatUsdCents: number, floatVesCents: number) => Promise<boolean>;
  move: (input: {
    kind: 'PAID_IN' | 'PAID_OUT';
    currency: Currency;
    amountCents: number;
    reason: string;
    supervisorPin?: string;
  }) => Promise<boolean>;
  count: (countedUsdCents: number, countedVesCents: number, note: string) => Promise<boolean>;
}

function money(locale: Locale, currency: Currency, cents: number): string {
  return currency === 'USD' ? usd(locale, cents) : ves(locale, cents);
}

/** Cash leaving the drawer, shown negative (and zero as zero, not -0). */
function out(cents: number): number {
  return cents === 0 ? 0 : -cents;
}

/** An amount field's cents, or null when empty or unreadable. */
function cents(text: string): number | null {
  return text.trim() === '' ? null : parseAmount(text);
}

/** Over, short or exact, with the sign a cashier reads. */
export function overShortText(locale: Locale, d: DrawerCurrency): string {
  if (d.overShortCents === null) return '—';
  if (d.overShortCents === 0) return pt(locale, 'drawer.exact');
  const amount = money(locale, d.currency, Math.abs(d.overShortCents));
  return pt(locale, d.overShortCents > 0 ? 'drawer.over' : 'drawer.short', { amount });
}

/** The drawer's figures per currency: float, cash in, change, paid in/out, expected, counted, over/short. */
export function DrawerTable({
  locale,
  drawer,
  testId,
}: {
  locale: Locale;
  drawer: DrawerCurrency[];
  testId?: string;
}) {
  const rows: [string, (d: DrawerCurrency) => string][] = [
    [pt(locale, 'drawer.float'), (d) => money(locale, d.currency, d.floatCents)],
    [pt(locale, 'drawer.cashIn'), (d) => money(locale, d.currency, d.cashInCents)],
    [pt(locale, 'drawer.change'), (d) => money(locale, d.currency, out(d.changeCents))],
    [pt(locale, 'drawer.paidIn'), (d) => money(locale, d.currency, d.paidInCents)],
    [pt(locale, 'drawer.paidOut'), (d) => money(locale, d.currency, out(d.paidOutCents))],
    [pt(locale, 'drawer.expected'), (d) => money(locale, d.currency, d.expectedCents)],
    [
      pt(locale, 'drawer.counted'),
      (d) => (d.countedCents === null ? '—' : money(locale, d.currency, d.countedCents)),
    ],
    [pt(locale, 'drawer.overShort'), (d) => overShortText(locale, d)],
  ];
  const keys = ['float', 'cash-in', 'change', 'paid-in', 'paid-out', 'expected', 'counted', 'over-short'];
  return (
    <table className="figures drawer-table" data-testid={testId}>
      <thead>
        <tr>
          <th />
          <th className="num">USD</th>
          <th className="num">Bs.</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, value], i) => (
          <tr key={keys[i]} data-row={keys[i]}>
            <th scope="row">{label}</th>
            {drawer.map((d) => (
              <td key={d.currency} className="num" data-currency={d.currency}>
                {value(d)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The staff member's cash drawer: open it with a float per currency, record cash in and out with a
 * reason (a cashier's paid-out asks for a supervisor's PIN), and close it by counting each currency;
 * the over or short shows once it is closed. Every rule is the terminal's; this only asks and shows.
 */
export function DrawerPanel({
  locale,
  state,
  supervisor,
  actions,
}: {
  locale: Locale;
  state: DrawerState;
  supervisor: boolean;
  actions: DrawerActions;
}) {
  const shift = state.shift;
  const cutoff = cutoffText(state.cutoffHour);
  return (
    <section className="panel drawer" data-testid="drawer" data-status={shift?.status ?? 'NONE'}>
      <h2>
        {pt(locale, 'drawer.title')} ·{' '}
        <small>{pt(locale, 'drawer.day', { day: businessDayText(locale, state.businessDay), cutoff })}</small>
      </h2>
      {shift?.status !== 'OPEN' && (
        <>
          {shift && (
            <>
              <p>{pt(locale, 'drawer.closedAt', { time: formatClock(locale, shift.closedAt!) })}</p>
              <DrawerTable locale={locale} drawer={shift.drawer} testId="drawer-counted" />
            </>
          )}
          {!shift && <p>{pt(locale, 'drawer.none')}</p>}
          <OpenForm locale={locale} onOpen={actions.open} />
        </>
      )}
      {shift?.status === 'OPEN' && (
        <OpenDrawer locale={locale} shift={shift} supervisor={supervisor} actions={actions} />
      )}
    </section>
  );
}

function OpenForm({ locale, onOpen }: { locale: Locale; onOpen: DrawerActions['open'] }) {
  const [floatUsd, setFloatUsd] = useState('');
  const [floatVes, setFloatVes] = useState('');
  const usdCents = cents(floatUsd || '0');
  const vesCents = cents(floatVes || '0');
  const valid = usdCents !== null && vesCents !== null;
  return (
    <form
      className="drawer-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void onOpen(usdCents, vesCents);
      }}
    >
      <label>
        <span>{pt(locale, 'drawer.floatUsd')}</span>
        <input
          aria-label={pt(locale, 'drawer.floatUsd')}
          inputMode="decimal"
          value={floatUsd}
          onChange={(e) => setFloatUsd(e.target.value)}
        />
      </label>
      <label>
        <span>{pt(locale, 'drawer.floatVes')}</span>
        <input
          aria-label={pt(locale, 'drawer.floatVes')}
          inputMode="decimal"
          value={floatVes}
          onChange={(e) => setFloatVes(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={!valid}>
        {pt(locale, 'drawer.open')}
      </button>
      {!valid && <small className="field-problem">{pt(locale, 'drawer.badAmount')}</small>}
    </form>
  );
}

function OpenDrawer({
  locale,
  shift,
  supervisor,
  actions,
}: {
  locale: Locale;
  shift: CashShift;
  supervisor: boolean;
  actions: DrawerActions;
}) {
  const [moving, setMoving] = useState<'PAID_IN' | 'PAID_OUT' | null>(null);
  const [counting, setCounting] = useState(false);
  return (
    <>
      <p>
        {pt(locale, 'drawer.openSince', {
          time: formatClock(locale, shift.openedAt),
          day: businessDayText(locale, shift.businessDay),
        })}
      </p>
      <DrawerTable locale={locale} drawer={shift.drawer} testId="drawer-open" />
      {shift.movements.length > 0 && (
        <>
          <h3>{pt(locale, 'drawer.movements')}</h3>
          <ul className="movements" data-testid="drawer-movements">
            {shift.movements.map((m) => (
              <li key={m.id} data-kind={m.kind}>
                {formatClock(locale, m.at)} ·{' '}
                {pt(locale, m.kind === 'PAID_IN' ? 'drawer.paidInButton' : 'drawer.paidOutButton')}{' '}
                {money(locale, m.currency, m.amountCents)} · {m.reason}
                {m.approvedBy && m.approvedBy !== m.actor
                  ? ` · ${pt(locale, 'drawer.approvedBy', { who: m.approvedBy.replace(/^[a-z]+:/, '') })}`
                  : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="search-row">
        <button type="button" onClick={() => setMoving(moving === 'PAID_IN' ? null : 'PAID_IN')}>
          {pt(locale, 'drawer.paidInButton')}
        </button>
        <button type="button" onClick={() => setMoving(moving === 'PAID_OUT' ? null : 'PAID_OUT')}>
          {pt(locale, 'drawer.paidOutButton')}
        </button>
        <button type="button" className="primary" onClick={() => setCounting(!counting)}>
          {pt(locale, 'drawer.count')}
        </button>
      </div>
      {moving && (
        <MoveForm
          locale={locale}
          kind={moving}
          needsPin={moving === 'PAID_OUT' && !supervisor}
          onMove={async (input) => {
            const done = await actions.move(input);
            if (done) setMoving(null);
            return done;
          }}
        />
      )}
      {counting && (
        <CountForm
          locale={locale}
          onCount={async (usdCents, vesCents, note) => {
            const done = await actions.count(usdCents, vesCents, note);
            if (done) setCounting(false);
            return done;
          }}
        />
      )}
    </>
  );
}

function MoveForm({
  locale,
  kind,
  needsPin,
  onMove,
}: {
  locale: Locale;
  kind: 'PAID_IN' | 'PAID_OUT';
  needsPin: boolean;
  onMove: DrawerActions['move'];
}) {
  const [currency, setCurrency] = useState<Currency>('USD');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const amountCents = cents(amount);
  const valid =
    amountCents !== null && amountCents > 0 && reason.trim().length >= 3 && (!needsPin || pin !== '');
  const title = pt(locale, kind === 'PAID_IN' ? 'drawer.paidInButton' : 'drawer.paidOutButton');
  return (
    <form
      className="drawer-form"
      aria-label={title}
      data-testid="drawer-move"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        void onMove({
          kind,
          currency,
          amountCents: amountCents!,
          reason,
          ...(needsPin ? { supervisorPin: pin } : {}),
        });
      }}
    >
      <strong>{title}</strong>
      <label>
        <span>{pt(locale, 'drawer.currency')}</span>
        <select
          aria-label={pt(locale, 'drawer.currency')}
          value={currency}
          onChange={(e) => setCurrency(e.target.value as Currency)}
        >
          <option value="USD">USD</option>
          <option value="VES">Bs.</option>
        </select>
      </label>
      <label>
        <span>{pt(locale, 'drawer.amount')}</span>
        <input
          aria-label={pt(locale, 'drawer.amount')}
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
      </label>
      <label>
        <span>{pt(locale, 'drawer.reason')}</span>
        <input
          aria-label={pt(locale, 'drawer.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      {needsPin && (
        <label>
          <span>{pt(locale, 'drawer.supervisorPin')}</span>
          <input
            aria-label={pt(locale, 'drawer.supervisorPin')}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
          />
        </label>
      )}
      <button type="submit" className="primary" disabled={!valid}>
        {pt(locale, 'drawer.record')}
      </button>
    </form>
  );
}

function CountForm({ locale, onCount }: { locale: Locale; onCount: DrawerActions['count'] }) {
  const [countedUsd, setCountedUsd] = useState('');
  const [countedVes, setCountedVes] = useState('');
  const [note, setNote] = useState('');
  const usdCents = cents(countedUsd);
  const vesCents = cents(countedVes);
  const valid = usdCents !== null && vesCents !== null;
  return (
    <form
      className="drawer-form"
      aria-label={pt(locale, 'drawer.count')}
      data-testid="drawer-count"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void onCount(usdCents, vesCents, note);
      }}
    >
      <label>
        <span>{pt(locale, 'drawer.countUsd')}</span>
        <input
          aria-label={pt(locale, 'drawer.countUsd')}
          inputMode="decimal"
          value={countedUsd}
          onChange={(e) => setCountedUsd(e.target.value)}
        />
      </label>
      <label>
        <span>{pt(locale, 'drawer.countVes')}</span>
        <input
          aria-label={pt(locale, 'drawer.countVes')}
          inputMode="decimal"
          value={countedVes}
          onChange={(e) => setCountedVes(e.target.value)}
        />
      </label>
      <label>
        <span>{pt(locale, 'drawer.note')}</span>
        <input
          aria-label={pt(locale, 'drawer.note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={!valid}>
        {pt(locale, 'drawer.confirmCount')}
      </button>
    </form>
  );
}
