import { AdjustableClock } from '../../api/adjustable-clock.ts';
import { startCounterServer } from '../../api/counter-server.ts';
import { seedDemoUsers } from '../../services/session/demo-users.ts';
import { createTerminal } from '../../terminal.ts';
import { type CliCommand, requiredString, UsageError } from '../command.ts';

function portOf(value: string | boolean | undefined): number {
  if (value === undefined) return 4780;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be 0..65535, got '${String(value)}'`);
  }
  return Number(value);
}

const serveCommand: CliCommand = {
  name: 'serve',
  usage:
    'serve [--port N] [--test-clock] [--kiosk]  the counter app and its API on http://127.0.0.1 (token in the printed URL)',
  options: {
    port: { type: 'string' },
    'test-clock': { type: 'boolean', default: false },
    kiosk: { type: 'boolean', default: false },
  },
  database: 'existing',
  run: async ({ values, io }) => {
    const dbFile = requiredString(values.db, '--db');
    const port = portOf(values.port);
    const testClock = values['test-clock'] === true;
    const clock = new AdjustableClock(io.clock);
    const terminal = createTerminal({
      dbFile,
      clock,
      kiosk: values.kiosk === true || process.env.TAQUILLA_KIOSK === '1',
    });
    let running;
    try {
      running = await startCounterServer(terminal, {
        port,
        ...(testClock ? { advanceClock: (ms: number) => clock.advance(ms) } : {}),
      });
    } catch (error) {
      // Nothing started yet (no sync, no printing): a terminal without its screen never runs on.
      terminal.close();
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new UsageError(`port ${port} is already in use (another taquilla serve?); choose --port N`);
      }
      throw error;
    }
    // Only once the screen is reachable: selling, syncing and printing start together with it.
    terminal.startMaintenance();
    io.out(`Taquilla counter: ${running.url}`);
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
    terminal.close();
    return {
      json: { stopped: signal, port: running.port },
      text: `Stopped (${signal}).`,
    };
  },
};

const seedUsersCommand: CliCommand = {
  name: 'seed-demo-users',
  usage: 'seed-demo-users                   demo staff: cashier PIN 1234, supervisor PIN 9999',
  database: 'existing',
  run: async ({ db, clock, storeKey }) => {
    const created = await seedDemoUsers(db(), clock, storeKey().pepper);
    return {
      json: { users: created },
      text: `Created ${created.map((u) => u.name).join(', ')}.`,
    };
  },
};

export const serveCommands: CliCommand[] = [serveCommand, seedUsersCommand];
