import { z } from 'zod';

/**
 * Venezuelan identity numbers as people write them, read into one normalised form (issue 16):
 *
 * - **Cédula**: `V-` (Venezuelan) or `E-` (foreigner) and 5 to 8 digits, with or without dots:
 *   `V-12.345.678`, `v12345678`, `12345678` (V assumed) → `V-12345678`.
 * - **RIF** (SENIAT's tax number): `J-` company, `G-` government, `C-` communal council, `V-`/`E-`
 *   person; 8 digits and a check digit: `J-40123456-9`, `J401234569`, `j-40.123.456-9`. The check
 *   digit is verified. A body of fewer than 8 digits written with its check digit apart
 *   (`V-1234567-0`) is padded, as SENIAT prints it (`V-01234567-0`).
 * - **Passport**: `P-` and 5 to 20 letters or digits: `p 123456789` → `P-123456789`.
 *
 * A V or E number of 9 digits written together is a RIF (no cédula has 9 digits yet); 9 digits
 * without a letter are refused (which letter is unknown). Pure: no Node, DOM or Electron.
 */

export type IdKind = 'cedula' | 'rif' | 'passport';
export const RIF_LETTERS = ['V', 'E', 'J', 'G', 'C'] as const;
export type RifLetter = (typeof RIF_LETTERS)[number];

export interface VenezuelanId {
  kind: IdKind;
  letter: RifLetter | 'P';
  /** Cédula: digits without leading zeros; RIF: the 8-digit body; passport: its letters and digits. */
  number: string;
  /** The RIF's check digit; null for a cédula or a passport. */
  checkDigit: number | null;
  /** The normalised form stored and shown: V-12345678, J-40123456-9, P-AB123456. */
  text: string;
}

/** Why a text is not an identity number: wrong shape, a RIF whose check digit is wrong, or no letter. */
export type IdProblem = 'format' | 'check-digit' | 'needs-letter' | 'company-needs-rif';

export type IdParse = { ok: true; id: VenezuelanId } | { ok: false; problem: IdProblem };

/**
 * SENIAT's letter values in the check-digit sum (V 1, E 2, J 3, P 4, G 5; a communal council's C
 * counts as J), each multiplied by 4 like a leading digit.
 */
const LETTER_VALUE: Readonly<Record<RifLetter | 'P', number>> = { V: 1, E: 2, J: 3, C: 3, P: 4, G: 5 };
const BODY_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * The RIF check digit of `letter` and an 8-digit body: 11 minus (letter×4 + Σ digit×weight) mod 11,
 * and 0 when that is 10 or 11.
 */
export function rifCheckDigit(letter: RifLetter | 'P', body: string): number {
  if (!/^\d{8}$/.test(body)) throw new Error(`a RIF body has 8 digits, got '${body}'`);
  let sum = LETTER_VALUE[letter] * 4;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * BODY_WEIGHTS[i]!;
  const digit = 11 - (sum % 11);
  return digit > 9 ? 0 : digit;
}

function cedula(letter: 'V' | 'E', digits: string): IdParse {
  const number = digits.replace(/^0+/, '');
  if (number.length < 5 || number.length > 8) return { ok: false, problem: 'format' };
  return { ok: true, id: { kind: 'cedula', letter, number, checkDigit: null, text: `${letter}-${number}` } };
}

function rif(letter: RifLetter, body: string, check: number): IdParse {
  const padded = body.padStart(8, '0');
  if (padded.length !== 8 || /^0+$/.test(padded)) return { ok: false, problem: 'format' };
  if (rifCheckDigit(letter, padded) !== check) return { ok: false, problem: 'check-digit' };
  return {
    ok: true,
    id: { kind: 'rif', letter, number: padded, checkDigit: check, text: `${letter}-${padded}-${check}` },
  };
}

/** Reads an identity number as written (see the module comment); never throws. */
export function parseVenezuelanId(raw: string): IdParse {
  // Dots and spaces group digits; a dash, a space or nothing may follow the letter.
  const text = raw
    .normalize('NFKC')
    .trim()
    .toUpperCase()
    .replace(/[\u2010-\u2015]/g, '-');
  const passport = /^P[\s.-]*([A-Z0-9][A-Z0-9\s.-]*)$/.exec(text);
  if (passport) {
    const number = passport[1]!.replace(/[\s.-]/g, '');
    if (number.length < 5 || number.length > 20) return { ok: false, problem: 'format' };
    return { ok: true, id: { kind: 'passport', letter: 'P', number, checkDigit: null, text: `P-${number}` } };
  }
  const compact = text.replace(/[\s.]/g, '');
  const match = /^(?:([VEJGC])-?)?(\d{1,9})(?:-(\d))?$/.exec(compact);
  if (!match) return { ok: false, problem: 'format' };
  const letter = match[1] as RifLetter | undefined;
  const digits = match[2]!;
  if (match[3] !== undefined) {
    // The check digit written apart: a RIF whatever the letter.
    if (!letter) return { ok: false, problem: 'needs-letter' };
    if (digits.length > 8) return { ok: false, problem: 'format' };
    return rif(letter, digits, Number(match[3]));
  }
  if (digits.length === 9) {
    if (!letter) return { ok: false, problem: 'needs-letter' };
    return rif(letter, digits.slice(0, 8), Number(digits[8]));
  }
  if (letter === 'J' || letter === 'G' || letter === 'C') return { ok: false, problem: 'company-needs-rif' };
  return cedula(letter ?? 'V', digits);
}

/** The normalised form, or the text as given when it is not an identity number (for messages). */
export function normalizeIdNumber(text: string): string {
  const parsed = parseVenezuelanId(text);
  return parsed.ok ? parsed.id.text : text.trim();
}

/**
 * What two ways of writing one person's number share, for search: a cédula and the same person's
 * RIF (`V-12345678` and `V-12345678-1`) give the same key, their digits without leading zeros; a
 * passport gives `P` and its characters. Null when the text is no identity number.
 */
export function idSearchKey(text: string): string | null {
  const parsed = parseVenezuelanId(text);
  if (!parsed.ok) return null;
  const { id } = parsed;
  if (id.kind === 'passport') return `P${id.number}`;
  return id.number.replace(/^0+/, '');
}

/** One line an operator can act on, per problem (the renderer words it for the cashier). */
export const ID_PROBLEM_MESSAGES: Readonly<Record<IdProblem, string>> = {
  format: 'identity number looks like V-12345678 (cédula), J-40123456-9 (RIF) or P-123456789 (passport)',
  'check-digit': "the RIF's check digit does not match its number",
  'needs-letter': 'a RIF needs its letter: V-, E-, J-, G- or C-',
  'company-needs-rif': 'a J-, G- or C- number is a RIF: write its check digit, like J-40123456-9',
};

/**
 * The schema every message that carries an identity number uses: trims, checks and normalises it
 * (the stored and searched form is always the normalised one).
 */
export const idNumber = z
  .string()
  .max(40, 'identity number is too long')
  .transform((text, ctx) => {
    const parsed = parseVenezuelanId(text);
    if (parsed.ok) return parsed.id.text;
    ctx.addIssue({ code: 'custom', message: ID_PROBLEM_MESSAGES[parsed.problem] });
    return z.NEVER;
  });
