import type { LiveMessage } from './counter.ts';
import type { ApiErrorBody } from './define.ts';

/** What crosses the IPC bridge for one call: the result, or an error value with a code. */
export type BridgeReply = { ok: true; result: unknown } | ({ ok: false } & ApiErrorBody);

/**
 * What electron/preload.ts exposes to the renderer as `window.taquilla`. The renderer's API client
 * (renderer/src/api/client.ts) uses it when present and falls back to HTTP otherwise.
 */
export interface TaquillaBridge {
  call: (method: string, input: unknown, sessionToken: string | null) => Promise<BridgeReply>;
  live: (
    subscription: { eventId: number; sinceVersion: number },
    sessionToken: string | null,
    onMessage: (message: LiveMessage) => void,
  ) => () => void;
  /**
   * Kiosk mode only: leaves the locked full screen when a supervisor PIN is given. Asked by a
   * signed-in session (the kiosk's own), counted and locked like session.supervisorOverride.
   */
  exitKiosk: (pin: string, sessionToken: string | null) => Promise<BridgeReply>;
}

/** IPC channel names, in one place for the preload and the main process. */
export const IPC = {
  call: 'taquilla:call',
  liveSubscribe: 'taquilla:live-subscribe',
  liveUnsubscribe: 'taquilla:live-unsubscribe',
  liveMessage: 'taquilla:live',
  exitKiosk: 'taquilla:exit-kiosk',
} as const;
