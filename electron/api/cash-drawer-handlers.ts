import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';
import { reportStaff } from './payment-handlers.ts';

type CashDrawerMethodName = Extract<MethodName, `drawer.${string}` | 'reports.print'>;

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

/** The signed-in staff member's own drawer. */
function own(ctx: HandlerContext): { staff: { staffId: number }; actor: string } {
  const session = signedIn(ctx);
  return { staff: { staffId: session.user.id }, actor: session.actor };
}

/**
 * The cash drawer's handlers (shared/api/cash-drawer.ts). Each staff member works their own drawer.
 * A cashier's paid-out is approved by a supervisor's PIN, checked here as a supervisor override
 * (counted and locked like any PIN); the drawer service refuses a paid-out nobody approved.
 */
export function createCashDrawerHandlers(): { [M in CashDrawerMethodName]: Handler<M> } {
  return {
    'drawer.state': (input, ctx) =>
      ctx.terminal.cashDrawer.state(reportStaff(ctx, 'drawer.state', input.staffId)),
    'drawer.open': (input, ctx) => ctx.terminal.cashDrawer.open({ ...input, ...own(ctx) }),
    'drawer.move': async ({ supervisorPin, ...input }, ctx) => {
      const session = signedIn(ctx);
      // Only a paid-out needs a supervisor.
      const approvedBy =
        input.kind === 'PAID_OUT'
          ? await ctx.terminal.sessions.approvedBy(session, supervisorPin, 'PAID_OUT', 'A paid-out')
          : undefined;
      return ctx.terminal.cashDrawer.move({ ...input, ...own(ctx), ...(approvedBy ? { approvedBy } : {}) });
    },
    'drawer.close': (input, ctx) => ctx.terminal.cashDrawer.close({ ...input, ...own(ctx) }),
    'reports.print': (input, ctx) => {
      const session = signedIn(ctx);
      if (input.number !== undefined) {
        const report = ctx.terminal.dayClosing.closing({ number: input.number });
        const mine =
          report !== null && (report.staffId === session.user.id || report.cashier === session.actor);
        if (!report || (session.user.role !== 'supervisor' && !mine)) {
          throw new TaquillaError('ROLE_NOT_ALLOWED', `No Z report ${input.number} for ${session.actor}`, {
            method: 'reports.print',
            role: session.user.role,
            allowed: ['supervisor'],
          });
        }
        return ctx.terminal.printing.jobs.enqueueReport(report);
      }
      const report = ctx.terminal.dayClosing.x(
        session.user.role === 'supervisor' && input.staffId === undefined
          ? {}
          : { staff: reportStaff(ctx, 'reports.print', input.staffId) },
      );
      return ctx.terminal.printing.jobs.enqueueReport(report);
    },
  };
}
