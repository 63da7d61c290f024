import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaquillaError } from '../../../shared/errors.ts';
import { formatCents, percentOf, usdToVes } from '../../../shared/money.ts';
import {
  assertDeposit,
  assertFullPayment,
  assertInstalment,
  minimumDeposit,
  settle,
} from '../../../shared/payments.ts';
import { depositInput, payInput, type Tender, tender } from '../../../shared/schemas/payments.ts';
import { parseInput } from '../../../shared/validation.ts';

const RATE = '36.50';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaquillaError) return error.code;
    throw error;
  }
  return undefined;
}

const pagoMovil = (amountCents: number, reference = '123456'): Tender =>
  parseInput(tender, {
    method: 'PAGO_MOVIL',
    amountCents,
    reference,
    phone: '0414-1234567',
    bankCode: '0102',
  });

describe('payment rules', () => {
  it('a mixed tender in both currencies settles exactly what is due', () => {
    // $25.00 due: $10 cash + Bs. 547,50 Pago Móvil (= $15.00 at 36.50).
    const s = settle(2500, [{ method: 'CASH_USD', amountCents: 1000 }, pagoMovil(54_750)], RATE);
    expect(s.tenderedCents).toBe(2500);
    expect(s.appliedCents).toBe(2500);
    expect(s.balanceCents).toBe(0);
    expect(s.change).toBeNull();
    expect(s.lines.map((l) => l.usdCents)).toEqual([1000, 1500]);
    expect(s.vesPerUsd).toBe('36.5000');
    expect(() => assertFullPayment(s)).not.toThrow();
  });

  it('change in bolívares is exact, not a rounded dollar difference converted back', () => {
    // Bs. 1.000 cash for a Bs. 912,50 ticket ($25 at 36.50) gives back Bs. 87,50.
    const s = settle(2500, [{ method: 'CASH_VES', amountCents: 100_000 }], RATE);
    expect(s.change).toEqual({ currency: 'VES', cents: 8750, usdCents: 240 });
    assertFullPayment(s);
  });

  it('change defaults to the currency of the cash paid, or the one the cashier chooses', () => {
    const cashUsd = [pagoMovil(54_750), { method: 'CASH_USD' as const, amountCents: 2000 }];
    expect(settle(2500, cashUsd, RATE).change).toEqual({ currency: 'USD', cents: 1000, usdCents: 1000 });
    // $10 over, given back in bolívares at the payment's rate.
    expect(settle(2500, cashUsd, RATE, 'VES').change).toEqual({
      currency: 'VES',
      cents: 36_500,
      usdCents: 1000,
    });
  });

  it('rounding at the rate: paying exactly the bolívares shown always settles, however split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 10_000, max: 99_999_999 }), // 1.0000 .. 9999.9999
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (due, scaledRate, parts, usdPart) => {
          const rate = BigInt(scaledRate);
          const cash = Math.min(usdPart, due);
          const ves = usdToVes(due - cash, rate);
          const tenders: Tender[] = cash > 0 ? [{ method: 'CASH_USD', amountCents: cash }] : [];
          let left = ves;
          for (let i = 0; i < parts && left > 0; i++) {
            const piece = i === parts - 1 ? left : Math.max(1, Math.floor(left / (parts - i)));
            tenders.push({ method: 'CASH_VES', amountCents: piece });
            left -= piece;
          }
          const s = settle(due, tenders, rate);
          expect(s.appliedCents).toBe(due);
          expect(s.balanceCents).toBe(0);
          // The lines of one payment add up exactly to what it credited.
          expect(s.lines.reduce((sum, l) => sum + l.usdCents, 0)).toBe(s.tenderedCents);
          expect(s.change?.cents ?? 0).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a short sale and says how much is missing in both currencies', () => {
    const s = settle(2500, [{ method: 'CASH_USD', amountCents: 2000 }], RATE);
    try {
      assertFullPayment(s);
      expect.unreachable();
    } catch (error) {
      expect((error as TaquillaError<'UNDERPAID'>).details).toEqual({
        dueCents: 2500,
        paidCents: 2000,
        shortCents: 500,
        shortVesCents: 18_250,
      });
    }
  });

  it('refuses electronic overpayment, and change that would swallow all the cash', () => {
    // The card alone already pays more than due: no cash to give change from.
    const over = settle(2500, [{ method: 'CARD', amountCents: 100_000, reference: 'A1B2C3' }], RATE);
    expect(code(() => assertFullPayment(over))).toBe('OVERPAID');
    expect(code(() => assertInstalment(over))).toBe('OVERPAID');
    // $5 cash on top of a Zelle that covers everything: the $5 would all come back.
    const pointless = settle(
      2500,
      [
        { method: 'ZELLE', amountCents: 2500, reference: 'ZL998877' },
        { method: 'CASH_USD', amountCents: 500 },
      ],
      RATE,
    );
    expect(code(() => assertFullPayment(pointless))).toBe('OVERPAID');
    // Partial payments toward a balance are fine.
    expect(code(() => assertInstalment(settle(2500, [pagoMovil(10_000)], RATE)))).toBeUndefined();
  });

  it('a deposit must reach the minimum percentage and leave something to pay', () => {
    expect(minimumDeposit(2500, 3000)).toBe(750);
    expect(minimumDeposit(3333, 3000)).toBe(1000); // 999.9 → 1000, half away from zero
    expect(percentOf(5, 5000)).toBe(3); // 2.5 → 3
    expect(
      code(() => assertDeposit(settle(5000, [{ method: 'CASH_USD', amountCents: 1499 }], RATE), 3000)),
    ).toBe('DEPOSIT_TOO_SMALL');
    expect(
      code(() => assertDeposit(settle(5000, [{ method: 'CASH_USD', amountCents: 1500 }], RATE), 3000)),
    ).toBe(undefined);
    expect(
      code(() => assertDeposit(settle(5000, [{ method: 'CASH_USD', amountCents: 5000 }], RATE), 3000)),
    ).toBe('OVERPAID');
    // A 0 % minimum still needs some money.
    expect(code(() => assertDeposit(settle(5000, [], RATE), 0))).toBe('DEPOSIT_TOO_SMALL');
  });

  it('each electronic method demands its reference, and bad ones are refused by field', () => {
    const bad = (t: unknown): string[] => {
      try {
        parseInput(tender, t);
        return [];
      } catch (error) {
        return (error as TaquillaError<'VALIDATION'>).details.issues.map((i) => i.path);
      }
    };
    expect(
      bad({
        method: 'PAGO_MOVIL',
        amountCents: 100,
        reference: '12',
        phone: '0414-1234567',
        bankCode: '0102',
      }),
    ).toEqual(['reference']);
    expect(
      bad({
        method: 'PAGO_MOVIL',
        amountCents: 100,
        reference: '123456',
        phone: '0212-1234567',
        bankCode: '0102',
      }),
    ).toEqual(['phone']);
    expect(
      bad({
        method: 'PAGO_MOVIL',
        amountCents: 100,
        reference: '123456',
        phone: '04141234567',
        bankCode: '102',
      }),
    ).toEqual(['bankCode']);
    expect(bad({ method: 'PAGO_MOVIL', amountCents: 100, reference: '123456' })).toEqual([
      'phone',
      'bankCode',
    ]);
    expect(bad({ method: 'ZELLE', amountCents: 100 })).toEqual(['reference']);
    expect(bad({ method: 'ZELLE', amountCents: 100, email: 'not-an-email' })).toEqual(['email']);
    expect(bad({ method: 'CARD', amountCents: 100 })).toEqual(['reference']);
    expect(bad({ method: 'TRANSFER', amountCents: 100, reference: '99887766' })).toEqual(['bankCode']);
    expect(bad({ method: 'CASH_USD', amountCents: 0 })).toEqual(['amountCents']);
    expect(bad({ method: 'CASH_USD', amountCents: 10.5 })).toEqual(['amountCents']);
    expect(bad({ method: 'CASH_USD', amountCents: 100, reference: 'x' })).toEqual(['(input)']);
    expect(bad({ method: 'CHEQUE', amountCents: 100 })).toEqual(['method']);
    // Separators people type are accepted and normalised.
    const ok = parseInput(tender, {
      method: 'PAGO_MOVIL',
      amountCents: 100,
      reference: '0012-3456',
      phone: '+58 414 123 45 67',
      bankCode: '0134',
    });
    expect(ok).toMatchObject({ reference: '00123456', phone: '04141234567' });
    expect(
      parseInput(tender, { method: 'TRANSFER', amountCents: 100, reference: '1234', bankCode: '0105' }),
    ).toMatchObject({
      currency: 'VES',
    });
  });

  it('a deposit needs a customer who can be found again; a payment needs a tender', () => {
    const base = {
      eventId: 1,
      sessionId: 's',
      actor: 'ana',
      tenders: [{ method: 'CASH_USD', amountCents: 100 }],
    };
    expect(code(() => parseInput(depositInput, { ...base, customer: { name: 'María Pérez' } }))).toBe(
      'VALIDATION',
    );
    expect(
      code(() =>
        parseInput(depositInput, { ...base, customer: { name: 'María Pérez', idNumber: 'V-12345678' } }),
      ),
    ).toBeUndefined();
    expect(code(() => parseInput(payInput, { transactionId: 'x', actor: 'ana', tenders: [] }))).toBe(
      'VALIDATION',
    );
  });

  it('exports cents as plain decimals', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(123_456)).toBe('1234.56');
    expect(formatCents(-250)).toBe('-2.50');
  });
});
