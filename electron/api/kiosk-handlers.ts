import type { MethodName } from '../../shared/api/index.ts';
import { TaquillaError } from '../../shared/errors.ts';
import type { SignedInSession } from '../services/session/session-service.ts';
import type { Handler, HandlerContext } from './dispatcher.ts';

type KioskMethodName = Extract<
  MethodName,
  'kiosk.paymentOptions' | 'kiosk.pay' | 'kiosk.payAtCounter' | `paymentProvider.${string}`
>;

function signedIn(ctx: HandlerContext): SignedInSession {
  if (!ctx.session) throw new TaquillaError('NOT_SIGNED_IN', 'Sign in first', {});
  return ctx.session;
}

/** Handlers of shared/api/kiosk.ts: who pays and under which session come from the session only. */
export function createKioskHandlers(): { [M in KioskMethodName]: Handler<M> } {
  return {
    'kiosk.paymentOptions': ({ eventId }, { terminal }) => terminal.kioskCheckout.options(eventId),
    'kiosk.pay': (input, ctx) => {
      const { sessionId, actor } = signedIn(ctx);
      return ctx.terminal.kioskCheckout.pay({ ...input, sessionId, actor });
    },
    'kiosk.payAtCounter': (input, ctx) => {
      const { sessionId, actor } = signedIn(ctx);
      return ctx.terminal.payAtCounter.reserve({ ...input, sessionId, actor });
    },
    'paymentProvider.get': (_input, { terminal }) => terminal.providers.setting(),
    'paymentProvider.set': (input, ctx) =>
      ctx.terminal.providers.set({ ...input, actor: signedIn(ctx).actor }),
  };
}
