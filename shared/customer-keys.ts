/**
 * How a reservation's customer is found again, at any counter or at the central server: one rule for
 * matching names, cédulas, phones and sale numbers, written once.
 */

/** Lower case without accents: 'María Pérez' and 'maria perez' are the same customer. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A phone as its last ten digits: 0414-1234567, +58 414 1234567 and 4141234567 are one number. */
export function phoneKey(text: string): string {
  return text.replace(/\D/g, '').slice(-10);
}

/** A cédula as its digits: V-12.345.678, v12345678 and 12345678 are one person. */
export function idNumberKey(text: string): string {
  return text.replace(/\D/g, '');
}

export interface CustomerFacts {
  name: string | null;
  idNumber: string | null;
  phone: string | null;
}

/** Whether a typed query names this customer (by name, cédula or phone). */
export function customerMatches(query: string, customer: CustomerFacts): boolean {
  const name = foldName(query);
  const digits = query.replace(/\D/g, '');
  const hasLetters = /\p{L}/u.test(name.replace(/^[vejpg]-?(?=\d)/, ''));
  const byName = hasLetters && customer.name !== null && foldName(customer.name).includes(name);
  const byId = digits.length >= 5 && customer.idNumber !== null && idNumberKey(customer.idNumber) === digits;
  const byPhone =
    digits.length >= 7 && customer.phone !== null && phoneKey(customer.phone).endsWith(phoneKey(digits));
  return byName || byId || byPhone;
}

/**
 * The sale number as people type it (the first 8 characters of the transaction id, any case, dashes
 * optional) turned into a prefix of the stored lower-case UUID; null when the text cannot be one.
 */
export function uuidPrefix(query: string): string | null {
  const hex = query.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[0-9a-f]{6,32}$/.test(hex)) return null;
  // Put the dashes back where a UUID has them (after 8, 12, 16, 20 hex digits).
  let out = '';
  for (let i = 0; i < hex.length; i++) {
    if (i === 8 || i === 12 || i === 16 || i === 20) out += '-';
    out += hex[i];
  }
  return out;
}
