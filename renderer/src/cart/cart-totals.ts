import { usdToVes } from '../../../shared/money.ts';

export interface TicketLine {
  priceCents: number;
  quantity: number;
  reservedUntil: number;
}

export interface CartTotals {
  /** Places (a general-admission line counts its quantity). */
  places: number;
  usdCents: number;
  /** Converted once from the USD total with the event's rate (shared/money.ts rounding rule). */
  vesCents: number;
}

/** Totals of the live lines: a line whose hold ran out (by server time) is not charged. */
export function cartTotals(lines: readonly TicketLine[], vesPerUsd: string, serverNow: number): CartTotals {
  let places = 0;
  let usdCents = 0;
  for (const line of lines) {
    if (line.reservedUntil <= serverNow) continue;
    places += line.quantity;
    usdCents += line.priceCents * line.quantity;
  }
  return { places, usdCents, vesCents: usdToVes(usdCents, vesPerUsd) };
}
