import { TaquillaError } from '../../../shared/errors.ts';
import type { PaymentResult } from '../../../shared/schemas/payments.ts';
import type { ReservationService, TransactionSummary } from '../reservations/reservation-service.ts';
import type { CartReader } from '../session/cart.ts';
import type { PaymentService, SaleAuthority } from './payment-service.ts';

/**
 * Where the counter takes money. Unenrolled, the sale and its money commit in one local write; on a
 * terminal enrolled with a central server, the server sells first and the money is recorded after
 * (PaymentService.*Via). The API handlers call this, so the routing rule lives in one place.
 */
export class SalesDesk {
  constructor(
    private readonly payments: PaymentService,
    private readonly carts: CartReader,
    private readonly reservations: ReservationService,
    private readonly authority: SaleAuthority | null,
  ) {}

  checkout(raw: unknown): Promise<PaymentResult> | PaymentResult {
    return this.authority ? this.payments.checkoutVia(this.authority, raw) : this.payments.checkout(raw);
  }

  deposit(raw: unknown): Promise<PaymentResult> | PaymentResult {
    return this.authority ? this.payments.depositVia(this.authority, raw) : this.payments.deposit(raw);
  }

  pay(raw: unknown): Promise<PaymentResult> | PaymentResult {
    return this.authority ? this.payments.payVia(this.authority, raw) : this.payments.pay(raw);
  }

  /**
   * The counter's fast path (Ctrl+Enter): the exact total in US dollars cash. It is a payment like
   * any other, so the sale and its money commit together and the day's X/Z reports count it.
   */
  async quickSale(input: { eventId: number; sessionId: string; actor: string }): Promise<TransactionSummary> {
    const { eventId, sessionId, actor } = input;
    const cart = this.carts.cart(eventId, sessionId);
    if (!cart.transactionId) throw new TaquillaError('NOTHING_HELD', 'The cart is empty', { sessionId });
    // The engine refuses a sale while any ticket of the cart ran out. The cashier sells what the
    // cart shows (its live tickets): settle the lapsed ones first. If none is live, the sale
    // reports HOLD_EXPIRED with the seats, which is what the cashier needs to hear.
    if (cart.tickets.length > 0) this.reservations.cleanupExpired({});
    const due = this.payments.quote({ eventId, sessionId }).balanceCents;
    const paid = await this.checkout({
      eventId,
      sessionId,
      actor,
      tenders: due > 0 ? [{ method: 'CASH_USD', amountCents: due }] : [],
    });
    return {
      transactionId: paid.transactionId,
      status: paid.status,
      reservedUntil: paid.reservedUntil,
      tickets: cart.tickets.reduce((n, t) => n + t.quantity, 0),
      totalCents: paid.totalCents,
    };
  }
}
