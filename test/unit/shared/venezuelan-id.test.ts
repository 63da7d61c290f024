import { describe, expect, it } from 'vitest';
import { reservationCustomer } from '../../../shared/schemas/payments.ts';
import { customer } from '../../../shared/schemas/reservations.ts';
import {
  idNumber,
  idSearchKey,
  normalizeIdNumber,
  parseVenezuelanId,
  rifCheckDigit,
} from '../../../shared/venezuelan-id.ts';

describe('the SENIAT RIF check digit', () => {
  // RIFs published by their holders (and in python-stdnum's and rifven's documentation).
  it.each([
    ['V-11470283-4'],
    ['J-07013380-5'],
    ['J-40512535-7'],
    ['J-00079224-0'],
    ['G-20000303-0'], // SENIAT
    ['G-20009997-6'], // Banco de Venezuela
  ])('%s is valid', (rif) => {
    const parsed = parseVenezuelanId(rif);
    expect(parsed).toEqual({ ok: true, id: expect.objectContaining({ kind: 'rif', text: rif }) });
  });

  it.each([['V-11470283-3'], ['J-07013380-4'], ['J-40512535-1'], ['G-20009997-5'], ['J-40123456-7']])(
    '%s has the wrong check digit and is refused',
    (rif) => {
      expect(parseVenezuelanId(rif)).toEqual({ ok: false, problem: 'check-digit' });
    },
  );

  it('weighs the letter (V 1, E 2, J 3, P 4, G 5; C as J) times 4, then 3 2 7 6 5 4 3 2; 10 and 11 give 0', () => {
    // J-40123456: 12 + 4·3 + 0·2 + 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 101; 101 mod 11 = 2; 11 − 2 = 9.
    expect(rifCheckDigit('J', '40123456')).toBe(9);
    expect(rifCheckDigit('C', '40123456')).toBe(rifCheckDigit('J', '40123456'));
    // V-12345678: 4 + 138 = 142; 142 mod 11 = 10; 11 − 10 = 1.
    expect(rifCheckDigit('V', '12345678')).toBe(1);
    expect(rifCheckDigit('E', '12345678')).not.toBe(rifCheckDigit('V', '12345678'));
    // Remainder 0 (11) and remainder 1 (10) both give 0: G-20000303 sums to 44.
    expect(rifCheckDigit('G', '20000303')).toBe(0);
    expect(() => rifCheckDigit('J', '1234567')).toThrow(/8 digits/);
  });
});

describe('identity numbers as cashiers write them', () => {
  it.each([
    ['V-12.345.678', 'V-12345678'],
    ['v12345678', 'V-12345678'],
    ['12.345.678', 'V-12345678'],
    [' e-84.123.456 ', 'E-84123456'],
    ['V 1234567', 'V-1234567'],
    ['J-40123456-9', 'J-40123456-9'],
    ['j401234569', 'J-40123456-9'],
    ['J-40.123.456-9', 'J-40123456-9'],
    ['V-12345678-1', 'V-12345678-1'],
    ['V123456781', 'V-12345678-1'],
    ['V-1470283-7', 'V-01470283-7'],
    ['C-40123456-9', 'C-40123456-9'],
    ['p-123456789', 'P-123456789'],
    ['P AB 12345', 'P-AB12345'],
  ])('%s is %s', (typed, normalised) => {
    expect(normalizeIdNumber(typed)).toBe(normalised);
    expect(idNumber.parse(typed)).toBe(normalised);
    // Normalising twice changes nothing (stored values are parsed again at every door).
    expect(idNumber.parse(normalised)).toBe(normalised);
  });

  it.each([
    ['J-40123456', 'company-needs-rif'],
    ['G-2000030', 'company-needs-rif'],
    ['123456789', 'needs-letter'],
    ['12345678-1', 'needs-letter'],
    ['V-1234', 'format'],
    ['X-12345678', 'format'],
    ['P-12', 'format'],
    ['V-00000000-0', 'format'],
    ['juan', 'format'],
  ])('%s is refused (%s)', (typed, problem) => {
    expect(parseVenezuelanId(typed)).toEqual({ ok: false, problem });
    expect(idNumber.safeParse(typed).success).toBe(false);
  });

  it('every schema that takes an id number accepts RIFs and passports, normalised, and refuses a bad check digit', () => {
    for (const schema of [reservationCustomer, customer]) {
      expect(schema.parse({ name: 'Lácteos Los Andes', idNumber: 'j-40.123.456-9' }).idNumber).toBe(
        'J-40123456-9',
      );
      expect(schema.parse({ name: 'John Smith', idNumber: 'p 533380006' }).idNumber).toBe('P-533380006');
      expect(schema.parse({ name: 'Ana', idNumber: 'v12.345.678' }).idNumber).toBe('V-12345678');
      const refused = schema.safeParse({ name: 'X', idNumber: 'J-40123456-7' });
      expect(refused.success).toBe(false);
      expect(refused.error?.issues[0]?.message).toBe("the RIF's check digit does not match its number");
    }
  });

  it("search keys: a person's cédula and RIF are one key; a passport is its own", () => {
    expect(idSearchKey('V-12.345.678')).toBe('12345678');
    expect(idSearchKey('V-12345678-1')).toBe('12345678');
    expect(idSearchKey('V-01470283-7')).toBe(idSearchKey('V-1470283'));
    expect(idSearchKey('P-AB12345')).toBe('PAB12345');
    expect(idSearchKey('María')).toBeNull();
  });
});
