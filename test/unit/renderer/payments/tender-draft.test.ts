import { describe, expect, it } from 'vitest';
import { settle } from '../../../../shared/payments.ts';
import {
  checkDraft,
  draftCurrency,
  newDraft,
  paymentPreview,
  remainderAmount,
  type TenderDraft,
} from '../../../../renderer/src/payments/tender-draft.ts';

const RATE = '236.4500';
const draft = (key: number, patch: Partial<TenderDraft>): TenderDraft => ({
  ...newDraft(key, 'CASH_USD'),
  ...patch,
});

describe("the payment dialog's tender lines", () => {
  it('each method is typed in its currency; a transfer may be in either', () => {
    expect(draftCurrency(draft(1, { method: 'CASH_USD' }))).toBe('USD');
    expect(draftCurrency(draft(1, { method: 'ZELLE' }))).toBe('USD');
    expect(draftCurrency(draft(1, { method: 'PAGO_MOVIL' }))).toBe('VES');
    expect(draftCurrency(draft(1, { method: 'CARD' }))).toBe('VES');
    expect(draftCurrency(draft(1, { method: 'TRANSFER', transferCurrency: 'USD' }))).toBe('USD');
  });

  it('amounts read as cashiers type them, and a Pago Móvil needs its reference, phone and bank', () => {
    expect(checkDraft(draft(1, { amount: '1.234,56' })).amountCents).toBe(123_456);
    expect(checkDraft(draft(1, { amount: 'doce' })).problem).toBe('amount');
    const pm = draft(1, {
      method: 'PAGO_MOVIL',
      amount: '100',
      reference: '123456',
      phone: '0414-123.45.67',
    });
    expect(checkDraft(pm).tender).toBeNull();
    expect(checkDraft({ ...pm, bankCode: '0102' }).tender).toEqual({
      method: 'PAGO_MOVIL',
      amountCents: 10_000,
      reference: '123456',
      phone: '04141234567',
      bankCode: '0102',
    });
  });

  it('the live totals are exactly what shared/payments.ts settles (mixed currencies, change in bolívares)', () => {
    const drafts = [draft(1, { amount: '50' }), draft(2, { method: 'CASH_VES', amount: '8000' })];
    const preview = paymentPreview(8000, drafts, RATE, 3000);
    const expected = settle(
      8000,
      [
        { method: 'CASH_USD', amountCents: 5000 },
        { method: 'CASH_VES', amountCents: 800_000 },
      ],
      RATE,
    );
    expect(preview.settlement).toEqual(expected);
    expect(preview.remainingCents).toBe(0);
    expect(preview.settlement.change).toEqual({ currency: 'VES', cents: 90_650, usdCents: 383 });
    expect(preview.fullPayment).toBeNull();
  });

  it('an amount still missing its reference moves the balance but cannot be paid yet', () => {
    const preview = paymentPreview(8000, [draft(1, { method: 'ZELLE', amount: '30' })], RATE, 3000);
    expect(preview.remainingCents).toBe(5000);
    expect(preview.remainingVesCents).toBe(1_182_250);
    expect(preview.linesValid).toBe(false);
    expect(preview.fullPayment?.code).toBe('INCOMPLETE');
  });

  it('refusals come from the shared rules: short payment, small deposit, electronic overpayment', () => {
    const short = paymentPreview(16_000, [draft(1, { amount: '20' })], RATE, 3000);
    expect(short.fullPayment).toMatchObject({ code: 'UNDERPAID', details: { shortCents: 14_000 } });
    expect(short.deposit).toMatchObject({ code: 'DEPOSIT_TOO_SMALL', details: { minimumCents: 4800 } });
    expect(short.depositMinimumCents).toBe(4800);
    const deposit = paymentPreview(16_000, [draft(1, { amount: '48' })], RATE, 3000);
    expect(deposit.deposit).toBeNull();
    const card = paymentPreview(
      8000,
      [draft(1, { method: 'CARD', amount: '20000', reference: 'A1234' })],
      RATE,
      3000,
    );
    expect(card.fullPayment).toMatchObject({ code: 'OVERPAID', details: { reason: 'no-cash' } });
  });

  it("an amount beyond the bounds is the terminal's own refusal, never a crash of the dialog", () => {
    const huge = paymentPreview(8000, [draft(1, { amount: '90.000.000.000.000,00' })], RATE, 3000);
    expect(huge.fullPayment).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { scope: 'tender' } });
    expect(huge.deposit).toMatchObject({ code: 'AMOUNT_TOO_LARGE' });
    const twoBig = paymentPreview(
      8000,
      [draft(1, { amount: '60000' }), draft(2, { amount: '50000' })],
      RATE,
      3000,
    );
    expect(twoBig.fullPayment).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { scope: 'payment' } });
    const badRate = paymentPreview(8000, [draft(1, { amount: '80' })], '0.0001', 3000);
    expect(badRate.fullPayment).toMatchObject({ code: 'RATE_OUT_OF_RANGE' });
  });

  it('"Resto" fills a line with what settles the balance in its own currency', () => {
    const drafts = [draft(1, { amount: '50' }), draft(2, { method: 'PAGO_MOVIL', amount: '' })];
    const preview = paymentPreview(8000, drafts, RATE, 3000);
    expect(remainderAmount(preview, preview.checks[1]!)).toBe('7093.50');
    const filled = paymentPreview(8000, [drafts[0]!, { ...drafts[1]!, amount: '7093.50' }], RATE, 3000);
    expect(filled.remainingCents).toBe(0);
    expect(remainderAmount(preview, preview.checks[0]!)).toBe('80.00');
  });
});
