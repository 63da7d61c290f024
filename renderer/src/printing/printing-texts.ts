import type { Interruption, PrinterState, PrintQueueStatus } from '../../../shared/schemas/printing.ts';
import { message, type MessageKeyOf, type MessageValues } from '../../../shared/i18n/catalog.ts';
import { errorText } from '../i18n/error-text.ts';
import type { Locale } from '../i18n/index.ts';

/**
 * The words of the printer notices, the interrupted-print review and the reprint screen (issue 15).
 * Kept beside those screens, one dictionary per language with the same keys.
 */

export type PrintingTextKey = MessageKeyOf<'printing'>;

/** The printing screens' sentence for `key`: the catalogue's `printing` section (shared/i18n). */
export function prt(locale: Locale, key: PrintingTextKey, params: MessageValues = {}): string {
  return message(locale, 'printing', key, params);
}

const STOPPED: readonly PrinterState[] = [
  'paper-out',
  'cover-open',
  'cutter-error',
  'error',
  'no-reply',
  'offline',
];

export function printerStopped(state: PrinterState): boolean {
  return STOPPED.includes(state);
}

/** What is wrong with the printer, one sentence; null when it is ready (or not asked yet). */
export function printerProblem(locale: Locale, s: PrintQueueStatus): string | null {
  if (!printerStopped(s.state)) return null;
  return prt(locale, `printer.state.${s.state as 'paper-out'}`, { printer: s.printer });
}

/** The jobs waiting, naming the tickets ("3 boletos (T1-000005, T1-000006, T1-000007)"). */
export function waitingText(locale: Locale, s: PrintQueueStatus): string | null {
  if (s.pending === 0) return null;
  const tickets = s.waitingTickets;
  const shown = tickets.slice(0, 4).join(', ');
  const numbers =
    tickets.length > 4
      ? prt(locale, 'printer.waiting.more', { list: shown, more: tickets.length - 4 })
      : shown;
  const parts: string[] = [];
  if (tickets.length === 1) parts.push(prt(locale, 'printer.waiting.ticket', { numbers }));
  else if (tickets.length > 1)
    parts.push(prt(locale, 'printer.waiting.tickets', { n: tickets.length, numbers }));
  const others = s.pending - tickets.length;
  if (others > 0) parts.push(prt(locale, 'printer.waiting.other', { n: others }));
  return prt(locale, 'printer.waiting', { what: parts.join(locale === 'es' ? ' y ' : ' and ') });
}

export function reasonText(locale: Locale, reason: Interruption): string {
  return prt(locale, `review.reason.${reason}`);
}

export function printingErrorText(locale: Locale, code: string, message: string, details: unknown): string {
  if (code === 'SUPERVISOR_APPROVAL') return prt(locale, 'err.SUPERVISOR_APPROVAL');
  if (code === 'UNKNOWN_TRANSACTION') return prt(locale, 'err.UNKNOWN_TRANSACTION');
  return errorText(locale, code, message, details);
}
