import type { ParseArgsConfig } from 'node:util';
import { ServerUsageError } from './admin-commands.ts';
import { backupServerDb, restoreServerDb, ServerBackupError } from './storage/sqlite-backup.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * A `taquilla-server` command that works on the database file itself, without opening it as a store
 * (no migration runs, nothing is created). Each prints one JSON object.
 */
export interface FileCommand {
  name: string;
  usage: string;
  options: ParseArgsOptionsConfig;
  run: (values: Values, now: number) => Promise<unknown>;
}

const PG_DRILL =
  'a PostgreSQL server is backed up with pg_dump and restored with pg_restore (docs/operations.md, "Backups of the server")';

function sqliteFile(values: Values): string {
  if (values.pg !== undefined || values['pg-url-file'] !== undefined) throw new ServerUsageError(PG_DRILL);
  if (typeof values.db !== 'string') throw new ServerUsageError('--db FILE is required');
  return values.db;
}

/** A file named wrong is bad usage (exit 2); a backup that is not sound, or a server running, a refusal (exit 1). */
function refused(error: unknown): never {
  if (error instanceof ServerBackupError && (error.reason === 'exists' || error.reason === 'missing')) {
    throw new ServerUsageError(error.message);
  }
  throw error;
}

export const fileCommands: FileCommand[] = [
  {
    name: 'backup',
    usage:
      'backup --db FILE --out BACKUP                        copy the SQLite database while the server runs (online backup)',
    options: { out: { type: 'string' } },
    run: async (values) => {
      const db = sqliteFile(values);
      if (typeof values.out !== 'string') throw new ServerUsageError('--out BACKUP is required');
      return backupServerDb(db, values.out).catch(refused);
    },
  },
  {
    name: 'restore',
    usage:
      'restore --db FILE --from BACKUP                      put a backup in place (server stopped; the old file is kept)',
    options: { from: { type: 'string' } },
    run: async (values, now) => {
      const db = sqliteFile(values);
      if (typeof values.from !== 'string') throw new ServerUsageError('--from BACKUP is required');
      try {
        return restoreServerDb({ from: values.from, to: db, now });
      } catch (error) {
        return refused(error);
      }
    },
  },
];
