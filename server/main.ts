import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type CliOptionShape, joinDashValues } from '../shared/cli-args.ts';
import { systemClock } from '../shared/clock.ts';
import { isTaquillaError } from '../shared/errors.ts';
import { serverCommands, ServerUsageError } from './admin-commands.ts';
import { buildServer } from './app.ts';
import { fileCommands } from './backup-commands.ts';
import { DEFAULT_LIMITS, type ServerLimits } from './ops/limits.ts';
import { LOG_LEVELS } from './ops/logging.ts';
import type { HoldStore } from './storage/hold-store.ts';
import { PgHoldStore } from './storage/pg-hold-store.ts';
import { SqliteHoldStore } from './storage/sqlite-hold-store.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const STORE_OPTIONS: ParseArgsOptionsConfig = {
  db: { type: 'string' },
  pg: { type: 'string' },
  'pg-url-file': { type: 'string' },
  'pg-schema': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Each limit's option (a whole number) and the ServerLimits field it sets. */
const LIMIT_OPTIONS: [string, keyof ServerLimits][] = [
  ['request-timeout-ms', 'requestTimeoutMs'],
  ['headers-timeout-ms', 'headersTimeoutMs'],
  ['idle-timeout-ms', 'idleTimeoutMs'],
  ['keep-alive-timeout-ms', 'keepAliveTimeoutMs'],
  ['max-connections', 'maxConnections'],
  ['body-limit-bytes', 'bodyLimitBytes'],
  ['enrol-per-minute', 'enrolPerMinute'],
  ['credential-failures-per-minute', 'credentialFailuresPerMinute'],
  ['credential-cache', 'credentialCacheEntries'],
];

const SERVE_OPTIONS: ParseArgsOptionsConfig = {
  port: { type: 'string', default: '8787' },
  host: { type: 'string', default: '127.0.0.1' },
  'clock-offset-ms': { type: 'string', default: '0' },
  'log-level': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'metrics-token-file': { type: 'string' },
  ...Object.fromEntries(LIMIT_OPTIONS.map(([flag]) => [flag, { type: 'string' as const }])),
};

const USAGE = [
  'taquilla-server [serve] (--db FILE | --pg URL | --pg-url-file FILE) [--port N] [--host ADDR] [options below]',
  ...serverCommands.map(
    (c) =>
      `taquilla-server ${c.usage.replace(c.actions ? /^(\S+ \S+)/ : /^(\S+)/, '$1 (--db FILE | --pg URL)')}`,
  ),
  ...fileCommands.map((c) => `taquilla-server ${c.usage}`),
  '',
  'Database:',
  "  --pg-schema NAME        PostgreSQL schema to use (default: the role's search_path)",
  '  --pg-url-file FILE      the PostgreSQL URL read from a file (or TAQUILLA_SERVER_PG_URL); a password',
  '                          in --pg is visible to every user of the machine (also PGPASSWORD, ~/.pgpass)',
  '',
  'Serve:',
  '  --host ADDR             listen address (default 127.0.0.1; beyond loopback use TLS or a reverse proxy)',
  '  --tls-cert FILE --tls-key FILE   serve HTTPS with this certificate chain and key (PEM)',
  '  --trust-proxy ADDRS     reverse proxies (comma-separated addresses/CIDRs) whose X-Forwarded-For is believed',
  '  --log-level LEVEL       fatal|error|warn|info|debug|trace|silent (default info, or TAQUILLA_LOG_LEVEL)',
  '  --metrics-token-file F  GET /metrics needs "Authorization: Bearer <token>" (or TAQUILLA_METRICS_TOKEN)',
  ...LIMIT_OPTIONS.map(
    ([flag, field]) =>
      `  --${`${flag} N`.padEnd(21)} default ${DEFAULT_LIMITS[field]} (docs/operations.md, "Limits")`,
  ),
  '  --clock-offset-ms MS    run the server\'s clock ahead (training and partition tests: "hours later")',
  '',
  'Every command but serve prints one JSON object. Exit code 0 on success, 1 when refused, 2 on bad usage.',
].join('\n');

/** A secret kept in a file (one line; surrounding whitespace ignored). */
function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ServerUsageError(`cannot read ${what} from ${file}: ${(error as Error).message}`);
  }
  if (!text) throw new ServerUsageError(`${file} is empty (${what} expected)`);
  return text;
}

/**
 * The PostgreSQL URL: --pg, else --pg-url-file, else TAQUILLA_SERVER_PG_URL. A password written in
 * --pg works (old scripts) but is warned about: every user of the machine can read a command line.
 */
function pgUrl(values: Values, warnings: string[]): string | null {
  if (typeof values.pg === 'string') {
    try {
      if (new URL(values.pg).password) {
        warnings.push(
          'the password in --pg is visible to every user of this machine (ps); use --pg-url-file FILE, TAQUILLA_SERVER_PG_URL, PGPASSWORD or ~/.pgpass',
        );
      }
    } catch {
      // not a URL: PostgreSQL will say so
    }
    return values.pg;
  }
  if (typeof values['pg-url-file'] === 'string')
    return readSecretFile(values['pg-url-file'], 'a PostgreSQL URL');
  const fromEnv = process.env.TAQUILLA_SERVER_PG_URL?.trim();
  return fromEnv || null;
}

function openStore(values: Values, warnings: string[]): HoldStore {
  const url = typeof values.db === 'string' ? null : pgUrl(values, warnings);
  if (url !== null) {
    return new PgHoldStore(
      url,
      typeof values['pg-schema'] === 'string' ? { schema: values['pg-schema'] } : {},
    );
  }
  if (typeof values.db === 'string') return new SqliteHoldStore(values.db);
  throw new ServerUsageError(
    '--db FILE, --pg URL or --pg-url-file FILE (or TAQUILLA_SERVER_PG_URL) is required',
  );
}

function positiveInt(value: unknown, flag: string): number {
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    Number(value) < 1 ||
    !Number.isSafeInteger(Number(value))
  )
    throw new ServerUsageError(`--${flag} must be a positive whole number, got '${String(value ?? '')}'`);
  return Number(value);
}

interface ServeSettings {
  limits: Partial<ServerLimits>;
  logLevel: string;
  tls?: { cert: Buffer; key: Buffer };
  trustProxy?: string[];
  metricsToken?: string;
}

/** Everything `serve` takes beyond the store, checked before the store is opened. */
function serveSettings(values: Values): ServeSettings {
  const limits: Partial<ServerLimits> = {};
  for (const [flag, field] of LIMIT_OPTIONS) {
    if (values[flag] !== undefined) limits[field] = positiveInt(values[flag], flag);
  }
  const logLevel = String(values['log-level'] ?? process.env.TAQUILLA_LOG_LEVEL ?? 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ServerUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((typeof cert === 'string') !== (typeof key === 'string'))
    throw new ServerUsageError('--tls-cert and --tls-key go together');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ServerUsageError(`cannot read ${what} ${file}: ${(error as Error).message}`);
    }
  };
  const tls =
    typeof cert === 'string' && typeof key === 'string'
      ? { cert: read(cert, 'the certificate'), key: read(key, 'the key') }
      : undefined;
  const trustProxy =
    typeof values['trust-proxy'] === 'string'
      ? values['trust-proxy']
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean)
      : undefined;
  const metricsToken =
    typeof values['metrics-token-file'] === 'string'
      ? readSecretFile(values['metrics-token-file'], 'the metrics token')
      : process.env.TAQUILLA_METRICS_TOKEN?.trim() || undefined;
  return { limits, logLevel, tls, trustProxy, metricsToken };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Runs `taquilla-server`; returns the exit code (the server itself keeps running after 0). */
export async function main(given: string[]): Promise<number> {
  // The command is the first positional once every known option has taken its value
  // (`taquilla-server --db server.db` serves; --db's value is not a command).
  const everyOption = Object.assign(
    {},
    STORE_OPTIONS,
    SERVE_OPTIONS,
    ...serverCommands.map((c) => c.options),
    ...fileCommands.map((c) => c.options),
  );
  // A value that begins with a dash (a negative number, a key id) is read as the value (shared/cli-args.ts).
  const argv = joinDashValues(given, everyOption as Record<string, CliOptionShape>);
  const name =
    parseArgs({ args: argv, options: everyOption, allowPositionals: true, strict: false }).positionals[0] ??
    'serve';
  const command = serverCommands.find((c) => c.name === name);
  const fileCommand = fileCommands.find((c) => c.name === name);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let store: HoldStore | undefined;
  const warnings: string[] = [];
  try {
    if (!command && !fileCommand && name !== 'serve') throw new ServerUsageError(`unknown command '${name}'`);
    if (fileCommand) {
      const parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { ...STORE_OPTIONS, ...fileCommand.options },
      });
      if (parsed.positionals.length > 1)
        throw new ServerUsageError(`unexpected argument '${parsed.positionals[1]}'`);
      const result = await fileCommand.run(parsed.values as Values, systemClock.now());
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...STORE_OPTIONS, ...(command ? command.options : SERVE_OPTIONS) },
    });
    const values = parsed.values as Values;
    const positionals = parsed.positionals;
    const action = command?.actions?.includes(positionals[1] ?? '') ? positionals[1] : undefined;
    const extra = positionals[action === undefined ? 1 : 2];
    if (extra !== undefined) throw new ServerUsageError(`unexpected argument '${extra}'`);
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
    const settings = command ? null : serveSettings(values);
    store = openStore(values, warnings);
    await store.init();
    if (command) {
      for (const warning of warnings) process.stderr.write(`taquilla-server: warning: ${warning}\n`);
      const result = await command.run(store, values, systemClock.now(), action);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      await store.close();
      return 0;
    }
    const offset = Number(values['clock-offset-ms']);
    const clock = offset === 0 ? systemClock : { now: () => systemClock.now() + offset };
    const host = String(values.host);
    const app = await buildServer({
      store,
      clock,
      log: { level: settings!.logLevel },
      limits: settings!.limits,
      ...(settings!.tls ? { tls: settings!.tls } : {}),
      ...(settings!.trustProxy ? { trustProxy: settings!.trustProxy } : {}),
      ...(settings!.metricsToken ? { metricsToken: settings!.metricsToken } : {}),
    });
    if (!settings!.tls && !isLoopback(host)) {
      warnings.push(
        `serving plain HTTP on ${host}: terminal secrets cross the network unencrypted; use --tls-cert/--tls-key or a reverse proxy with TLS (docs/operations.md)`,
      );
    }
    for (const warning of warnings) app.log.warn(warning);
    const address = await app.listen({ port: Number(values.port), host });
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
