import type { Db } from '../../store/database.ts';

/**
 * Cleanup's scratch table, per connection and in memory (temp_store = MEMORY): the late batch
 * HoldWriter.expireLateBatch picks, expires and audits in SQL, and the change feed writes from.
 * Emptied at the start of each batch. Created by whichever of its users a connection builds first.
 */
export function ensureLateTickets(db: Db): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS late_tickets (
    id INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL, event_id INTEGER NOT NULL,
    zone_id INTEGER NOT NULL, seat_id INTEGER)`);
}
