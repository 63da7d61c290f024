import type { Locale } from '../i18n/index.ts';
import { voidErrorText } from '../voids/void-texts.ts';

/**
 * The words of the supervisor's conflicts screen (issue 14), one dictionary per language with the
 * same keys, kept beside the screen as the void and payment screens keep theirs. Spanish first.
 */
const es = {
  'conflict.title': 'Conflictos',
  'conflict.none': 'No hay ventas fuera de línea rechazadas por el servidor.',
  'conflict.intro':
    'Ventas hechas sin conexión que el servidor central rechazó (el asiento ya se había vendido en otra taquilla). Decida qué hacer con cada una.',
  'conflict.row': 'Venta {sale} · asientos {seats} · boletos {tickets}',
  'conflict.why': 'Rechazada por el servidor ({code})',
  'conflict.move': 'Cambiar de asiento',
  'conflict.refund': 'Devolver el dinero',
  'conflict.override': 'Aceptar la venta',
  'conflict.note': 'Motivo',
  'conflict.needsSupervisor': 'Resolver un conflicto necesita el PIN de un supervisor.',
  'conflict.pin': 'PIN del supervisor',
  'conflict.moved':
    'Cliente cambiado a los asientos {seats}: su boleto nuevo se está imprimiendo; el anterior quedó anulado.',
  'conflict.refunded': 'Venta anulada. Devuelva {amount} con lo que pagó.',
  'conflict.accepted': 'Venta aceptada y registrada en el servidor: nadie más podrá comprar ese asiento.',
  'conflict.acceptedShared':
    'Venta aceptada y registrada en el servidor. Los asientos {seats} también los tiene otro cliente.',
  'conflict.notRecorded':
    'Hecho en esta taquilla, pero el servidor aún no lo registró: pulse de nuevo cuando vuelva la conexión.',
  'err.APPROVAL_REQUIRED': 'Resolver un conflicto necesita el PIN de un supervisor.',
  'err.OFFLINE':
    'Sin conexión con el servidor central: cambiar de asiento y aceptar la venta se hacen allí. No se hizo nada; inténtelo al volver la conexión.',
  'err.NOTHING_HELD': 'Este conflicto ya se resolvió.',
};

const en: Record<keyof typeof es, string> = {
  'conflict.title': 'Conflicts',
  'conflict.none': 'No offline sales refused by the server.',
  'conflict.intro':
    'Sales made offline that the central server refused (the seat had been sold at another counter). Decide what to do with each.',
  'conflict.row': 'Sale {sale} · seats {seats} · tickets {tickets}',
  'conflict.why': 'Refused by the server ({code})',
  'conflict.move': 'Move to another seat',
  'conflict.refund': 'Refund',
  'conflict.override': 'Accept the sale',
  'conflict.note': 'Reason',
  'conflict.needsSupervisor': "Settling a conflict needs a supervisor's PIN.",
  'conflict.pin': "Supervisor's PIN",
  'conflict.moved': 'Customer moved to seats {seats}: the new ticket is printing; the old one is voided.',
  'conflict.refunded': 'Sale voided. Give back {amount} as it was paid.',
  'conflict.accepted': 'Sale accepted and recorded at the server: nobody else can buy that seat.',
  'conflict.acceptedShared':
    'Sale accepted and recorded at the server. Seats {seats} are held by another customer as well.',
  'conflict.notRecorded':
    'Done at this counter, but the server has not recorded it yet: press again when the connection is back.',
  'err.APPROVAL_REQUIRED': "Settling a conflict needs a supervisor's PIN.",
  'err.OFFLINE':
    'No connection to the central server: moving a customer and accepting a sale are done there. Nothing was done; try again when the connection is back.',
  'err.NOTHING_HELD': 'This conflict was already settled.',
};

export type ConflictTextKey = keyof typeof es;
const DICTIONARIES: Record<Locale, Record<ConflictTextKey, string>> = { es, en };

export function ct(
  locale: Locale,
  key: ConflictTextKey,
  params: Record<string, string | number> = {},
): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

/** The refusals worded for this screen; the rest as the void screen words them (the refund is a void). */
export function conflictErrorText(locale: Locale, code: string, message: string, details: unknown): string {
  switch (code) {
    case 'APPROVAL_REQUIRED':
      return ct(locale, 'err.APPROVAL_REQUIRED');
    case 'OFFLINE':
      return ct(locale, 'err.OFFLINE');
    case 'NOTHING_HELD':
      return ct(locale, 'err.NOTHING_HELD');
    default:
      return voidErrorText(locale, code, message, details);
  }
}
