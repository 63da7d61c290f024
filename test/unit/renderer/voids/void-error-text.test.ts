import { describe, expect, it } from 'vitest';
import { voidErrorText } from '../../../../renderer/src/voids/void-texts.ts';

/** The refusals of a void as the cashier reads them, Spanish first. */
describe('what a refused void says', () => {
  it('every refusal of a void has its own words in both languages', () => {
    const cases: [string, unknown][] = [
      ['EVENT_STARTED', { transactionId: 't', eventId: 1, startsAt: Date.UTC(2026, 11, 6, 0, 0) }],
      ['NOT_VOIDABLE', { transactionId: 't', status: 'EXPIRED' }],
      ['ALREADY_VOIDED', { transactionId: 't', ticketNumbers: ['T1-000001'] }],
      ['ALREADY_VOIDED', { transactionId: 't', ticketNumbers: [] }],
      ['VOID_NEEDS_SERVER', { transactionId: 't' }],
      ['TICKET_VOIDED', { ticketNumbers: ['T1-000001'] }],
      ['APPROVAL_REQUIRED', { kind: 'VOID' }],
      ['INSUFFICIENT_CASH', { currency: 'VES', requestedCents: 91_250, availableCents: 0 }],
      ['OFFLINE', { outbox: 0 }],
      ['OUTCOME_UNKNOWN', { transactionId: 't', outbox: 0 }],
      ['BALANCE_CHANGED', { transactionId: 't', totalCents: 2500, paidCents: 1000 }],
    ];
    for (const [code, details] of cases) {
      for (const locale of ['es', 'en'] as const) {
        const text = voidErrorText(locale, code, 'english message', details);
        expect(text).not.toContain('english message');
        expect(text).not.toMatch(/\{\w+\}/);
      }
    }
    expect(voidErrorText('es', 'VOID_NEEDS_SERVER', '', { transactionId: 't' })).toMatch(
      /^Esta taquilla vende/,
    );
    // A void whose answer was lost is settled by sending the same void again, not by waiting.
    expect(voidErrorText('es', 'OUTCOME_UNKNOWN', '', { transactionId: 't', outbox: 0 })).toMatch(
      /anulación.*pulse de nuevo «Anular y devolver»/,
    );
    expect(
      voidErrorText('es', 'ALREADY_VOIDED', '', { transactionId: 't', ticketNumbers: ['T1-000001'] }),
    ).toBe('Ya anulado: T1-000001.');
    expect(
      voidErrorText('es', 'INSUFFICIENT_CASH', '', {
        currency: 'VES',
        requestedCents: 91_250,
        availableCents: 0,
      }),
    ).toBe('La caja solo debería tener Bs. 0,00: no se pueden devolver Bs. 912,50 en efectivo.');
  });
});
