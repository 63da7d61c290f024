import type { BridgeReply, TaquillaBridge } from '../../../shared/api/bridge.ts';
import type { LiveMessage } from '../../../shared/api/counter.ts';
import type { ApiErrorBody } from '../../../shared/api/define.ts';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api/index.ts';

/** A refusal from the terminal, with the code and facts the UI turns into a sentence. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

declare global {
  interface Window {
    taquilla?: TaquillaBridge;
  }
}

export interface ApiClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Pushes live messages until the returned function is called; `onLost` when the channel drops. */
  live(
    eventId: number,
    sinceVersion: number,
    onMessage: (m: LiveMessage) => void,
    onLost: () => void,
  ): () => void;
  setSession(token: string | null): void;
  /** Kiosk mode: leave the locked full screen with a supervisor PIN (Electron only). */
  exitKiosk(pin: string): Promise<void>;
  readonly transport: 'ipc' | 'http';
}

const SESSION_KEY = 'taquilla.session';

/**
 * The one API client, derived from the method table's types. Inside Electron it speaks IPC through
 * the preload bridge; in a browser it POSTs to api/<method> beside the page (the terminal token
 * travels in the HttpOnly cookie set by the one-time URL, the session token in a header).
 *
 * The URLs are relative on purpose: `taquilla serve` serves the app under a per-instance path, and
 * the cookie is scoped to that path so no other web app on 127.0.0.1 ever receives it.
 */
export function createClient(win: Window = window): ApiClient {
  let session: string | null = win.sessionStorage?.getItem(SESSION_KEY) ?? null;
  const bridge = win.taquilla;
  const unwrap = (reply: BridgeReply): unknown => {
    if (reply.ok) return reply.result;
    throw new ApiError(reply.error.code, reply.error.message, reply.error.details);
  };
  return {
    transport: bridge ? 'ipc' : 'http',
    setSession(token) {
      session = token;
      if (token) win.sessionStorage?.setItem(SESSION_KEY, token);
      else win.sessionStorage?.removeItem(SESSION_KEY);
    },
    async call(method, input) {
      if (bridge) return unwrap(await bridge.call(method, input, session)) as never;
      let res: Response;
      try {
        res = await fetch(`api/${method}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(session ? { 'x-taquilla-session': session } : {}),
          },
          body: JSON.stringify(input),
          credentials: 'same-origin',
        });
      } catch (error) {
        throw new ApiError('NETWORK', String(error), {});
      }
      const body = (await res.json().catch(() => null)) as unknown;
      if (res.ok) return body as never;
      const error = (body as ApiErrorBody | null)?.error;
      throw new ApiError(error?.code ?? 'NETWORK', error?.message ?? `HTTP ${res.status}`, error?.details);
    },
    async exitKiosk(pin) {
      if (bridge) {
        unwrap(await bridge.exitKiosk(pin, session));
        return;
      }
      // A browser kiosk has no window to leave; the PIN is still checked, so the answer is honest.
      await this.call('session.supervisorOverride', { pin });
    },
    live(eventId, sinceVersion, onMessage, onLost) {
      if (bridge) return bridge.live({ eventId, sinceVersion }, session, onMessage);
      const params = new URLSearchParams({ eventId: String(eventId), since: String(sinceVersion) });
      if (session) params.set('session', session);
      const source = new EventSource(`api/live?${params}`);
      source.onmessage = (event) => onMessage(JSON.parse(event.data as string) as LiveMessage);
      source.onerror = () => {
        // The store resyncs from a fresh snapshot; EventSource's own retry would reuse a stale version.
        source.close();
        onLost();
      };
      return () => source.close();
    },
  };
}
