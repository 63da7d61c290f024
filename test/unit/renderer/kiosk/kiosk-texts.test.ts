import { describe, expect, it } from 'vitest';
import { PAGO_MOVIL_BANKS } from '../../../../renderer/src/kiosk/banks.ts';
import { kt, ktn } from '../../../../renderer/src/kiosk/kiosk-texts.ts';
import { bankCode } from '../../../../shared/schemas/payments.ts';

describe("the kiosk's words to its customers", () => {
  it('count in the singular for one and the plural otherwise, with Venezuelan digit grouping', () => {
    expect(ktn('es', 'shop.best', 1)).toBe('El mejor asiento');
    expect(ktn('es', 'shop.best', 4)).toBe('Mejores 4 asientos');
    expect(ktn('es', 'shop.free', 1)).toBe('1 disponible');
    expect(ktn('es', 'shop.free', 2500)).toBe('2.500 disponibles');
    expect(ktn('en', 'shop.free', 2500)).toBe('2,500 available');
    expect(ktn('en', 'cart.total', 1)).toBe('Total · 1 ticket');
  });

  it('speak to the customer (usted), not the cashier: no change, no bank codes', () => {
    expect(kt('es', 'pay.pmSteps', { ves: 'Bs. 10,00' })).toMatch(/desde su teléfono/);
    const spanish = [
      'pay.title',
      'pay.how',
      'pay.cardSteps',
      'pay.bank',
      'pay.verify',
      'cart.timeLeft',
    ] as const;
    for (const key of spanish) expect(kt('es', key)).not.toMatch(/vuelto|código|cobrar/i);
  });

  it('list banks by name, each with a code the payment schema takes, each once', () => {
    for (const bank of PAGO_MOVIL_BANKS) expect(bankCode.parse(bank.code)).toBe(bank.code);
    expect(new Set(PAGO_MOVIL_BANKS.map((b) => b.code)).size).toBe(PAGO_MOVIL_BANKS.length);
    expect(PAGO_MOVIL_BANKS[0]).toEqual({ code: '0102', name: 'Banco de Venezuela' });
  });
});
