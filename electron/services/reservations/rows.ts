import type { TicketStatus, TransactionStatus } from '../../../shared/lifecycle.ts';

/** A reserved_tickets row as the reservation engine reads it (label: the seat's, or the zone's name). */
export interface TicketRow {
  id: number;
  transaction_id: string;
  event_id: number;
  zone_id: number;
  seat_id: number | null;
  quantity: number;
  status: TicketStatus;
  reserved_until: number;
  created_at: number;
  price_cents: number;
  label: string;
}

/** A transactions row as the reservation engine reads it. */
export interface TransactionRow {
  id: string;
  tenant_id: number;
  event_id: number;
  session_id: string;
  actor: string;
  status: TransactionStatus;
  reserved_until: number | null;
  created_at: number;
}
