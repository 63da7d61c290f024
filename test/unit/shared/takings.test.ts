import { describe, expect, it } from 'vitest';
import {
  addChange,
  addReceived,
  addRefund,
  byMethod,
  changeMethod,
  emptyMethodLine,
} from '../../../shared/takings.ts';

describe('takings per method and currency (dashboard and X/Z reports)', () => {
  it('nets what came in less the change given back and the refunds, in the currency and in USD', () => {
    const line = emptyMethodLine('CASH_VES', 'VES');
    addReceived(line, { count: 2, cents: 100_000, usd: 2_500 });
    addChange(line, { cents: 10_000, usd: 250 });
    addRefund(line, { cents: 40_000, usd: 1_000 });
    expect(line).toEqual({
      method: 'CASH_VES',
      currency: 'VES',
      count: 2,
      receivedCents: 100_000,
      changeCents: 10_000,
      refundCents: 40_000,
      netCents: 50_000,
      netUsdCents: 1_250,
    });
  });

  it('change leaves the cash of its currency', () => {
    expect([changeMethod('USD'), changeMethod('VES')]).toEqual(['CASH_USD', 'CASH_VES']);
  });

  it('lines are ordered the same everywhere: by the methods as listed, then currency', () => {
    const lines = [
      emptyMethodLine('CARD', 'VES'),
      emptyMethodLine('ZELLE', 'USD'),
      emptyMethodLine('CASH_USD', 'USD'),
    ];
    expect(lines.sort(byMethod).map((l) => l.method)).toEqual(['CASH_USD', 'ZELLE', 'CARD']);
  });
});
