import { contextBridge, ipcRenderer } from 'electron';
import { type BridgeReply, IPC, type TaquillaBridge } from '../shared/api/bridge.ts';
import { type LiveMessage, liveMessage, liveSubscription, pin } from '../shared/api/counter.ts';
import { api } from '../shared/api/index.ts';

/**
 * The renderer's only door to the terminal: one typed object, `window.taquilla`. Inputs are checked
 * against the same zod schemas the main process checks again (a wrong payload never crosses), and
 * live messages are parsed before the page sees them. No ipcRenderer, no Node, reaches the page.
 */
function refused(code: string, message: string): BridgeReply {
  return { ok: false, error: { code, message } };
}

let nextSubscription = 1;

const bridge: TaquillaBridge = {
  call: async (method, input, sessionToken) => {
    if (!Object.hasOwn(api, method)) return refused('UNKNOWN_METHOD', `There is no method '${method}'`);
    const schema = api[method as keyof typeof api].input;
    const parsed = schema.safeParse(input ?? {});
    if (!parsed.success) return refused('VALIDATION', parsed.error.message);
    return (await ipcRenderer.invoke(IPC.call, method, parsed.data, sessionToken)) as BridgeReply;
  },
  live: (subscription, sessionToken, onMessage) => {
    const sub = liveSubscription.parse(subscription);
    const id = `live-${nextSubscription++}`;
    const listener = (_event: unknown, forId: unknown, message: unknown) => {
      if (forId !== id) return;
      const parsed = liveMessage.safeParse(message);
      if (parsed.success) onMessage(parsed.data as LiveMessage);
    };
    ipcRenderer.on(IPC.liveMessage, listener);
    ipcRenderer.send(IPC.liveSubscribe, id, sub, sessionToken);
    return () => {
      ipcRenderer.removeListener(IPC.liveMessage, listener);
      ipcRenderer.send(IPC.liveUnsubscribe, id);
    };
  },
  exitKiosk: async (supervisorPin, sessionToken) => {
    const parsed = pin.safeParse(supervisorPin);
    if (!parsed.success) return refused('VALIDATION', parsed.error.message);
    return (await ipcRenderer.invoke(IPC.exitKiosk, parsed.data, sessionToken)) as BridgeReply;
  },
};

contextBridge.exposeInMainWorld('taquilla', bridge);
