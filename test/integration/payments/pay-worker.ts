/**
 * A separate OS process acting as one terminal that takes later payments on shared reservations.
 * Usage: node --import tsx pay-worker.ts <db> <nowMs> <worker> <transactionIds,comma,separated>
 * Prints 'ready', waits for a line on stdin so all terminals start together, pays $7.50 in Pago
 * Móvil on each reservation, and prints one JSON line: what it paid, completed and was refused.
 */
import { PaymentService } from '../../../electron/services/payments/payment-service.ts';
import { ReservationService } from '../../../electron/services/reservations/reservation-service.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { ManualClock } from '../../../shared/clock.ts';
import { isTaquillaError } from '../../../shared/errors.ts';

const [file, nowArg, worker, idsArg] = process.argv.slice(2);
const db = openDatabase(file!);
const clock = new ManualClock(Number(nowArg));
const reservations = new ReservationService(db, clock);
const payments = new PaymentService(db, clock, reservations, { terminal: worker! });
const paid: string[] = [];
const completed: string[] = [];
const refused: Record<string, number> = {};
const unexpected: string[] = [];

process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
idsArg!.split(',').forEach((transactionId, i) => {
  try {
    const result = payments.pay({
      transactionId,
      actor: `cashier:${worker}`,
      // $7.50 at 36.50 = Bs. 273,75.
      tenders: [
        {
          method: 'PAGO_MOVIL',
          amountCents: 27_375,
          reference: `${worker!.replace(/\D/g, '')}0${String(i).padStart(3, '0')}`,
          phone: '04141234567',
          bankCode: '0102',
        },
      ],
    });
    paid.push(transactionId);
    if (result.status === 'COMPLETED') completed.push(transactionId);
  } catch (error) {
    if (isTaquillaError(error)) refused[error.code] = (refused[error.code] ?? 0) + 1;
    else unexpected.push(String(error));
  }
});
db.close();
process.stdout.write(`${JSON.stringify({ worker, paid, completed, refused, unexpected })}\n`);
