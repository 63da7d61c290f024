import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type PaymentMethodName = Extract<
  MethodName,
  `payments.${string}` | 'reservations.search' | 'reports.x' | 'reports.z' | `notifications.${string}`
>;

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

/** The cashier a day-closing call is about: staff see and close only their own day; a supervisor any. */
function cashierOf(ctx: HandlerContext, requested: string | undefined): string {
  const session = signedIn(ctx);
  return session.user.role === 'supervisor' ? (requested ?? session.actor) : session.actor;
}

/**
 * The payment methods' handlers (shared/api/payments.ts). Who pays and under which session always
 * comes from the signed-in session, never from the payload, as in the counter's handlers.
 */
export function createPaymentHandlers(): { [M in PaymentMethodName]: Handler<M> } {
  return {
    'payments.quote': (input, ctx) => {
      const { sessionId } = signedIn(ctx);
      return ctx.terminal.payments.quote('eventId' in input ? { ...input, sessionId } : input);
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
    // A cashier's X shows their own day; a supervisor's shows everyone unless one cashier is asked for.
    'reports.x': (input, ctx) =>
      ctx.terminal.dayClosing.x(
        signedIn(ctx).user.role === 'supervisor' ? input : { cashier: signedIn(ctx).actor },
      ),
    'reports.z': (input, ctx) =>
      ctx.terminal.dayClosing.z({ cashier: cashierOf(ctx, input.cashier), actor: signedIn(ctx).actor }),
    'notifications.list': (input, ctx) => ctx.terminal.notifications.list(input),
    'notifications.ack': (input, ctx) =>
      ctx.terminal.notifications.acknowledge({ ...input, actor: signedIn(ctx).actor }),
  };
}
