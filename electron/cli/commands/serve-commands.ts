import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AdjustableClock } from '../../api/adjustable-clock.ts';
import { startCounterServer } from '../../api/counter-server.ts';
import { DEFAULT_RENDERER_DIR } from '../../api/http-server.ts';
import { seedDemoUsers } from '../../services/session/demo-users.ts';
import { createTerminal } from '../../terminal.ts';
import { type CliCommand, requiredString, UsageError } from '../command.ts';
import { type ServedPrinter, startServedPrinter } from './serve-printer.ts';

/** `serve`'s ports when none is given: a counter and a kiosk on one PC never collide. */
export const COUNTER_PORT = 4780;
export const KIOSK_PORT = 4781;

/** Whether the screens were built (`npm run build:renderer`); `serve` says so when not. */
export function rendererBuilt(dir: string = DEFAULT_RENDERER_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

function portOf(value: string | boolean | undefined, kiosk: boolean): number {
  if (value === undefined) return kiosk ? KIOSK_PORT : COUNTER_PORT;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be 0..65535, got '${String(value)}'`);
  }
  return Number(value);
}

const serveCommand: CliCommand = {
  name: 'serve',
  usage: `serve [--port N] [--kiosk] [--virtual-printer] [--test-clock]  the counter (port ${COUNTER_PORT}) or kiosk (${KIOSK_PORT}) and its API on http://127.0.0.1 (token in the printed URL); --virtual-printer also starts the virtual printer this store prints to`,
  options: {
    port: { type: 'string' },
    'test-clock': { type: 'boolean', default: false },
    kiosk: { type: 'boolean', default: false },
    'virtual-printer': { type: 'boolean', default: false },
  },
  database: 'existing',
  run: async ({ values, io }) => {
    const dbFile = requiredString(values.db, '--db');
    const kiosk = values.kiosk === true || process.env.TAQUILLA_KIOSK === '1';
    const port = portOf(values.port, kiosk);
    const testClock = values['test-clock'] === true;
    const clock = new AdjustableClock(io.clock);
    const terminal = createTerminal({ dbFile, clock, kiosk, monotonic: clock.monotonic });
    let printer: ServedPrinter | null = null;
    let running: Awaited<ReturnType<typeof startCounterServer>>;
    try {
      if (values['virtual-printer'] === true) {
        printer = await startServedPrinter(terminal.printing.getSettings(), io);
      }
      running = await startCounterServer(terminal, {
        port,
        ...(testClock
          ? {
              advanceClock: (ms: number, pcClockOnly: boolean) =>
                pcClockOnly ? clock.shiftPcClock(ms) : clock.advance(ms),
            }
          : {}),
      });
    } catch (error) {
      // Nothing started yet (no sync, no printing): a terminal without its screen never runs on.
      await printer?.stop();
      terminal.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new UsageError(`port ${port} is already in use (another taquilla serve?); choose --port N`);
      }
      throw error;
    }
    // Only once the screen is reachable: selling, syncing and printing start together with it.
    terminal.startMaintenance();
    io.out(`Taquilla ${kiosk ? 'kiosk' : 'counter'}: ${running.url}`);
    if (!rendererBuilt()) {
      io.out('The screens are not built yet: run `npm run build:renderer`, then open the URL.');
    }
    if (terminal.mode === 'training') {
      io.out(
        'TRAINING MODE: simulated approvals; every ticket and receipt prints "ENTRENAMIENTO - SIN VALOR".',
      );
    }
    if (testClock) io.out('Test clock enabled: POST /api/test/advance-clock {"ms": N}');
    const signal = await new Promise<NodeJS.Signals>((stop) => {
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    await running.close();
    await printer?.stop();
    terminal.close();
    return {
      json: { stopped: signal, port: running.port },
      text: `Stopped (${signal}).`,
    };
  },
};

const seedUsersCommand: CliCommand = {
  name: 'seed-demo-users',
  usage: 'seed-demo-users                   demo staff: cashiers PIN 1234 and 5678, supervisor PIN 9999',
  database: 'existing',
  run: async ({ db, clock, storeKey }) => {
    const { created, existing } = await seedDemoUsers(db(), clock, storeKey().pepper);
    const names = (users: { name: string }[]) => users.map((u) => u.name).join(', ');
    const lines = [
      ...(created.length > 0 ? [`Created ${names(created)}.`] : []),
      ...(existing.length > 0
        ? [`Already there, left as they are (PIN and role unchanged): ${names(existing)}.`]
        : []),
    ];
    return { json: { users: created, existing }, text: lines.join('\n') };
  },
};

export const serveCommands: CliCommand[] = [serveCommand, seedUsersCommand];
