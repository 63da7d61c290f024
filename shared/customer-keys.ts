import { idSearchKey } from './venezuelan-id.ts';

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

/**
 * An identity number's search key (shared/venezuelan-id.ts): V-12.345.678, v12345678, 12345678 and
 * the same person's RIF V-12345678-1 are one person. Text that is no identity number: its digits.
 */
export function idNumberKey(text: string): string {
  let key = idKeys.get(text);
  if (key === undefined) {
    key = idSearchKey(text) ?? text.replace(/\D/g, '');
    // Stored numbers repeat on every search: remember them (a few thousand at most per store).
    if (idKeys.size > 50_000) idKeys.clear();
    idKeys.set(text, key);
  }
  return key;
}
const idKeys = new Map<string, string>();

/**
 * The printed ticket numbers a query can be (T1-000123, t1 123, T1000123): the terminal's code (1 to
 * 6 letters or digits) and the number, padded as printed. Empty when it cannot be one.
 */
export function ticketNumberCandidates(query: string): string[] {
  const text = query.trim().toUpperCase();
  const apart = /^([A-Z0-9]{1,6})[\s-]+0*(\d{1,9})$/.exec(text);
  if (apart) return [`${apart[1]}-${apart[2]!.padStart(6, '0')}`];
  if (!/^[A-Z][A-Z0-9]{0,5}\d{6,9}$/.test(text)) return [];
  // Written together: every split that leaves a printed number (6+ digits) after a code.
  const out: string[] = [];
  for (let cut = 1; cut <= 6 && text.length - cut >= 6; cut++) {
    const number = text.slice(cut);
    if (/^\d+$/.test(number)) out.push(`${text.slice(0, cut)}-${number}`);
  }
  return out;
}

export interface CustomerFacts {
  name: string | null;
  idNumber: string | null;
  phone: string | null;
}

/**
 * Whether a typed query names this customer: by name (letters, accents aside), identity number (a
 * cédula, RIF or passport as shared/venezuelan-id.ts reads it, else 5+ digits) or phone (7+ digits,
 * unless the query is a ticket number: `ticket`).
 */
export function customerMatches(query: string, customer: CustomerFacts, ticket = false): boolean {
  const name = foldName(query);
  const digits = query.replace(/\D/g, '');
  const hasLetters = /\p{L}/u.test(name.replace(/^[vejgcp]-?(?=\d)/, ''));
  const idKey = idSearchKey(query);
  const byName = hasLetters && customer.name !== null && foldName(customer.name).includes(name);
  const byId =
    customer.idNumber !== null &&
    (idKey !== null
      ? idNumberKey(customer.idNumber) === idKey
      : digits.length >= 5 && idNumberKey(customer.idNumber) === digits);
  const byPhone =
    !ticket &&
    digits.length >= 7 &&
    customer.phone !== null &&
    phoneKey(customer.phone).endsWith(phoneKey(digits));
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
