import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/taquilla-server.js', import.meta.url));

/** pg_dump / pg_restore from PATH's usual place, else Debian's PostgreSQL 15. */
const pgTool = (name: string) =>
  ['/usr/bin', '/usr/lib/postgresql/15/bin'].map((d) => join(d, name)).find((f) => existsSync(f)) ?? name;

/** A backup the soak took while selling, and what the world looked like then. */
export interface SoakBackup {
  file: string;
  /** The operation that took it. */
  op: number;
  /** Events published when it was taken: the ones after it are defined again after a restore. */
  events: number;
}

/**
 * The server's backups as docs/operations.md has the operator take and restore them, with the
 * product's own commands: SQLite `taquilla-server backup` (while serving) and `taquilla-server
 * restore` (server stopped; mints a new generation); PostgreSQL `pg_dump --format=custom` of the
 * schema and, to restore, the schema dropped, `pg_restore --single-transaction`, then
 * `taquilla-server new-generation`. The password travels in PGPASSWORD, never on a command line.
 */
export class ServerBackups {
  private readonly env: NodeJS.ProcessEnv;
  private readonly pgUrlNoPassword: string | null;

  constructor(
    private readonly store: { sqliteFile: string } | { pgUrl: string; schema: string },
    private readonly dir: string,
  ) {
    if ('pgUrl' in store) {
      const url = new URL(store.pgUrl);
      this.env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
      url.password = '';
      this.pgUrlNoPassword = url.toString();
    } else {
      this.env = process.env;
      this.pgUrlNoPassword = null;
    }
  }

  /** Takes a backup now (the servers may be serving); the file it wrote. */
  async take(op: number): Promise<string> {
    if ('sqliteFile' in this.store) {
      const file = join(this.dir, `server-${op}.backup`);
      await run(process.execPath, [BIN, 'backup', '--db', this.store.sqliteFile, '--out', file]);
      return file;
    }
    const file = join(this.dir, `server-${op}.dump`);
    await run(
      pgTool('pg_dump'),
      [
        '--format=custom',
        `--schema=${this.store.schema}`,
        '--no-owner',
        `--file=${file}`,
        `--dbname=${this.pgUrlNoPassword}`,
      ],
      { env: this.env },
    );
    return file;
  }

  /**
   * Puts `file` back (every server stopped): the store goes back to that moment under a new
   * generation. Answers the generation the restore minted.
   */
  async restore(file: string): Promise<string> {
    if ('sqliteFile' in this.store) {
      const { stdout } = await run(process.execPath, [
        BIN,
        'restore',
        '--db',
        this.store.sqliteFile,
        '--from',
        file,
      ]);
      return (JSON.parse(lastLine(stdout)) as { generation: string | null }).generation ?? '(none)';
    }
    const client = new pg.Client({ connectionString: this.store.pgUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${this.store.schema} CASCADE`);
    } finally {
      await client.end();
    }
    await run(
      pgTool('pg_restore'),
      ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${this.pgUrlNoPassword}`, file],
      { env: this.env },
    );
    // The URL from the environment, as an operator's unit file has it (no password in argv).
    const { stdout } = await run(
      process.execPath,
      [BIN, 'new-generation', '--pg-schema', this.store.schema],
      {
        env: { ...process.env, TAQUILLA_SERVER_PG_URL: this.store.pgUrl },
      },
    );
    return (JSON.parse(lastLine(stdout)) as { generation: string }).generation;
  }
}

function lastLine(stdout: string): string {
  return stdout.trim().split('\n').pop()!;
}
