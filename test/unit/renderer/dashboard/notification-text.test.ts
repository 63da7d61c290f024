import { describe, expect, it } from 'vitest';
import { notificationText } from '../../../../renderer/src/dashboard/NotificationsPanel.tsx';
import type { Notification } from '../../../../shared/schemas/payments.ts';

const expired: Notification = {
  id: 1,
  kind: 'RESERVATION_EXPIRED',
  transactionId: 'abc',
  eventId: 1,
  message: 'Reservation 1A2B3C4D for María expired; seats released (VIP-A-2). Deposit paid: $50.00.',
  data: { number: '1A2B3C4D', customerName: 'María', eventName: 'Gala', seats: ['VIP-A-2'], paidCents: 5000 },
  createdAt: 0,
  acknowledgedAt: null,
  acknowledgedBy: null,
};

describe("notifications in the reader's language", () => {
  it('an expired reservation names the customer, the seats released and the deposit to settle', () => {
    expect(notificationText('es', expired)).toBe(
      'La reserva 1A2B3C4D de María (Gala) venció; se liberaron VIP-A-2. Abono recibido: USD 50,00 (a devolver o acordar con el cliente).',
    );
    expect(notificationText('en', { ...expired, data: { ...expired.data, paidCents: 0 } })).toBe(
      'Reservation 1A2B3C4D for María (Gala) expired; VIP-A-2 released.',
    );
  });

  it('an unknown kind shows the stored message', () => {
    expect(notificationText('es', { ...expired, kind: 'OTHER' })).toBe(expired.message);
  });
});
