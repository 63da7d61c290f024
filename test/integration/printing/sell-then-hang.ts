// A terminal process for the crash test: sells one seat with printing attached (no worker), says
// COMMITTED, then waits to be killed with SIGKILL before anything prints.
import { PrintingService } from '../../../electron/services/printing/printing-service.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { systemClock } from '../../../shared/clock.ts';

const [file, eventId, seatId] = process.argv.slice(2);
const db = openDatabase(file!);
const reservations = new ReservationService(db, systemClock);
new PrintingService(db, systemClock).attach(reservations);
const { transactionId } = reservations.holdSeats({
  eventId: Number(eventId),
  sessionId: 'kiosk-crash',
  actor: 'kiosk',
  seatIds: [Number(seatId)],
});
reservations.complete({ transactionId, actor: 'kiosk' });
process.stdout.write(`COMMITTED ${transactionId}\n`);
setInterval(() => undefined, 1000);
