import type { Db } from '../../store/database.ts';

/** The place a ticket number is for: a seat, or the n-th standing place of a ticket. */
export interface NumberedPlace {
  transactionId: string;
  seatId: number | null;
  zoneId: number;
  /** 1 for a seat; 1..quantity for the standing places of one ticket. */
  place: number;
}

/**
 * Where ticket numbers come from. A terminal on its own counts by itself (T1-000001, T1-000002, ...);
 * an enrolled one prints the venue's numbers (VenueTicketNumbers). Either way `next()` runs inside
 * the sale's write transaction, so a number is used exactly once or, if the sale rolls back, not at all.
 */
export interface TicketNumberSource {
  next(place: NumberedPlace): string;
}

export class LocalTicketNumbers implements TicketNumberSource {
  private readonly take;

  constructor(
    db: Db,
    private readonly terminalCode: () => string,
  ) {
    this.take = db.prepare<[string], { n: number }>(
      `INSERT INTO ticket_number_sequence (terminal_code, next_number) VALUES (?, 2)
       ON CONFLICT (terminal_code) DO UPDATE SET next_number = next_number + 1
       RETURNING next_number - 1 AS n`,
    );
  }

  next(): string {
    const code = this.terminalCode();
    const { n } = this.take.get(code)!;
    return formatTicketNumber(code, n);
  }
}

/**
 * An enrolled terminal's numbers: the ones the central server recorded for the sale's places (or the
 * lease block gave an offline sale), unique across every counter of the venue. A place the server
 * has not numbered (a sale made before the server numbered places) falls back to the terminal's own.
 */
export class VenueTicketNumbers implements TicketNumberSource {
  private readonly seat;
  private readonly standing;

  constructor(
    db: Db,
    private readonly fallback: TicketNumberSource,
  ) {
    this.seat = db.prepare<[string, number], { number: number }>(
      'SELECT number FROM venue_ticket_numbers WHERE transaction_id = ? AND seat_id = ?',
    );
    this.standing = db.prepare<[string, number, number], { number: number }>(
      `SELECT number FROM venue_ticket_numbers WHERE transaction_id = ? AND seat_id IS NULL AND zone_id = ?
       ORDER BY number LIMIT 1 OFFSET ?`,
    );
  }

  next(place: NumberedPlace): string {
    const row =
      place.seatId !== null
        ? this.seat.get(place.transactionId, place.seatId)
        : this.standing.get(place.transactionId, place.zoneId, place.place - 1);
    return row ? formatVenueTicketNumber(row.number) : this.fallback.next(place);
  }
}

export function formatTicketNumber(terminalCode: string, n: number): string {
  return `${terminalCode}-${String(n).padStart(6, '0')}`;
}

/** The venue's number as printed: seven digits at least (0000123), the same at every counter. */
export function formatVenueTicketNumber(n: number): string {
  return String(n).padStart(7, '0');
}
