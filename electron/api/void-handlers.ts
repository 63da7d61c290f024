import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type VoidMethodName = Extract<MethodName, 'sales.voidPreview' | 'sales.void'>;

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

/**
 * Voids' handlers (shared/api/voids.ts). The voider is the signed-in staff member; a cashier's void
 * is approved by a supervisor's PIN, checked here as a supervisor override (counted and locked like
 * any PIN); a signed-in supervisor approves their own.
 */
export function createVoidHandlers(): { [M in VoidMethodName]: Handler<M> } {
  return {
    'sales.voidPreview': (input, ctx) => {
      signedIn(ctx);
      return ctx.terminal.voids.preview(input);
    },
    'sales.void': async ({ supervisorPin, ...input }, ctx) => {
      const session = signedIn(ctx);
      const approvedBy = await ctx.terminal.sessions.approvedBy(session, supervisorPin, 'VOID', 'A void');
      return ctx.terminal.voids.void({ ...input, actor: session.actor, approvedBy });
    },
  };
}
