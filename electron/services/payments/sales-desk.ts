import type { PaymentResult, Quote } from '../../../shared/schemas/payments.ts';
import { checkoutInput, depositInput, quoteInput } from '../../../shared/schemas/payments.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { ReservationService } from '../reservations/reservation-service.ts';
import type { CartReader } from '../session/cart.ts';
import type { PaymentService, SaleAuthority } from './payment-service.ts';

/**
 * Where the counter takes money. Unenrolled, the sale and its money commit in one local write; on a
 * terminal enrolled with a central server, the server sells first and the money is recorded after
 * (PaymentService.*Via). The API handlers call this, so the routing rule lives in one place.
 *
 * A cart is charged for what it shows: its live tickets. Holds of the same cart that ran out but are
 * not yet marked EXPIRED by the cleanup job are settled before a cart is quoted or paid, so the
 * dialog's amount and the sale agree with the cart. With none live, nothing is settled and the sale
 * reports HOLD_EXPIRED with the seats, which is what the cashier needs to hear.
 */
export class SalesDesk {
  constructor(
    private readonly payments: PaymentService,
    private readonly carts: CartReader,
    private readonly reservations: ReservationService,
    private readonly authority: SaleAuthority | null,
  ) {}

  // The input is read here only for its cart; PaymentService parses and uses the raw input itself.
  quote(raw: unknown): Quote {
    const input = parseInput(quoteInput, raw);
    if ('eventId' in input) this.settleLapsed(input.eventId, input.sessionId);
    return this.payments.quote(raw);
  }

  checkout(raw: unknown): Promise<PaymentResult> | PaymentResult {
    const input = parseInput(checkoutInput, raw);
    this.settleLapsed(input.eventId, input.sessionId);
    return this.authority ? this.payments.checkoutVia(this.authority, raw) : this.payments.checkout(raw);
  }

  deposit(raw: unknown): Promise<PaymentResult> | PaymentResult {
    const input = parseInput(depositInput, raw);
    this.settleLapsed(input.eventId, input.sessionId);
    return this.authority ? this.payments.depositVia(this.authority, raw) : this.payments.deposit(raw);
  }

  pay(raw: unknown): Promise<PaymentResult> | PaymentResult {
    return this.authority ? this.payments.payVia(this.authority, raw) : this.payments.pay(raw);
  }

  private settleLapsed(eventId: number, sessionId: string): void {
    const cart = this.carts.cart(eventId, sessionId);
    if (cart.transactionId && cart.tickets.length > 0) this.reservations.cleanupExpired({});
  }
}
