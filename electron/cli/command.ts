import type { ParseArgsConfig } from 'node:util';
import type { Clock } from '../../shared/clock.ts';
import type { Db } from '../store/database.ts';
import type { StoreKey } from '../store/store-key.ts';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  clock: Clock;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CliContext {
  values: OptionValues;
  io: CliIo;
  clock: Clock;
  /** Who the audit log records: --actor, or cli:<user>. */
  actor: string;
  /** The --db database, opened (and migrated) on first use; closed when the command ends. */
  db: () => Db;
  /**
   * The store key of --db (its 0600 key file beside it, created with a new store), for commands
   * that touch secrets or PINs. Throws StoreKeyError with what to do when it cannot be used.
   */
  storeKey: () => StoreKey;
}

export interface CommandResult {
  text: string;
  json: unknown;
}

/**
 * One `taquilla` subcommand. Commands live in ./commands/*.ts and are listed in ./commands/index.ts;
 * adding one touches no other command.
 */
export interface CliCommand {
  name: string;
  /** One line for `taquilla --help`, with the command's own flags. */
  usage: string;
  options?: OptionSpec;
  /** 'existing': --db must name a database that exists; 'create': may create it; 'none': no database. */
  database: 'existing' | 'create' | 'none';
  /**
   * 'read': the command only reads (or refuses its writes clearly), so on a store it cannot open for
   * writing (a read-only disk) it still runs, on a read-only snapshot of the files.
   */
  access?: 'read';
  run: (ctx: CliContext) => CommandResult | Promise<CommandResult>;
}

/** A refusal caused by how the command was called (exit code 2). */
export class UsageError extends Error {}

export function positiveInt(value: string | boolean | undefined, flag: string): number {
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    Number(value) < 1 ||
    !Number.isSafeInteger(Number(value))
  ) {
    throw new UsageError(`${flag} must be a positive whole number, got '${String(value)}'`);
  }
  return Number(value);
}

export function optionalPositiveInt(value: string | boolean | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : positiveInt(value, flag);
}

export function requiredString(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}
