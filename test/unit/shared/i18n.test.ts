import { describe, expect, it } from 'vitest';
import type { ErrorCode, ErrorDetails } from '../../../shared/errors.ts';
import { CATALOGS, message } from '../../../shared/i18n/catalog.ts';
import { errorText, validationText } from '../../../shared/i18n/error-text.ts';
import { formatBusinessDay, formatDateTime, formatRate, LOCALES } from '../../../shared/i18n/formats.ts';
import { actorName } from '../../../shared/i18n/people.ts';
import { reservationCustomer, tender } from '../../../shared/schemas/payments.ts';

/**
 * One example of every error code's facts. The type makes it complete: a code added to
 * shared/errors.ts fails the typecheck here until it has an example, and then the test below until
 * it has words in both languages.
 */
const EXAMPLES: { [C in ErrorCode]: ErrorDetails[C] } = {
  VALIDATION: { issues: [{ path: 'tenders.0.reference', message: 'reference has 4 to 20 digits' }] },
  UNKNOWN_EVENT: { eventId: 7 },
  UNKNOWN_TENANT: { tenantId: 3 },
  UNKNOWN_ZONE: { zoneId: 4 },
  UNKNOWN_SEAT: { seatIds: [9], labels: ['A-9'] },
  UNKNOWN_TRANSACTION: { transactionId: 'tx-1' },
  SEAT_TAKEN: {
    seats: [
      {
        seatId: 1,
        label: 'A-1',
        state: 'held',
        heldUntil: 1,
        heldBySession: 's',
        heldByActor: 'cashier:Beto',
      },
    ],
  },
  SEAT_BLOCKED: { seats: [{ seatId: 1, label: 'A-1', reason: null }] },
  ZONE_FULL: { zoneId: 1, zoneName: 'General', requested: 4, available: 1 },
  WRONG_ZONE_KIND: { zoneId: 1, kind: 'general' },
  LIMIT_REACHED: { limit: 10, held: 9, requested: 2 },
  HOLD_EXPIRED: { seats: [{ seatId: 1, label: 'A-1', expiredAt: 1 }] },
  NOTHING_HELD: {},
  EXTENSION_LIMIT: { maxUntil: 1 },
  INVALID_TRANSITION: { entity: 'transaction', id: 'tx', from: 'EXPIRED', to: 'COMPLETED' },
  UNAUTHORIZED: {},
  FORBIDDEN: { role: 'cashier' },
  IDEMPOTENCY_MISMATCH: { key: 'k' },
  UNKNOWN_LEASE: { leaseId: 'l' },
  OFFLINE: { outbox: 3 },
  OUTCOME_UNKNOWN: { transactionId: 'tx', outbox: 1 },
  PAYMENT_REQUIRED: { transactionId: 'tx', totalCents: 100, paidCents: 0 },
  BALANCE_CHANGED: { transactionId: 'tx', totalCents: 100, paidCents: 50 },
  ABANDONED: { key: 'k' },
  NOT_LEASED: { seatIds: [5] },
  CART_CHANGED: {
    transactionId: 'tx',
    expected: { totalCents: 1, seatIds: [], places: 1 },
    actual: { totalCents: 2, seatIds: [], places: 1 },
    items: [],
  },
  CONFLICT_NOT_MOVABLE: { conflictId: 1, op: 'sale', errorCode: 'SEAT_TAKEN' },
  CONFLICT_RESOLVED: { saleId: 'abc', resolution: 'moved' },
  UNDERPAID: { dueCents: 100, paidCents: 50, shortCents: 50, shortVesCents: 1800 },
  OVERPAID: { dueCents: 1, paidCents: 2, excessCents: 1, cashCents: 0, reason: 'no-cash' },
  DEPOSIT_TOO_SMALL: { totalCents: 100, minimumCents: 30, paidCents: 10, minimumBasisPoints: 3000 },
  DUPLICATE_REFERENCE: {
    method: 'PAGO_MOVIL',
    reference: '123456',
    paymentId: 'p',
    transactionId: 't',
    transactionNumber: 'T-1',
  },
  AMOUNT_TOO_LARGE: { scope: 'tender', currency: 'USD', amountCents: 2, maxCents: 1 },
  RATE_OUT_OF_RANGE: { vesPerUsd: '0.0001', minimum: '1.0000', maximum: '1000000.0000' },
  RATE_CHANGE_UNCONFIRMED: {
    eventId: 1,
    current: '36.5000',
    proposed: '365.0000',
    changePercent: 900,
    confirmAbovePercent: 25,
  },
  RESERVATION_EXPIRED: { transactionId: 't', expiredAt: 1, customerName: 'Ana' },
  NOT_PAYABLE: { transactionId: 't', status: 'CANCELLED' },
  DAY_ALREADY_CLOSED: { cashier: 'cashier:Ana', businessDay: '2026-11-27', closingNumber: 3 },
  DEPOSIT_TOO_SHORT: { hours: 1, minimumHours: 24, maximumHours: 72 },
  UNKNOWN_STAFF: { reference: 'Zoe', reason: 'unknown', known: [{ staffId: 1, name: 'Ana' }] },
  SHIFT_OPEN: { staffId: 1, shiftId: 1, openedAt: 1, businessDay: '2026-11-27' },
  NO_OPEN_SHIFT: { staffId: 1 },
  APPROVAL_REQUIRED: { kind: 'PAID_OUT' },
  INSUFFICIENT_CASH: { currency: 'USD', requestedCents: 2, availableCents: 1 },
  OUTSIDE_LEASE: { leaseId: 'l-1', reason: 'ticket-numbers', ticketNumbers: [7] },
  LEASE_RENEWAL_TOO_LONG: { leaseId: 'l-1', renewMinutes: 600, maxMinutes: 240 },
  EVENT_STARTED: { transactionId: 'tx', eventId: 1, startsAt: 1 },
  NOT_VOIDABLE: { transactionId: 'tx', status: 'EXPIRED' },
  ALREADY_VOIDED: { transactionId: 'tx', ticketNumbers: ['T1-000001'] },
  VOID_NEEDS_SERVER: { transactionId: 'tx' },
  TICKET_VOIDED: { ticketNumbers: ['T1-000001'] },
  NOT_SIGNED_IN: {},
  ROLE_NOT_ALLOWED: { method: 'm', role: 'cashier', allowed: ['supervisor'] },
  BAD_PIN: { attemptsLeft: 2 },
  LOCKED_OUT: { until: 1, scope: 'user' },
  UNKNOWN_METHOD: { method: 'm' },
  SUPERVISOR_APPROVAL: { action: 'reprint' },
  STORE_FULL: {},
  STORE_READ_ONLY: {},
  STORE_UNAVAILABLE: { sqliteCode: 'SQLITE_IOERR' },
  PRINTER_TARGET: { path: '/dev/x', problem: 'missing' },
  TRAINING_MODE: { reason: 'enrolled' },
  PAYMENT_UNCONFIRMED: { method: 'CARD', reason: 'no-provider' },
  PAY_AT_COUNTER_LIMIT: { scope: 'kiosk', limit: 3, open: 3 },
  PAYMENT_DECLINED: { provider: 'p', method: 'CARD', reason: 'fondos insuficientes' },
  PAYMENT_NOT_REVERSED: { provider: 'p', method: 'CARD', reference: 'R1', amountCents: 1, currency: 'VES' },
  UNKNOWN_PAYMENT_PROVIDER: { provider: 'x', available: [] },
};

const RAW = 'RAW ENGLISH FROM THE SERVICE';

describe('the message catalogue', () => {
  it('words every error code in Spanish and in English, never the raw message or the catch-all', () => {
    const codes = Object.keys(EXAMPLES) as ErrorCode[];
    expect(codes.length).toBeGreaterThan(50);
    for (const code of codes) {
      const es = errorText('es', code, RAW, EXAMPLES[code]);
      const en = errorText('en', code, RAW, EXAMPLES[code]);
      for (const text of [es, en]) {
        expect(text, code).not.toContain(RAW);
        expect(text, code).not.toMatch(/^(No se pudo completar|Could not complete)/);
        expect(text, code).not.toMatch(/\{|\}/);
      }
      expect(es, code).not.toBe(en);
    }
  });

  it('has the same keys in every language, and each compiles as ICU', () => {
    for (const section of Object.keys(CATALOGS.es) as (keyof typeof CATALOGS.es)[]) {
      expect(Object.keys(CATALOGS.en[section]).sort(), section).toEqual(
        Object.keys(CATALOGS.es[section]).sort(),
      );
    }
  });

  it('counts with ICU plurals: one sale, two sales; the best seat, not "Mejores 1"', () => {
    const summary = (n: number) =>
      message('es', 'payments', 'close.summary', { payments: n, sales: n, deposits: 0, instalments: 1 });
    expect(summary(1)).toBe('1 pago: 1 venta, 0 abonos iniciales, 1 abono');
    expect(summary(2)).toBe('2 pagos: 2 ventas, 0 abonos iniciales, 1 abono');
    expect(message('es', 'counter', 'zones.best', { n: 1 })).toBe('El mejor asiento');
    expect(message('es', 'counter', 'zones.best', { n: 4 })).toBe('Mejores 4 juntos');
    expect(message('es', 'payments', 'kiosk.best', { n: 1 })).toBe('El mejor asiento');
    expect(message('es', 'counter', 'zones.free', { n: 2500 })).toBe('2.500 libres');
    expect(message('en', 'counter', 'zones.free', { n: 2500 })).toBe('2,500 free');
    expect(message('es', 'paper', 'report.drawer', { n: 1 })).toBe('CAJA (1 turno)');
  });

  it('formats rates like money (es-VE), never the stored 236.4500', () => {
    expect(formatRate('es', '236.4500')).toBe('236,45');
    expect(formatRate('es', '1234.5678')).toBe('1.234,5678');
    expect(formatRate('en', '236.4500')).toBe('236.45');
    expect(message('es', 'counter', 'cart.rate', { rate: formatRate('es', '236.4500') })).toBe(
      'Tasa: USD 1,00 = Bs. 236,45',
    );
  });

  it('writes dates as Venezuelans do, in Caracas time', () => {
    expect(formatBusinessDay('es', '2026-11-27')).toBe('27/11/2026');
    expect(formatBusinessDay('en', '2026-11-27')).toBe('11/27/2026');
    // 00:40 UTC on the 28th is 20:40 on the 27th in Caracas.
    const at = Date.UTC(2026, 10, 28, 0, 40);
    expect(formatDateTime('es', at)).toMatch(/27 nov\.? 2026, 20:40/);
    expect(message('es', 'paper', 'receipt.date', { at })).toMatch(/^Fecha: vie, 27 nov\.? 2026, 20:40$/);
  });

  it('tells a refused field in Spanish, field by field', () => {
    const parsed = tender.safeParse({
      method: 'PAGO_MOVIL',
      amountCents: 100,
      reference: '12',
      phone: '04141234567',
      bankCode: '0102',
    });
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    expect(validationText('es', issues)).toBe('Referencia: la referencia tiene de 4 a 20 dígitos');
    expect(errorText('es', 'VALIDATION', RAW, { issues })).not.toMatch(/reference|digits/);
    const customer = reservationCustomer.safeParse({ name: 'Ana' });
    const customerIssues = customer.error!.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
    }));
    expect(validationText('es', customerIssues)).toBe(
      'Cédula, RIF o pasaporte: indique la cédula o el teléfono',
    );
    // A message the catalogue does not know still reaches the cashier in Spanish.
    expect(validationText('es', [{ path: 'reference', message: 'Too small: expected string' }])).toBe(
      'Referencia: valor no válido',
    );
  });

  it('says OFFLINE and NOT_LEASED as a cashier reads them', () => {
    expect(errorText('es', 'OFFLINE', RAW, { outbox: 3 })).toBe(
      'Sin conexión con el servidor: no se hizo nada. Intente de nuevo cuando vuelva la conexión.',
    );
    expect(errorText('es', 'NOT_LEASED', RAW, { seatIds: [], zoneId: 1, available: 1 })).toContain(
      'le queda 1 entrada',
    );
  });

  it('names people, never their internal ids', () => {
    for (const locale of LOCALES) expect(actorName(locale, 'cashier:Ana Cajera')).toBe('Ana Cajera');
    expect(actorName('es', 'kiosk:Quiosco 2')).toBe('Quiosco');
    expect(actorName('es', 'supervisor:Luis')).toBe('Luis');
  });
});
