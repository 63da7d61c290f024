import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { IPC } from '../shared/api/bridge.ts';
import { liveSubscription, pin } from '../shared/api/counter.ts';
import type { Dispatch } from './api/dispatcher.ts';
import type { LiveFeed } from './api/live-feed.ts';

export interface IpcOptions {
  dispatch: Dispatch;
  live: LiveFeed;
  /** Only frames showing our own renderer may talk to the terminal. */
  isTrustedFrame: (frame: WebFrameMain | null) => boolean;
  /** Kiosk mode: called after a supervisor PIN was accepted. */
  onKioskExit: () => void;
}

function trusted(event: IpcMainEvent | IpcMainInvokeEvent, options: IpcOptions): boolean {
  return options.isTrustedFrame(event.senderFrame);
}

const untrusted = { ok: false, error: { code: 'FORBIDDEN_SENDER', message: 'Untrusted sender' } } as const;

/** The IPC glue: every message goes through the same dispatcher as HTTP. */
export function registerIpc(options: IpcOptions): () => void {
  const subscriptions = new Map<string, () => void>();

  ipcMain.handle(IPC.call, async (event, method: unknown, input: unknown, sessionToken: unknown) => {
    if (!trusted(event, options)) return untrusted;
    return options.dispatch({
      method: String(method),
      input,
      sessionToken: typeof sessionToken === 'string' ? sessionToken : undefined,
    });
  });

  ipcMain.on(IPC.liveSubscribe, async (event, id: unknown, raw: unknown, sessionToken: unknown) => {
    if (!trusted(event, options) || typeof id !== 'string' || id.length > 40) return;
    const parsed = liveSubscription.safeParse(raw);
    if (!parsed.success) return;
    const me = await options.dispatch({
      method: 'session.me',
      input: {},
      sessionToken: typeof sessionToken === 'string' ? sessionToken : undefined,
    });
    if (!me.ok) return;
    const sender = event.sender;
    const key = `${sender.id}:${id}`;
    const unsubscribe = options.live.subscribe(parsed.data.eventId, parsed.data.sinceVersion, (message) => {
      if (!sender.isDestroyed()) sender.send(IPC.liveMessage, id, message);
    });
    subscriptions.set(key, unsubscribe);
    sender.once('destroyed', () => {
      unsubscribe();
      subscriptions.delete(key);
    });
  });

  ipcMain.on(IPC.liveUnsubscribe, (event, id: unknown) => {
    const key = `${event.sender.id}:${String(id)}`;
    subscriptions.get(key)?.();
    subscriptions.delete(key);
  });

  ipcMain.handle(IPC.exitKiosk, async (event, raw: unknown, sessionToken: unknown) => {
    if (!trusted(event, options)) return untrusted;
    const parsed = pin.safeParse(raw);
    if (!parsed.success) return { ok: false, error: { code: 'VALIDATION', message: parsed.error.message } };
    // The same method as over HTTP: counted, locked, and only for a signed-in (e.g. kiosk) session.
    const reply = await options.dispatch({
      method: 'session.supervisorOverride',
      input: { pin: parsed.data },
      sessionToken: typeof sessionToken === 'string' ? sessionToken : undefined,
    });
    if (reply.ok) options.onKioskExit();
    return reply;
  });

  return () => {
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
    for (const channel of [IPC.call, IPC.exitKiosk]) ipcMain.removeHandler(channel);
    ipcMain.removeAllListeners(IPC.liveSubscribe);
    ipcMain.removeAllListeners(IPC.liveUnsubscribe);
  };
}
