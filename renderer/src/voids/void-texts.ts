import type { ErrorDetails } from '../../../shared/errors.ts';
import type { Locale } from '../i18n/index.ts';
import { paymentErrorText, usd, ves } from '../payments/payment-texts.ts';

/**
 * The words of the void and refund screen (issue 16), one dictionary per language with the same
 * keys, kept beside the screen as the printing and payment screens keep theirs.
 */
const es = {
  'void.title': 'Anular / devolver',
  'void.action': 'Anular',
  'void.saleNumber': 'Número de venta',
  'void.find': 'Buscar',
  'void.sale': 'Venta {number} · {event}',
  'void.customer': 'Cliente: {name}',
  'void.starts': 'Función: {when}',
  'void.started': 'La función ya empezó: esta venta no se puede anular.',
  'void.notVoidable': 'Esta venta no se puede anular (estado {status}).',
  'void.deposit': 'Reserva con abono: se cancela completa y se devuelve lo abonado.',
  'void.tickets': 'Boletos a anular',
  'void.ticketVoided': 'anulado',
  'void.paid': 'Pagado {paid} · devuelto {refunded}',
  'void.paidWith': 'Pagado con: {methods}',
  'void.refund': 'A devolver: {amount}',
  'void.refundHow': 'Devolver en',
  'void.refundAsPaid': 'Lo mismo con que pagó',
  'void.reference': 'Referencia de la devolución',
  'void.reason': 'Motivo',
  'void.needsSupervisor': 'Una anulación necesita el PIN de un supervisor.',
  'void.pin': 'PIN del supervisor',
  'void.confirm': 'Anular y devolver',
  'void.chooseTickets': 'Elija al menos un boleto.',
  'void.done': 'Venta {number}: anulada. Devuelva {refund}.',
  'void.doneNothing': 'Venta {number}: anulada. No hay dinero que devolver.',
  'void.line': '{method}: {amount}',
  'dash.refunds': 'Devoluciones del día',
  'dash.refundsNone': 'Sin anulaciones en el día abierto.',
  'dash.refundsOne': '1 anulación · {amount} devuelto',
  'dash.refundsMany': '{n} anulaciones · {amount} devuelto',
  'err.APPROVAL_REQUIRED': 'Una anulación necesita el PIN de un supervisor.',
  'err.INSUFFICIENT_CASH':
    'La caja solo debería tener {available}: no se pueden devolver {requested} en efectivo.',
  'err.UNKNOWN_TRANSACTION': 'No hay ninguna venta con ese número.',
  'err.OFFLINE':
    'Sin conexión con el servidor central: la anulación se decide allí. No se anuló nada ni se devolvió dinero; inténtelo al volver la conexión.',
  'err.OUTCOME_UNKNOWN':
    'Sin respuesta del servidor: no se sabe si la anulación pasó. No devuelva dinero todavía: al volver la conexión pulse de nuevo «Anular y devolver» sin cambiar nada; no se anulará dos veces.',
  'err.BALANCE_CHANGED':
    'El servidor tiene registrado menos pagado para esta venta ({paid}) que lo que se devolvería: no se anuló nada. Llame al supervisor.',
};

const en: Record<keyof typeof es, string> = {
  'void.title': 'Void / refund',
  'void.action': 'Void',
  'void.saleNumber': 'Sale number',
  'void.find': 'Find',
  'void.sale': 'Sale {number} · {event}',
  'void.customer': 'Customer: {name}',
  'void.starts': 'Show: {when}',
  'void.started': 'The show has started: this sale can no longer be voided.',
  'void.notVoidable': 'This sale cannot be voided (status {status}).',
  'void.deposit': 'Reservation with a deposit: it is cancelled whole and the deposit given back.',
  'void.tickets': 'Tickets to void',
  'void.ticketVoided': 'voided',
  'void.paid': 'Paid {paid} · refunded {refunded}',
  'void.paidWith': 'Paid with: {methods}',
  'void.refund': 'To refund: {amount}',
  'void.refundHow': 'Refund in',
  'void.refundAsPaid': 'As it was paid',
  'void.reference': 'Refund reference',
  'void.reason': 'Reason',
  'void.needsSupervisor': "A void needs a supervisor's PIN.",
  'void.pin': "Supervisor's PIN",
  'void.confirm': 'Void and refund',
  'void.chooseTickets': 'Choose at least one ticket.',
  'void.done': 'Sale {number} voided. Give back {refund}.',
  'void.doneNothing': 'Sale {number} voided. There is no money to give back.',
  'void.line': '{method}: {amount}',
  'dash.refunds': "Today's refunds",
  'dash.refundsNone': 'No voids in the open day.',
  'dash.refundsOne': '1 void · {amount} refunded',
  'dash.refundsMany': '{n} voids · {amount} refunded',
  'err.APPROVAL_REQUIRED': "A void needs a supervisor's PIN.",
  'err.INSUFFICIENT_CASH': 'The drawer should only hold {available}: {requested} cannot be refunded in cash.',
  'err.UNKNOWN_TRANSACTION': 'There is no sale with that number.',
  'err.OFFLINE':
    'No connection to the central server: the void is decided there. Nothing was voided and no money given back; try again when the connection is back.',
  'err.OUTCOME_UNKNOWN':
    'No answer from the server: it is not known whether the void went through. Do not give money back yet: when the connection is back press "Void and refund" again without changing anything; it will not be voided twice.',
  'err.BALANCE_CHANGED':
    'The server has less recorded as paid for this sale ({paid}) than would be refunded: nothing was voided. Call the supervisor.',
};

export type VoidTextKey = keyof typeof es;
const DICTIONARIES: Record<Locale, Record<VoidTextKey, string>> = { es, en };

export function vt(locale: Locale, key: VoidTextKey, params: Record<string, string | number> = {}): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

/** An amount in its currency as the cashier reads it. */
export function amount(locale: Locale, currency: 'USD' | 'VES', cents: number): string {
  return currency === 'USD' ? usd(locale, cents) : ves(locale, cents);
}

/**
 * The refusals whose words differ on the void screen (money given back, not taken; a void sent
 * again); the void's own codes (EVENT_STARTED, ALREADY_VOIDED, ...) as the shared catalogue words them.
 */
export function voidErrorText(locale: Locale, code: string, message: string, details: unknown): string {
  switch (code) {
    case 'APPROVAL_REQUIRED':
      return vt(locale, 'err.APPROVAL_REQUIRED');
    case 'INSUFFICIENT_CASH': {
      const d = details as ErrorDetails['INSUFFICIENT_CASH'];
      return vt(locale, 'err.INSUFFICIENT_CASH', {
        available: amount(locale, d.currency, d.availableCents),
        requested: amount(locale, d.currency, d.requestedCents),
      });
    }
    case 'UNKNOWN_TRANSACTION':
      return vt(locale, 'err.UNKNOWN_TRANSACTION');
    // On an enrolled counter the void is decided at the server (issue 16): its link's refusals.
    case 'OFFLINE':
      return vt(locale, 'err.OFFLINE');
    case 'OUTCOME_UNKNOWN':
      return vt(locale, 'err.OUTCOME_UNKNOWN');
    case 'BALANCE_CHANGED':
      return vt(locale, 'err.BALANCE_CHANGED', {
        paid: usd(locale, (details as ErrorDetails['BALANCE_CHANGED']).paidCents),
      });
    default:
      return paymentErrorText(locale, code, message, details);
  }
}
