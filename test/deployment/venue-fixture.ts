import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/api/index.ts';
import { keyFileOf } from '../../electron/store/store-ownership.ts';
import { ROOT } from '../e2e/counter/counter-fixture.ts';
import { type ServerProcess, startServer } from '../integration/server/server-process.ts';
import { tempDir } from '../support/temp-store.ts';
import { FaultProxy, type LinkMode } from './fault-proxy.ts';

const run = promisify(execFile);
const TAQUILLA = join(ROOT, 'bin/taquilla.js');
const TAQUILLA_SERVER = join(ROOT, 'bin/taquilla-server.js');

/** The demo staff every counter is seeded with (`taquilla seed-demo`). */
export const STAFF = {
  ana: { name: 'Ana Cajera', pin: '1234' },
  beto: { name: 'Beto Cajero', pin: '5678' },
  luis: { name: 'Luis Supervisor', pin: '9999' },
} as const;
export type StaffKey = keyof typeof STAFF;

/** The theatre `seed-demo` creates on every counter (event 1): what the venue sells in the suite. */
export const THEATRE = 1;
/** Cash in dollars, more than any cart in these tests costs (the change is given in dollars). */
export const CASH = { method: 'CASH_USD', amountCents: 1_000_000 } as const;

/** A refusal from a counter's local API, with the HTTP status the counter answered. */
export class ApiCallError extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    readonly code: string,
    readonly details: unknown,
    message: string,
  ) {
    super(`${method}: ${status} ${code} ${message}`);
  }
}

export interface SignedIn {
  token: string;
  sessionId: string;
  actor: string;
}

/** One `taquilla serve` process enrolled with the venue's server, behind its own fault proxies. */
export interface Counter {
  name: string;
  dbFile: string;
  /** The one-time URL a browser opens (it carries the terminal token). */
  url: string;
  base: string;
  token: string;
  /** This counter's links to the server (its enrolment lists both URLs, in this order). */
  links: FaultProxy[];
  /** Sets every link of this counter at once. */
  link: (mode: LinkMode) => Promise<void>;
  call: <M extends MethodName>(method: M, input: MethodInput<M>, who?: SignedIn) => Promise<MethodOutput<M>>;
  /** The same call, answering the refusal as a value instead of throwing it. */
  attempt: <M extends MethodName>(
    method: M,
    input: MethodInput<M>,
    who?: SignedIn,
  ) => Promise<{ ok: true; result: MethodOutput<M> } | { ok: false; error: ApiCallError }>;
  signIn: (who: StaffKey) => Promise<SignedIn>;
  /** Reads this counter's own store (read-only, beside the running process). */
  rows: <T>(sql: string, ...params: unknown[]) => T[];
  /**
   * Only with `testClock`: time passes (`ms` later on every clock of the counter), or with
   * `pcClockOnly` someone sets the PC clock (`ms` may be negative) and time itself does not move.
   */
  advanceClock: (ms: number, pcClockOnly?: boolean) => Promise<void>;
  /** stderr of the process so far (a failing test prints it). */
  log: () => string;
  stop: () => Promise<void>;
}

export interface Venue {
  dir: string;
  store: 'sqlite' | 'postgres';
  servers: ServerProcess[];
  admin: { tenantId: number; credentialId: number; secret: string };
  counters: Counter[];
  /** Reads the server's own database: the suite checks the authority, not just what screens say. */
  serverRows: <T>(sql: string, ...params: unknown[]) => Promise<T[]>;
  /** Runs a `taquilla-server` administration command on the venue's database; its JSON answer. */
  serverCommand: <T>(args: string[]) => Promise<T>;
  /** Waits until `check` passes (polling), or fails with its last error after `ms`. */
  eventually: <T>(check: () => Promise<T> | T, ms?: number) => Promise<T>;
  close: () => Promise<void>;
}

export interface VenueOptions {
  counters?: number;
  /** Self-service kiosks (`taquilla serve --kiosk`), enrolled like counters, after them in `counters`. */
  kiosks?: number;
  /** 'postgres' runs two server instances on TAQUILLA_PG_URL; counter i talks to instance i mod 2. */
  store?: 'sqlite' | 'postgres';
  /** Counters run `taquilla serve --test-clock` (Counter.advanceClock). */
  testClock?: boolean;
}

export const PG_URL = process.env.TAQUILLA_PG_URL;

/**
 * A venue as an operator sets it up: a central server (SQLite, or two instances on PostgreSQL),
 * and counters seeded, enrolled and published with the documented commands, each served by
 * `taquilla serve` and reaching the server only through its fault proxies.
 */
export async function startVenue(options: VenueOptions = {}): Promise<Venue> {
  const store = options.store ?? 'sqlite';
  if (store === 'postgres' && !PG_URL) throw new Error('TAQUILLA_PG_URL is required for a PostgreSQL venue');
  const tmp = tempDir('taquilla-venue-');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const storeArgs =
    store === 'sqlite' ? ['--db', join(tmp.dir, 'server.db')] : ['--pg', PG_URL!, '--pg-schema', schema];
  const servers: ServerProcess[] = [];
  const counters: Counter[] = [];
  const proxies: FaultProxy[] = [];
  const close = async () => {
    await Promise.all(counters.map((c) => c.stop()));
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(servers.map((s) => s.stop()));
    if (store === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
    tmp.remove();
  };
  try {
    // The server schema exists before the instances race to create it.
    const admin = await serverCommand<Venue['admin']>([
      'create-tenant',
      ...storeArgs,
      '--name',
      'Teatro Teresa Carreño',
    ]);
    const instances = store === 'postgres' ? 2 : 1;
    for (let i = 0; i < instances; i++) servers.push(await startServer(storeArgs));
    const names = [
      ...Array.from({ length: options.counters ?? 3 }, (_, i) => `Caja ${i + 1}`),
      ...Array.from({ length: options.kiosks ?? 0 }, (_, i) => `Quiosco ${i + 1}`),
    ];
    const prepared = await Promise.all(
      names.map(async (name, i) => {
        // Each counter has two links, its own instance first (PostgreSQL: one per instance; SQLite:
        // two ways to the one instance), and is enrolled with both URLs, as a venue would set it up.
        const order = [i % instances, (i + 1) % instances];
        const links = await Promise.all(
          order.map(async (k) => {
            const proxy = new FaultProxy(() => servers[k]!.port);
            await proxy.listen();
            proxies.push(proxy);
            return proxy;
          }),
        );
        const dbFile = join(tmp.dir, `terminal-${i + 1}.db`);
        return { name, dbFile, links, kiosk: name.startsWith('Quiosco') };
      }),
    );
    await setUpVenue({ storeArgs, admin, counters: prepared });
    counters.push(
      ...(await Promise.all(
        prepared.map((c) => serveCounter(c.name, c.dbFile, c.links, c.kiosk, options.testClock === true)),
      )),
    );
    const venue: Venue = {
      dir: tmp.dir,
      store,
      servers,
      admin,
      counters,
      serverRows: (sql, ...params) => serverRows(store, storeArgs, schema, sql, params),
      serverCommand: <T>(args: string[]) => serverCommand<T>([args[0]!, ...args.slice(1), ...storeArgs]),
      eventually,
      close,
    };
    await Promise.all(
      counters.map((c) =>
        eventually(async () => {
          const status = await c.call('terminal.status', {});
          if (status.network !== 'online') throw new Error(`${c.name} is ${status.network}`);
        }, 20_000),
      ),
    );
    return venue;
  } catch (error) {
    const logs = counters.map((c) => `${c.name}: ${c.log()}`).join('\n');
    await close().catch(() => undefined);
    throw new Error(`venue did not start: ${String(error)}\n${logs}`, { cause: error });
  }
}

/**
 * Today's documented set-up (docs/server-and-sync.md): a tenant, then for each counter a store
 * seeded with the demo venue, a one-time code and `taquilla enrol`; the first counter publishes the
 * theatre it was seeded with. Every counter must be seeded identically for the ids it sells to be the
 * ones published: the suite seeds once (`taquilla seed-demo`) and gives each counter a copy, which is
 * exactly that and saves the 50,000-seat stadium being built three times per file. Kept in one
 * function so the suite follows the doc when the set-up commands change.
 */
async function setUpVenue(setup: {
  storeArgs: string[];
  admin: Venue['admin'];
  counters: { name: string; dbFile: string; links: FaultProxy[] }[];
}): Promise<void> {
  const seeded = await seededStore();
  await Promise.all(
    setup.counters.map(async (counter) => {
      // A store's sealed secrets open only with its key file beside it (docs/counter-app.md).
      copyFileSync(seeded, counter.dbFile);
      copyFileSync(keyFileOf(seeded), keyFileOf(counter.dbFile));
      const { code } = await serverCommand<{ code: string }>([
        'enrol-code',
        ...setup.storeArgs,
        '--tenant',
        String(setup.admin.tenantId),
      ]);
      await taquilla([
        'enrol',
        '--server',
        counter.links.map((l) => l.url).join(','),
        '--code',
        code,
        '--name',
        counter.name,
        '--db',
        counter.dbFile,
      ]);
    }),
  );
  await taquilla([
    'publish-event',
    '--event',
    String(THEATRE),
    '--admin-secret',
    setup.admin.secret,
    '--db',
    setup.counters[0]!.dbFile,
  ]);
}

/** One entry of the server's audit trail, as `taquilla-server audit` prints it. */
export interface AuditRow {
  actor: string;
  credentialId: number;
  entity: string;
  entityId: string;
  from: string | null;
  to: string;
  reason: string;
}

/** `taquilla-server audit --entity ID` on the venue's store: the audit trail of one thing, oldest first. */
export async function serverAudit(venue: Venue, entityId: string | number): Promise<AuditRow[]> {
  const { entries } = await venue.serverCommand<{ entries: AuditRow[] }>([
    'audit',
    '--tenant',
    String(venue.admin.tenantId),
    '--entity',
    String(entityId),
  ]);
  return entries;
}

/**
 * A store made by `taquilla seed-demo`, kept in the temp folder between files and runs under a name
 * that changes with the migrations and the demo's sources (so a stale seed is never reused).
 */
async function seededStore(): Promise<string> {
  const hash = createHash('sha256');
  const migrations = join(ROOT, 'electron/store/migrations');
  for (const file of readdirSync(migrations).sort()) hash.update(readFileSync(join(migrations, file)));
  for (const file of ['electron/services/demo/demo-venues.ts', 'electron/services/events/event-setup.ts']) {
    hash.update(readFileSync(join(ROOT, file)));
  }
  const cached = join(tmpdir(), `taquilla-seed-${hash.digest('hex').slice(0, 16)}.db`);
  if (existsSync(cached) && existsSync(keyFileOf(cached))) return cached;
  const fresh = `${cached}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await taquilla(['seed-demo', '--db', fresh]);
  // One file, no WAL beside it, published atomically: files racing to seed both end well.
  const db = new Database(fresh);
  db.pragma('journal_mode = DELETE');
  db.close();
  renameSync(keyFileOf(fresh), keyFileOf(cached));
  renameSync(fresh, cached);
  return cached;
}

async function taquilla(args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, [TAQUILLA, ...args], { cwd: ROOT })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    throw new Error(`taquilla ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`, {
      cause: error,
    });
  }
}

async function serverCommand<T>(args: string[]): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, [TAQUILLA_SERVER, ...args], { cwd: ROOT });
    return JSON.parse(stdout.trim().split('\n').pop()!) as T;
  } catch (error) {
    throw new Error(`taquilla-server ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr}`, {
      cause: error,
    });
  }
}

async function serveCounter(
  name: string,
  dbFile: string,
  links: FaultProxy[],
  kiosk: boolean,
  testClock: boolean,
): Promise<Counter> {
  const args = [
    TAQUILLA,
    'serve',
    '--db',
    dbFile,
    '--port',
    '0',
    ...(kiosk ? ['--kiosk'] : []),
    ...(testClock ? ['--test-clock'] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (match) {
        clearTimeout(timer);
        done(match[0]);
      }
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token')!;
  const base = parsed.origin;
  const attempt: Counter['attempt'] = async (method, input, who) => {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-taquilla-token': token,
        ...(who ? { 'x-taquilla-session': who.token } : {}),
      },
      body: JSON.stringify(input),
    }).catch((error: unknown) => {
      // A counter that stops answering has usually crashed: say why.
      throw new Error(`${name} did not answer ${method} (exit ${child.exitCode}): ${stderr.slice(-2000)}`, {
        cause: error,
      });
    });
    const body = (await res.json()) as { error?: { code: string; message: string; details?: unknown } };
    if (res.ok) return { ok: true, result: body as never };
    const e = body.error ?? { code: 'HTTP', message: String(res.status) };
    return { ok: false, error: new ApiCallError(method, res.status, e.code, e.details, e.message) };
  };
  let db: Database.Database | null = null;
  const counter: Counter = {
    name,
    dbFile,
    url,
    base,
    token,
    links,
    link: async (mode) => {
      await Promise.all(links.map((l) => l.set(mode)));
    },
    attempt,
    call: async (method, input, who) => {
      const reply = await attempt(method, input, who);
      if (!reply.ok) throw reply.error;
      return reply.result;
    },
    signIn: async (key) => {
      const users = await counter.call('session.users', {});
      const user = users.find((u) => u.name === STAFF[key].name);
      if (!user) throw new Error(`no user ${STAFF[key].name} at ${name}`);
      const signed = await counter.call('session.signIn', { userId: user.id, pin: STAFF[key].pin });
      return {
        token: signed.sessionToken,
        sessionId: signed.sessionId,
        actor: `${signed.user.role}:${signed.user.name}`,
      };
    },
    rows: <T>(sql: string, ...params: unknown[]) => {
      db ??= new Database(dbFile, { readonly: true, fileMustExist: true });
      return db.prepare(sql).all(...params) as T[];
    },
    advanceClock: async (ms, pcClockOnly = false) => {
      const res = await fetch(`${base}/api/test/advance-clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-taquilla-token': token },
        body: JSON.stringify({ ms, pcClockOnly }),
      });
      if (!res.ok) throw new Error(`advance-clock: ${res.status} ${await res.text()}`);
    },
    log: () => stderr,
    stop: async () => {
      db?.close();
      db = null;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      process.off('exit', orphan);
    },
  };
  return counter;
}

async function serverRows<T>(
  store: 'sqlite' | 'postgres',
  storeArgs: string[],
  schema: string,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  if (store === 'sqlite') {
    const db = new Database(storeArgs[1]!, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    let n = 0;
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}

export async function eventually<T>(check: () => Promise<T> | T, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
