import type { Interruption, PrinterState, PrintQueueStatus } from '../../../shared/schemas/printing.ts';
import { errorText } from '../i18n/error-text.ts';
import type { Locale } from '../i18n/index.ts';

/**
 * The words of the printer notices, the interrupted-print review and the reprint screen (issue 15).
 * Kept beside those screens, one dictionary per language with the same keys.
 */
const es = {
  'printer.state.paper-out': 'Impresora sin papel: cargue un rollo nuevo y cierre la tapa.',
  'printer.state.cover-open': 'La tapa de la impresora está abierta: ciérrela.',
  'printer.state.cutter-error': 'Error de cuchilla: abra la tapa, retire el papel atascado y ciérrela.',
  'printer.state.error': 'Error de la impresora: apáguela y vuelva a encenderla; si sigue, llame a soporte.',
  'printer.state.no-reply':
    'La impresora no responde ({printer}): revise que esté encendida. No se imprime nada hasta que responda.',
  'printer.state.offline': 'Impresora desconectada ({printer}): revise el cable y que esté encendida.',
  'printer.nearEnd': 'Papel por acabarse: tenga un rollo nuevo a mano.',
  'printer.waiting': 'En espera: {what}.',
  'printer.waiting.tickets': '{n} boletos ({numbers})',
  'printer.waiting.ticket': 'el boleto {numbers}',
  'printer.waiting.more': '{list} y {more} más',
  'printer.waiting.other': '{n} recibo(s)',
  'printer.resumes': 'Se imprimirán solos cuando la impresora esté lista.',
  'printer.interrupted': 'La impresora se detuvo en {n} trabajo(s): indique cuáles salieron completos.',
  'printer.review': 'Revisar impresión',
  'printer.afterSale': 'La venta quedó registrada, pero la impresora no está lista: {problem}',
  'review.title': 'Impresión interrumpida',
  'review.intro':
    'La impresora se detuvo mientras imprimía. Al volver a estar lista termina lo que tenía en memoria. Mire el papel: lo que no salió completo se reimprime marcado COPIA.',
  'review.wait': 'Espere a que la impresora esté lista y termine de imprimir antes de responder.',
  'review.sale': 'Venta {number}',
  'review.ticket': 'Boleto {number} · {place}',
  'review.receipt': 'Recibo',
  'review.slip': 'Comprobante para pagar en taquilla',
  'review.report': 'Reporte X o Z',
  'review.copy': 'COPIA {n}',
  'review.reason.paper-out': 'se acabó el papel',
  'review.reason.cover-open': 'se abrió la tapa',
  'review.reason.cutter-error': 'falló la cuchilla',
  'review.reason.error': 'error de la impresora',
  'review.reason.unconfirmed': 'la impresora no confirmó',
  'review.reason.crashed': 'la terminal se cerró mientras imprimía',
  'review.cameOut': 'Salió completo',
  'review.reprint': 'No salió: reimprimir (COPIA)',
  'review.submit': 'Confirmar',
  'review.close': 'Más tarde',
  'review.done': 'Listo: {n} copia(s) en cola, marcadas COPIA.',
  'reprint.title': 'Reimprimir',
  'reprint.saleNumber': 'Número de venta',
  'reprint.find': 'Buscar',
  'reprint.sale': 'Venta {number} · {event} · {cashier}',
  'reprint.tickets': 'Boletos',
  'reprint.receipt': 'Recibo',
  'reprint.copies': 'copias: {n}',
  'reprint.reason': 'Motivo',
  'reprint.pin': 'PIN de supervisor',
  'reprint.needsSupervisor': 'Cada copia es un boleto válido más: necesita la aprobación de un supervisor.',
  'reprint.submit': 'Reimprimir marcado COPIA',
  'reprint.done': '{n} copia(s) en cola, marcadas COPIA.',
  'reprint.nothing': 'Elija los boletos o el recibo.',
  'err.SUPERVISOR_APPROVAL': 'Una copia necesita el PIN de un supervisor.',
  'err.UNKNOWN_TRANSACTION': 'No hay una venta impresa con ese número en esta terminal.',
};

export type PrintingTextKey = keyof typeof es;

const en: Record<PrintingTextKey, string> = {
  'printer.state.paper-out': 'Printer out of paper: load a new roll and close the cover.',
  'printer.state.cover-open': 'The printer cover is open: close it.',
  'printer.state.cutter-error': 'Cutter error: open the cover, remove the jammed paper and close it.',
  'printer.state.error': 'Printer error: switch it off and on; if it persists, call support.',
  'printer.state.no-reply':
    'The printer does not answer ({printer}): check that it is on. Nothing prints until it answers.',
  'printer.state.offline': 'Printer disconnected ({printer}): check the cable and that it is on.',
  'printer.nearEnd': 'Paper nearly out: keep a new roll at hand.',
  'printer.waiting': 'Waiting: {what}.',
  'printer.waiting.tickets': '{n} tickets ({numbers})',
  'printer.waiting.ticket': 'ticket {numbers}',
  'printer.waiting.more': '{list} and {more} more',
  'printer.waiting.other': '{n} receipt(s)',
  'printer.resumes': 'They print by themselves once the printer is ready.',
  'printer.interrupted': 'The printer stopped on {n} job(s): say which came out whole.',
  'printer.review': 'Review printing',
  'printer.afterSale': 'The sale is recorded, but the printer is not ready: {problem}',
  'review.title': 'Printing interrupted',
  'review.intro':
    'The printer stopped while printing. When it is ready again it finishes what it had in memory. Look at the paper: whatever did not come out whole is reprinted marked COPIA.',
  'review.wait': 'Wait until the printer is ready and has finished printing before answering.',
  'review.sale': 'Sale {number}',
  'review.ticket': 'Ticket {number} · {place}',
  'review.receipt': 'Receipt',
  'review.slip': 'Pay-at-the-counter slip',
  'review.report': 'X or Z report',
  'review.copy': 'COPY {n}',
  'review.reason.paper-out': 'the paper ran out',
  'review.reason.cover-open': 'the cover was opened',
  'review.reason.cutter-error': 'the cutter failed',
  'review.reason.error': 'printer error',
  'review.reason.unconfirmed': 'the printer did not confirm',
  'review.reason.crashed': 'the terminal closed while printing',
  'review.cameOut': 'Came out whole',
  'review.reprint': 'Did not: reprint (COPIA)',
  'review.submit': 'Confirm',
  'review.close': 'Later',
  'review.done': 'Done: {n} copy(ies) queued, marked COPIA.',
  'reprint.title': 'Reprint',
  'reprint.saleNumber': 'Sale number',
  'reprint.find': 'Find',
  'reprint.sale': 'Sale {number} · {event} · {cashier}',
  'reprint.tickets': 'Tickets',
  'reprint.receipt': 'Receipt',
  'reprint.copies': 'copies: {n}',
  'reprint.reason': 'Reason',
  'reprint.pin': 'Supervisor PIN',
  'reprint.needsSupervisor': 'Every copy is one more valid ticket: it needs a supervisor’s approval.',
  'reprint.submit': 'Reprint marked COPIA',
  'reprint.done': '{n} copy(ies) queued, marked COPIA.',
  'reprint.nothing': 'Choose the tickets or the receipt.',
  'err.SUPERVISOR_APPROVAL': 'A copy needs a supervisor’s PIN.',
  'err.UNKNOWN_TRANSACTION': 'No sale with that number was printed at this terminal.',
};

const DICTIONARIES: Record<Locale, Record<PrintingTextKey, string>> = { es, en };

export function prt(
  locale: Locale,
  key: PrintingTextKey,
  params: Record<string, string | number> = {},
): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
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
