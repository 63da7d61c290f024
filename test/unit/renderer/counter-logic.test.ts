import { describe, expect, it } from 'vitest';
import { cartTotals } from '../../../renderer/src/cart/cart-totals.ts';
import { countdown, earliest } from '../../../renderer/src/countdown.ts';
import { errorText } from '../../../renderer/src/i18n/error-text.ts';
import { applyChanges, fromSnapshot, seatView } from '../../../renderer/src/state/availability.ts';
import { PRINTER_TARGET_PROBLEMS } from '../../../shared/schemas/printing.ts';

const T = Date.UTC(2026, 10, 24, 14, 0, 0);

describe('hold countdown', () => {
  it('shows minutes and seconds, rounding up so 0:00 means gone', () => {
    expect(countdown(T + 10 * 60_000, T)).toMatchObject({ text: '10:00', urgent: false, expired: false });
    expect(countdown(T + 61_000, T).text).toBe('1:01');
    expect(countdown(T + 59_001, T)).toMatchObject({ text: '1:00', urgent: true });
    expect(countdown(T + 1, T)).toMatchObject({ text: '0:01', expired: false });
    expect(countdown(T, T)).toMatchObject({ text: '0:00', expired: true, urgent: false });
    expect(countdown(T - 5000, T).ms).toBe(0);
  });

  it('the cart counts down to its earliest hold', () => {
    expect(earliest([T + 3, T + 1, T + 2])).toBe(T + 1);
    expect(earliest([])).toBeNull();
  });
});

describe('cart totals', () => {
  it('adds USD cents exactly and converts the total once at the event rate', () => {
    const lines = [
      { priceCents: 8000, quantity: 1, reservedUntil: T + 1000 },
      { priceCents: 1500, quantity: 3, reservedUntil: T + 1000 },
    ];
    // 125.00 USD × 236.45 = 29,556.25 Bs.
    expect(cartTotals(lines, '236.4500', T)).toEqual({ places: 4, usdCents: 12500, vesCents: 2955625 });
  });

  it('a line whose hold ran out by server time is not charged', () => {
    const lines = [
      { priceCents: 1000, quantity: 1, reservedUntil: T },
      { priceCents: 2000, quantity: 1, reservedUntil: T + 1 },
    ];
    expect(cartTotals(lines, '36.50', T)).toEqual({ places: 1, usdCents: 2000, vesCents: 73000 });
  });
});

describe('client availability', () => {
  const snapshot = {
    eventId: 1,
    version: 5,
    at: T,
    states: '.hhs',
    taken: [
      { seatId: 11, state: 'held' as const, until: T + 60_000, sessionId: 'me' },
      { seatId: 12, state: 'held' as const, until: T + 30_000, sessionId: 'other' },
      { seatId: 13, state: 'sold' as const, until: null, sessionId: 'x' },
    ],
    zones: [{ zoneId: 1, capacity: 4, free: 1 }],
  };
  const indexOf = new Map([
    [10, 0],
    [11, 1],
    [12, 2],
    [13, 3],
  ]);

  it('tells my holds from other sessions’ holds', () => {
    const model = fromSnapshot(snapshot);
    expect([0, 1, 2, 3].map((i) => seatView(model, i, 10 + i, T, 'me'))).toEqual([
      'free',
      'mine',
      'held',
      'sold',
    ]);
  });

  it('a hold whose until has passed by server time is free, before any change arrives', () => {
    const model = fromSnapshot(snapshot);
    expect(seatView(model, 2, 12, T + 30_000, 'me')).toBe('free');
    expect(seatView(model, 1, 11, T + 30_000, 'me')).toBe('mine');
  });

  it('applies newer changes, ignores stale ones, and asks for a snapshot on reset', () => {
    const model = fromSnapshot(snapshot);
    const change = (version: number, state: 'free' | 'held') => ({
      eventId: 1,
      reset: false as const,
      version,
      at: T,
      seats: [
        {
          seatId: 10,
          state,
          until: state === 'held' ? T + 1000 : null,
          sessionId: state === 'held' ? 'other' : null,
        },
      ],
      zones: [{ zoneId: 1, capacity: 4, free: 0 }],
    });
    expect(applyChanges(model, change(6, 'held'), indexOf)).toBe(true);
    expect(seatView(model, 0, 10, T, 'me')).toBe('held');
    expect(model.zones.get(1)?.free).toBe(0);
    expect(applyChanges(model, change(4, 'free'), indexOf)).toBe(true);
    expect(seatView(model, 0, 10, T, 'me')).toBe('held');
    expect(applyChanges(model, { eventId: 1, reset: true, version: 99 }, indexOf)).toBe(false);
  });
});

describe('refusals in the cashier’s words', () => {
  it('SEAT_TAKEN names the seat, who holds it and until when (Caracas time)', () => {
    const text = errorText('es', 'SEAT_TAKEN', 'taken', {
      seats: [
        {
          seatId: 1,
          label: 'PLA-F-12',
          state: 'held',
          heldUntil: Date.UTC(2026, 10, 24, 18, 5, 0),
          heldBySession: 's',
          heldByActor: 'cashier:Beto',
        },
      ],
    });
    expect(text).toBe('No se pudo apartar: PLA-F-12 ya está tomado por Beto hasta las 14:05:00.');
  });

  it('ZONE_FULL, LIMIT_REACHED and HOLD_EXPIRED read in Spanish by default and English on request', () => {
    expect(
      errorText('es', 'ZONE_FULL', '', { zoneId: 1, zoneName: 'General', requested: 4, available: 1 }),
    ).toBe('General: no hay 4 disponibles (queda 1).');
    expect(errorText('es', 'LIMIT_REACHED', '', { limit: 10, held: 9, requested: 2 })).toMatch(
      /hasta 10 entradas/,
    );
    expect(errorText('en', 'HOLD_EXPIRED', '', { seats: [{ seatId: 1, label: 'A-1', expiredAt: T }] })).toBe(
      'Hold time ran out: A-1. The seats are free again.',
    );
  });

  it('PRINTER_TARGET says where and why, in Spanish and English, for every problem', () => {
    expect(
      errorText('es', 'PRINTER_TARGET', '', { path: '/home/caja/.bashrc', problem: 'not-a-device' }),
    ).toBe(
      'No se imprime en /home/caja/.bashrc: no es un dispositivo de caracteres (el archivo de dispositivo de una impresora USB o serie). No se escribió nada.',
    );
    expect(errorText('en', 'PRINTER_TARGET', '', { path: '/tmp/x.prn', problem: 'file-live-store' })).toBe(
      'Not printing to /tmp/x.prn: printing into a file is for training stores only. Nothing was written.',
    );
    for (const problem of PRINTER_TARGET_PROBLEMS) {
      for (const locale of ['es', 'en'] as const) {
        expect(errorText(locale, 'PRINTER_TARGET', '', { path: '/x', problem })).not.toContain('error.');
      }
    }
  });

  it('FOREIGN_ORIGIN tells how to open the terminal', () => {
    expect(errorText('es', 'FOREIGN_ORIGIN', '', {})).toMatch(/taquilla serve/);
    expect(errorText('en', 'FOREIGN_ORIGIN', '', {})).toMatch(/taquilla serve/);
  });

  it('PIN refusals say the tries left, and what is locked until when', () => {
    const until = Date.UTC(2026, 10, 24, 18, 5, 0);
    expect(errorText('es', 'BAD_PIN', '', { attemptsLeft: 3 })).toBe(
      'PIN incorrecto. Intentos restantes: 3.',
    );
    expect(errorText('es', 'LOCKED_OUT', '', { until, scope: 'user' })).toBe(
      'Usuario bloqueado por demasiados intentos. Intente de nuevo a las 14:05:00.',
    );
    expect(errorText('es', 'LOCKED_OUT', '', { until, scope: 'supervisor-override' })).toBe(
      'PIN de supervisor bloqueado por demasiados intentos. Intente de nuevo a las 14:05:00.',
    );
    expect(errorText('en', 'LOCKED_OUT', '', { until, scope: 'terminal' })).toMatch(
      /^Too many wrong PINs at this terminal: every PIN is locked until 14:05:00/,
    );
  });
});
