import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC, type TaquillaBridge } from '../../../shared/api/bridge.ts';
import type { LiveMessage } from '../../../shared/api/counter.ts';
import { type ApiFixture, startApi } from './api-fixture.ts';

/** The electron module is the true edge: a fake ipcMain/ipcRenderer pair wired back to back. */
const electron = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  const rendererListeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  let exposed: unknown;
  let frameUrl = 'file:///app/dist/renderer/index.html';
  const sender = {
    id: 1,
    isDestroyed: () => false,
    send: (channel: string, ...args: unknown[]) => {
      for (const l of rendererListeners.get(channel) ?? []) l({}, ...args);
    },
    once: () => {},
  };
  const event = () => ({ sender, senderFrame: { url: frameUrl, parent: null } });
  return {
    handlers,
    setFrameUrl: (url: string) => (frameUrl = url),
    exposed: () => exposed,
    module: {
      ipcMain: {
        handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) =>
          handlers.set(channel, fn),
        removeHandler: (channel: string) => handlers.delete(channel),
        on: (channel: string, fn: (event: unknown, ...args: unknown[]) => void) =>
          listeners.set(channel, [...(listeners.get(channel) ?? []), fn]),
        removeAllListeners: (channel: string) => listeners.delete(channel),
      },
      ipcRenderer: {
        invoke: async (channel: string, ...args: unknown[]) => handlers.get(channel)!(event(), ...args),
        send: (channel: string, ...args: unknown[]) => {
          for (const l of listeners.get(channel) ?? []) l(event(), ...args);
        },
        on: (channel: string, fn: (event: unknown, ...args: unknown[]) => void) =>
          rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), fn]),
        removeListener: (channel: string, fn: unknown) =>
          rendererListeners.set(
            channel,
            (rendererListeners.get(channel) ?? []).filter((l) => l !== fn),
          ),
      },
      contextBridge: { exposeInMainWorld: (_key: string, value: unknown) => (exposed = value) },
    },
  };
});
vi.mock('electron', () => electron.module);

const { registerIpc } = await import('../../../electron/ipc.ts');
const { createDispatcher } = await import('../../../electron/api/dispatcher.ts');
const { createHandlers } = await import('../../../electron/api/handlers.ts');
const { LiveFeed } = await import('../../../electron/api/live-feed.ts');
await import('../../../electron/preload.ts');
const bridge = electron.exposed() as TaquillaBridge;

let api: ApiFixture;
let unregister: () => void;
let kioskExits = 0;
beforeEach(async () => {
  api = await startApi();
  electron.setFrameUrl('file:///app/dist/renderer/index.html');
  kioskExits = 0;
  unregister = registerIpc({
    dispatch: createDispatcher(api.terminal, createHandlers()),
    live: new LiveFeed(api.terminal),
    isTrustedFrame: (frame) => frame?.url === 'file:///app/dist/renderer/index.html',
    onKioskExit: () => (kioskExits += 1),
  });
});
afterEach(async () => {
  unregister();
  await api.close();
});

describe('the IPC door (preload bridge + main-process glue)', () => {
  it('a call travels through the same dispatcher as HTTP: sign in, hold, refusal with a code', async () => {
    const signed = await bridge.call('session.signIn', { userId: api.users.cashier, pin: '1234' }, null);
    expect(signed.ok).toBe(true);
    const token = (signed as { result: { sessionToken: string } }).result.sessionToken;
    const held = await bridge.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[0]] }, token);
    expect(held).toMatchObject({ ok: true });
    const beto = await api.signIn(api.users.other, '4321');
    const refused = await bridge.call(
      'holds.seats',
      { eventId: api.eventId, seatIds: [api.seatIds[0]] },
      beto,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'SEAT_TAKEN' } });
  });

  it('the preload refuses a bad payload with the same schemas, before anything crosses', async () => {
    const invoke = vi.spyOn(electron.module.ipcRenderer, 'invoke');
    const reply = await bridge.call('holds.seats', { eventId: api.eventId, seatIds: 'all' }, null);
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect((await bridge.call('no.such.method', {}, null)).ok).toBe(false);
    expect(invoke).not.toHaveBeenCalled();
    invoke.mockRestore();
  });

  it('a message from a frame that is not our renderer is refused', async () => {
    electron.setFrameUrl('https://evil.example/');
    const reply = await bridge.call('session.users', {}, null);
    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
  });

  it('live changes reach the renderer over IPC', async () => {
    const ana = await api.signIn(api.users.cashier, '1234');
    const snapshot = await bridge.call('availability.snapshot', { eventId: api.eventId }, ana);
    const version = (snapshot as { result: { version: number } }).result.version;
    const received: LiveMessage[] = [];
    const stop = bridge.live({ eventId: api.eventId, sinceVersion: version }, ana, (m) => received.push(m));
    await new Promise((r) => setTimeout(r, 50));
    await bridge.call('holds.seats', { eventId: api.eventId, seatIds: [api.seatIds[2]] }, ana);
    await vi.waitFor(() => expect(received.some((m) => m.type === 'changes')).toBe(true), { timeout: 1000 });
    stop();
  });

  it('kiosk mode is left only with a supervisor PIN, asked by a signed-in session, counted', async () => {
    expect(await bridge.exitKiosk('9999', null)).toMatchObject({
      ok: false,
      error: { code: 'NOT_SIGNED_IN' },
    });
    const session = await api.signIn(api.users.cashier, '1234');
    expect(await bridge.exitKiosk('1234', session)).toMatchObject({
      ok: false,
      error: { code: 'BAD_PIN', details: { attemptsLeft: 4 } },
    });
    expect(kioskExits).toBe(0);
    expect(await bridge.exitKiosk('9999', session)).toMatchObject({ ok: true });
    expect(kioskExits).toBe(1);
    expect(electron.handlers.has(IPC.exitKiosk)).toBe(true);
  });
});
