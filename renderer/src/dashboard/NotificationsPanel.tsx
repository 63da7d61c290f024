import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Notification } from '../../../shared/schemas/payments.ts';
import { formatDate, type Locale, translate } from '../i18n/index.ts';
import { pt, usd } from '../payments/payment-texts.ts';
import { sessionClient } from '../payments/session-client.ts';

const REFRESH_MS = 5000;

/** A notification in the reader's language, from its facts (the stored message is the fallback). */
export function notificationText(locale: Locale, n: Notification): string {
  // A sale whose answer was lost, found out later (the sync engine's notice).
  if (n.kind === 'SALE_CONFIRMED' || n.kind === 'SALE_NOT_DONE') {
    const number = String((n.data as { number?: string }).number ?? '—');
    return translate(locale, n.kind === 'SALE_CONFIRMED' ? 'note.saleConfirmed' : 'note.saleNotDone', {
      number,
    });
  }
  if (n.kind !== 'RESERVATION_EXPIRED') return n.message;
  const d = n.data as {
    number?: string;
    customerName?: string | null;
    eventName?: string;
    seats?: string[];
    paidCents?: number;
  };
  const text = pt(locale, 'note.expired', {
    number: d.number ?? '—',
    customer: d.customerName ?? '—',
    event: d.eventName ?? '—',
    seats: (d.seats ?? []).join(', ') || '—',
  });
  return d.paidCents ? `${text} ${pt(locale, 'note.deposit', { paid: usd(locale, d.paidCents) })}` : text;
}

/**
 * Unread notices from the terminal (a reservation with a deposit expired and its seats went back on
 * sale): the cashier or supervisor reads them and marks them read.
 */
export function NotificationsPanel({ locale }: { locale: Locale }) {
  const client = useMemo(() => sessionClient(), []);
  const [items, setItems] = useState<Notification[]>([]);
  const load = useCallback(async () => {
    try {
      setItems(await client.call('notifications.list', {}));
    } catch {
      // The panel is advisory: a failed refresh keeps what it showed.
    }
  }, [client]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  if (items.length === 0) return null;
  return (
    <section className="panel" aria-label={pt(locale, 'note.title')}>
      <h2>{pt(locale, 'note.title')}</h2>
      <ul className="alerts" data-testid="notifications">
        {items.map((n) => (
          <li key={n.id} className="danger" data-kind={n.kind}>
            <small>{formatDate(locale, n.createdAt)}</small> {notificationText(locale, n)}{' '}
            <button
              type="button"
              className="link"
              onClick={() => void client.call('notifications.ack', { ids: [n.id] }).then(load)}
            >
              {pt(locale, 'note.ack')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
