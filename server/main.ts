import { existsSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.ts';
import { isTaquillaError } from '../shared/errors.ts';
import { serverCommands, ServerUsageError } from './admin-commands.ts';
import { buildServer } from './app.ts';
import type { HoldStore } from './storage/hold-store.ts';
import { PgHoldStore } from './storage/pg-hold-store.ts';
import { SqliteHoldStore } from './storage/sqlite-hold-store.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const STORE_OPTIONS: ParseArgsOptionsConfig = {
  db: { type: 'string' },
  pg: { type: 'string' },
  'pg-schema': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const SERVE_OPTIONS: ParseArgsOptionsConfig = {
  port: { type: 'string', default: '8787' },
  host: { type: 'string', default: '127.0.0.1' },
  'clock-offset-ms': { type: 'string', default: '0' },
};

const USAGE = [
  'taquilla-server [serve] (--db FILE | --pg URL) [--port N] [--host ADDR]',
  ...serverCommands.map((c) => `taquilla-server ${c.usage.replace(/^(\S+)/, '$1 (--db FILE | --pg URL)')}`),
  '',
  "  --pg-schema NAME        PostgreSQL schema to use (default: the role's search_path)",
  '  --clock-offset-ms MS    run the server\'s clock ahead (training and partition tests: "hours later")',
  '',
  'Every command but serve prints one JSON object. Exit code 0 on success, 1 when refused, 2 on bad usage.',
].join('\n');

function openStore(values: Record<string, unknown>): HoldStore {
  if (typeof values.pg === 'string') {
    return new PgHoldStore(
      values.pg,
      typeof values['pg-schema'] === 'string' ? { schema: values['pg-schema'] } : {},
    );
  }
  if (typeof values.db === 'string') return new SqliteHoldStore(values.db);
  throw new ServerUsageError('--db FILE or --pg URL is required');
}

/** Runs `taquilla-server`; returns the exit code (the server itself keeps running after 0). */
export async function main(argv: string[]): Promise<number> {
  // The command is the first positional once every known option has taken its value
  // (`taquilla-server --db server.db` serves; --db's value is not a command).
  const everyOption = Object.assign(
    {},
    STORE_OPTIONS,
    SERVE_OPTIONS,
    ...serverCommands.map((c) => c.options),
  );
  const name =
    parseArgs({ args: argv, options: everyOption, allowPositionals: true, strict: false }).positionals[0] ??
    'serve';
  const command = serverCommands.find((c) => c.name === name);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let store: HoldStore | undefined;
  try {
    if (!command && name !== 'serve') throw new ServerUsageError(`unknown command '${name}'`);
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...STORE_OPTIONS, ...(command ? command.options : SERVE_OPTIONS) },
    });
    const values = parsed.values as Values;
    const positionals = parsed.positionals;
    if (positionals.length > 1) throw new ServerUsageError(`unexpected argument '${positionals[1]}'`);
    // Only create-tenant (and the server) may start a new SQLite file: elsewhere a typo in --db
    // would create an empty database and report an unknown tenant.
    if (
      command &&
      command.name !== 'create-tenant' &&
      typeof values.db === 'string' &&
      !existsSync(values.db)
    ) {
      throw new ServerUsageError(`no database at ${values.db}`);
    }
    store = openStore(values);
    await store.init();
    if (command) {
      const result = await command.run(store, values, systemClock.now());
      process.stdout.write(`${JSON.stringify(result)}\n`);
      await store.close();
      return 0;
    }
    const offset = Number(values['clock-offset-ms']);
    const clock = offset === 0 ? systemClock : { now: () => systemClock.now() + offset };
    const app = await buildServer({ store, clock });
    const address = await app.listen({
      port: Number(values.port),
      host: String(values.host),
    });
    // Tests and scripts read this line to learn the port (--port 0 picks a free one).
    process.stdout.write(`listening ${address}\n`);
    const running = store;
    const stop = async () => {
      await app.close();
      await running.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    return 0;
  } catch (error) {
    await store?.close().catch(() => undefined);
    const usage =
      error instanceof ServerUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = isTaquillaError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
    process.stderr.write(`taquilla-server: ${message}${usage ? ' (see taquilla-server --help)' : ''}\n`);
    return usage ? 2 : 1;
  }
}
