/**
 * A terminal process that sells as fast as it can until it is killed. Usage:
 *   node --import tsx test/support/sale-worker.ts <db> <eventId> <round>
 * After each sale (or reservation) commits, it prints one line: SOLD|RESERVED <transactionId> <seatIds>.
 * A printed line is an acknowledged sale: the parent kills the process at random and checks none is lost.
 */
import { systemClock } from '../../shared/clock.ts';
import { isTaquillaError } from '../../shared/errors.ts';
import { ReservationService } from '../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../electron/store/database.ts';

const [file, eventArg, round] = process.argv.slice(2);
const eventId = Number(eventArg);
const db = openDatabase(file!);
const service = new ReservationService(db, systemClock);
const free = db.prepare<[number], { id: number }>(
  `SELECT s.id FROM seats s WHERE s.event_id = ? AND NOT EXISTS (
     SELECT 1 FROM reserved_tickets t WHERE t.seat_id = s.id AND t.status IN ('ACTIVE', 'COMPLETED'))
   ORDER BY random() LIMIT 3`,
);

process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const seats = free.all(eventId).map((r) => r.id);
  if (seats.length === 0) break;
  const take = seats.slice(0, 1 + (i % 3));
  try {
    const held = service.holdSeats({
      eventId,
      sessionId: `${round}-${i}`,
      actor: `terminal-${round}`,
      seatIds: take,
    });
    if (i % 4 === 3) {
      service.convertToPartial({ transactionId: held.transactionId, actor: `terminal-${round}` });
      process.stdout.write(`RESERVED ${held.transactionId} ${take.join(',')}\n`);
    } else {
      service.complete({ transactionId: held.transactionId, actor: `terminal-${round}` });
      process.stdout.write(`SOLD ${held.transactionId} ${take.join(',')}\n`);
    }
  } catch (error) {
    if (!isTaquillaError(error)) throw error;
  }
}
db.close();
process.stdout.write('done\n');
