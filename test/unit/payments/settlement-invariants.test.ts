import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessDayOf, nextDay } from '../../../shared/business-day.ts';
import { TaquillaError } from '../../../shared/errors.ts';
import {
  MAX_PAYMENT_USD_CENTS,
  MAX_TENDER_CENTS,
  MAX_VES_PER_USD,
  MIN_VES_PER_USD,
  usdToVes,
} from '../../../shared/money.ts';
import { assertFullPayment, assertInstalment, isCash, settle } from '../../../shared/payments.ts';
import type { Tender } from '../../../shared/schemas/payments.ts';

const tenderArb: fc.Arbitrary<Tender> = fc.oneof(
  fc.integer({ min: 1, max: 500_000 }).map((amountCents) => ({ method: 'CASH_USD' as const, amountCents })),
  fc.integer({ min: 1, max: 5_000_000 }).map((amountCents) => ({ method: 'CASH_VES' as const, amountCents })),
  fc.integer({ min: 1, max: 5_000_000 }).map((amountCents) => ({
    method: 'CARD' as const,
    amountCents,
    reference: 'A1B2',
  })),
  fc.integer({ min: 1, max: 500_000 }).map((amountCents) => ({
    method: 'ZELLE' as const,
    amountCents,
    reference: 'Z123',
  })),
);

describe('settlement invariants', () => {
  it('whatever is accepted credits at most what is due, and only cash ever comes back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(tenderArb, { minLength: 0, maxLength: 5 }),
        fc.integer({ min: 10_000, max: 9_999_999 }),
        fc.constantFrom(undefined, 'USD' as const, 'VES' as const),
        (due, tenders, scaledRate, changeCurrency) => {
          const rate = BigInt(scaledRate);
          const s = settle(due, tenders, rate, changeCurrency);
          expect(s.appliedCents).toBe(Math.min(due, s.tenderedCents));
          expect(s.balanceCents + s.appliedCents).toBe(due);
          expect(s.lines.reduce((sum, l) => sum + l.usdCents, 0)).toBe(s.tenderedCents);
          let accepted = true;
          try {
            assertInstalment(s);
          } catch (error) {
            expect(error).toBeInstanceOf(TaquillaError);
            accepted = false;
          }
          if (accepted && s.change) {
            // Change never exceeds the cash handed over, in USD terms.
            expect(s.change.usdCents).toBeLessThan(s.cashCents);
            expect(tenders.some((t) => isCash(t.method))).toBe(true);
            if (s.change.currency === 'VES') {
              // Within a céntimo of the exact dollar excess converted at the rate.
              expect(Math.abs(s.change.cents - usdToVes(s.excessCents, rate))).toBeLessThanOrEqual(
                usdToVes(1, rate) + 1,
              );
            }
          }
          if (!tenders.some((t) => isCash(t.method))) {
            expect(accepted).toBe(s.excessCents === 0 && s.tenderedCents <= MAX_PAYMENT_USD_CENTS);
          }
          // Nothing above the one-payment limit is ever accepted.
          if (s.tenderedCents > MAX_PAYMENT_USD_CENTS) expect(accepted).toBe(false);
          let full = true;
          try {
            assertFullPayment(s);
          } catch {
            full = false;
          }
          expect(full).toBe(accepted && s.tenderedCents >= due);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('within the bounds every figure of a settlement is an exact integer; beyond them settle refuses', () => {
    const anyTender = fc.oneof(
      fc
        .integer({ min: 1, max: MAX_PAYMENT_USD_CENTS })
        .map((amountCents) => ({ method: 'CASH_USD' as const, amountCents })),
      fc
        .integer({ min: 1, max: MAX_TENDER_CENTS })
        .map((amountCents) => ({ method: 'CASH_VES' as const, amountCents })),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.array(anyTender, { minLength: 1, maxLength: 12 }),
        fc.bigInt({ min: MIN_VES_PER_USD, max: MAX_VES_PER_USD }),
        fc.constantFrom(undefined, 'USD' as const, 'VES' as const),
        (due, tenders, rate, changeCurrency) => {
          const s = settle(due, tenders, rate, changeCurrency);
          const figures = [s.tenderedCents, s.appliedCents, s.balanceCents, s.excessCents, s.cashCents];
          figures.push(...s.lines.map((l) => l.usdCents), s.change?.cents ?? 0, s.change?.usdCents ?? 0);
          for (const f of figures) expect(Number.isSafeInteger(f)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(() => settle(100, [{ method: 'CASH_VES', amountCents: 1 }], 1n)).toThrow(
      expect.objectContaining({ code: 'RATE_OUT_OF_RANGE' }),
    );
    expect(() =>
      settle(100, [{ method: 'CASH_VES', amountCents: MAX_TENDER_CENTS + 1 }], MIN_VES_PER_USD),
    ).toThrow(expect.objectContaining({ code: 'AMOUNT_TOO_LARGE' }));
    expect(() => usdToVes(Number.MAX_SAFE_INTEGER, MAX_VES_PER_USD)).toThrow(RangeError);
  });

  it('with a cutoff at midnight the business day is the Caracas calendar day (UTC-4), whatever the UTC date says', () => {
    expect(businessDayOf(Date.UTC(2026, 10, 25, 3, 30), 0)).toBe('2026-11-24'); // 23:30 in Caracas
    expect(businessDayOf(Date.UTC(2026, 10, 25, 4, 0), 0)).toBe('2026-11-25'); // midnight in Caracas
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });
});
