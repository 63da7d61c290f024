/**
 * A separate OS process that fights for seats on a shared database file. Usage:
 *   node --import tsx test/support/hold-worker.ts <db> <eventId> <worker> <seatIds,comma,separated>
 * It prints 'ready', waits for a line on stdin so all workers start together, tries to hold the
 * seats in pairs (all-or-nothing), and prints one JSON line: the seats it won and how many attempts
 * were refused.
 */

import { ReservationService } from '../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../electron/store/database.ts';
import { systemClock } from '../../shared/clock.ts';
import { isTaquillaError } from '../../shared/errors.ts';

const [file, eventArg, worker, seatsArg] = process.argv.slice(2);
const db = openDatabase(file!);
const service = new ReservationService(db, systemClock);
const seatIds = seatsArg!.split(',').map(Number);
const won: number[] = [];
let refused = 0;
const unexpected: string[] = [];

process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
for (let i = 0; i < seatIds.length; i += 2) {
  const pair = seatIds.slice(i, i + 2);
  try {
    const result = service.holdSeats({
      eventId: Number(eventArg),
      sessionId: `${worker}-${i}`,
      actor: `worker-${worker}`,
      seatIds: pair,
    });
    won.push(...result.tickets.map((t) => t.seatId!));
  } catch (error) {
    if (isTaquillaError(error) && error.code === 'SEAT_TAKEN') refused += 1;
    else unexpected.push(String(error));
  }
}
db.close();
process.stdout.write(`${JSON.stringify({ worker, won, refused, unexpected })}\n`);
