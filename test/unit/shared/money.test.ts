import { describe, expect, it } from 'vitest';
import {
  formatMoney,
  formatRate,
  parseAmount,
  parseRate,
  toUsdCents,
  usdToVes,
  vesToUsd,
} from '../../../shared/money.ts';

describe('money', () => {
  it('keeps exchange rates exact to four places', () => {
    expect(parseRate('236.45')).toBe(2_364_500n);
    expect(parseRate('36,5')).toBe(365_000n);
    expect(formatRate(parseRate('0.0001'))).toBe('0.0001');
    for (const bad of ['', 'abc', '1.23456', '-5', '0', '1e3'])
      expect(() => parseRate(bad)).toThrow(RangeError);
  });

  it('converts USD to VES rounding half away from zero to the céntimo', () => {
    expect(usdToVes(1000, '236.45')).toBe(236_450); // $10.00 → Bs. 2,364.50
    expect(usdToVes(1, '36.505')).toBe(37); // 0.36505 Bs → 0.37 (rounds up at .5)
    expect(usdToVes(1, '36.4999')).toBe(36);
    expect(usdToVes(-1, '36.505')).toBe(-37);
    expect(usdToVes(0, '36.5')).toBe(0);
  });

  it('converts VES back to USD with the same rule, and never uses floating point for big sums', () => {
    expect(vesToUsd(236_450, '236.45')).toBe(1000);
    expect(vesToUsd(100, '3')).toBe(33);
    expect(vesToUsd(150, '300')).toBe(1); // 0.005 → 0.01
    const big = 9_000_000_000_000; // $90 billion in cents
    expect(usdToVes(big, '1.0001')).toBe(9_000_900_000_000);
    expect(toUsdCents({ currency: 'VES', cents: 365_000 }, '36.50')).toBe(10_000);
    expect(toUsdCents({ currency: 'USD', cents: 123 }, '36.50')).toBe(123);
    expect(() => usdToVes(1.5, '36.5')).toThrow(RangeError);
  });

  it('reads amounts the way cashiers type them', () => {
    expect(parseAmount('12')).toBe(1200);
    expect(parseAmount('12,5')).toBe(1250);
    expect(parseAmount('12.50')).toBe(1250);
    expect(parseAmount('1.234,56')).toBe(123_456);
    expect(parseAmount('1,234.56')).toBe(123_456);
    expect(parseAmount('1.234.567')).toBe(123_456_700);
    for (const bad of ['', 'doce', '12,345', '1.234', '-3', '1.2.3,4,5', '1,234,5', '12.345,6.7'])
      expect(parseAmount(bad)).toBeNull();
  });

  it('formats for people in Spanish and English', () => {
    expect(formatMoney({ currency: 'USD', cents: 123_456 })).toBe('USD 1.234,56');
    expect(formatMoney({ currency: 'VES', cents: 295_625 })).toBe('Bs. 2.956,25');
    expect(formatMoney({ currency: 'USD', cents: 1250 }, 'en')).toBe('$12.50');
  });
});
