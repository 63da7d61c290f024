import type { ErrorCode, ErrorDetails } from '../errors.ts';
import { PAYMENT_METHODS, type PaymentMethod } from '../schemas/payments.ts';
import { hasMessage, message, type MessageKeyOf } from './catalog.ts';
import {
  formatAmount,
  formatBusinessDay,
  formatClock,
  formatDateTime,
  formatRate,
  formatTime,
  formatUsd,
  formatVes,
  type Locale,
} from './formats.ts';
import { actorName } from './people.ts';

/**
 * An error (code + details, shared/errors.ts) as one sentence for the cashier, in the catalogue's
 * words: the renderer shows it, the CLI prints it. Every code has its sentence (the catalogue test
 * enumerates them); `message`, the service's English, is shown only for a code this build does not
 * know (a newer server).
 */
export function errorText(locale: Locale, code: string, message_: string, details: unknown): string {
  const c = (key: MessageKeyOf<'counter'>, values?: Record<string, string | number>) =>
    message(locale, 'counter', key, values);
  const p = (key: MessageKeyOf<'payments'>, values?: Record<string, string | number>) =>
    message(locale, 'payments', key, values);
  const usd = (cents: number) => formatUsd(locale, cents);
  const ves = (cents: number) => formatVes(locale, cents);
  switch (code as ErrorCode | 'NETWORK' | 'INCOMPLETE') {
    case 'SEAT_TAKEN': {
      const d = details as ErrorDetails['SEAT_TAKEN'];
      const seats = d.seats.map((s) => s.label).join(', ') || '—';
      if (d.seats.length > 0 && d.seats.every((s) => s.state === 'sold'))
        return c('error.SEAT_TAKEN.sold', { seats });
      const first = d.seats[0];
      const who = first ? actorName(locale, first.heldByActor) : c('otherCashier');
      const until =
        first?.heldUntil !== undefined
          ? c('error.SEAT_TAKEN.until', { time: formatTime(locale, first.heldUntil) })
          : '';
      return c('error.SEAT_TAKEN', { seats, who, until });
    }
    case 'SEAT_BLOCKED': {
      const d = details as ErrorDetails['SEAT_BLOCKED'];
      return c('error.SEAT_BLOCKED', { seats: d.seats.map((s) => s.label).join(', ') || '—' });
    }
    case 'ZONE_FULL': {
      const d = details as ErrorDetails['ZONE_FULL'] & { together?: boolean };
      return c(d.together ? 'error.ZONE_FULL.together' : 'error.ZONE_FULL', {
        zone: d.zoneName,
        requested: d.requested,
        available: d.available,
      });
    }
    case 'LIMIT_REACHED': {
      const d = details as ErrorDetails['LIMIT_REACHED'];
      return c('error.LIMIT_REACHED', { limit: d.limit, held: d.held });
    }
    case 'HOLD_EXPIRED': {
      const d = details as ErrorDetails['HOLD_EXPIRED'];
      return c('error.HOLD_EXPIRED', { seats: d.seats.map((s) => s.label).join(', ') });
    }
    case 'EXTENSION_LIMIT':
      return c('error.EXTENSION_LIMIT', {
        time: formatTime(locale, (details as ErrorDetails['EXTENSION_LIMIT']).maxUntil),
      });
    case 'NOTHING_HELD':
      return c('error.NOTHING_HELD');
    case 'BAD_PIN':
      return c('error.BAD_PIN', { left: (details as ErrorDetails['BAD_PIN']).attemptsLeft });
    case 'LOCKED_OUT': {
      const d = details as ErrorDetails['LOCKED_OUT'];
      const key =
        d.scope === 'terminal'
          ? 'error.LOCKED_OUT.terminal'
          : d.scope === 'supervisor-override'
            ? 'error.LOCKED_OUT.supervisor-override'
            : 'error.LOCKED_OUT';
      return c(key, { time: formatTime(locale, d.until) });
    }
    case 'CART_CHANGED': {
      const d = details as ErrorDetails['CART_CHANGED'];
      return c('error.CART_CHANGED', {
        seats:
          d.items.map((i) => (i.seatId === null ? `${i.quantity} × ${i.label}` : i.label)).join(', ') || '—',
        total: usd(d.actual.totalCents),
      });
    }
    case 'NOT_SIGNED_IN':
      return c('error.NOT_SIGNED_IN');
    case 'VALIDATION':
      return c('error.VALIDATION', {
        message: validationText(locale, (details as Partial<ErrorDetails['VALIDATION']>)?.issues ?? []),
      });
    case 'NETWORK':
      return c('error.NETWORK');
    case 'OFFLINE':
      return c('error.OFFLINE');
    case 'OUTCOME_UNKNOWN':
      return c('error.OUTCOME_UNKNOWN');
    case 'BALANCE_CHANGED': {
      const d = details as ErrorDetails['BALANCE_CHANGED'];
      return c('error.BALANCE_CHANGED', { paid: usd(d.paidCents), total: usd(d.totalCents) });
    }
    case 'PAYMENT_REQUIRED': {
      const d = details as ErrorDetails['PAYMENT_REQUIRED'];
      return message(locale, 'errors', 'PAYMENT_REQUIRED', {
        paid: usd(d.paidCents),
        total: usd(d.totalCents),
      });
    }
    case 'STORE_FULL':
      return c('error.STORE_FULL');
    case 'STORE_READ_ONLY':
      return c('error.STORE_READ_ONLY');
    case 'STORE_UNAVAILABLE':
      return c('error.STORE_UNAVAILABLE');
    case 'FOREIGN_ORIGIN' as ErrorCode:
      return c('error.FOREIGN_ORIGIN');
    case 'PRINTER_TARGET': {
      const d = details as ErrorDetails['PRINTER_TARGET'];
      return c('error.PRINTER_TARGET', { path: d.path, why: c(`error.PRINTER_TARGET.${d.problem}`) });
    }
    case 'UNDERPAID': {
      const d = details as ErrorDetails['UNDERPAID'];
      return p('err.UNDERPAID', { short: usd(d.shortCents), shortVes: ves(d.shortVesCents) });
    }
    case 'OVERPAID': {
      const d = details as ErrorDetails['OVERPAID'];
      return p(`err.OVERPAID.${d.reason}`, { excess: usd(d.excessCents) });
    }
    case 'DEPOSIT_TOO_SMALL': {
      const d = details as ErrorDetails['DEPOSIT_TOO_SMALL'];
      return p('err.DEPOSIT_TOO_SMALL', {
        minimum: usd(d.minimumCents),
        percent: d.minimumBasisPoints / 100,
        paid: usd(d.paidCents),
      });
    }
    case 'RESERVATION_EXPIRED': {
      const d = details as ErrorDetails['RESERVATION_EXPIRED'];
      return p('err.RESERVATION_EXPIRED', {
        customer: d.customerName ?? '—',
        time: d.expiredAt === null ? '—' : formatTime(locale, d.expiredAt),
      });
    }
    case 'NOT_PAYABLE':
      return p('err.NOT_PAYABLE', { status: (details as ErrorDetails['NOT_PAYABLE']).status });
    case 'PAY_AT_COUNTER_LIMIT':
      return p(`err.PAY_AT_COUNTER_LIMIT.${(details as ErrorDetails['PAY_AT_COUNTER_LIMIT']).scope}`);
    case 'AMOUNT_TOO_LARGE': {
      const d = details as ErrorDetails['AMOUNT_TOO_LARGE'];
      const money = d.currency === 'USD' ? usd : ves;
      return p(`err.AMOUNT_TOO_LARGE.${d.scope}`, { max: money(d.maxCents), amount: money(d.amountCents) });
    }
    case 'RATE_OUT_OF_RANGE': {
      const d = details as ErrorDetails['RATE_OUT_OF_RANGE'];
      return p('err.RATE_OUT_OF_RANGE', {
        rate: formatRate(locale, d.vesPerUsd),
        minimum: formatRate(locale, d.minimum),
        maximum: formatRate(locale, d.maximum),
      });
    }
    case 'RATE_CHANGE_UNCONFIRMED': {
      const d = details as ErrorDetails['RATE_CHANGE_UNCONFIRMED'];
      return p('err.RATE_CHANGE_UNCONFIRMED', {
        percent: d.changePercent,
        current: formatRate(locale, d.current),
        proposed: formatRate(locale, d.proposed),
      });
    }
    case 'DUPLICATE_REFERENCE': {
      const d = details as ErrorDetails['DUPLICATE_REFERENCE'];
      const method = (PAYMENT_METHODS as readonly string[]).includes(d.method)
        ? methodName(locale, d.method as PaymentMethod)
        : d.method;
      if (d.transactionNumber === null)
        return p('err.DUPLICATE_REFERENCE.same-payment', { reference: d.reference, method });
      return p('err.DUPLICATE_REFERENCE', { reference: d.reference, method, number: d.transactionNumber });
    }
    case 'PAYMENT_UNCONFIRMED':
      return p(`err.PAYMENT_UNCONFIRMED.${(details as ErrorDetails['PAYMENT_UNCONFIRMED']).reason}`);
    case 'PAYMENT_DECLINED':
      return p('err.PAYMENT_DECLINED', { reason: (details as ErrorDetails['PAYMENT_DECLINED']).reason });
    case 'PAYMENT_NOT_REVERSED': {
      const d = details as ErrorDetails['PAYMENT_NOT_REVERSED'];
      return p('err.PAYMENT_NOT_REVERSED', {
        amount: formatAmount(locale, { currency: d.currency, cents: d.amountCents }),
        reference: d.reference,
      });
    }
    case 'UNKNOWN_PAYMENT_PROVIDER': {
      const d = details as ErrorDetails['UNKNOWN_PAYMENT_PROVIDER'];
      return p('err.UNKNOWN_PAYMENT_PROVIDER', {
        provider: d.provider,
        available: d.available.join(', ') || p('none'),
      });
    }
    case 'TRAINING_MODE':
      return p(`err.TRAINING_MODE.${(details as ErrorDetails['TRAINING_MODE']).reason}`);
    case 'DAY_ALREADY_CLOSED': {
      const d = details as ErrorDetails['DAY_ALREADY_CLOSED'];
      return p('err.DAY_ALREADY_CLOSED', {
        day: formatBusinessDay(locale, d.businessDay),
        cashier: actorName(locale, d.cashier),
        number: d.closingNumber,
      });
    }
    case 'DEPOSIT_TOO_SHORT': {
      const d = details as ErrorDetails['DEPOSIT_TOO_SHORT'];
      return p('err.DEPOSIT_TOO_SHORT', { min: d.minimumHours, max: d.maximumHours, hours: d.hours });
    }
    case 'UNKNOWN_STAFF': {
      const d = details as ErrorDetails['UNKNOWN_STAFF'];
      return p(`err.UNKNOWN_STAFF.${d.reason}`, {
        reference: d.reference,
        known: d.known.map((k) => k.name).join(', ') || p('none'),
      });
    }
    case 'SHIFT_OPEN': {
      const d = details as ErrorDetails['SHIFT_OPEN'];
      return p('err.SHIFT_OPEN', {
        time: formatClock(locale, d.openedAt),
        day: formatBusinessDay(locale, d.businessDay),
      });
    }
    case 'NO_OPEN_SHIFT':
      return p('err.NO_OPEN_SHIFT');
    case 'APPROVAL_REQUIRED':
      return p('err.APPROVAL_REQUIRED');
    case 'INSUFFICIENT_CASH': {
      const d = details as ErrorDetails['INSUFFICIENT_CASH'];
      const money = (cents: number) => formatAmount(locale, { currency: d.currency, cents });
      return p('err.INSUFFICIENT_CASH', {
        available: money(d.availableCents),
        requested: money(d.requestedCents),
      });
    }
    case 'INCOMPLETE':
      return p('err.INCOMPLETE');
    case 'UNKNOWN_SEAT': {
      const d = details as ErrorDetails['UNKNOWN_SEAT'];
      const seats = (d.labels ?? d.seatIds.map(String)).join(', ');
      return message(locale, 'errors', 'UNKNOWN_SEAT', { n: d.seatIds.length, seats });
    }
    case 'NOT_LEASED': {
      const d = details as ErrorDetails['NOT_LEASED'];
      if (d.seatIds.length === 0 && d.available !== undefined)
        return message(locale, 'errors', 'NOT_LEASED.available', { available: d.available });
      return message(locale, 'errors', 'NOT_LEASED', {
        seats: d.seatIds.length === 0 ? 'none' : d.seatIds.join(', '),
        n: d.seatIds.length,
      });
    }
    case 'OUTSIDE_LEASE': {
      const d = details as ErrorDetails['OUTSIDE_LEASE'];
      // ICU selectors are words: the code's reasons are written with dashes.
      const reason = { 'not-leased': 'notLeased', 'ticket-numbers': 'ticketNumbers', 'sold-at': 'soldAt' }[
        d.reason
      ];
      return message(locale, 'errors', 'OUTSIDE_LEASE', { reason });
    }
    case 'EVENT_STARTED':
      return message(locale, 'errors', 'EVENT_STARTED', {
        when: formatDateTime(locale, (details as ErrorDetails['EVENT_STARTED']).startsAt),
      });
    case 'ALREADY_VOIDED': {
      const d = details as ErrorDetails['ALREADY_VOIDED'];
      return message(locale, 'errors', 'ALREADY_VOIDED', {
        tickets: d.ticketNumbers.length === 0 ? 'all' : d.ticketNumbers.join(', '),
      });
    }
    case 'TICKET_VOIDED':
      return message(locale, 'errors', 'TICKET_VOIDED', {
        tickets: (details as ErrorDetails['TICKET_VOIDED']).ticketNumbers.join(', '),
      });
    default: {
      if (hasMessage(locale, 'errors', code)) {
        const values = Object.fromEntries(
          Object.entries((details ?? {}) as Record<string, unknown>).filter(
            ([, v]) => typeof v === 'string' || typeof v === 'number',
          ),
        ) as Record<string, string | number>;
        return message(locale, 'errors', code as MessageKeyOf<'errors'>, values);
      }
      return c('error.other', { message: message_ });
    }
  }
}

/** What a schema refused, field by field, in the catalogue's words ("Referencia: la referencia tiene de 4 a 20 dígitos"). */
export function validationText(locale: Locale, issues: readonly { path: string; message: string }[]): string {
  return issues.map((issue) => validationIssueText(locale, issue)).join('; ');
}

export function validationIssueText(locale: Locale, issue: { path: string; message: string }): string {
  const field =
    issue.path
      .split('.')
      .filter((part) => !/^\d+$/.test(part) && part !== '(input)')
      .pop() ?? 'input';
  const fieldKey = `field.${field}`;
  const problemKey = `problem.${issue.message}`;
  const v = (key: string) => message(locale, 'validation', key as MessageKeyOf<'validation'>);
  const problem = hasMessage(locale, 'validation', problemKey) ? v(problemKey) : v('problem.invalid');
  const label = hasMessage(locale, 'validation', fieldKey) ? v(fieldKey) : v('field.input');
  return message(locale, 'validation', 'issue', { field: label, problem });
}

export function methodName(locale: Locale, method: PaymentMethod): string {
  return message(locale, 'payments', `method.${method}`);
}
