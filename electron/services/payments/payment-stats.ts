import type { Clock } from '../../../shared/clock.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import type { OutstandingPayments } from '../../../shared/schemas/payments.ts';
import type { Db } from '../../store/database.ts';
import { transactionNumber } from './payment-service.ts';

interface OpenReservationRow {
  id: string;
  event_id: number;
  event_name: string;
  customer_name: string | null;
  reserved_until: number | null;
  total_cents: number;
  paid_cents: number;
}

/**
 * Supervisor dashboard figures for partial payments: reservations still in time, what they still
 * owe, and which are due within a day, per event and in total. Expired reservations owe nothing
 * (their seats are back on sale); they show up as notifications instead.
 */
export class PaymentStatsService {
  private readonly open;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.open = db.prepare<[{ now: number; event: number | null }], OpenReservationRow>(
      `SELECT x.id, x.event_id, e.name AS event_name, x.customer_name, x.reserved_until,
         COALESCE((SELECT SUM(t.price_cents * t.quantity) FROM reserved_tickets t
                   WHERE t.transaction_id = x.id AND t.status = 'ACTIVE'), 0) AS total_cents,
         COALESCE((SELECT SUM(p.applied_cents) FROM payments p WHERE p.transaction_id = x.id), 0) AS paid_cents
       FROM transactions x JOIN events e ON e.id = x.event_id
       WHERE x.status = 'RESERVED' AND x.reserved_until > @now AND (@event IS NULL OR x.event_id = @event)
       ORDER BY e.starts_at, e.id, x.reserved_until`,
    );
  }

  outstanding(options: { eventId?: number; itemsPerEvent?: number } = {}): OutstandingPayments {
    const now = this.clock.now();
    const soon = now + DAY_MS;
    const limit = options.itemsPerEvent ?? 50;
    const events = new Map<number, OutstandingPayments['events'][number]>();
    const totals = {
      reservations: 0,
      balanceCents: 0,
      paidCents: 0,
      dueWithinDay: 0,
      dueWithinDayBalanceCents: 0,
    };
    for (const row of this.open.all({ now, event: options.eventId ?? null })) {
      let event = events.get(row.event_id);
      if (!event) {
        event = {
          eventId: row.event_id,
          name: row.event_name,
          reservations: 0,
          balanceCents: 0,
          paidCents: 0,
          dueWithinDay: 0,
          dueWithinDayBalanceCents: 0,
          nextDueAt: null,
          items: [],
        };
        events.set(row.event_id, event);
      }
      const balance = row.total_cents - row.paid_cents;
      const dueSoon = row.reserved_until !== null && row.reserved_until <= soon;
      for (const bucket of [event, totals]) {
        bucket.reservations += 1;
        bucket.balanceCents += balance;
        bucket.paidCents += row.paid_cents;
        if (dueSoon) {
          bucket.dueWithinDay += 1;
          bucket.dueWithinDayBalanceCents += balance;
        }
      }
      if (row.reserved_until !== null && (event.nextDueAt === null || row.reserved_until < event.nextDueAt)) {
        event.nextDueAt = row.reserved_until;
      }
      if (event.items.length < limit) {
        event.items.push({
          transactionId: row.id,
          number: transactionNumber(row.id),
          customerName: row.customer_name,
          totalCents: row.total_cents,
          paidCents: row.paid_cents,
          balanceCents: balance,
          dueAt: row.reserved_until,
        });
      }
    }
    return { at: now, events: [...events.values()], totals };
  }
}
