import { z } from 'zod';
import { closingReport } from '../schemas/day-closing.ts';
import {
  checkoutInput,
  depositInput,
  notification,
  notificationsListInput,
  openReservationsInput,
  outstandingPayments,
  payInput,
  paymentResult,
  paymentSettingsInput,
  quote,
  reservationMatch,
  searchReservationsInput,
} from '../schemas/payments.ts';
import { id, transactionId } from '../schemas/reservations.ts';
import { defineMethod } from './define.ts';

/**
 * Payments, partial-payment reservations, notifications and day closing (issue 6). As in the
 * counter's methods, no input carries a session id or an actor: the handler adds both from the
 * signed-in session (see docs/payments.md for the wiring of each method to its service).
 */
const staff = ['cashier', 'supervisor'] as const;

export const paymentsApi = {
  'payments.quote': defineMethod({
    summary: "Total, paid, balance (USD and Bs.) and minimum deposit of this session's cart or a reservation",
    input: z.union([z.object({ eventId: id }).strict(), z.object({ transactionId }).strict()]),
    output: quote,
  }),
  'payments.checkout': defineMethod({
    summary: "Pay this session's cart in full, with one or several methods and currencies; cash gives change",
    input: checkoutInput.omit({ sessionId: true, actor: true }),
    output: paymentResult,
  }),
  'payments.deposit': defineMethod({
    summary: "A deposit of at least the event's minimum reserves this session's cart for the customer",
    roles: staff,
    input: depositInput.omit({ sessionId: true, actor: true }),
    output: paymentResult,
  }),
  'payments.pay': defineMethod({
    summary: 'A later payment on a reservation, from any terminal; paying the balance completes the sale',
    roles: staff,
    input: payInput.omit({ actor: true }),
    output: paymentResult,
  }),
  'payments.outstanding': defineMethod({
    summary: 'Reservations still owing: balance and due time, per event and in total (dashboard)',
    roles: ['supervisor'],
    input: z.object({ eventId: id.optional() }).strict(),
    output: outstandingPayments,
  }),
  'payments.settings': defineMethod({
    summary: "Set an event's minimum deposit (%) and/or exchange rate (Bs. per USD) from now on",
    roles: ['supervisor'],
    input: paymentSettingsInput.omit({ actor: true }),
    output: z.object({ eventId: z.number(), depositMinimumBasisPoints: z.number(), vesPerUsd: z.string() }),
  }),
  'reservations.search': defineMethod({
    summary:
      'Find a reservation or sale by customer name, cédula/RIF/passport, phone, sale number, ticket number or kiosk slip code',
    roles: staff,
    input: searchReservationsInput,
    output: z.array(reservationMatch),
  }),
  'reservations.open': defineMethod({
    summary:
      'Reservations still owing (deposits and kiosk slips), soonest to expire first, balances in USD and Bs.',
    roles: staff,
    input: openReservationsInput,
    output: z.array(reservationMatch),
  }),
  'reports.x': defineMethod({
    summary: 'X report: takings and drawer since the last Z, by method and currency (the day stays open)',
    roles: staff,
    /** A supervisor may name a staff member (else everyone); a cashier always sees their own. */
    input: z.object({ staffId: id.optional() }).strict(),
    output: closingReport,
  }),
  'reports.z': defineMethod({
    summary:
      "Z report: close a staff member's business day (numbered; once per day; refused while their drawer is open)",
    roles: staff,
    /** Omitted: the signed-in staff member's own day. A supervisor may close anyone's, by id. */
    input: z.object({ staffId: id.optional() }).strict(),
    output: closingReport,
  }),
  'notifications.list': defineMethod({
    summary:
      'Messages for the cashier, newest first (e.g. a reservation expired and its seats were released)',
    roles: staff,
    input: notificationsListInput,
    output: z.array(notification),
  }),
  'notifications.ack': defineMethod({
    summary: 'Mark notifications as read',
    roles: staff,
    input: z.object({ ids: z.array(id).min(1).max(500) }).strict(),
    output: z.object({ acknowledged: z.number() }),
  }),
} as const;
