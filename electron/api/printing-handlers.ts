import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type PrintingMethodName = Extract<MethodName, `printer.${string}` | 'sales.reprint' | 'sales.printed'>;

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

function actorOf(ctx: HandlerContext): string {
  return signedIn(ctx).actor;
}

/** Printing (shared/api/printing.ts): each method is one call on the terminal's PrintingService. */
export function createPrintingHandlers(): { [M in PrintingMethodName]: Handler<M> } {
  return {
    'printer.status': (_input, { terminal }) => terminal.printing.status(),
    'printer.settings.get': (_input, { terminal }) => terminal.printing.getSettings(),
    'printer.settings.set': (input, ctx) => ctx.terminal.printing.setSettings(input, actorOf(ctx)),
    'printer.testPage': (_input, { terminal }) => terminal.printing.testPage(),
    'printer.interrupted.resolve': (input, ctx) =>
      ctx.terminal.printing.resolveInterrupted(input, actorOf(ctx)),
    'sales.printed': (input, { terminal }) => terminal.printing.printedSale(input),
    'sales.reprint': (input, ctx) => {
      const session = signedIn(ctx);
      return ctx.terminal.printing.reprint(input, {
        actor: session.actor,
        supervisor: session.user.role === 'supervisor',
        // A typed PIN is counted like every supervisor override (PIN lockout, pin-guard.ts).
        verifySupervisor: (pin) => ctx.terminal.sessions.verifySupervisor(pin, session),
      });
    },
  };
}
