import { describe, expect, it } from 'vitest';
import { planRefund, refundAmount } from '../../../shared/refunds.ts';

describe('what a void gives back', () => {
  it('a whole sale gives back all that is left of what was paid; some tickets their prices, never more than is left', () => {
    expect(refundAmount({ paidCents: 8000, refundedCents: 3500, chosenPriceCents: 4500, whole: true })).toBe(
      4500,
    );
    expect(refundAmount({ paidCents: 8000, refundedCents: 0, chosenPriceCents: 2500, whole: false })).toBe(
      2500,
    );
    expect(refundAmount({ paidCents: 2000, refundedCents: 0, chosenPriceCents: 2500, whole: false })).toBe(
      2000,
    );
    expect(refundAmount({ paidCents: 2000, refundedCents: 2000, chosenPriceCents: 2500, whole: true })).toBe(
      0,
    );
  });

  it('shares the refund between the methods used by what each brought, odd cents to the largest, bolívares at the sale’s rate', () => {
    const plan = planRefund(
      1001,
      [
        { method: 'CASH_USD', currency: 'USD', usdCents: 2000 },
        { method: 'PAGO_MOVIL', currency: 'VES', usdCents: 1000 },
      ],
      '36.5000',
    );
    expect(plan).toEqual([
      { method: 'CASH_USD', currency: 'USD', amountCents: 668, usdCents: 668, asPaid: true },
      { method: 'PAGO_MOVIL', currency: 'VES', amountCents: 12_155, usdCents: 333, asPaid: true },
    ]);
    expect(plan.reduce((n, l) => n + l.usdCents, 0)).toBe(1001);
  });

  it('a method chosen takes all of it, recorded as not as paid when the sale did not use it', () => {
    const paid = [{ method: 'CASH_USD' as const, currency: 'USD' as const, usdCents: 2500 }];
    expect(planRefund(2500, paid, '36.5000', { method: 'TRANSFER' })).toEqual([
      { method: 'TRANSFER', currency: 'VES', amountCents: 91_250, usdCents: 2500, asPaid: false },
    ]);
    expect(planRefund(2500, paid, '36.5000', { method: 'CASH_USD' })[0]!.asPaid).toBe(true);
    expect(planRefund(0, paid, '36.5000')).toEqual([]);
    expect(() => planRefund(100, [], '36.5000')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});
