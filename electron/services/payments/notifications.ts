import type { Clock } from '../../../shared/clock.ts';
import { formatMoney } from '../../../shared/money.ts';
import {
  type Notification,
  notificationsAckInput,
  notificationsListInput,
} from '../../../shared/schemas/payments.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';
import { transactionNumber } from './payment-service.ts';

interface ExpiredReservationRow {
  audit_id: number;
  at: number;
  transaction_id: string;
  event_id: number;
  event_name: string;
  customer_name: string | null;
  customer_phone: string | null;
  paid_cents: number;
  seats: string | null;
}

interface NotificationRow {
  id: number;
  kind: string;
  transaction_id: string | null;
  event_id: number | null;
  message: string;
  data: string;
  created_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

/**
 * Messages for the cashier. Expired partial-payment reservations are found by reading the audit
 * log forward from a cursor (every RESERVED → EXPIRED entry, whoever wrote it: the cleanup job or a
 * hold that settled an expired reservation in passing), so the reservation engine needs no hook and
 * a notification is produced exactly once even when several terminals collect at the same time.
 */
export class NotificationService {
  private readonly sql;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = {
      cursor: db.prepare<[], { audit_id: number }>('SELECT audit_id FROM notification_cursor WHERE id = 1'),
      lastAudit: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM audit_log'),
      setCursor: db.prepare<[number]>('UPDATE notification_cursor SET audit_id = ? WHERE id = 1'),
      expiredSince: db.prepare<[number, number], ExpiredReservationRow>(
        `SELECT a.id AS audit_id, a.at, x.id AS transaction_id, x.event_id, e.name AS event_name,
           x.customer_name, x.customer_phone,
           COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0) AS paid_cents,
           (SELECT group_concat(COALESCE(s.label, z.name || ' ×' || t.quantity), ', ')
              FROM reserved_tickets t LEFT JOIN seats s ON s.id = t.seat_id JOIN zones z ON z.id = t.zone_id
              WHERE t.transaction_id = x.id AND t.status = 'EXPIRED') AS seats
         FROM audit_log a JOIN transactions x ON x.id = a.entity_id JOIN events e ON e.id = x.event_id
         WHERE a.id > ? AND a.id <= ? AND a.entity = 'transaction'
           AND a.from_state = 'RESERVED' AND a.to_state = 'EXPIRED'
         ORDER BY a.id`,
      ),
      insert: db.prepare<
        [
          {
            kind: string;
            tx: string | null;
            event: number | null;
            message: string;
            data: string;
            audit: number | null;
            now: number;
          },
        ]
      >(
        `INSERT OR IGNORE INTO notifications (kind, transaction_id, event_id, message, data, source_audit_id,
           created_at)
         VALUES (@kind, @tx, @event, @message, @data, @audit, @now)`,
      ),
      list: db.prepare<[{ all: number; limit: number }], NotificationRow>(
        `SELECT id, kind, transaction_id, event_id, message, data, created_at, acknowledged_at, acknowledged_by
         FROM notifications WHERE (@all = 1 OR acknowledged_at IS NULL)
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
      ),
      ack: db.prepare<[{ now: number; actor: string; ids: string }]>(
        `UPDATE notifications SET acknowledged_at = @now, acknowledged_by = @actor
         WHERE id IN (SELECT value FROM json_each(@ids)) AND acknowledged_at IS NULL`,
      ),
    };
  }

  /**
   * Turns reservations that expired since the last call into notifications. Cheap when there is
   * nothing new (one indexed range read); run it after every cleanup and before listing.
   */
  collect(): number {
    return this.db
      .transaction(() => {
        const from = this.sql.cursor.get()?.audit_id ?? 0;
        const to = this.sql.lastAudit.get()?.id ?? 0;
        if (to <= from) return 0;
        const now = this.clock.now();
        let produced = 0;
        for (const row of this.sql.expiredSince.all(from, to)) {
          // A kiosk's unpaid "Pagar en taquilla" slip that lapsed is not news: nothing to give back.
          if (row.paid_cents === 0) continue;
          const number = transactionNumber(row.transaction_id);
          const who = row.customer_name ? ` for ${row.customer_name}` : '';
          const deposit =
            row.paid_cents > 0
              ? ` Deposit paid: ${formatMoney({ currency: 'USD', cents: row.paid_cents }, 'en')}.`
              : '';
          const message = `Reservation ${number}${who} expired; seats released (${row.seats ?? 'none'}).${deposit}`;
          const data = {
            number,
            customerName: row.customer_name,
            customerPhone: row.customer_phone,
            eventName: row.event_name,
            seats: row.seats ? row.seats.split(', ') : [],
            paidCents: row.paid_cents,
            expiredAt: row.at,
          };
          const inserted = this.sql.insert.run({
            kind: 'RESERVATION_EXPIRED',
            tx: row.transaction_id,
            event: row.event_id,
            message,
            data: JSON.stringify(data),
            audit: row.audit_id,
            now,
          });
          produced += inserted.changes;
        }
        this.sql.setCursor.run(to);
        return produced;
      })
      .immediate();
  }

  /**
   * A notice raised by another part of the terminal (e.g. sync: a sale whose answer was lost turned
   * out done, or not done). `kind` is what the renderer words; `message` is the English fallback.
   */
  note(n: {
    kind: string;
    transactionId: string | null;
    eventId: number | null;
    message: string;
    data: object;
  }): void {
    this.sql.insert.run({
      kind: n.kind,
      tx: n.transactionId,
      event: n.eventId,
      message: n.message,
      data: JSON.stringify(n.data),
      audit: null,
      now: this.clock.now(),
    });
  }

  /** Unacknowledged notifications, newest first (collecting new ones first). */
  list(raw: unknown = {}): Notification[] {
    const input = parseInput(notificationsListInput, raw);
    this.collect();
    return this.sql.list
      .all({
        all: input.includeAcknowledged ? 1 : 0,
        limit: input.limit ?? 100,
      })
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        transactionId: r.transaction_id,
        eventId: r.event_id,
        message: r.message,
        data: JSON.parse(r.data) as Record<string, unknown>,
        createdAt: r.created_at,
        acknowledgedAt: r.acknowledged_at,
        acknowledgedBy: r.acknowledged_by,
      }));
  }

  /** The cashier has read them. */
  acknowledge(raw: unknown): { acknowledged: number } {
    const input = parseInput(notificationsAckInput, raw);
    const result = this.sql.ack.run({
      now: this.clock.now(),
      actor: input.actor,
      ids: JSON.stringify(input.ids),
    });
    return { acknowledged: result.changes };
  }
}
