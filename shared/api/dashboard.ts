import { z } from 'zod';
import { closingListItem, methodLine } from '../schemas/day-closing.ts';
import { currency, outstandingPayments, PAYMENT_METHODS } from '../schemas/payments.ts';
import { id } from '../schemas/reservations.ts';
import { defineMethod } from './define.ts';

/**
 * The supervisor dashboard, the day-closing export and the kiosk's own sign-in (issue 6, user-facing
 * half). The dashboard's figures are the very objects `taquilla reservation-stats --json` prints
 * (ReservationStatsService) and PaymentStatsService's outstanding balances, so screen and CLI agree.
 */
const empty = z.object({}).strict();

export const contestedSeat = z.object({
  seatId: z.number().int(),
  label: z.string(),
  /** Hold attempts refused because someone else had the seat. */
  refused: z.number().int(),
  lastAt: z.number().int(),
});

export const eventReservationStats = z.object({
  eventId: z.number().int(),
  name: z.string(),
  startsAt: z.number().int(),
  /** The event's availability version: the live feed pushes what changes after it. */
  version: z.number().int(),
  activeHolds: z.number().int(),
  reserved: z.number().int(),
  reservationsOpen: z.number().int(),
  sold: z.number().int(),
  expiringWithinHour: z.number().int(),
  expired: z.number().int(),
  cancelled: z.number().int(),
  conversionRate: z.number().nullable(),
  abandonedCarts: z.number().int(),
  contested: z.array(contestedSeat),
});

export const reservationStats = z.object({ at: z.number().int(), events: z.array(eventReservationStats) });

/** Refunds of voids in the open day (not yet in a Z), everyone's: the X report's figures. */
export const dashboardRefunds = z.object({
  count: z.number().int(),
  usdCents: z.number().int(),
  lines: z.array(z.object({ method: z.enum(PAYMENT_METHODS), currency, cents: z.number().int() })),
});

/** What the business day (cutoff to cutoff, shared/business-day.ts) took, per method and currency. */
export const dayTakings = z.object({
  businessDay: z.string(),
  cutoffHour: z.number().int(),
  startsAt: z.number().int(),
  endsAt: z.number().int(),
  /** Amounts in each line's currency (change already given back), `netUsdCents` at each payment's rate. */
  lines: z.array(methodLine),
  netUsdCents: z.number().int(),
  /** The whole day in bolívares, at each payment's rate. */
  netVesCents: z.number().int(),
  /** The day's voids and what they gave back (also netted in `lines`). */
  refunds: dashboardRefunds,
});

/** Per event, what the alerts are read from (DashboardService). */
export const eventAttention = z.object({
  eventId: z.number().int(),
  /** Deposits (abonos) whose time runs out within ALERT_THRESHOLDS.depositExpiringMinutes, and their balance. */
  depositsExpiringSoon: z.number().int(),
  depositsExpiringSoonBalanceCents: z.number().int(),
  /** Held places of carts alive more than ALERT_THRESHOLDS.longHoldFactor times the normal hold. */
  longHolds: z.number().int(),
  /** TEMPORARY_HOLD_MINUTES of the event's tenant (0 when nothing is held). */
  normalHoldMinutes: z.number().int(),
});

const alertBase = { eventId: z.number().int(), event: z.string(), n: z.number().int() };
export const dashboardAlert = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('depositsExpiring'),
    severity: z.literal('danger'),
    ...alertBase,
    balanceCents: z.number().int(),
    minutes: z.number().int(),
  }),
  z.object({
    kind: z.literal('longHolds'),
    severity: z.literal('warn'),
    ...alertBase,
    minutes: z.number().int(),
  }),
  z.object({ kind: z.literal('contested'), severity: z.literal('warn'), ...alertBase, seat: z.string() }),
  z.object({
    kind: z.literal('abandonment'),
    severity: z.literal('warn'),
    ...alertBase,
    percent: z.number(),
  }),
  z.object({
    kind: z.literal('dueSoon'),
    severity: z.literal('warn'),
    ...alertBase,
    hours: z.number().int(),
    balanceCents: z.number().int(),
  }),
]);

export const dashboardSummary = z.object({
  at: z.number().int(),
  reservations: reservationStats,
  outstanding: outstandingPayments,
  refunds: dashboardRefunds,
  takings: dayTakings,
  attention: z.array(eventAttention),
  alerts: z.array(dashboardAlert),
});

export type DashboardSummary = z.output<typeof dashboardSummary>;
export type DayTakings = z.output<typeof dayTakings>;
export type EventAttention = z.output<typeof eventAttention>;
export type DashboardAlert = z.output<typeof dashboardAlert>;
export type EventReservationStats = z.output<typeof eventReservationStats>;
export type ContestedSeat = z.output<typeof contestedSeat>;

export const dashboardApi = {
  'dashboard.summary': defineMethod({
    summary: 'Holds, reservations, conversion, contested seats and balances due (same figures as the CLI)',
    roles: ['supervisor'],
    input: z
      .object({ eventId: id.optional(), contestedLimit: z.number().int().min(1).max(500).optional() })
      .strict(),
    output: dashboardSummary,
  }),
  'reports.csv': defineMethod({
    summary: 'A day-closing report as CSV: the open X report, or a stored Z report by its number',
    roles: ['cashier', 'supervisor'],
    input: z
      .object({
        number: z.number().int().positive().optional(),
        /** The open X of one staff member (a supervisor's choice; a cashier's is always their own). */
        staffId: id.optional(),
      })
      .strict(),
    output: z.object({ filename: z.string(), csv: z.string() }),
  }),
  'reports.closings': defineMethod({
    summary: 'Z reports already taken (number, cashier, business day)',
    roles: ['cashier', 'supervisor'],
    input: empty,
    output: z.array(closingListItem),
  }),
  'kiosk.start': defineMethod({
    summary: "A kiosk's customer session (no PIN); refused unless the terminal runs in kiosk mode",
    public: true,
    input: empty,
    output: z.object({ sessionToken: z.string(), sessionId: z.string(), serverTime: z.number() }),
  }),
} as const;
