import { z } from 'zod';
import { MAX_TENDER_CENTS, rateProblem } from '../money.ts';
import { idNumber } from '../venezuelan-id.ts';
import { actor, id, sessionId, transactionId } from './reservations.ts';

/**
 * zod schemas of the payment operations (issue 6). A tender is one amount handed over by one method;
 * each electronic method carries the reference a cashier must write down to find the payment later.
 * Amounts are integer cents of the tender's currency (USD cents or VES céntimos).
 */
export const PAYMENT_METHODS = ['CASH_USD', 'CASH_VES', 'PAGO_MOVIL', 'ZELLE', 'CARD', 'TRANSFER'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const currency = z.enum(['USD', 'VES']);

const amountCents = z
  .number()
  .int('amount is a whole number of cents')
  .positive('amount must be greater than zero')
  .max(MAX_TENDER_CENTS, 'amount is too large');

/** Venezuelan bank code (código de banco), four digits starting with 0: 0102 Banco de Venezuela. */
export const bankCode = z
  .string()
  .trim()
  .regex(/^0\d{3}$/, 'bank code has four digits, like 0102');

/** Bank references are digits; separators people type are dropped. */
export const digitsReference = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .refine((v) => /^\d{4,20}$/.test(v), 'reference has 4 to 20 digits');

const alphanumericReference = z
  .string()
  .trim()
  .transform((v) => v.replace(/\s/g, '').toUpperCase())
  .refine((v) => /^[A-Z0-9-]{4,40}$/.test(v), 'reference has 4 to 40 letters or digits');

/** A Venezuelan mobile number as 04XX1234567, whether typed as 0414-123.45.67 or +58 414 1234567. */
export function normalizeMobile(text: string): string {
  const digits = text.replace(/\D/g, '');
  if (digits.startsWith('58') && digits.length === 12) return `0${digits.slice(2)}`;
  if (digits.length === 10 && digits.startsWith('4')) return `0${digits}`;
  return digits;
}

export const mobilePhone = z
  .string()
  .trim()
  .transform(normalizeMobile)
  .refine((v) => /^04(12|14|16|22|24|26)\d{7}$/.test(v), 'mobile number looks like 0414-1234567');

const cashUsd = z.object({ method: z.literal('CASH_USD'), amountCents }).strict();
const cashVes = z.object({ method: z.literal('CASH_VES'), amountCents }).strict();
const pagoMovil = z
  .object({
    method: z.literal('PAGO_MOVIL'),
    amountCents,
    reference: digitsReference,
    phone: mobilePhone,
    bankCode,
  })
  .strict();
const zelle = z
  .object({
    method: z.literal('ZELLE'),
    amountCents,
    reference: alphanumericReference.optional(),
    email: z.string().trim().toLowerCase().pipe(z.email('email looks like name@example.com')).optional(),
  })
  .strict()
  .refine((t) => t.reference !== undefined || t.email !== undefined, {
    message: 'Zelle needs the confirmation reference or the sender email',
    path: ['reference'],
  });
const card = z
  .object({
    method: z.literal('CARD'),
    amountCents,
    /** Approval (aprobación) or lot/reference number printed on the punto de venta voucher. */
    reference: alphanumericReference,
    terminalId: z.string().trim().min(1).max(40).optional(),
  })
  .strict();
const transfer = z
  .object({
    method: z.literal('TRANSFER'),
    amountCents,
    /** Most transfers are in bolívares; a USD account transfer says so. */
    currency: currency.default('VES'),
    reference: digitsReference,
    bankCode,
  })
  .strict();

export const tender = z.discriminatedUnion('method', [cashUsd, cashVes, pagoMovil, zelle, card, transfer]);
export type Tender = z.output<typeof tender>;
export type TenderInput = z.input<typeof tender>;

const tenders = z.array(tender).max(12, 'at most 12 tenders in one payment');
const someTenders = tenders.min(1, 'add at least one tender');

/** Cédula, RIF (check digit verified) or passport, normalised: shared/venezuelan-id.ts. */
export { normalizeIdNumber } from '../venezuelan-id.ts';

/**
 * Who the reservation is for: a name and at least one way to find it again (cédula, RIF or
 * passport; or phone), normalised so the reservation engine's own schema accepts what cashiers type.
 */
export const reservationCustomer = z
  .object({
    name: z.string().trim().min(1).max(120),
    idNumber: idNumber.optional(),
    phone: z
      .string()
      .trim()
      .transform((v) => (v.startsWith('+') ? `+${v.replace(/\D/g, '')}` : v.replace(/\D/g, '')))
      .refine((v) => /^\+?\d{7,15}$/.test(v), 'phone has 7 to 15 digits')
      .optional(),
  })
  .strict()
  .refine((c) => c.idNumber !== undefined || c.phone !== undefined, {
    message: 'give the cédula or the phone number',
    path: ['idNumber'],
  });

const terminal = z.string().trim().min(1).max(64);

/**
 * Idempotency key chosen by the caller (a UUID per attempt at paying): a retried request with the
 * same key returns the first answer instead of taking the money twice.
 */
export const requestId = z.string().trim().min(8).max(64);

export const checkoutInput = z
  .object({
    eventId: id,
    sessionId,
    actor,
    /** May be empty only when nothing is due (courtesy tickets). */
    tenders,
    changeCurrency: currency.optional(),
    terminal: terminal.optional(),
    requestId: requestId.optional(),
  })
  .strict();

export const depositInput = z
  .object({
    eventId: id,
    sessionId,
    actor,
    tenders: someTenders,
    customer: reservationCustomer,
    /** How long the seats stay reserved; the tenant's PARTIAL_PAYMENT_HOURS by default. */
    hours: z.number().int().min(1).max(72).optional(),
    terminal: terminal.optional(),
    requestId: requestId.optional(),
  })
  .strict();

export const payInput = z
  .object({
    transactionId,
    actor,
    tenders: someTenders,
    changeCurrency: currency.optional(),
    terminal: terminal.optional(),
    requestId: requestId.optional(),
  })
  .strict();

export const quoteInput = z.union([
  z.object({ eventId: id, sessionId }).strict(),
  z.object({ transactionId }).strict(),
]);

export const searchReservationsInput = z
  .object({
    /**
     * A name (any accents or case), a cédula, RIF or passport, a phone, the sale number (6+ characters
     * of it), a printed ticket number (T1-000123) or a kiosk slip's code.
     */
    query: z.string().trim().min(2, 'type at least 2 characters').max(80),
    includeClosed: z.boolean().optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();

/** The reservations still owing, soonest to expire first: of one event, or all. */
export const openReservationsInput = z
  .object({ eventId: id.optional(), limit: z.number().int().min(1).max(500).optional() })
  .strict();

export const paymentSettingsInput = z
  .object({
    eventId: id,
    actor,
    /** Minimum deposit as a percentage of the total, up to two decimals (30 = 30 %). */
    depositMinimumPercent: z.number().min(0).max(100).multipleOf(0.01).optional(),
    /**
     * Bolívares per dollar for this event from now on, like '36.50', from 1 to 1,000,000 (shared/money.ts).
     * Past payments keep theirs.
     */
    vesPerUsd: z
      .string()
      .trim()
      .regex(/^\d{1,9}([.,]\d{1,4})?$/, 'rate like 36.50')
      .superRefine((text, ctx) => {
        const problem = rateProblem(text);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /**
     * The supervisor saw and confirms a rate more than RATE_CHANGE_CONFIRM_PERCENT away from the
     * current one (else RATE_CHANGE_UNCONFIRMED, nothing changed).
     */
    confirmRateChange: z.boolean().optional(),
  })
  .strict();

export const notificationsListInput = z
  .object({
    includeAcknowledged: z.boolean().optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .strict();
export const notificationsAckInput = z.object({ ids: z.array(id).min(1).max(500), actor }).strict();

export type CheckoutInput = z.input<typeof checkoutInput>;
export type DepositInput = z.input<typeof depositInput>;
export type PayInput = z.input<typeof payInput>;
export type SearchReservationsInput = z.input<typeof searchReservationsInput>;

// ---- outputs (what the API returns) ------------------------------------------------------------

export const tenderLine = z.object({
  method: z.enum(PAYMENT_METHODS),
  currency,
  amountCents: z.number().int(),
  /** The USD equivalent at the payment's rate; the lines of one payment add up exactly. */
  usdCents: z.number().int(),
  reference: z.string().nullable(),
});

export const changeGiven = z.object({
  currency,
  cents: z.number().int(),
  /** What the change is worth in USD at the payment's rate. */
  usdCents: z.number().int(),
});

export const paymentResult = z.object({
  paymentId: z.string(),
  transactionId: z.string(),
  kind: z.enum(['SALE', 'DEPOSIT', 'INSTALMENT']),
  status: z.enum(['COMPLETED', 'RESERVED']),
  vesPerUsd: z.string(),
  totalCents: z.number().int(),
  /** Credited to the transaction by this payment (USD cents). */
  appliedCents: z.number().int(),
  paidCents: z.number().int(),
  balanceCents: z.number().int(),
  balanceVesCents: z.number().int(),
  reservedUntil: z.number().int().nullable(),
  lines: z.array(tenderLine),
  change: changeGiven.nullable(),
});
export type PaymentResult = z.output<typeof paymentResult>;

export const quote = z.object({
  transactionId: z.string(),
  status: z.string(),
  vesPerUsd: z.string(),
  totalCents: z.number().int(),
  paidCents: z.number().int(),
  balanceCents: z.number().int(),
  balanceVesCents: z.number().int(),
  depositMinimumBasisPoints: z.number().int(),
  depositMinimumCents: z.number().int(),
  depositMinimumVesCents: z.number().int(),
  reservedUntil: z.number().int().nullable(),
});
export type Quote = z.output<typeof quote>;

export const reservationMatch = z.object({
  transactionId: z.string(),
  /** What people read and type: the first 8 characters of the id, upper case. */
  number: z.string(),
  eventId: z.number().int(),
  eventName: z.string(),
  status: z.string(),
  customerName: z.string().nullable(),
  customerIdNumber: z.string().nullable(),
  customerPhone: z.string().nullable(),
  reservedUntil: z.number().int().nullable(),
  totalCents: z.number().int(),
  paidCents: z.number().int(),
  balanceCents: z.number().int(),
  /** The balance in bolívares at the event's rate now (what paying it in Bs. takes). */
  balanceVesCents: z.number().int(),
  vesPerUsd: z.string(),
  seats: z.array(z.string()),
  /** Printed ticket numbers of a sale (T1-000123); empty until the sale is paid. */
  ticketNumbers: z.array(z.string()),
  expired: z.boolean(),
  /** A kiosk's "Pagar en taquilla" reservation: the code on its slip (null for a deposit). */
  slipCode: z.string().nullable(),
});
export type ReservationMatch = z.output<typeof reservationMatch>;

export const notification = z.object({
  id: z.number().int(),
  kind: z.string(),
  transactionId: z.string().nullable(),
  eventId: z.number().int().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.number().int(),
  acknowledgedAt: z.number().int().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type Notification = z.output<typeof notification>;

export const outstandingReservation = z.object({
  transactionId: z.string(),
  number: z.string(),
  customerName: z.string().nullable(),
  totalCents: z.number().int(),
  paidCents: z.number().int(),
  balanceCents: z.number().int(),
  dueAt: z.number().int().nullable(),
});

export const outstandingEvent = z.object({
  eventId: z.number().int(),
  name: z.string(),
  reservations: z.number().int(),
  balanceCents: z.number().int(),
  paidCents: z.number().int(),
  /** Open reservations whose time runs out within the next 24 hours. */
  dueWithinDay: z.number().int(),
  dueWithinDayBalanceCents: z.number().int(),
  nextDueAt: z.number().int().nullable(),
  items: z.array(outstandingReservation),
});

export const outstandingPayments = z.object({
  at: z.number().int(),
  events: z.array(outstandingEvent),
  totals: z.object({
    reservations: z.number().int(),
    balanceCents: z.number().int(),
    paidCents: z.number().int(),
    dueWithinDay: z.number().int(),
    dueWithinDayBalanceCents: z.number().int(),
  }),
});
export type OutstandingPayments = z.output<typeof outstandingPayments>;
