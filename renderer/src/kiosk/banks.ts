/**
 * Venezuelan banks a customer may pay a Pago Móvil from, by the name they know (the bank code a
 * cashier writes is for the provider, not for the customer to remember). Codes are SUDEBAN's
 * four-digit bank codes, as `shared/schemas/payments.ts` `bankCode` takes them.
 */
export const PAGO_MOVIL_BANKS: readonly { code: string; name: string }[] = [
  { code: '0102', name: 'Banco de Venezuela' },
  { code: '0134', name: 'Banesco' },
  { code: '0105', name: 'Mercantil' },
  { code: '0108', name: 'BBVA Provincial' },
  { code: '0191', name: 'BNC Nacional de Crédito' },
  { code: '0172', name: 'Bancamiga' },
  { code: '0114', name: 'Bancaribe' },
  { code: '0163', name: 'Banco del Tesoro' },
  { code: '0175', name: 'Banco Digital de los Trabajadores' },
  { code: '0115', name: 'Banco Exterior' },
  { code: '0151', name: 'BFC Banco Fondo Común' },
  { code: '0174', name: 'Banplus' },
  { code: '0171', name: 'Banco Activo' },
  { code: '0104', name: 'Venezolano de Crédito' },
  { code: '0128', name: 'Banco Caroní' },
  { code: '0138', name: 'Banco Plaza' },
  { code: '0137', name: 'Sofitasa' },
  { code: '0156', name: '100% Banco' },
  { code: '0157', name: 'DelSur' },
  { code: '0166', name: 'Banco Agrícola de Venezuela' },
  { code: '0168', name: 'Bancrecer' },
  { code: '0169', name: 'R4 Banco Microfinanciero' },
  { code: '0177', name: 'Banfanb' },
  { code: '0178', name: 'N58 Banco Digital' },
  { code: '0146', name: 'Bangente' },
];
