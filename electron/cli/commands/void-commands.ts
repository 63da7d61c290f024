import { formatMoney } from '../../../shared/money.ts';
import type { VoidResult } from '../../../shared/schemas/voids.ts';
import { ReservationService } from '../../services/reservations/reservation-service.ts';
import { VoidService } from '../../services/voids/void-service.ts';
import type { Db } from '../../store/database.ts';
import { type CliCommand, requiredString, UsageError } from '../command.ts';

/** Enrolled with a central server: the store holds its credential (the sync engine reads the same row). */
function enrolled(db: Db): boolean {
  return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sync_credentials').get()!.n > 0;
}

function resultText(r: VoidResult): string {
  const money = (currency: 'USD' | 'VES', cents: number) => formatMoney({ currency, cents }, 'es-VE');
  return [
    `Sale ${r.number}: ${r.kind === 'DEPOSIT' ? 'deposit cancelled' : `${r.places} place(s) voided`} (${r.status})`,
    ...(r.ticketNumbers.length > 0 ? [`Tickets voided: ${r.ticketNumbers.join(', ')}`] : []),
    `Refund: ${money('USD', r.refundUsdCents)}`,
    ...r.refunds.map(
      (l) => `  ${l.method} ${money(l.currency, l.amountCents)}${l.asPaid ? '' : ' (not as paid)'}`,
    ),
    `Reason: ${r.reason} · by ${r.actor}, approved by ${r.approvedBy}`,
  ].join('\n');
}

const voidCommand: CliCommand = {
  name: 'void-sale',
  usage:
    'void-sale (--sale NUMBER | --transaction ID) --reason TEXT [--ticket N]... [--refund-method M [--refund-currency USD|VES] [--reference R]] [--request-id ID]  void a sale, some tickets or a deposit before the event and record the refund',
  options: {
    sale: { type: 'string' },
    transaction: { type: 'string' },
    ticket: { type: 'string', multiple: true },
    reason: { type: 'string' },
    'refund-method': { type: 'string' },
    'refund-currency': { type: 'string' },
    reference: { type: 'string' },
    'request-id': { type: 'string' },
  },
  database: 'existing',
  run: async ({ db, clock, values, actor }) => {
    const v = values as Record<string, unknown>;
    if ((typeof values.sale === 'string') === (typeof values.transaction === 'string'))
      throw new UsageError('give --sale NUMBER or --transaction ID');
    const reason = requiredString(values.reason, '--reason');
    const store = db();
    const voids = new VoidService(store, clock, new ReservationService(store, clock), {
      terminal: 'cli',
      enrolled: () => enrolled(store),
    });
    const transactionId =
      typeof values.transaction === 'string'
        ? values.transaction
        : voids.preview({ saleNumber: values.sale as string }).transactionId;
    // Whoever runs the command line holds the store's file: they approve their own void (audited).
    const result = await voids.void({
      transactionId,
      reason,
      actor,
      approvedBy: actor,
      ...(v.ticket ? { ticketNumbers: v.ticket as string[] } : {}),
      ...(typeof v['refund-method'] === 'string' ? { refundMethod: v['refund-method'] } : {}),
      ...(typeof v['refund-currency'] === 'string' ? { refundCurrency: v['refund-currency'] } : {}),
      ...(typeof v.reference === 'string' ? { refundReference: v.reference } : {}),
      ...(typeof v['request-id'] === 'string' ? { requestId: v['request-id'] } : {}),
    });
    return { json: result, text: resultText(result) };
  },
};

export const voidCommands: CliCommand[] = [voidCommand];
