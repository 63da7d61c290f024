import type { Locale } from '../i18n/index.ts';
import { paymentErrorText } from '../payments/payment-texts.ts';

/** The words of the supervisor's leases screen (issue 14), one dictionary per language, same keys. */
const es = {
  'leases.title': 'Cupos sin conexión',
  'leases.intro':
    'Lo que esta taquilla puede vender si se cae la conexión. Con una política del evento, la taquilla toma, renueva y devuelve su cupo sola mientras está en línea.',
  'leases.none': 'Esta taquilla no tiene cupos abiertos.',
  'leases.event': 'Evento {eventId}',
  'leases.selling': 'Vendiendo',
  'leases.ended': 'Terminado',
  'leases.returned': 'Devuelto',
  'leases.until': 'Vende hasta {when}',
  'leases.seats': '{n} butacas ({sold} vendidas)',
  'leases.places': '{n} puestos de pie ({sold} vendidos)',
  'leases.numbers': 'Números {from}–{to}',
  'leases.return': 'Devolver cupo',
  'leases.returnedNotice': 'Cupo devuelto: {n} lugares vuelven a la venta.',
  'leases.policy':
    'Política del evento {eventId}: {places} lugares por {minutes} min, renueva {before} min antes',
  'leases.policySoldOut': 'devuelve lo no vendido con menos de {n} lugares libres',
  'leases.noPolicy': 'Sin política de cupos: los cupos se toman a mano.',
  'leases.refresh': 'Actualizar',
} as const;
export type LeaseTextKey = keyof typeof es;

const en: Record<LeaseTextKey, string> = {
  'leases.title': 'Offline leases',
  'leases.intro':
    'What this counter may sell if the link goes. With an event lease policy the counter takes, renews and returns its lease by itself while online.',
  'leases.none': 'This counter has no open leases.',
  'leases.event': 'Event {eventId}',
  'leases.selling': 'Selling',
  'leases.ended': 'Ended',
  'leases.returned': 'Returned',
  'leases.until': 'Sells until {when}',
  'leases.seats': '{n} seats ({sold} sold)',
  'leases.places': '{n} standing places ({sold} sold)',
  'leases.numbers': 'Numbers {from}–{to}',
  'leases.return': 'Return lease',
  'leases.returnedNotice': 'Lease returned: {n} places are back on sale.',
  'leases.policy': 'Event {eventId} policy: {places} places for {minutes} min, renewed {before} min before',
  'leases.policySoldOut': 'returns unsold places below {n} free',
  'leases.noPolicy': 'No lease policy: leases are taken by hand.',
  'leases.refresh': 'Refresh',
};

const DICTIONARIES: Record<Locale, Record<LeaseTextKey, string>> = { es, en };

export function lt(locale: Locale, key: LeaseTextKey, params: Record<string, string | number> = {}): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

/** A refusal on this screen, as the shared catalogue words it. */
export function leaseErrorText(locale: Locale, code: string, message: string, details: unknown): string {
  return paymentErrorText(locale, code, message, details);
}
