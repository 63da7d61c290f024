import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { type CliOptionShape, joinDashValues } from '../../shared/cli-args.ts';
import { systemClock } from '../../shared/clock.ts';
import { isTaquillaError } from '../../shared/errors.ts';
import { type Db, openDatabase } from '../store/database.ts';
import { cannotOpenForWriting, openReadOnlySnapshot } from '../store/read-only-snapshot.ts';
import { storeFailure } from '../store/store-errors.ts';
import { type KeyWrap, StoreKey } from '../store/store-key.ts';
import { type CliCommand, type CliIo, type OptionSpec, type OptionValues, UsageError } from './command.ts';
import { commands } from './commands/index.ts';

export type { CliIo } from './command.ts';

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  clock: systemClock,
};

const COMMON: OptionSpec = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  actor: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

function usage(list: CliCommand[]): string {
  return [
    'taquilla <command> [--db FILE] [--json] [--actor NAME] [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.usage}`),
    '',
    'Common options:',
    '  --db FILE     the terminal SQLite database',
    '  --json        print one JSON object instead of text',
    '  --actor NAME  who the audit log records (default: cli:<user>)',
  ].join('\n');
}

export interface RunOptions {
  /** The desktop app's `--cli` passes the OS keychain, so commands open a keychain-wrapped store key. */
  keyWrap?: KeyWrap | null;
}

/** Runs one command; returns the exit code (0 ok, 1 refused by the engine, 2 bad usage). */
export async function runCli(
  argv: string[],
  io: CliIo = defaultIo,
  list: CliCommand[] = commands,
  options: RunOptions = {},
): Promise<number> {
  let db: Db | undefined;
  let closeDb: (() => void) | undefined;
  let storeFile: string | undefined;
  let storeKey: StoreKey | undefined;
  try {
    const name = argv.find((a) => !a.startsWith('-'));
    if (!name || argv.includes('--help') || argv.includes('-h')) {
      io.out(usage(list));
      return name || argv.length > 0 ? 0 : 2;
    }
    const command = list.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}'`);
    const optionTable = { ...COMMON, ...command.options };
    const { values, positionals } = parseArgs({
      args: joinDashValues(argv, optionTable as Record<string, CliOptionShape>),
      options: optionTable,
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const file = values.db;
    if (typeof file === 'string') storeFile = file;
    if (command.database !== 'none') {
      if (typeof file !== 'string' || file === '') throw new UsageError('--db FILE is required');
      if (command.database === 'existing' && !existsSync(file))
        throw new UsageError(`no database at ${file}`);
    }
    const openDb = (): Db => {
      if (typeof file !== 'string') throw new UsageError('--db FILE is required');
      if (db) return db;
      try {
        db = openDatabase(file);
        closeDb = () => db?.close();
      } catch (error) {
        // A read-only disk: commands that only read still answer, from a snapshot of the files.
        if (command.access !== 'read' || !existsSync(file) || !cannotOpenForWriting(error)) throw error;
        const snapshot = openReadOnlySnapshot(file);
        db = snapshot.db;
        closeDb = snapshot.close;
      }
      return db;
    };
    const result = await command.run({
      values: values as OptionValues,
      io,
      clock: io.clock,
      actor: typeof values.actor === 'string' ? values.actor : `cli:${safeUser()}`,
      db: openDb,
      storeKey: () => (storeKey ??= StoreKey.open(openDb(), io.clock, options.keyWrap ?? null)),
    });
    io.out(values.json ? JSON.stringify(result.json) : result.text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`taquilla: ${(error as Error).message} (see taquilla --help)`);
      return 2;
    }
    if (isTaquillaError(error)) {
      io.err(`taquilla: ${error.code}: ${error.message}`);
      return 1;
    }
    const failure = storeFailure(error, storeFile);
    if (failure) {
      io.err(`taquilla: ${failure.code}: ${failure.message} (${(error as Error).message})`);
      return 1;
    }
    io.err(`taquilla: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    closeDb?.();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
