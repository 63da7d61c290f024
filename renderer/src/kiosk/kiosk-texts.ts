import type { Locale } from '../i18n/index.ts';

/**
 * What the kiosk says to its customers: Spanish first (usted), English with the switch. Kept beside
 * the kiosk's screens; a key ending in `.one`/`.other` is chosen by `n` (ktn).
 */
const es = {
  'shop.chooseZone': 'Elija dónde quiere estar',
  'shop.chooseZoneHint': 'Toque una zona en el mapa o en la lista.',
  'shop.allZones': 'Todas las zonas',
  'shop.free.one': '1 disponible',
  'shop.free.other': '{n} disponibles',
  'shop.soldOut': 'Agotado',
  'shop.together': '¿Cuántas entradas juntas?',
  'shop.best.one': 'El mejor asiento',
  'shop.best.other': 'Mejores {n} asientos',
  'shop.tapSeats': 'O toque los asientos que quiere. Deslice el mapa para ver más.',
  'shop.howMany': '¿Cuántas entradas?',
  'shop.add.one': 'Agregar 1 entrada',
  'shop.add.other': 'Agregar {n} entradas',
  'cart.title': 'Su compra',
  'cart.empty': 'Aún no ha elegido entradas.',
  'cart.timeLeft': 'Tiempo para pagar',
  'cart.timeHint': 'Le guardamos sus entradas hasta entonces.',
  'cart.more': 'Necesito más tiempo',
  'cart.remove': 'Quitar {what}',
  'cart.seat': '{zone} · fila {row} · asiento {number}',
  'cart.general': '{n} × {zone}',
  'cart.total.one': 'Total · 1 entrada',
  'cart.total.other': 'Total · {n} entradas',
  'pay.title': 'Total a pagar',
  'pay.how': '¿Cómo desea pagar?',
  'pay.card': 'Tarjeta de débito',
  'pay.cardSteps':
    'Inserte o acerque su tarjeta en el punto de venta junto a la pantalla y siga sus instrucciones.',
  'pay.cardButton': 'Pagar {ves} con tarjeta',
  'pay.pagoMovil': 'Pago Móvil',
  'pay.pmSteps':
    'Haga un Pago Móvil por {ves} desde su teléfono. Luego indique aquí su banco, su teléfono y la referencia que le dio su banco.',
  'pay.bank': 'Su banco',
  'pay.chooseBank': 'Elija su banco',
  'pay.phone': 'Su teléfono',
  'pay.reference': 'Número de referencia',
  'pay.verify': 'Verificar mi pago',
  'pay.back': 'Volver',
  'pay.waiting': 'Un momento: estamos confirmando su pago…',
  'pay.simulate': 'Simular aprobación',
  'keypad.delete': 'Borrar',
  'keypad.label': 'Teclado numérico',
  'map.zoneLabel': 'Zona elegida',
};

export type KioskTextKey = keyof typeof es;

const en: Record<KioskTextKey, string> = {
  'shop.chooseZone': 'Choose where you want to be',
  'shop.chooseZoneHint': 'Touch a zone on the map or in the list.',
  'shop.allZones': 'All zones',
  'shop.free.one': '1 available',
  'shop.free.other': '{n} available',
  'shop.soldOut': 'Sold out',
  'shop.together': 'How many tickets together?',
  'shop.best.one': 'The best seat',
  'shop.best.other': 'Best {n} seats',
  'shop.tapSeats': 'Or touch the seats you want. Drag the map to see more.',
  'shop.howMany': 'How many tickets?',
  'shop.add.one': 'Add 1 ticket',
  'shop.add.other': 'Add {n} tickets',
  'cart.title': 'Your purchase',
  'cart.empty': 'You have not chosen any tickets yet.',
  'cart.timeLeft': 'Time to pay',
  'cart.timeHint': 'We keep your tickets for you until then.',
  'cart.more': 'I need more time',
  'cart.remove': 'Remove {what}',
  'cart.seat': '{zone} · row {row} · seat {number}',
  'cart.general': '{n} × {zone}',
  'cart.total.one': 'Total · 1 ticket',
  'cart.total.other': 'Total · {n} tickets',
  'pay.title': 'Amount to pay',
  'pay.how': 'How would you like to pay?',
  'pay.card': 'Debit card',
  'pay.cardSteps':
    'Insert or tap your card on the card terminal beside the screen and follow its instructions.',
  'pay.cardButton': 'Pay {ves} by card',
  'pay.pagoMovil': 'Pago Móvil',
  'pay.pmSteps':
    'Make a Pago Móvil for {ves} from your phone. Then tell us your bank, your phone and the reference your bank gave you.',
  'pay.bank': 'Your bank',
  'pay.chooseBank': 'Choose your bank',
  'pay.phone': 'Your phone',
  'pay.reference': 'Reference number',
  'pay.verify': 'Check my payment',
  'pay.back': 'Back',
  'pay.waiting': 'One moment: we are confirming your payment…',
  'pay.simulate': 'Simulate approval',
  'keypad.delete': 'Delete',
  'keypad.label': 'Number pad',
  'map.zoneLabel': 'Chosen zone',
};

const DICTIONARIES: Record<Locale, Record<KioskTextKey, string>> = { es, en };

/** The kiosk's sentence for `key` in `locale`, {name} placeholders filled in. */
export function kt(locale: Locale, key: KioskTextKey, params: Record<string, string | number> = {}): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

type Counted<K> = K extends `${infer Base}.one` ? Base : never;

/** The singular or plural sentence of `base` for `n` ("1 disponible", "2 disponibles"). */
export function ktn(
  locale: Locale,
  base: Counted<KioskTextKey>,
  n: number,
  params: Record<string, string | number> = {},
): string {
  const count = n.toLocaleString(locale === 'es' ? 'es-VE' : 'en');
  return kt(locale, `${base}.${n === 1 ? 'one' : 'other'}` as KioskTextKey, { n: count, ...params });
}
