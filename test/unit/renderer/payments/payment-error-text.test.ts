import { describe, expect, it } from 'vitest';
import type { ErrorDetails } from '../../../../shared/errors.ts';
import { paymentErrorText } from '../../../../renderer/src/payments/payment-texts.ts';

/** Issue 11's refusals, as the cashier and the kiosk customer read them, in both languages. */
describe('what a refused kiosk payment or provider setting says', () => {
  it('a reference used before names the earlier sale', () => {
    const d: ErrorDetails['DUPLICATE_REFERENCE'] = {
      method: 'PAGO_MOVIL',
      reference: '123456',
      paymentId: 'p',
      transactionId: 't',
      transactionNumber: '1A2B3C4D',
    };
    expect(paymentErrorText('es', 'DUPLICATE_REFERENCE', '', d)).toBe(
      'La referencia 123456 (Pago Móvil) ya se usó en la venta 1A2B3C4D.',
    );
    expect(paymentErrorText('en', 'DUPLICATE_REFERENCE', '', d)).toBe(
      'Reference 123456 (Pago Móvil) was already used in sale 1A2B3C4D.',
    );
    const twice = { ...d, paymentId: null, transactionId: null, transactionNumber: null };
    expect(paymentErrorText('es', 'DUPLICATE_REFERENCE', '', twice)).toBe(
      'La referencia 123456 (Pago Móvil) aparece dos veces en este pago: cada pago electrónico tiene su propia referencia.',
    );
  });

  it('an unknown provider name, and the training provider on a live store', () => {
    const unknown: ErrorDetails['UNKNOWN_PAYMENT_PROVIDER'] = { provider: 'visanet', available: [] };
    expect(paymentErrorText('es', 'UNKNOWN_PAYMENT_PROVIDER', '', unknown)).toBe(
      'No existe el proveedor de pagos «visanet». Disponibles: ninguno.',
    );
    expect(paymentErrorText('en', 'UNKNOWN_PAYMENT_PROVIDER', '', unknown)).toBe(
      'There is no payment provider “visanet”. Available: none.',
    );
    const live: ErrorDetails['TRAINING_MODE'] = { reason: 'live-store' };
    expect(paymentErrorText('es', 'TRAINING_MODE', '', live)).toMatch(
      /solo existe en una tienda de entrenamiento/,
    );
    expect(paymentErrorText('en', 'TRAINING_MODE', '', live)).toMatch(/only on a training store/);
  });

  it('every reason a kiosk payment is unconfirmed has its sentence in both languages', () => {
    const reasons: ErrorDetails['PAYMENT_UNCONFIRMED']['reason'][] = [
      'kiosk-cash',
      'no-confirmation',
      'no-provider',
      'method-not-offered',
      'provider-mismatch',
      'reversed',
    ];
    for (const locale of ['es', 'en'] as const) {
      for (const reason of reasons) {
        const text = paymentErrorText(locale, 'PAYMENT_UNCONFIRMED', 'raw', { method: 'CARD', reason });
        expect(text).not.toMatch(/\{|raw|err\./);
      }
    }
    expect(
      paymentErrorText('es', 'PAYMENT_NOT_REVERSED', '', {
        provider: 'fake-pos',
        method: 'CARD',
        reference: 'AP1',
        amountCents: 91_250,
        currency: 'VES',
      }),
    ).toBe(
      'Se cobraron Bs. 912,50 (referencia AP1) pero la venta no se completó y no se pudo anular: acuda a la taquilla con esta referencia.',
    );
  });
});

/** Red-team finding 3: the bounds on money and rates say what to do, in both languages. */
describe('what a payment beyond the bounds says', () => {
  it('an amount beyond one payment, a rate out of range, a rate change to confirm', () => {
    const tooLarge: ErrorDetails['AMOUNT_TOO_LARGE'] = {
      scope: 'payment',
      currency: 'USD',
      amountCents: 12_000_000,
      maxCents: 10_000_000,
    };
    expect(paymentErrorText('es', 'AMOUNT_TOO_LARGE', '', tooLarge)).toBe(
      'Un cobro no puede pasar de USD 100.000,00 (entregado: USD 120.000,00). Revise los montos.',
    );
    expect(paymentErrorText('en', 'AMOUNT_TOO_LARGE', '', tooLarge)).toBe(
      'One payment cannot exceed $100,000.00 (tendered: $120,000.00). Check the amounts.',
    );
    const rate: ErrorDetails['RATE_OUT_OF_RANGE'] = {
      vesPerUsd: '0.0001',
      minimum: '1.0000',
      maximum: '1000000.0000',
    };
    expect(paymentErrorText('es', 'RATE_OUT_OF_RANGE', '', rate)).toMatch(/0,0001 Bs\.\/USD.*supervisor/);
    const change: ErrorDetails['RATE_CHANGE_UNCONFIRMED'] = {
      eventId: 1,
      current: '36.5000',
      proposed: '365.0000',
      changePercent: 900,
      confirmAbovePercent: 25,
    };
    expect(paymentErrorText('en', 'RATE_CHANGE_UNCONFIRMED', '', change)).toBe(
      'The rate would change by 900 % (36.50 → 365.00 Bs./USD). Confirm the change if it is right.',
    );
  });
});

/** Red-team finding 5: the kiosk's pay-at-counter bound speaks to the customer. */
describe('a pay-at-counter slip refused by its bound', () => {
  it('tells the customer where to go, in both languages', () => {
    for (const scope of ['kiosk', 'session'] as const) {
      const d: ErrorDetails['PAY_AT_COUNTER_LIMIT'] = { scope, limit: 4, open: 4 };
      expect(paymentErrorText('es', 'PAY_AT_COUNTER_LIMIT', 'raw', d)).toMatch(/taquilla/);
      expect(paymentErrorText('en', 'PAY_AT_COUNTER_LIMIT', 'raw', d)).toMatch(/at the counter/);
    }
  });
});
