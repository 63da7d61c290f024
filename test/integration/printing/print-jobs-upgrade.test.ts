import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, createTenant, createVenue } from '../../../electron/services/events/event-setup.ts';
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { type Db, newestSchemaVersion, openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import type { TicketPrintData } from '../../../shared/schemas/printing.ts';
import { T0, tempDir } from '../../support/temp-store.ts';

/**
 * Migration 009 rebuilt print_jobs (for the kiosk's slip); 019 then adds the interruption columns
 * (issue 15). A store as version 8 left it, with jobs waiting and one printed, upgrades through both:
 * nothing is lost, the waiting jobs print once, the printed one is not printed again.
 */
const ALL = join(import.meta.dirname, '../../../electron/store/migrations');

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

/** A version-8 store with a sale of two seats: ticket 1 printed, ticket 2 and the receipt waiting. */
function version8Store(dir: string): { file: string; transactionId: string; eventId: number } {
  const old = join(dir, 'migrations-008');
  mkdirSync(old);
  for (const name of readdirSync(ALL).filter((n) => /^\d{3}_/.test(n) && Number(n.slice(0, 3)) <= 8)) {
    copyFileSync(join(ALL, name), join(old, name));
  }
  const file = join(dir, 'terminal.db');
  const db = openDatabase(file, { migrationsDir: old });
  expect(db.pragma('user_version', { simple: true })).toBe(8);
  const clock = new ManualClock(T0);
  const tenantId = createTenant(db, 'Prueba', T0);
  const venueId = createVenue(db, tenantId, 'Sala Prueba');
  const event = createEvent(
    db,
    {
      tenantId,
      venueId,
      name: 'Concierto de prueba',
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
  const reservations = new ReservationService(db, clock);
  const { transactionId } = reservations.holdSeats({
    eventId: event.eventId,
    sessionId: 'caja-1',
    actor: 'Ana',
    seatIds: event.zones[0]!.seatIds,
  });
  reservations.complete({ transactionId, actor: 'Ana' });
  // What printing wrote at version 8, row by row (the jobs as 003 shaped them).
  const places = db
    .prepare<[string], { id: number; number: number }>(
      `SELECT t.id, s.number FROM reserved_tickets t JOIN seats s ON s.id = t.seat_id
       WHERE t.transaction_id = ? ORDER BY t.id`,
    )
    .all(transactionId);
  places.forEach((place, i) => {
    const ticketNumber = `T1-00000${i + 1}`;
    const data: TicketPrintData = {
      ticketNumber,
      venue: 'Sala Prueba',
      event: 'Concierto de prueba',
      eventId: event.eventId,
      startsAt: T0 + 86_400_000,
      zone: 'Platea',
      row: 'A',
      seat: String(place.number),
      seatLabel: `PLA-A-${place.number}`,
      priceCents: 2500,
      vesPerUsd: '36.50',
      cashier: 'Ana',
      transactionId,
      code: `CODE-${ticketNumber}`,
      issuedAt: T0,
    };
    db.prepare(
      `INSERT INTO issued_tickets (ticket_number, transaction_id, reserved_ticket_id, place, event_id, code, data,
         issued_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)`,
    ).run(ticketNumber, transactionId, place.id, event.eventId, data.code, JSON.stringify(data), T0);
    db.prepare(
      `INSERT INTO print_jobs (kind, transaction_id, ticket_number, copy, data, status, attempts, created_at,
         printed_at) VALUES ('ticket', ?, ?, 0, '{}', ?, ?, ?, ?)`,
    ).run(
      transactionId,
      ticketNumber,
      i === 0 ? 'DONE' : 'PENDING',
      i === 0 ? 1 : 0,
      T0,
      i === 0 ? T0 : null,
    );
  });
  db.prepare(
    `INSERT INTO print_jobs (kind, transaction_id, ticket_number, copy, data, status, created_at)
     VALUES ('receipt', ?, NULL, 0, ?, 'PENDING', ?)`,
  ).run(
    transactionId,
    JSON.stringify({
      transactionId,
      venue: 'Sala Prueba',
      event: 'Concierto de prueba',
      startsAt: T0 + 86_400_000,
      cashier: 'Ana',
      at: T0,
      vesPerUsd: '36.50',
      lines: [{ description: 'Platea PLA-A-1, PLA-A-2', quantity: 2, unitCents: 2500, totalCents: 5000 }],
      totalCents: 5000,
    }),
    T0,
  );
  db.close();
  return { file, transactionId, eventId: event.eventId };
}

function columnsOf(db: Db, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((c) => c.name);
}

describe('a store from before migration 009 upgrades through 009 and 019', () => {
  it('keeps its print jobs, prints the waiting ones once, and takes slips and interruptions', async () => {
    const { dir, remove } = tempDir();
    const { file, transactionId } = version8Store(dir);
    const printer = new VirtualPrinter();
    await printer.start();
    const db = openDatabase(file);
    cleanup = async () => {
      await printer.stop();
      if (db.open) db.close();
      remove();
    };
    expect(db.pragma('user_version', { simple: true })).toBe(newestSchemaVersion());
    expect(columnsOf(db, 'print_jobs')).toEqual(
      expect.arrayContaining(['kind', 'copy', 'claimed_by', 'interrupted_at', 'interruption']),
    );
    const indexes = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'print_jobs'",
      )
      .all()
      .map((i) => i.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'print_jobs_pending',
        'print_jobs_by_transaction',
        'one_original_per_ticket',
        'print_jobs_interrupted',
      ]),
    );
    expect(db.prepare('SELECT kind, ticket_number, status FROM print_jobs ORDER BY id').all()).toEqual([
      { kind: 'ticket', ticket_number: 'T1-000001', status: 'DONE' },
      { kind: 'ticket', ticket_number: 'T1-000002', status: 'PENDING' },
      { kind: 'receipt', ticket_number: null, status: 'PENDING' },
    ]);

    const clock = new ManualClock(T0 + 60_000);
    const printing = new PrintingService(db, clock, {
      tcp: { connectTimeoutMs: 500, statusTimeoutMs: 500 },
    });
    printing.setSettings({ connection: { kind: 'tcp', host: '127.0.0.1', port: printer.port } }, 'test');
    expect(printing.status()).toMatchObject({ pending: 2, waitingTickets: ['T1-000002'], interrupted: [] });
    // The kind 009 added is accepted by the rebuilt table, with 019's columns beside it.
    printing.jobs.enqueueSlip({
      transactionId,
      code: 'ACE347',
      seats: ['PLA-A-1'],
      totalCents: 2500,
      reservedUntil: T0 + 30 * 60_000,
      issuedAt: T0,
    });
    expect(await printing.queue.drain()).toBe('idle');
    const texts = printer.documents.map((d) => d.text);
    expect(texts).toHaveLength(3);
    expect(texts[0]).toContain('Boleto N.º T1-000002');
    expect(texts[1]).toContain('RECIBO');
    expect(texts[2]).toContain('ACE-347');
    expect(texts.some((t) => t.includes('T1-000001'))).toBe(false);
    expect(db.prepare("SELECT COUNT(*) FROM print_jobs WHERE status <> 'DONE'").pluck().get()).toBe(0);
  });
});
