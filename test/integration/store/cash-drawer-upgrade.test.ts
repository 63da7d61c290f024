import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DayClosingService } from '../../../electron/services/day-closing/day-closing-service.ts';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { newestSchemaVersion, openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { addStaff, T0, tempDir } from '../../support/temp-store.ts';

const ALL = join(import.meta.dirname, '../../../electron/store/migrations');

/**
 * Migrations 023 (cash drawer, Z reports by staff id) and 024 (print_jobs rebuilt for the report
 * kind) on a store an older Taquilla wrote: a Z taken by actor before staff ids still counts as that
 * staff member's, and a print job waiting for the cashier's word keeps its interruption.
 */
describe('a store from before the cash drawer upgrades', () => {
  let remove: (() => void) | null = null;
  afterEach(() => remove?.());

  it('keeps an interrupted print job and an old Z, which still closes that staff member’s day', async () => {
    const temp = tempDir('taquilla-upgrade-');
    remove = temp.remove;
    const old = join(temp.dir, 'migrations-022');
    mkdirSync(old);
    for (const name of readdirSync(ALL).filter((n) => /^\d{3}_/.test(n) && Number(n.slice(0, 3)) <= 22)) {
      copyFileSync(join(ALL, name), join(old, name));
    }
    const file = join(temp.dir, 'terminal.db');
    const clock = new ManualClock(T0);
    let db = openDatabase(file, { migrationsDir: old });
    const tenantId = createTenant(db, 'Prueba', T0);
    const venueId = createVenue(db, tenantId, 'Sala Prueba');
    const event = createEvent(
      db,
      {
        tenantId,
        venueId,
        name: 'Concierto',
        startsAt: T0 + 86_400_000,
        vesPerUsd: '36.50',
        zones: [
          {
            kind: 'numbered',
            code: 'PLA',
            name: 'Platea',
            priceCents: 2500,
            seats: [1, 2].map((n) => ({ row: 'A', number: n, x: n, y: 0 })),
          },
        ],
      },
      T0,
    );
    const ana = await addStaff(db, 'Ana', 'cashier');
    const reservations = new ReservationService(db, clock);
    new PrintingService(db, clock).attach(reservations);
    const payments = new PaymentService(db, clock, reservations);
    reservations.holdSeats({
      eventId: event.eventId,
      sessionId: 's',
      actor: 'cashier:Ana',
      seatIds: [event.zones[0]!.seatIds[0]!],
    });
    payments.checkout({
      eventId: event.eventId,
      sessionId: 's',
      actor: 'cashier:Ana',
      tenders: [{ method: 'CASH_USD', amountCents: 2500 }],
    });
    // The old Z (by actor, as version 22 stored it) and a ticket the printer stopped on.
    db.prepare(
      `INSERT INTO day_closings (number, cashier, business_day, closed_at, closed_by, report)
       VALUES (1, 'cashier:Ana', '2026-11-24', ?, 'cashier:Ana', '{}')`,
    ).run(T0);
    db.prepare(
      "UPDATE print_jobs SET interrupted_at = ?, interruption = 'paper-out' WHERE kind = 'ticket'",
    ).run(T0);
    db.close();

    db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(newestSchemaVersion());
      const printing = new PrintingService(db, clock);
      expect(printing.status().interrupted).toMatchObject([
        { kind: 'ticket', reason: 'paper-out', saleNumber: expect.any(String) },
      ]);
      // Ana's day is closed by the Z taken before staff ids: a second Z today is refused.
      const closing = new DayClosingService(db, clock);
      expect(() => closing.z({ staff: { staffId: ana }, actor: 'x' })).toThrow(/already closed 2026-11-24/);
      expect(closing.closings()).toMatchObject([{ number: 1, staffId: null, cashierName: 'Ana' }]);
    } finally {
      db.close();
    }
  });
});
