import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import { createCashDrawerHandlers } from './cash-drawer-handlers.ts';
import { createConflictHandlers } from './conflict-handlers.ts';
import { createDashboardHandlers } from './dashboard-handlers.ts';
import { createKioskHandlers } from './kiosk-handlers.ts';
import { createLeaseHandlers } from './lease-handlers.ts';
import type { HandlerContext, Handlers } from './dispatcher.ts';
import { createPrintingHandlers } from './printing-handlers.ts';
import { createPaymentHandlers } from './payment-handlers.ts';
import { createVoidHandlers } from './void-handlers.ts';

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

/** Who the reservation engine records: always the signed-in session, never the payload. */
function who(ctx: HandlerContext): { sessionId: string; actor: string } {
  const session = signedIn(ctx);
  return { sessionId: session.sessionId, actor: session.actor };
}

/**
 * The counter app's handlers. Other capabilities add theirs beside these (spread into `handlers`),
 * and the `Handlers` type keeps the table and the handlers in step.
 */
export function createHandlers(): Handlers {
  return {
    ...createPaymentHandlers(),
    ...createCashDrawerHandlers(),
    ...createDashboardHandlers(),
    ...createPrintingHandlers(),
    ...createKioskHandlers(),
    ...createVoidHandlers(),
    ...createLeaseHandlers(),
    ...createConflictHandlers(),
    'session.users': (_input, { terminal }) => terminal.sessions.users(),
    'session.signIn': async ({ userId, pin }, { terminal }) => {
      const session = await terminal.sessions.signIn(userId, pin);
      return {
        sessionToken: session.token,
        sessionId: session.sessionId,
        user: session.user,
        serverTime: terminal.clock.now(),
      };
    },
    'session.signOut': async (_input, ctx) => {
      const session = signedIn(ctx);
      const { released } = await ctx.terminal.holds.releaseSession({
        sessionId: session.sessionId,
        actor: session.actor,
      });
      ctx.terminal.sessions.signOut(session);
      return { released };
    },
    'session.me': (_input, ctx) => {
      const session = signedIn(ctx);
      return {
        sessionId: session.sessionId,
        user: session.user,
        serverTime: ctx.terminal.clock.now(),
      };
    },
    'session.supervisorOverride': async ({ pin }, ctx) => ({
      supervisor: await ctx.terminal.sessions.verifySupervisor(pin, signedIn(ctx)),
    }),
    'session.unlock': (target, ctx) => ({
      unlocked: ctx.terminal.sessions.unlock(target, signedIn(ctx).actor),
    }),
    'events.list': (_input, { terminal }) => terminal.events.list(),
    'events.seatMap': ({ eventId }, { terminal }) => terminal.availability.seatMap({ eventId }),
    'availability.snapshot': ({ eventId }, { terminal }) => terminal.availability.snapshot({ eventId }),
    'availability.changes': (input, { terminal }) => terminal.availability.changesSince(input),
    'holds.seats': (input, ctx) => ctx.terminal.holds.holdSeats({ ...input, ...who(ctx) }),
    'holds.general': (input, ctx) => ctx.terminal.holds.holdGeneral({ ...input, ...who(ctx) }),
    'holds.bestAvailable': (input, ctx) => ctx.terminal.bestAvailable.hold({ ...input, ...who(ctx) }),
    'holds.releaseSeats': (input, ctx) => ctx.terminal.holds.releaseSeats({ ...input, ...who(ctx) }),
    'holds.releaseGeneral': (input, ctx) => ctx.terminal.holds.releaseGeneral({ ...input, ...who(ctx) }),
    'holds.clear': async ({ eventId }, ctx) => {
      const { sessionId, actor } = who(ctx);
      const transactionId = ctx.terminal.carts.transactionId(eventId, sessionId);
      if (!transactionId) return { released: 0 };
      const result = await ctx.terminal.holds.cancel({
        transactionId,
        actor,
        reason: 'cart cleared',
      });
      return { released: result.tickets };
    },
    'holds.extend': (input, ctx) => ctx.terminal.holds.extendHolds({ ...input, ...who(ctx) }),
    'cart.get': ({ eventId }, ctx) => ctx.terminal.carts.cart(eventId, who(ctx).sessionId),
    'sync.reconnect': async (_input, { terminal }) => {
      if (terminal.venueFeed) await terminal.sync.reconnect();
      return { network: terminal.status.network(), venueFeed: terminal.status.venueFeed() };
    },
    'terminal.status': (_input, { terminal, session }) => {
      const disk = terminal.status.disk();
      return {
        disk: disk.state,
        diskFreeBytes: disk.freeBytes,
        network: terminal.status.network(),
        venueFeed: terminal.status.venueFeed(),
        syncQueue: terminal.status.syncQueue(),
        printer: terminal.status.printer(),
        cashier: session?.user ?? null,
        kiosk: terminal.kiosk,
        mode: terminal.mode,
        serverTime: terminal.clock.now(),
      };
    },
  };
}
