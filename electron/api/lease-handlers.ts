import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type LeaseMethodName = Extract<MethodName, `leases.${string}`>;

/** The supervisor's actor; a terminal not enrolled with a server has no leases to run. */
function supervisorAt(ctx: HandlerContext): string {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  if (ctx.terminal.sync.status().state === 'unenrolled') {
    throw new TaquillaError('OFFLINE', 'This terminal is not enrolled with a server', { outbox: 0 });
  }
  return ctx.session.actor;
}

/** Handlers of shared/api/leases.ts: every rule is the lease desk's (electron/services/sync/lease-desk.ts). */
export function createLeaseHandlers(): { [M in LeaseMethodName]: Handler<M> } {
  return {
    'leases.list': ({ all }, { terminal }) => terminal.sync.leases.list(all),
    'leases.acquire': (input, ctx) => ctx.terminal.sync.leases.acquireFor(input, supervisorAt(ctx)),
    'leases.seats': ({ eventId }, { terminal }) => ({
      seatIds:
        terminal.sync.status().state === 'unenrolled' ? [] : terminal.sync.leases.sellableSeats(eventId),
    }),
    'leases.policies': (_input, { terminal }) => terminal.sync.leaseKeeper.policies(),
    'leases.return': ({ leaseId }, ctx) => ctx.terminal.sync.leases.return(leaseId, supervisorAt(ctx)),
  };
}
