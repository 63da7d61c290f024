import type { Terminal } from '../terminal.ts';
import { createDispatcher } from './dispatcher.ts';
import { createHandlers } from './handlers.ts';
import { type RunningServer, startHttpServer } from './http-server.ts';
import { LiveFeed } from './live-feed.ts';

export interface CounterServerOptions {
  port?: number;
  token?: string;
  rendererDir?: string;
  advanceClock?: (ms: number, pcClockOnly: boolean) => void;
}

/** The terminal's API (and renderer) on loopback HTTP: what `taquilla serve` and the tests start. */
export function startCounterServer(
  terminal: Terminal,
  options: CounterServerOptions = {},
): Promise<RunningServer> {
  return startHttpServer({
    dispatch: createDispatcher(terminal, createHandlers()),
    live: new LiveFeed(terminal),
    ...options,
  });
}
