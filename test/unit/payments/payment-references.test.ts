import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceDigits, referenceKey } from '../../../shared/payment-references.ts';
import type { Tender } from '../../../shared/schemas/payments.ts';

const pm = (reference: string, bankCode = '0102'): Tender => ({
  method: 'PAGO_MOVIL',
  amountCents: 100,
  reference,
  phone: '04141234567',
  bankCode,
});

describe('a payment reference, normalised (bank, digits without separators or leading zeros)', () => {
  it('00123456 and 123456 are one Pago Móvil, or one transfer of the same bank; another bank is another payment', () => {
    expect(referenceKey(pm('00123456'))).toBe(referenceKey(pm('123456')));
    expect(referenceKey(pm('123456', '0105'))).not.toBe(referenceKey(pm('123456')));
    const transfer: Tender = {
      method: 'TRANSFER',
      amountCents: 100,
      currency: 'VES',
      reference: '123456',
      bankCode: '0102',
    };
    // A bank numbers Pago Móvil and transfers from one sequence: one namespace per bank.
    expect(referenceKey(transfer)).toBe(referenceKey(pm('123456')));
    expect(referenceKey({ ...transfer, bankCode: '0105' })).not.toBe(referenceKey(pm('123456')));
  });

  it('Zelle and provider card references lose their separators: ABCD-1234 is ABCD1234', () => {
    const zelle = (reference: string): Tender => ({ method: 'ZELLE', amountCents: 100, reference });
    expect(referenceKey(zelle('ABCD-1234'))).toBe(referenceKey(zelle('ABCD1234')));
    expect(referenceKey(zelle('ABCD-1234'))).toBe('ZELLE||ABCD1234');
    const card = (reference: string): Tender => ({ method: 'CARD', amountCents: 100, reference });
    expect(referenceKey(card('AP-0012'), 'fake-pos')).toBe(referenceKey(card('AP0012'), 'fake-pos'));
  });

  it('leading zeros never matter, whatever the digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{3,15}$/), fc.integer({ min: 0, max: 4 }), (digits, zeros) => {
        expect(referenceKey(pm('0'.repeat(zeros) + digits))).toBe(referenceKey(pm(digits)));
      }),
    );
    expect(referenceDigits('0000')).toBe('0');
  });

  it('cash, an email-only Zelle and a counter card approval carry no reference that pays once', () => {
    expect(referenceKey({ method: 'CASH_USD', amountCents: 100 })).toBeNull();
    expect(referenceKey({ method: 'ZELLE', amountCents: 100, email: 'a@b.co' })).toBeNull();
    const card: Tender = { method: 'CARD', amountCents: 100, reference: '004512' };
    expect(referenceKey(card)).toBeNull();
    // Confirmed by a provider, a card approval is unique for that provider.
    expect(referenceKey(card, 'fake-pos')).toBe('CARD|fake-pos|4512');
  });
});
