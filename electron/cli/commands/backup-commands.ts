import { resolve } from 'node:path';
import { BackupError, backupStore, checkStoreFile, listBackups, restoreStore } from '../../store/backup.ts';
import { newestSchemaVersion } from '../../store/database.ts';
import { type CliCommand, requiredString, UsageError } from '../command.ts';

/** A backup refusal is the operator's to fix (exit 2 with one line), never a stack trace. */
async function usageOf<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof BackupError) throw new UsageError(error.message);
    throw error;
  }
}

const backupCommand: CliCommand = {
  name: 'backup',
  usage: 'backup --out FILE                  a consistent copy of the store, safe while the terminal sells',
  options: { out: { type: 'string' } },
  database: 'existing',
  access: 'read',
  run: async ({ db, clock, values }) => {
    const out = resolve(requiredString(values.out, '--out'));
    const info = await usageOf(() => backupStore(db(), out, clock.now()));
    return {
      json: info,
      text: `Backup written to ${info.file} (${info.bytes} bytes, schema ${info.schemaVersion}, integrity ok).`,
    };
  },
};

const restoreCommand: CliCommand = {
  name: 'restore',
  usage: 'restore --from FILE                put a backup in place of --db (stop the terminal first)',
  options: { from: { type: 'string' } },
  // The store being replaced must not be opened (and migrated) by the command itself.
  database: 'none',
  run: async ({ values, clock }) => {
    const from = resolve(requiredString(values.from, '--from'));
    const to = resolve(requiredString(values.db, '--db'));
    const result = await usageOf(() =>
      restoreStore({ from, to, newestSchema: newestSchemaVersion(), now: clock.now() }),
    );
    return {
      json: { restored: to, from, ...result },
      text:
        `Restored ${to} from ${from} (schema ${result.schemaVersion}).` +
        (result.replaced ? ` The previous store is kept as ${result.replaced}.` : ''),
    };
  },
};

const backupsCommand: CliCommand = {
  name: 'backups',
  usage:
    'backups [--check]                  the automatic backups of --db, newest first (--check: integrity)',
  options: { check: { type: 'boolean', default: false } },
  database: 'none',
  run: ({ values }) => {
    const store = resolve(requiredString(values.db, '--db'));
    const found = listBackups(store).map((b) => {
      if (values.check !== true) return { ...b, sound: null as boolean | null };
      try {
        checkStoreFile(b.file);
        return { ...b, sound: true };
      } catch {
        return { ...b, sound: false };
      }
    });
    return {
      json: { backups: found },
      text:
        found.length === 0
          ? 'No automatic backups yet.'
          : found
              .map(
                (b) => `${b.file}  ${b.bytes} bytes${b.sound === null ? '' : b.sound ? '  ok' : '  DAMAGED'}`,
              )
              .join('\n'),
    };
  },
};

export const backupCommands: CliCommand[] = [backupCommand, restoreCommand, backupsCommand];
