/**
 * The sale a conflict stands for, whatever refused it: an offline sale from a lease (`leaseSale`) or
 * a sale re-sent to a server restored from an older backup (`recoverSale`, issue 14). Both are sales
 * this counter made and took money for, which the server does not hold: the supervisor moves,
 * refunds or keeps them alike (conflict-actions.ts, sync-conflicts.ts).
 */
export interface RefusedSale {
  /** This counter's id of the sale (its transaction here). */
  saleId: string;
  /** null when the lease it came from is no longer known here. */
  eventId: number | null;
  seatIds: number[];
  /** Its standing places, by zone. */
  standing: { zoneId: number; quantity: number }[];
  ticketNumbers: number[];
}

interface LeaseSaleBody {
  leaseId: string;
  saleId: string;
  seatIds?: number[];
  general?: { zoneId: number; quantity: number };
  ticketNumbers?: number[];
}

interface RecoverSaleBody {
  transactionId: string;
  saleId?: string;
  eventId: number;
  places: { zoneId: number; seatId: number | null; quantity: number; ticketNumbers: number[] }[];
}

/**
 * The refused sale of a conflict's operation and body; null for any other conflict (a sale the server
 * recorded that this store could not copy). `eventOfLease` finds an offline sale's event.
 */
export function refusedSaleOf(
  op: string,
  body: unknown,
  eventOfLease: (leaseId: string) => number | undefined,
): RefusedSale | null {
  if (op === 'leaseSale') {
    const sale = body as LeaseSaleBody;
    return {
      saleId: sale.saleId,
      eventId: eventOfLease(sale.leaseId) ?? null,
      seatIds: sale.seatIds ?? [],
      standing: sale.general ? [sale.general] : [],
      ticketNumbers: sale.ticketNumbers ?? [],
    };
  }
  if (op === 'recoverSale') {
    const sale = body as RecoverSaleBody;
    return {
      saleId: sale.saleId ?? sale.transactionId,
      eventId: sale.eventId,
      seatIds: sale.places.flatMap((p) => (p.seatId === null ? [] : [p.seatId])),
      standing: sale.places.flatMap((p) =>
        p.seatId === null ? [{ zoneId: p.zoneId, quantity: p.quantity }] : [],
      ),
      ticketNumbers: sale.places.flatMap((p) => p.ticketNumbers),
    };
  }
  return null;
}
