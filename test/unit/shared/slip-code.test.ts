import { describe, expect, it } from 'vitest';
import {
  formatSlipCode,
  newSlipCode,
  normalizeSlipCode,
  SLIP_CODE_ALPHABET,
} from '../../../shared/slip-code.ts';

describe('the code on a "Pagar en taquilla" slip', () => {
  it('uses no character people confuse on paper or aloud', () => {
    for (const confusable of '0OQD1IL2Z5S6G8BUV') expect(SLIP_CODE_ALPHABET).not.toContain(confusable);
    expect(new Set(SLIP_CODE_ALPHABET).size).toBe(SLIP_CODE_ALPHABET.length);
  });

  it('is found however the cashier types or scans it', () => {
    let i = 0;
    const code = newSlipCode(() => i++ % SLIP_CODE_ALPHABET.length);
    expect(code).toBe('ACEFHJ');
    expect(formatSlipCode(code)).toBe('ACE-FHJ');
    for (const typed of ['acefhj', 'ACE-FHJ', ' ace fhj ', 'Ace.Fhj'])
      expect(normalizeSlipCode(typed)).toBe(code);
  });

  it('is not something else: wrong length or letters outside the alphabet', () => {
    for (const text of ['ACEFH', 'ACEFHJK', 'ACEFH0', 'V-1234', '12345678'])
      expect(normalizeSlipCode(text)).toBeNull();
  });
});
