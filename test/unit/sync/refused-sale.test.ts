import { describe, expect, it } from 'vitest';
import { refusedSaleOf } from '../../../electron/services/sync/refused-sale.ts';

/** The sale a supervisor resolves, read alike from both kinds of refused report (issue 14). */
describe('the sale a conflict stands for', () => {
  const eventOfLease = (leaseId: string) => (leaseId === 'lease-1' ? 3 : undefined);

  it('an offline sale from a lease: its own id, its lease’s event, its seats and standing places', () => {
    expect(
      refusedSaleOf(
        'leaseSale',
        {
          leaseId: 'lease-1',
          saleId: 'local-1',
          seatIds: [11],
          general: { zoneId: 4, quantity: 2 },
          ticketNumbers: [70, 71, 72],
        },
        eventOfLease,
      ),
    ).toEqual({
      saleId: 'local-1',
      eventId: 3,
      seatIds: [11],
      standing: [{ zoneId: 4, quantity: 2 }],
      ticketNumbers: [70, 71, 72],
    });
  });

  it('a sale re-sent after a restore: the counter’s id (not the server’s), seats and standing places', () => {
    const body = {
      transactionId: 'sale-server-9',
      saleId: 'local-9',
      eventId: 5,
      places: [
        { zoneId: 1, seatId: 12, quantity: 1, ticketNumbers: [80] },
        { zoneId: 4, seatId: null, quantity: 2, ticketNumbers: [81, 82] },
      ],
    };
    expect(refusedSaleOf('recoverSale', body, eventOfLease)).toEqual({
      saleId: 'local-9',
      eventId: 5,
      seatIds: [12],
      standing: [{ zoneId: 4, quantity: 2 }],
      ticketNumbers: [80, 81, 82],
    });
    // An online sale re-sent: one id for both.
    expect(refusedSaleOf('recoverSale', { ...body, saleId: undefined }, eventOfLease)?.saleId).toBe(
      'sale-server-9',
    );
  });

  it('a lease no longer known here: no event; anything else is not a sale of this counter', () => {
    expect(refusedSaleOf('leaseSale', { leaseId: 'gone', saleId: 's' }, eventOfLease)?.eventId).toBeNull();
    expect(refusedSaleOf('complete', { transactionId: 't' }, eventOfLease)).toBeNull();
  });
});
