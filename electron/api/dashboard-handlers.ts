import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import { reportCsv } from '../services/day-closing/report-export.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';
import { reportStaff } from './payment-handlers.ts';

type DashboardMethodName = Extract<
  MethodName,
  `dashboard.${string}` | 'kiosk.start' | 'reports.csv' | 'reports.closings'
>;

function actorOf(ctx: HandlerContext): { actor: string; supervisor: boolean } {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return { actor: ctx.session.actor, supervisor: ctx.session.user.role === 'supervisor' };
}

/** Handlers of shared/api/dashboard.ts: the dashboard, the CSV export and the kiosk's sign-in. */
export function createDashboardHandlers(): { [M in DashboardMethodName]: Handler<M> } {
  return {
    // The same service calls as `taquilla reservation-stats` and the payment stats, with the takings,
    // the alerts, and the refunds as the open X of everyone counts them (VoidService).
    'dashboard.summary': (input, { terminal }) => terminal.dashboard.summary(input),
    'reports.csv': (input, ctx) => {
      const { actor, supervisor } = actorOf(ctx);
      if (input.number !== undefined) {
        const report = ctx.terminal.dayClosing.closing({ number: input.number });
        if (!report || (!supervisor && report.staffId !== ctx.session!.user.id && report.cashier !== actor)) {
          throw new TaquillaError('ROLE_NOT_ALLOWED', `No Z report ${input.number} for ${actor}`, {
            method: 'reports.csv',
            role: ctx.session!.user.role,
            allowed: ['supervisor'],
          });
        }
        return { filename: `z-${report.number}-${report.businessDay}.csv`, csv: reportCsv(report) };
      }
      const report = ctx.terminal.dayClosing.x(
        supervisor && input.staffId === undefined
          ? {}
          : { staff: reportStaff(ctx, 'reports.csv', input.staffId) },
      );
      return { filename: `x-${report.businessDay}.csv`, csv: reportCsv(report) };
    },
    'reports.closings': (_input, ctx) => {
      const { actor, supervisor } = actorOf(ctx);
      const me = ctx.session!.user.id;
      return ctx.terminal.dayClosing
        .closings()
        .filter((c) => supervisor || c.staffId === me || c.cashier === actor);
    },
    'kiosk.start': (_input, { terminal }) => {
      if (!terminal.kiosk) {
        throw new TaquillaError('ROLE_NOT_ALLOWED', 'This terminal is not a kiosk', {
          method: 'kiosk.start',
          role: 'kiosk',
          allowed: [],
        });
      }
      const session = terminal.sessions.startKiosk();
      return { sessionToken: session.token, sessionId: session.sessionId, serverTime: terminal.clock.now() };
    },
  };
}
