import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { ConflictDecider } from '../services/sync/conflict-actions.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type ConflictMethodName = Extract<MethodName, `conflicts.${string}`>;

/**
 * Handlers of shared/api/conflicts.ts: every rule is the conflict desk's
 * (electron/services/sync/conflict-actions.ts). As for a void, a cashier's decision is approved by a
 * supervisor's PIN (counted and locked like any PIN); a signed-in supervisor approves their own.
 */
export function createConflictHandlers(): { [M in ConflictMethodName]: Handler<M> } {
  return {
    'conflicts.list': ({ all }, ctx) => {
      if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
      return ctx.terminal.conflicts.list(all);
    },
    'conflicts.resolve': async ({ conflictId, supervisorPin, ...decision }, ctx) =>
      ctx.terminal.conflicts.resolve(conflictId, decision, await decider(ctx, supervisorPin)),
  };
}

async function decider(ctx: HandlerContext, supervisorPin: string | undefined): Promise<ConflictDecider> {
  const session = ctx.session;
  if (!session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  const approvedBy = await ctx.terminal.sessions.approvedBy(
    session,
    supervisorPin,
    'CONFLICT',
    'Settling a conflict',
  );
  return { actor: session.actor, approvedBy };
}
