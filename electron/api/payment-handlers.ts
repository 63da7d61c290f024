import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type PaymentMethodName = Extract<
  MethodName,
  | `payments.${string}`
  | 'reservations.search'
  | 'reservations.open'
  | 'reports.x'
  | 'reports.z'
  | `notifications.${string}`
>;

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

/**
 * The staff member a report call is about, by id: a supervisor may name anyone (`requested`); a
 * cashier only themselves (naming someone else is refused, never silently answered for them).
 */
export function reportStaff(
  ctx: HandlerContext,
  method: string,
  requested: number | undefined,
): { staffId: number } {
  const session = signedIn(ctx);
  if (session.user.role === 'supervisor' || requested === undefined || requested === session.user.id) {
    return { staffId: requested ?? session.user.id };
  }
  throw new TaquillaError('ROLE_NOT_ALLOWED', "Only a supervisor sees or closes another staff member's day", {
    method,
    role: session.user.role,
    allowed: ['supervisor'],
  });
}

/**
 * The payment methods' handlers (shared/api/payments.ts). Who pays and under which session always
 * comes from the signed-in session, never from the payload, as in the counter's handlers.
 */
export function createPaymentHandlers(): { [M in PaymentMethodName]: Handler<M> } {
  return {
    'payments.quote': (input, ctx) => {
      const { sessionId } = signedIn(ctx);
      return ctx.terminal.sales.quote('eventId' in input ? { ...input, sessionId } : input);
    },
    // SalesDesk routes through the central server on an enrolled terminal.
    'payments.checkout': (input, ctx) => {
      const { sessionId, actor } = signedIn(ctx);
      return ctx.terminal.sales.checkout({ ...input, sessionId, actor });
    },
    'payments.deposit': (input, ctx) => {
      const { sessionId, actor } = signedIn(ctx);
      return ctx.terminal.sales.deposit({ ...input, sessionId, actor });
    },
    'payments.pay': (input, ctx) => ctx.terminal.sales.pay({ ...input, actor: signedIn(ctx).actor }),
    'payments.outstanding': (input, ctx) => ctx.terminal.paymentStats.outstanding(input),
    'payments.settings': (input, ctx) =>
      ctx.terminal.payments.setEventSettings({ ...input, actor: signedIn(ctx).actor }),
    // Enrolled: the server's reservations (taken at any counter) are copied here first.
    'reservations.search': (input, ctx) => ctx.terminal.findReservations(input),
    'reservations.open': (input, ctx) => ctx.terminal.paymentSearch.open(input),
    // A cashier's X shows their own day; a supervisor's shows everyone unless one staff member is asked for.
    'reports.x': (input, ctx) =>
      ctx.terminal.dayClosing.x(
        signedIn(ctx).user.role === 'supervisor' && input.staffId === undefined
          ? {}
          : { staff: reportStaff(ctx, 'reports.x', input.staffId) },
      ),
    'reports.z': (input, ctx) =>
      ctx.terminal.dayClosing.z({
        staff: reportStaff(ctx, 'reports.z', input.staffId),
        actor: signedIn(ctx).actor,
      }),
    'notifications.list': (input, ctx) => ctx.terminal.notifications.list(input),
    'notifications.ack': (input, ctx) =>
      ctx.terminal.notifications.acknowledge({ ...input, actor: signedIn(ctx).actor }),
  };
}
