import type { Db } from '../../store/database.ts';

/**
 * Where ticket numbers come from: the one seam sync will replace. Today each terminal counts on its
 * own (T1-000001, T1-000002, ...); later the server leases blocks of numbers and a
 * LeasedTicketNumbers source draws from the current block. Either way `next()` runs inside the sale's
 * write transaction, so a number is used exactly once or, if the sale rolls back, not at all.
 */
export interface TicketNumberSource {
  next(): string;
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

export function formatTicketNumber(terminalCode: string, n: number): string {
  return `${terminalCode}-${String(n).padStart(6, '0')}`;
}
