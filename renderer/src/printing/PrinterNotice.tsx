import { useMemo, useState } from 'react';
import type { PrintQueueStatus } from '../../../shared/schemas/printing.ts';
import { errorParts, sessionClient } from '../payments/session-client.ts';
import type { CounterState, CounterStore } from '../state/counter-store.ts';
import {
  printerProblem,
  printerStopped,
  printingErrorText,
  prt,
  reasonText,
  waitingText,
} from './printing-texts.ts';
import './printing.css';

/**
 * The printer's state as a notice that stays until the printer is fixed (not a toast): what is
 * wrong, what to do, which tickets wait; and, when it stopped in the middle of jobs, the way to say
 * which of them came out.
 */
export function PrinterNotice({ store, state }: { store: CounterStore; state: CounterState }) {
  const [reviewing, setReviewing] = useState(false);
  const printer = state.printer;
  if (!printer) return null;
  const locale = state.locale;
  const problem = printerProblem(locale, printer);
  const stuck = printer.interrupted.length;
  const nearEnd = !problem && printer.paperNearEnd;
  if (!problem && !stuck && !nearEnd) return null;
  const waiting = problem ? waitingText(locale, printer) : null;
  return (
    <>
      <div
        className={`printer-notice ${problem ? 'printer-stopped' : 'printer-warning'}`}
        role="status"
        aria-live="polite"
        data-testid="printer-notice"
        data-state={printer.state}
      >
        <div>
          {problem && <strong>{problem}</strong>}
          {nearEnd && <strong>{prt(locale, 'printer.nearEnd')}</strong>}
          {waiting && (
            <span data-testid="printer-waiting">
              {' '}
              {waiting} {printer.state !== 'no-reply' && prt(locale, 'printer.resumes')}
            </span>
          )}
          {stuck > 0 && <span> {prt(locale, 'printer.interrupted', { n: stuck })}</span>}
        </div>
        {stuck > 0 && (
          <button type="button" className="primary" onClick={() => setReviewing(true)}>
            {prt(locale, 'printer.review')} ({stuck})
          </button>
        )}
      </div>
      {reviewing && stuck > 0 && (
        <InterruptedReview
          store={store}
          state={state}
          printer={printer}
          onClose={() => setReviewing(false)}
        />
      )}
    </>
  );
}

/** The cashier looks at the paper and says, job by job, whether it came out whole. */
function InterruptedReview({
  store,
  state,
  printer,
  onClose,
}: {
  store: CounterStore;
  state: CounterState;
  printer: PrintQueueStatus;
  onClose: () => void;
}) {
  const locale = state.locale;
  const client = useMemo(() => sessionClient(), []);
  const [answers, setAnswers] = useState<Record<number, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const jobs = printer.interrupted;
  const complete = jobs.every((j) => answers[j.jobId] !== undefined);

  async function submit(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const result = await client.call('printer.interrupted.resolve', {
        jobs: jobs.map((j) => ({ jobId: j.jobId, cameOut: answers[j.jobId]! })),
      });
      store.notify('success', prt(locale, 'review.done', { n: result.jobs.length }));
      await store.refreshPrinter();
      onClose();
    } catch (e) {
      const p = errorParts(e);
      setError(printingErrorText(locale, p.code, p.message, p.details));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="modal-backdrop">
      <form
        className="panel modal interrupted-review"
        role="dialog"
        aria-label={prt(locale, 'review.title')}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2>{prt(locale, 'review.title')}</h2>
        <p>{prt(locale, 'review.intro')}</p>
        {printerStopped(printer.state) && (
          <p className="printer-wait" role="alert">
            {prt(locale, 'review.wait')}
          </p>
        )}
        <ul className="interrupted-jobs">
          {jobs.map((j) => (
            <li key={j.jobId} data-testid="interrupted-job" data-job={j.jobId}>
              <div>
                <strong>
                  {j.kind === 'ticket'
                    ? prt(locale, 'review.ticket', { number: j.ticketNumber ?? '', place: j.place ?? '' })
                    : prt(
                        locale,
                        j.kind === 'slip'
                          ? 'review.slip'
                          : j.kind === 'report'
                            ? 'review.report'
                            : 'review.receipt',
                      )}
                </strong>
                {j.copy > 0 && <span> · {prt(locale, 'review.copy', { n: j.copy })}</span>}
                <div className="muted">
                  {j.saleNumber !== null && `${prt(locale, 'review.sale', { number: j.saleNumber })} · `}
                  {reasonText(locale, j.reason)}
                </div>
              </div>
              <label>
                <input
                  type="radio"
                  name={`job-${j.jobId}`}
                  checked={answers[j.jobId] === true}
                  onChange={() => setAnswers({ ...answers, [j.jobId]: true })}
                />
                {prt(locale, 'review.cameOut')}
              </label>
              <label>
                <input
                  type="radio"
                  name={`job-${j.jobId}`}
                  checked={answers[j.jobId] === false}
                  onChange={() => setAnswers({ ...answers, [j.jobId]: false })}
                />
                {prt(locale, 'review.reprint')}
              </label>
            </li>
          ))}
        </ul>
        {error && (
          <p className="payment-error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            {prt(locale, 'review.close')}
          </button>
          <button type="submit" className="primary" disabled={!complete || busy}>
            {prt(locale, 'review.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
