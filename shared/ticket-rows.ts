import type { HeldTicketFact } from './hold-rules/index.ts';

/**
 * The columns a ticket row has in both stores (the terminal's reserved_tickets, the server's
 * tickets), with the label of its seat or zone. Numbers already as numbers.
 */
export interface TicketRowColumns {
  id: number;
  transaction_id: string;
  seat_id: number | null;
  zone_id: number;
  label: string;
  quantity: number;
  price_cents: number;
  reserved_until: number;
  created_at: number;
}

/** A ticket row as the hold rules see it: one mapping for every store. */
export function heldTicketFromRow(t: TicketRowColumns): HeldTicketFact {
  return {
    ticketId: t.id,
    transactionId: t.transaction_id,
    seatId: t.seat_id,
    zoneId: t.zone_id,
    label: t.label,
    quantity: t.quantity,
    priceCents: t.price_cents,
    reservedUntil: t.reserved_until,
    createdAt: t.created_at,
  };
}
