import { z } from 'zod';
import { currency, PAYMENT_METHODS } from './payments.ts';
import { actor, id } from './reservations.ts';

/**
 * The cash drawer and day closing (issues 6 and 16). Amounts are integer hundredths of their
 * currency (USD cents, VES céntimos). A staff member opens a drawer (shift) with a float per
 * currency, moves cash in or out with a reason, and closes it by counting; the X report shows the
 * open day, the Z report closes one staff member's business day (the tenant's cutoff hour in
 * America/Caracas, shared/business-day.ts).
 */

/** An amount of cash counted or moved: whole hundredths, at most 100 million units. */
const cashCents = z
  .number()
  .int('amount is a whole number of cents')
  .min(0, 'amount cannot be negative')
  .max(1e10, 'amount is too large');

/** A staff member named by id, or by the name as typed (resolved, or refused as UNKNOWN_STAFF). */
export const staffReference = z.union([
  z.object({ staffId: id }).strict(),
  z.object({ name: z.string().trim().min(1).max(80) }).strict(),
]);
export type StaffReference = z.output<typeof staffReference>;

export const openShiftInput = z
  .object({
    staff: staffReference,
    actor,
    floatUsdCents: cashCents,
    floatVesCents: cashCents,
  })
  .strict();

export const CASH_MOVEMENT_KINDS = ['PAID_IN', 'PAID_OUT'] as const;
export type CashMovementKind = (typeof CASH_MOVEMENT_KINDS)[number];

export const cashMovementInput = z
  .object({
    staff: staffReference,
    actor,
    kind: z.enum(CASH_MOVEMENT_KINDS),
    currency,
    amountCents: cashCents.refine((c) => c > 0, 'amount must be greater than zero'),
    reason: z.string().trim().min(3, 'say why, in a few words').max(200),
    /** Who approved a paid-out (a supervisor, whose PIN the caller checked); a supervisor's own is theirs. */
    approvedBy: actor.optional(),
  })
  .strict();

export const closeShiftInput = z
  .object({
    staff: staffReference,
    actor,
    countedUsdCents: cashCents,
    countedVesCents: cashCents,
    note: z.string().trim().max(200).optional(),
  })
  .strict();

/** One currency of a drawer: what should be in it, and at closing what was counted. */
export const drawerCurrency = z.object({
  currency,
  floatCents: z.number().int(),
  /** Cash tenders received in this currency. */
  cashInCents: z.number().int(),
  /** Change given back in this currency. */
  changeCents: z.number().int(),
  /** Cash refunds of voided sales given back in this currency (0 in reports before voids). */
  refundCents: z.number().int().default(0),
  paidInCents: z.number().int(),
  paidOutCents: z.number().int(),
  /** float + cash in − change − refunds + paid in − paid out. */
  expectedCents: z.number().int(),
  /** Null while the drawer is open. */
  countedCents: z.number().int().nullable(),
  /** counted − expected: over (+) or short (−); null while open. */
  overShortCents: z.number().int().nullable(),
});
export type DrawerCurrency = z.output<typeof drawerCurrency>;

export const cashMovement = z.object({
  id: z.number().int(),
  kind: z.enum(CASH_MOVEMENT_KINDS),
  currency,
  amountCents: z.number().int(),
  reason: z.string(),
  actor: z.string(),
  approvedBy: z.string().nullable(),
  at: z.number().int(),
});
export type CashMovement = z.output<typeof cashMovement>;

export const cashShift = z.object({
  id: z.number().int(),
  staffId: z.number().int(),
  staffName: z.string(),
  businessDay: z.string(),
  status: z.enum(['OPEN', 'CLOSED']),
  openedAt: z.number().int(),
  openedBy: z.string(),
  closedAt: z.number().int().nullable(),
  closedBy: z.string().nullable(),
  note: z.string().nullable(),
  /** The Z report that took it. */
  closingNumber: z.number().int().nullable(),
  /** USD then VES. */
  drawer: z.array(drawerCurrency),
  movements: z.array(cashMovement),
});
export type CashShift = z.output<typeof cashShift>;

export const drawerState = z.object({
  /** The open drawer, or the last one closed and not yet in a Z; null when there is neither. */
  shift: cashShift.nullable(),
  businessDay: z.string(),
  cutoffHour: z.number().int(),
});
export type DrawerState = z.output<typeof drawerState>;

// ---- reports ------------------------------------------------------------------------------------

export const xReportRequest = z.object({ staff: staffReference.optional() }).strict();
export const zReportRequest = z.object({ staff: staffReference, actor }).strict();
export const closingQuery = z.object({ number: z.number().int().positive() }).strict();

export const methodLine = z.object({
  method: z.enum(PAYMENT_METHODS),
  currency,
  count: z.number().int(),
  receivedCents: z.number().int(),
  changeCents: z.number().int(),
  /** Refunds of voided sales given back by this method (0 in reports before voids). */
  refundCents: z.number().int().default(0),
  /** received − change − refunds. */
  netCents: z.number().int(),
  netUsdCents: z.number().int(),
});
export type MethodLine = z.output<typeof methodLine>;

const closingSummary = z.object({
  payments: z.number().int(),
  sales: z.number().int(),
  deposits: z.number().int(),
  instalments: z.number().int(),
  lines: z.array(methodLine),
  /** Voids that gave money back, and what they gave back in USD (0 in reports before voids). */
  refunds: z.number().int().default(0),
  refundedUsdCents: z.number().int().default(0),
  /**
   * Net takings in USD at each payment's stored rate: what was credited to transactions, less what
   * voids refunded.
   */
  netUsdCents: z.number().int(),
  /** The same takings in bolívares, each payment's credit (and refund) at its own rate. */
  netVesCents: z.number().int(),
  firstAt: z.number().int().nullable(),
  lastAt: z.number().int().nullable(),
  /** Drawers opened in the report (closed ones counted); the cash reconciliation is `drawer`. */
  shifts: z.number().int(),
  /** USD then VES: float, cash in, change, paid in/out, expected, counted, over/short of the drawers. */
  drawer: z.array(drawerCurrency),
  /** Cash (net of change) taken with no drawer open, per currency: in no count. */
  outsideDrawer: z.array(z.object({ currency, netCents: z.number().int() })),
});
export type ClosingSummary = z.output<typeof closingSummary>;

export const closingReport = z.object({
  kind: z.enum(['X', 'Z']),
  number: z.number().int().nullable(),
  businessDay: z.string(),
  /** The tenant's cutoff hour the day was cut at, and the day's bounds (epoch ms, end exclusive). */
  cutoffHour: z.number().int(),
  dayStartsAt: z.number().int(),
  dayEndsAt: z.number().int(),
  /** The staff member's actor (`cashier:Ana Cajera`), or null for everyone. */
  cashier: z.string().nullable(),
  staffId: z.number().int().nullable(),
  /** How people read the staff member's name (no role prefix); null for everyone. */
  cashierName: z.string().nullable(),
  generatedAt: z.number().int(),
  generatedBy: z.string().nullable(),
  cashiers: z.array(closingSummary.extend({ cashier: z.string(), cashierName: z.string() })),
  totals: closingSummary,
});
export type ClosingReport = z.output<typeof closingReport>;

export const closingListItem = z.object({
  number: z.number().int(),
  cashier: z.string(),
  staffId: z.number().int().nullable(),
  cashierName: z.string(),
  businessDay: z.string(),
  closedAt: z.number().int(),
  closedBy: z.string(),
});
export type ClosingListItem = z.output<typeof closingListItem>;
