import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createEvent, createTenant, createVenue } from '../../electron/services/events/event-setup.ts';
import { PaymentService } from '../../electron/services/payments/payment-service.ts';
import { cashFor } from '../support/cash-payment.ts';
import { SyncCredentialStore } from '../../electron/services/sync/sync-credential.ts';
import { SyncEngine, serverEventFromStore } from '../../electron/services/sync/sync-engine.ts';
import { type Db, openDatabase } from '../../electron/store/database.ts';
import { StoreKey } from '../../electron/store/store-key.ts';
import { MINUTE_MS, ManualClock } from '../../shared/clock.ts';
import { isTaquillaError } from '../../shared/errors.ts';
import type { RecoverSaleInput } from '../../shared/schemas/sync.ts';
import { Partition } from '../integration/sync/sync-fixture.ts';
import { type ServerProcess, serverCli, startServer } from '../integration/server/server-process.ts';
import { T0, tempDir } from '../support/temp-store.ts';
import { type AckedSale, checkInvariants, type InvariantView } from './invariants.ts';
import { Prng } from './prng.ts';
import { ServerBackups, type SoakBackup } from './server-backups.ts';

export interface SoakOptions {
  ops: number;
  seed: number;
  terminals?: number;
  /** Server processes (more than one needs PostgreSQL: they share its database). */
  servers?: number;
  /** PostgreSQL URL; SQLite file when absent. */
  pgUrl?: string;
  /** Invariants are checked every this many operations (and at the end). */
  checkEvery?: number;
  /** Up to this many operations of different terminals run at once (1 = strictly sequential). */
  burst?: number;
  /** Numbered seats per event (a new event opens every `rolloverEvery` operations). */
  seatsPerEvent?: number;
  gaCapacity?: number;
  rolloverEvery?: number;
  sessionsPerTerminal?: number;
  /** Every line of the operation log (default: kept in memory, the tail printed on failure). */
  log?: (line: string) => void;
  /** Progress every N ops to stderr (0 = quiet). */
  progressEvery?: number;
  /** A terminal store behind the server (a divergence) fails the run (default); false: a finding. */
  strict?: boolean;
  /** Weights replacing some of `OP_WEIGHTS` (e.g. more restores in a short run). */
  weights?: Partial<Record<OpKind, number>>;
}

export interface SoakFigures {
  ops: number;
  opsByKind: Record<string, number>;
  ok: number;
  refused: Record<string, number>;
  partitions: number;
  serverRestarts: number;
  serverCrashes: number;
  timeJumps: number;
  terminalRestarts: number;
  salesAcknowledged: number;
  salesOnline: number;
  salesFromLease: number;
  leasesTaken: number;
  conflicts: number;
  /** Refused offline reports by the server's error code (SEAT_TAKEN: someone else sold it first). */
  conflictCodes: Record<string, number>;
  conflictsResolved: number;
  redeliveries: number;
  /** Server backups taken while selling (`taquilla-server backup`, or pg_dump). */
  backups: number;
  /** Restore drills: servers stopped, an older backup put back, every counter back before selling. */
  restores: number;
  /** Acknowledged outbox items whose idempotency record a restore took away (the backup predates them). */
  keysLostByRestores: number;
  /** Re-sent sales by the restored server's answer: present, recovered, or refused (a conflict). */
  recovery: Record<string, number>;
  /** Terminal credentials revoked (`taquilla-server revoke`, or the admin API). */
  revocations: number;
  /** ...of which the terminal had offline sales not yet reported, and how many sales in all. */
  revocationsWithUnreported: number;
  unreportedAtRevocation: number;
  /** Those sales reported after the revocation, before the terminal was enrolled again. */
  uploadedAfterRevocation: number;
  /** Enrolments with a new one-time code: after a revocation, or after a restore to before the enrolment. */
  reenrolments: Record<'afterRevocation' | 'afterRestore', number>;
  /**
   * Re-sent sales the restored server refused, by what has their place at the end: `sold to another
   * customer` (two customers, one on a conflict list), `lease brought back` / `hold brought back`
   * (the backup's, released after it), `taken back later` (accepted, re-sent after a later restore),
   * `free now`, `standing zone full`.
   */
  recoveryConflicts: Record<string, number>;
  checkpoints: number;
  invariantChecks: number;
  events: number;
  durationMs: number;
}

export interface SoakFailure {
  op: number;
  phase: 'checkpoint' | 'final';
  violations: string[];
}

/** Something unexpected the product did (an error it should not throw); the run goes on. */
export interface SoakFinding {
  op: number;
  /** 'error': an operation threw what it should not; 'divergence': a terminal's store behind the server. */
  kind: 'error' | 'divergence';
  what: string;
}

export interface SoakReport {
  seed: number;
  options: Required<Omit<SoakOptions, 'log' | 'pgUrl'>> & { store: 'sqlite' | 'postgres' };
  figures: SoakFigures;
  failure: SoakFailure | null;
  findings: SoakFinding[];
  logTail: string[];
  replay: string;
}

/** Refusals the product is allowed to give a cashier; anything else is a finding. */
const EXPECTED_REFUSALS = new Set([
  'SEAT_TAKEN',
  'ZONE_FULL',
  'OFFLINE',
  'NOT_LEASED',
  'LIMIT_REACHED',
  'HOLD_EXPIRED',
  'NOTHING_HELD',
  'EXTENSION_LIMIT',
  'INVALID_TRANSITION',
  'UNKNOWN_TRANSACTION',
  'UNKNOWN_LEASE',
  'CONFLICT_NOT_MOVABLE',
  // The money a sale carried does not match the server's balance (its cart or payments drifted).
  'BALANCE_CHANGED',
  // A sale whose answer was lost in a partition and could not be asked about in time: the engine
  // finds out by its key on reconnect (invariants check the end state).
  'OUTCOME_UNKNOWN',
]);

/** Longer than any request timeout of the engine (3 s) plus a server restart. */
const OP_TIMEOUT_MS = 30_000;
/** A restore drill stops, restores and starts every server and waits for every counter. */
const RESTORE_TIMEOUT_MS = 180_000;

class HungOperation extends Error {
  override readonly name = 'HungOperation';
  constructor(ms: number) {
    super(`no answer after ${ms / 1000} s`);
  }
}

const SYNC_OPTIONS = { heartbeatMs: 50, maxBackoffMs: 200, requestTimeoutMs: 3000 } as const;

const OP_WEIGHTS = {
  holdSeats: 20,
  holdGeneral: 7,
  releaseSeats: 5,
  releaseGeneral: 2,
  releaseSession: 4,
  extendHolds: 4,
  convertToPartial: 4,
  complete: 14,
  sell: 12,
  completeReserved: 3,
  cancel: 4,
  cleanup: 2,
  clockAdvance: 3,
  skew: 1,
  partition: 5,
  reconnect: 6,
  lease: 4,
  leaseReturn: 1,
  resolveConflict: 1.5,
  redeliver: 1.5,
  terminalRestart: 1.2,
  serverCrash: 0.6,
  timeJump: 0.4,
  failover: 0.5,
  backup: 0.2,
  restore: 0.08,
  revoke: 0.12,
} as const;

export type OpKind = keyof typeof OP_WEIGHTS;
export const OP_KINDS = Object.keys(OP_WEIGHTS) as OpKind[];
const WORLD_OPS: ReadonlySet<OpKind> = new Set([
  'serverCrash',
  'timeJump',
  'clockAdvance',
  'backup',
  'restore',
  'revoke',
]);

/** An operation, fully drawn from the PRNG before it runs: the sequence depends on the seed only. */
interface Op {
  index: number;
  kind: OpKind;
  terminal: number;
  session: number;
  /** Independent draws the operation turns into its arguments against the current state. */
  r: [number, number, number, number];
}

interface Terminal {
  index: number;
  file: string;
  clock: ManualClock;
  db: Db;
  sync: SyncEngine;
  proxy: Partition;
  /** Which server process this terminal's cable leads to. */
  server: number;
  /** Op index at which a cut cable is plugged back in. */
  healAt: number;
  /** Revoked at the server: op index from which it is enrolled again (once its uploads are done). */
  revokedUntil: number | null;
  /** Outbox ids of the sales it had not reported when it was revoked. */
  unreportedAtRevocation: number[];
  /** Outbox items up to this id were acknowledged under an earlier credential or server generation. */
  redeliverAbove: number;
}

interface ServerSlot {
  proc: ServerProcess | null;
  port: number;
  /** Op index at which a crashed server comes back. */
  downUntil: number;
}

interface EventInfo {
  eventId: number;
  seatIds: number[];
  gaZoneId: number;
}

/** What a revoked terminal must be refused (UNAUTHORIZED) once it knows. */
const NEW_WORK: ReadonlySet<OpKind> = new Set([
  'holdSeats',
  'holdGeneral',
  'extendHolds',
  'convertToPartial',
  'complete',
  'sell',
  'lease',
]);

/** Reports of what was already sold: a revoked terminal still uploads them. */
const SOLD_REPORTS = "('leaseSale', 'recoverSale')";

/** Outbox ids of the sales this terminal sold (offline, or lost by a restore) and has not reported. */
function unreported(t: Pick<Terminal, 'db'>): number[] {
  return t.db
    .prepare<[], { id: number }>(
      `SELECT id FROM sync_outbox WHERE acked_at IS NULL AND op IN ${SOLD_REPORTS} ORDER BY id`,
    )
    .all()
    .map((r) => r.id);
}

function credentialOf(t: Pick<Terminal, 'db'>): number {
  return t.db.prepare<[], { credential_id: number }>('SELECT credential_id FROM sync_credentials').get()!
    .credential_id;
}

function lastOutboxId(t: Pick<Terminal, 'db'>): number {
  return t.db.prepare<[], { n: number }>('SELECT COALESCE(MAX(id), 0) AS n FROM sync_outbox').get()!.n;
}

/** Revoked at the server, until it is enrolled again (whether it has heard yet or not). */
function isRevoked(t: Terminal): boolean {
  return t.revokedUntil !== null || t.sync.status().state === 'revoked';
}

function drawOp(
  random: Prng,
  weights: Readonly<Record<OpKind, number>>,
  index: number,
  terminals: number,
  sessions: number,
): Op {
  return {
    index,
    kind: random.weighted(weights),
    terminal: random.int(0, terminals - 1),
    session: random.int(0, sessions - 1),
    r: [random.next(), random.next(), random.next(), random.next()],
  };
}

/** Runs one randomized soak: builds the world, runs `ops` operations, checks, tears everything down. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const opts = {
    ops: options.ops,
    seed: options.seed,
    terminals: options.terminals ?? 3,
    servers: options.servers ?? (options.pgUrl ? 2 : 1),
    checkEvery: options.checkEvery ?? 100,
    burst: options.burst ?? 3,
    seatsPerEvent: options.seatsPerEvent ?? 48,
    gaCapacity: options.gaCapacity ?? 12,
    rolloverEvery: options.rolloverEvery ?? 200,
    sessionsPerTerminal: options.sessionsPerTerminal ?? 3,
    progressEvery: options.progressEvery ?? 0,
    strict: options.strict ?? true,
    weights: { ...OP_WEIGHTS, ...options.weights } as Record<OpKind, number>,
  };
  if (opts.servers > 1 && !options.pgUrl) {
    throw new Error('several server processes share one store only on PostgreSQL (--pg)');
  }
  const started = Date.now();
  const random = new Prng(opts.seed);
  const tail: string[] = [];
  const log = (line: string) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
    options.log?.(line);
  };
  const figures: SoakFigures = {
    ops: 0,
    opsByKind: {},
    ok: 0,
    refused: {},
    partitions: 0,
    serverRestarts: 0,
    serverCrashes: 0,
    timeJumps: 0,
    terminalRestarts: 0,
    salesAcknowledged: 0,
    salesOnline: 0,
    salesFromLease: 0,
    leasesTaken: 0,
    conflicts: 0,
    conflictCodes: {},
    conflictsResolved: 0,
    redeliveries: 0,
    backups: 0,
    restores: 0,
    keysLostByRestores: 0,
    recovery: {},
    revocations: 0,
    revocationsWithUnreported: 0,
    unreportedAtRevocation: 0,
    uploadedAfterRevocation: 0,
    reenrolments: { afterRevocation: 0, afterRestore: 0 },
    recoveryConflicts: {},
    checkpoints: 0,
    invariantChecks: 0,
    events: 0,
    durationMs: 0,
  };
  const findings: SoakFinding[] = [];
  const sales: AckedSale[] = [];
  /** Idempotency keys a restore legitimately took away (acknowledged after the backup was taken). */
  const lostKeys = new Set<string>();
  let failure: SoakFailure | null = null;

  // ---- the world -------------------------------------------------------------------------------
  const tmp = tempDir('taquilla-soak-');
  const schema = `soak_${opts.seed}_${randomBytes(4).toString('hex')}`;
  const storeArgs = options.pgUrl
    ? ['--pg', options.pgUrl, '--pg-schema', schema]
    : ['--db', join(tmp.dir, 'server.db')];
  const admin = serverCli<{ tenantId: number; secret: string }>([
    'create-tenant',
    ...storeArgs,
    '--name',
    'Soak',
  ]);
  const backups = new ServerBackups(
    options.pgUrl ? { pgUrl: options.pgUrl, schema } : { sqliteFile: storeArgs[1]! },
    tmp.dir,
  );
  const taken: SoakBackup[] = [];
  let serverOffsetMs = 0;
  const servers: ServerSlot[] = [];
  for (let i = 0; i < opts.servers; i++) {
    const proc = await startServer(storeArgs);
    servers.push({ proc, port: proc.port, downUntil: 0 });
  }
  const upServer = () => servers.find((s) => s.proc !== null);
  const adminHttp = (): AxiosInstance | null => {
    const s = upServer();
    return s
      ? axios.create({ baseURL: s.proc!.url, headers: { authorization: `Bearer ${admin.secret}` } })
      : null;
  };
  const startSlot = async (slot: ServerSlot) => {
    slot.proc = await startServer([...storeArgs, '--clock-offset-ms', String(serverOffsetMs)], slot.port);
    figures.serverRestarts += 1;
  };

  const pgPool = options.pgUrl
    ? new pg.Pool({ connectionString: options.pgUrl, options: `-c search_path=${schema}`, max: 2 })
    : null;
  const serverRows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    if (pgPool) {
      let n = 0;
      return (
        await pgPool.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows as T[];
    }
    const db = new Database(storeArgs[1]!, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };

  // Every terminal has the same catalogue (same ids), built the same way in its own file.
  const events: EventInfo[] = [];
  const terminals: Terminal[] = [];
  const addEvent = (db: Db, tenantId: number, venueId: number, n: number): EventInfo => {
    const perRow = 12;
    const seats = Array.from({ length: opts.seatsPerEvent }, (_, i) => ({
      row: String.fromCharCode(65 + Math.floor(i / perRow)),
      number: (i % perRow) + 1,
      x: (i % perRow) * 10,
      y: Math.floor(i / perRow) * 10,
    }));
    const created = createEvent(
      db,
      {
        tenantId,
        venueId,
        name: `Función ${n}`,
        startsAt: T0 + 86_400_000,
        vesPerUsd: '36.50',
        zones: [
          { kind: 'numbered', code: 'PLA', name: 'Platea', priceCents: 2500, seats },
          { kind: 'general', code: 'GEN', name: 'General', priceCents: 1000, capacity: opts.gaCapacity },
        ],
      },
      T0,
    );
    return { eventId: created.eventId, seatIds: created.zones[0]!.seatIds, gaZoneId: created.zones[1]!.id };
  };
  const openRollover = async (): Promise<boolean> => {
    const http = adminHttp();
    if (!http) return false;
    let info: EventInfo | null = null;
    for (const t of terminals) {
      const tenantId = t.db.prepare<[], { id: number }>('SELECT id FROM tenants ORDER BY id LIMIT 1').get()!
        .id;
      const venueId = t.db.prepare<[], { id: number }>('SELECT id FROM venues ORDER BY id LIMIT 1').get()!.id;
      const made = addEvent(t.db, tenantId, venueId, events.length + 1);
      if (info && made.eventId !== info.eventId) throw new Error('terminal catalogues diverged');
      info = made;
    }
    await http.put('/v1/admin/events', serverEventFromStore(terminals[0]!.db, info!.eventId, 60));
    events.push(info!);
    figures.events += 1;
    return true;
  };

  const newEngine = (t: Pick<Terminal, 'db' | 'clock'>) => {
    const engine = new SyncEngine(t.db, t.clock, SYNC_OPTIONS);
    // Sales carry their money and it is written with each copy, as on a real counter.
    engine.usePayments(new PaymentService(t.db, engine.serverClock, engine.reservations));
    return engine;
  };
  for (let i = 0; i < opts.terminals; i++) {
    const dir = join(tmp.dir, `terminal-${i}`);
    const file = join(dir, 'terminal.db');
    mkdirSync(dir);
    const db = openDatabase(file);
    const tenantId = createTenant(db, 'Soak', T0, {});
    createVenue(db, tenantId, 'Sala Soak');
    const clock = new ManualClock(T0);
    const slot = i % servers.length;
    const proxy = new Partition(() => servers[terminals[i]?.server ?? slot]!.port);
    await proxy.listen();
    terminals.push({
      index: i,
      file,
      clock,
      db,
      sync: newEngine({ db, clock }),
      proxy,
      server: slot,
      healAt: 0,
      revokedUntil: null,
      unreportedAtRevocation: [],
      redeliverAbove: 0,
    });
  }
  await openRollover();
  /** A one-time code from the admin API, exchanged by the terminal for a credential of its own. */
  const enrol = async (t: Terminal) => {
    const code = (await adminHttp()!.post('/v1/admin/enrol-codes', { minutes: 5 })).data.result
      .code as string;
    await t.sync.enrol(`http://127.0.0.1:${t.proxy.port}`, code, `Taquilla ${t.index + 1}`);
    // What it acknowledged before answered under another credential: not a duplicate of this one's.
    t.redeliverAbove = lastOutboxId(t);
    t.revokedUntil = null;
    t.unreportedAtRevocation = [];
  };
  for (const t of terminals) await enrol(t);

  const view = (): InvariantView => ({
    tenantId: admin.tenantId,
    terminals: terminals.map((t) => ({
      index: t.index,
      db: t.db,
      serverNow: () => t.sync.serverClock.now(),
    })),
    sales,
    serverRows,
    lostKeys,
  });

  // ---- operations ------------------------------------------------------------------------------
  const sessionId = (t: Terminal, s: number) => `t${t.index}-s${s}`;
  const actor = (t: Terminal) => `cajero${t.index}`;
  const eventFor = (r: number): EventInfo =>
    r < 0.85 || events.length === 1
      ? events[events.length - 1]!
      : events[Math.floor(r * 7919) % events.length]!;
  const pickSeats = (ev: EventInfo, r1: number, r2: number): number[] => {
    const n = 1 + Math.floor(r1 * 3);
    const start = Math.floor(r2 * ev.seatIds.length);
    // Neighbouring seats: carts overlap, so terminals really compete.
    return Array.from(
      { length: n },
      (_, k) => ev.seatIds[(start + k * (1 + (k % 2))) % ev.seatIds.length]!,
    ).filter((id, k, all) => all.indexOf(id) === k);
  };
  /** The session's open cart (its latest, whatever the event). */
  const cartOf = (t: Terminal, session: string) =>
    t.db
      .prepare<[string], { id: string }>(
        "SELECT id FROM transactions WHERE session_id = ? AND status = 'PENDING' ORDER BY created_at DESC, id LIMIT 1",
      )
      .get(session)?.id;
  const freeSeats = async (eventId: number): Promise<number[]> => {
    const http = adminHttp();
    if (!http) return [];
    const snapshot = await http
      .get<{ result: { seats: { seatId: number; state: string }[] } }>(`/v1/events/${eventId}/availability`)
      .catch(() => null);
    return (snapshot?.data.result.seats ?? []).filter((s) => s.state === 'free').map((s) => s.seatId);
  };
  const nth = <T>(rows: T[], r: number): T | undefined => rows[Math.floor(r * rows.length)];
  const recordSale = (t: Terminal, transactionId: string, op: number) => {
    const leased =
      t.db
        .prepare<[string], { n: number }>(
          'SELECT COUNT(*) AS n FROM sync_lease_carts WHERE transaction_id = ?',
        )
        .get(transactionId)!.n > 0;
    sales.push({ terminal: t.index, transactionId, leased, op });
    figures.salesAcknowledged += 1;
    if (leased) figures.salesFromLease += 1;
    else figures.salesOnline += 1;
  };

  const restartTerminal = async (t: Terminal) => {
    await t.sync.idle();
    t.sync.stop();
    t.db.close();
    t.db = openDatabase(t.file);
    t.sync = newEngine(t);
    figures.terminalRestarts += 1;
  };

  /** The terminal's open leases and the standing places its lease carts hold (for a finding). */
  const leaseStory = (t: Terminal): string =>
    JSON.stringify({
      leases: t.db
        .prepare(
          'SELECT id, expires_at, ga_quantity, ga_sold, status FROM sync_leases WHERE ga_zone_id IS NOT NULL',
        )
        .all()
        .slice(-3),
      held: t.db
        .prepare(
          `SELECT c.lease_id, t.transaction_id, t.quantity, t.status, t.reserved_until FROM reserved_tickets t
           JOIN sync_lease_carts c ON c.transaction_id = t.transaction_id WHERE t.seat_id IS NULL AND t.status = 'ACTIVE'`,
        )
        .all(),
      serverNow: t.sync.serverClock.now(),
    });

  /** What has the place of a re-sent sale the restored server refused, at the end of the run. */
  const recoveryConflictCause = async (sale: RecoverSaleInput): Promise<string> => {
    const seats = sale.places.filter((p) => p.seatId !== null).map((p) => p.seatId!);
    if (seats.length === 0) return 'standing zone full';
    const holders = await serverRows<{ status: string; transaction_id: string; session_id: string }>(
      `SELECT t.status, t.transaction_id, x.session_id FROM tickets t
       JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
       WHERE t.tenant_id = ? AND t.event_id = ? AND t.status IN ('ACTIVE', 'COMPLETED')
         AND t.seat_id IN (${seats.map(() => '?').join(', ')})`,
      [admin.tenantId, sale.eventId, ...seats],
    );
    const other = holders.filter((h) => h.transaction_id !== sale.transactionId);
    if (other.some((h) => h.status === 'COMPLETED')) return 'sold to another customer';
    if (other.some((h) => h.session_id.startsWith('lease:'))) return 'lease brought back';
    if (other.length > 0) return 'hold brought back';
    // Accepted (override) and re-sent after a later restore, which took it back.
    if (holders.some((h) => h.status === 'COMPLETED')) return 'taken back later';
    return 'free now';
  };

  /** Runs one terminal operation; returns a short description of what happened. */
  const runTerminalOp = async (op: Op): Promise<string> => {
    const t = terminals[op.terminal]!;
    const [r0, r1, r2, r3] = op.r;
    const session = sessionId(t, op.session);
    const ev = eventFor(r0);
    const who = actor(t);
    const sync = t.sync;
    switch (op.kind) {
      case 'holdSeats': {
        const seatIds = pickSeats(ev, r1, r2);
        const held = await sync.holdSeats({ eventId: ev.eventId, sessionId: session, actor: who, seatIds });
        return `ev${ev.eventId} ${session} seats=${seatIds.join(',')} tx=${held.transactionId}`;
      }
      case 'holdGeneral': {
        const quantity = 1 + Math.floor(r1 * 3);
        await sync.holdGeneral({
          eventId: ev.eventId,
          sessionId: session,
          actor: who,
          zoneId: ev.gaZoneId,
          quantity,
        });
        return `ev${ev.eventId} ${session} ga=${quantity}`;
      }
      case 'releaseSeats': {
        const seatIds = pickSeats(ev, r1, r2);
        const out = await sync.releaseSeats({ eventId: ev.eventId, sessionId: session, actor: who, seatIds });
        return `ev${ev.eventId} ${session} seats=${seatIds.join(',')} released=${out.released.length}`;
      }
      case 'releaseGeneral': {
        const out = await sync.releaseGeneral({
          eventId: ev.eventId,
          sessionId: session,
          actor: who,
          zoneId: ev.gaZoneId,
        });
        return `ev${ev.eventId} ${session} released=${out.released}`;
      }
      case 'releaseSession': {
        const out = await sync.releaseSession({ sessionId: session, actor: who });
        return `${session} released=${out.released}`;
      }
      case 'extendHolds': {
        const minutes = 1 + Math.floor(r1 * 10);
        await sync.extendHolds({ eventId: ev.eventId, sessionId: session, actor: who, minutes });
        return `ev${ev.eventId} ${session} +${minutes}min`;
      }
      case 'sell': {
        // The counter's usual: pick, pay in full, next customer.
        const held =
          r3 < 0.3
            ? await sync.holdGeneral({
                eventId: ev.eventId,
                sessionId: session,
                actor: who,
                zoneId: ev.gaZoneId,
                quantity: 1 + Math.floor(r1 * 2),
              })
            : await sync.holdSeats({
                eventId: ev.eventId,
                sessionId: session,
                actor: who,
                seatIds: pickSeats(ev, r1, r2),
              });
        await sync.complete({
          transactionId: held.transactionId,
          actor: who,
          payment: cashFor(t.db, held.transactionId),
        });
        recordSale(t, held.transactionId, op.index);
        return `ev${ev.eventId} ${session} sold tx=${held.transactionId} (${held.tickets.length} lines)`;
      }
      case 'convertToPartial':
      case 'complete':
      case 'cancel': {
        const cart = cartOf(t, session);
        if (!cart) return `ev${ev.eventId} ${session} skip: no cart`;
        if (op.kind === 'complete') {
          await sync.complete({ transactionId: cart, actor: who, payment: cashFor(t.db, cart) });
          recordSale(t, cart, op.index);
          return `ev${ev.eventId} ${session} sold tx=${cart}`;
        }
        if (op.kind === 'cancel') {
          await sync.cancel({ transactionId: cart, actor: who, reason: 'soak: customer left' });
          return `tx=${cart} cancelled`;
        }
        await sync.convertToPartial({
          transactionId: cart,
          actor: who,
          payment: cashFor(t.db, cart, 0.5),
          hours: 24 + Math.floor(r1 * 49),
          customer: { name: 'Cliente Soak' },
        });
        return `tx=${cart} reserved`;
      }
      case 'completeReserved': {
        const reserved = t.db
          .prepare<[], { id: string }>("SELECT id FROM transactions WHERE status = 'RESERVED' ORDER BY id")
          .all();
        const pick = nth(reserved, r1);
        if (!pick) return 'skip: no reservation';
        if (r2 < 0.25) {
          await sync.cancel({ transactionId: pick.id, actor: who, reason: 'soak: deposit refunded' });
          return `tx=${pick.id} reservation cancelled`;
        }
        await sync.complete({ transactionId: pick.id, actor: who, payment: cashFor(t.db, pick.id) });
        recordSale(t, pick.id, op.index);
        return `tx=${pick.id} reservation paid`;
      }
      case 'cleanup': {
        const out = sync.reservations.cleanupExpired({});
        return `expired ${out.expiredTickets}`;
      }
      case 'skew': {
        // The PC clock jumps (a wrong NTP, a CMOS battery): ±3 h.
        const ms = Math.round((r1 * 2 - 1) * 180) * MINUTE_MS;
        t.clock.advance(ms);
        return `pc clock ${ms >= 0 ? '+' : ''}${ms / MINUTE_MS}min`;
      }
      case 'partition': {
        const mode = t.proxy.mode === 'up' ? (r1 < 0.6 ? 'down' : 'drop-op-replies') : 'up';
        t.proxy.set(mode);
        t.healAt = op.index + 5 + Math.floor(r2 * 40);
        if (mode !== 'up') figures.partitions += 1;
        const state = await sync.checkConnection();
        return `cable ${mode}, ${state}`;
      }
      case 'reconnect': {
        const state = await sync.checkConnection();
        await sync.idle();
        return `${state}, outbox ${sync.status().outbox}`;
      }
      case 'lease': {
        // A supervisor leases seats the server shows free (a guess at random would mostly be refused).
        const free = await freeSeats(ev.eventId);
        const n = 2 + Math.floor(r1 * 4);
        const from = Math.floor(r2 * Math.max(1, free.length - n));
        const seatIds = free.length > 0 ? free.slice(from, from + n) : pickSeats(ev, r1, r2);
        const general =
          r3 < 0.5 ? { general: { zoneId: ev.gaZoneId, quantity: 1 + Math.floor(r2 * 2) } } : {};
        const grant = await sync.acquireLease({
          eventId: ev.eventId,
          actor: who,
          seatIds,
          ...general,
          ticketNumbers: 40,
        });
        figures.leasesTaken += 1;
        return `ev${ev.eventId} lease ${grant.leaseId} seats=${grant.seatIds.join(',')} ga=${grant.general?.quantity ?? 0}`;
      }
      case 'leaseReturn': {
        const open = t.db
          .prepare<[], { id: string }>("SELECT id FROM sync_leases WHERE status = 'OPEN' ORDER BY id")
          .all();
        const pick = nth(open, r1);
        if (!pick) return 'skip: no lease';
        const out = await sync.returnLease(pick.id, who);
        return `lease ${pick.id} returned ${out.returned}`;
      }
      case 'resolveConflict': {
        const open = sync.conflicts();
        const pick = nth(open, r1);
        if (!pick) return 'skip: no conflict';
        const action =
          r2 < 0.4
            ? ({ action: 'move', actor: who } as const)
            : r2 < 0.7
              ? ({ action: 'refund', actor: who, note: 'soak: refunded' } as const)
              : ({ action: 'override', actor: who, note: 'soak: accepted' } as const);
        const out = await sync.resolveConflict(pick.id, action);
        figures.conflictsResolved += 1;
        return `conflict ${pick.id} ${out.resolution}`;
      }
      case 'redeliver': {
        // A duplicate delivery: an item the server already answered, sent again with its key.
        // Only what this credential sent to this generation of the server: a duplicate in flight does
        // not outlive a restore, and keys are each credential's own.
        if (isRevoked(t)) return 'skip: revoked';
        const items = t.db
          .prepare<[number], { idempotency_key: string; op: string; body: string; reply_status: number }>(
            `SELECT idempotency_key, op, body, reply_status FROM sync_outbox
             WHERE acked_at IS NOT NULL AND reply_status NOT IN (0, 400) AND id > ? ORDER BY id`,
          )
          .all(t.redeliverAbove);
        const item = nth(items, r1);
        if (!item) return 'skip: nothing acknowledged';
        const secret = new SyncCredentialStore(t.db, StoreKey.open(t.db, t.clock)).load()!.secret;
        const reply = await axios
          .post(
            `http://127.0.0.1:${t.proxy.port}/v1/batch`,
            { items: [{ op: item.op, key: item.idempotency_key, body: JSON.parse(item.body) }] },
            {
              headers: { authorization: `Bearer ${secret}` },
              timeout: 3000,
              validateStatus: () => true,
            },
          )
          .catch(() => null);
        if (!reply || reply.status >= 500) return `${item.op} not delivered (network)`;
        figures.redeliveries += 1;
        const status = (reply.data as { result?: { replies?: { status: number }[] } })?.result?.replies?.[0]
          ?.status;
        if (status !== item.reply_status) {
          findings.push({
            op: op.index,
            kind: 'error',
            what: `redelivered ${item.op} ${item.idempotency_key}: first answer ${item.reply_status}, now ${status}`,
          });
        }
        return `${item.op} redelivered -> ${status}`;
      }
      case 'terminalRestart': {
        await restartTerminal(t);
        const state = await t.sync.checkConnection();
        return `restarted, ${state}`;
      }
      case 'failover': {
        if (servers.length < 2) {
          await sync.flush();
          await sync.idle();
          return 'flush (one server)';
        }
        t.server = (t.server + 1) % servers.length;
        t.proxy.set(t.proxy.mode);
        return `now via server ${t.server}`;
      }
      default:
        throw new Error(`not a terminal op: ${op.kind}`);
    }
  };

  /**
   * Every counter back online with an empty queue (the restore drill's step 3; the end of a run):
   * cables mended, servers up. With `reenrol`, a counter the server answers 401 is enrolled again
   * with a new one-time code once it has uploaded what it can: after a restore, a credential issued
   * after the backup is unknown to the restored server (and a counter revoked meanwhile comes back).
   */
  const everyCounterBack = async (reenrol: 'afterRestore' | null) => {
    for (const slot of servers) if (!slot.proc) await startSlot(slot);
    for (const t of terminals) t.proxy.set('up');
    for (let round = 0; round < 20; round++) {
      let pending = 0;
      for (const t of terminals) {
        if ((await t.sync.checkConnection()) === 'revoked' && reenrol) {
          await t.sync.idle();
          noteUploads(t);
          try {
            await enrol(t);
            figures.reenrolments[reenrol] += 1;
          } catch (error) {
            // Refused (RATE_LIMITED) or unreachable: it stays revoked; the run enrols it later.
            t.revokedUntil = currentOp + 5;
            log(`#${currentOp} t${t.index} enrolment after the restore failed: ${String(error)}`);
          }
          await t.sync.checkConnection();
        }
        await t.sync.idle();
        await t.sync.flush();
        await t.sync.idle();
        pending += t.sync.status().outbox;
      }
      if (pending === 0) break;
    }
  };

  /** Whether the server's store has this terminal's credential revoked (the truth, not its cache). */
  const credentialRevoked = async (t: Terminal): Promise<boolean> => {
    const [row] = await serverRows<{ revoked_at: unknown }>(
      'SELECT revoked_at FROM credentials WHERE tenant_id = ? AND id = ?',
      [admin.tenantId, credentialOf(t)],
    );
    return row !== undefined && row.revoked_at !== null;
  };

  /** Counts the sales a revoked terminal had not reported and has reported since. */
  const noteUploads = (t: Terminal) => {
    if (t.unreportedAtRevocation.length === 0) return;
    const done = t.db
      .prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM sync_outbox WHERE id IN (SELECT value FROM json_each(?)) AND acked_at IS NOT NULL',
      )
      .get(JSON.stringify(t.unreportedAtRevocation))!.n;
    figures.uploadedAfterRevocation += done;
    t.unreportedAtRevocation = [];
  };

  /**
   * A revoked terminal whose time is up is enrolled again with a new one-time code — once it has
   * uploaded every sale it had not reported (it reports them while revoked); until then, and while
   * its cable is cut or no server answers, it waits.
   */
  const reenrolRevoked = async (t: Terminal, index: number): Promise<string> => {
    if (t.proxy.mode !== 'up' || !upServer()) {
      t.revokedUntil = index + 5;
      return 'unreachable, enrolment put off';
    }
    const state = await t.sync.checkConnection();
    await t.sync.idle();
    if (state !== 'revoked') {
      // A restore put its credential back (the backup predates the revocation): nothing to do.
      if (state === 'online' && !(await credentialRevoked(t))) {
        noteUploads(t);
        t.revokedUntil = null;
        return 'no longer revoked (a restore put its credential back)';
      }
      t.revokedUntil = index + 5;
      return `${state}, has not heard yet; enrolment put off`;
    }
    const left = unreported(t).length;
    if (left > 0) {
      t.revokedUntil = index + 5;
      return `${left} sales still to upload, enrolment put off`;
    }
    noteUploads(t);
    await enrol(t);
    figures.reenrolments.afterRevocation += 1;
    return `enrolled again, ${await t.sync.checkConnection()}`;
  };

  /**
   * The restore drill of docs/operations.md, as the operator runs it: sales stopped (a world
   * operation runs alone), every server stopped, the newest backup put back with the product's
   * command (a new generation), the servers started, the events defined after the backup defined
   * again, and every counter brought back online until its queue is empty — it re-sends what the
   * restore lost (raiseTicketFloor, recoverSale) — before anyone sells again.
   */
  const restoreDrill = async (): Promise<string> => {
    const backup = taken.at(-1);
    if (!backup) return 'skip: no backup yet';
    for (const t of terminals) await t.sync.idle();
    for (const slot of servers) {
      if (slot.proc) await slot.proc.stop();
      slot.proc = null;
    }
    const generation = await backups.restore(backup.file);
    for (const slot of servers) await startSlot(slot);
    const http = adminHttp()!;
    for (const ev of events.slice(backup.events)) {
      await http.put('/v1/admin/events', serverEventFromStore(terminals[0]!.db, ev.eventId, 60));
    }
    // What the restore legitimately took away: the records of what was acknowledged after the backup.
    const kept = new Set(
      (
        await serverRows<{ key: string }>('SELECT key FROM idempotency WHERE tenant_id = ?', [admin.tenantId])
      ).map((r) => r.key),
    );
    let lost = 0;
    for (const t of terminals) {
      for (const { idempotency_key: key } of t.db
        .prepare<[], { idempotency_key: string }>(
          'SELECT idempotency_key FROM sync_outbox WHERE acked_at IS NOT NULL AND reply_status NOT IN (0, 400)',
        )
        .all()) {
        if (kept.has(key) || lostKeys.has(key)) continue;
        lostKeys.add(key);
        lost += 1;
      }
      t.redeliverAbove = lastOutboxId(t);
    }
    figures.keysLostByRestores += lost;
    await everyCounterBack('afterRestore');
    figures.restores += 1;
    return (
      `backup of op ${backup.op} restored (generation ${generation.slice(0, 8)}; ${lost} acknowledged items lost, ` +
      `${events.length - backup.events} events defined again); counters back: ` +
      terminals.map((t) => `t${t.index} ${t.sync.status().state}/${t.sync.status().outbox}`).join(' ')
    );
  };

  /**
   * The operator revokes a terminal — the one with the most offline sales not yet reported (ties: the
   * drawn one) — with `taquilla-server revoke` or the admin API. It must still upload those sales
   * and is refused anything new (UNAUTHORIZED) until it is enrolled again, 10-49 operations later.
   */
  const revoke = async (op: Op, r1: number, r2: number): Promise<string> => {
    const n = terminals.length;
    const candidates = terminals
      .filter((t) => !isRevoked(t))
      .map((t) => ({ t, unreported: unreported(t), turn: (t.index - op.terminal + n) % n }))
      .sort((a, b) => b.unreported.length - a.unreported.length || a.turn - b.turn);
    let pick = candidates[0];
    if (!pick) return 'skip: every terminal revoked';
    let offlineSale = '';
    if (pick.unreported.length === 0) {
      // Nobody has an unreported sale: make one as a venue sees it — a counter carrying a lease
      // loses its cable, sells a leased seat offline, and is revoked before it is back.
      for (const c of candidates) {
        const leased = [...events]
          .reverse()
          .map((ev) => ({ ev, seatId: c.t.sync.leases.sellableSeats(ev.eventId)[0] }))
          .find((x) => x.seatId !== undefined);
        if (!leased) continue;
        const t = c.t;
        t.proxy.set('down');
        t.healAt = op.index + 5 + Math.floor(r2 * 20);
        figures.partitions += 1;
        await t.sync.checkConnection();
        try {
          const held = await t.sync.holdSeats({
            eventId: leased.ev.eventId,
            sessionId: `t${t.index}-offline`,
            actor: actor(t),
            seatIds: [leased.seatId!],
          });
          await t.sync.complete({
            transactionId: held.transactionId,
            actor: actor(t),
            payment: cashFor(t.db, held.transactionId),
          });
          recordSale(t, held.transactionId, op.index);
          offlineSale = `t${t.index} offline sold leased seat ${leased.seatId} tx=${held.transactionId}; `;
        } catch (error) {
          offlineSale = `t${t.index} offline sale refused ${isTaquillaError(error) ? error.code : String(error)}; `;
        }
        pick = { ...c, unreported: unreported(t) };
        break;
      }
    }
    const { t } = pick;
    const credentialId = credentialOf(t);
    const http = adminHttp();
    const viaCli = r1 < 0.5 || !http;
    if (viaCli) {
      serverCli([
        'revoke',
        ...storeArgs,
        '--tenant',
        String(admin.tenantId),
        '--credential',
        String(credentialId),
      ]);
    } else {
      await http.post('/v1/admin/revoke', { credentialId });
    }
    t.revokedUntil = op.index + 10 + Math.floor(r2 * 40);
    t.unreportedAtRevocation = pick.unreported;
    figures.revocations += 1;
    if (pick.unreported.length > 0) {
      figures.revocationsWithUnreported += 1;
      figures.unreportedAtRevocation += pick.unreported.length;
    }
    // It hears of it at its next request (now, if its cable is up) and uploads what it sold.
    const state = await t.sync.checkConnection();
    await t.sync.idle();
    return (
      offlineSale +
      `t${t.index} (credential ${credentialId}) revoked via ${viaCli ? 'taquilla-server revoke' : 'admin API'} ` +
      `with ${pick.unreported.length} unreported sales; ${state}, ${unreported(t).length} left, until op ${t.revokedUntil}`
    );
  };

  /** Operations on the whole world (servers, time): run alone, between bursts. */
  const runWorldOp = async (op: Op): Promise<string> => {
    const [, r1, r2] = op.r;
    if (op.kind === 'backup') {
      // The operator's cron job: a consistent copy while the counters sell (any server may be down).
      const file = await backups.take(op.index);
      taken.push({ file, op: op.index, events: events.length });
      figures.backups += 1;
      return `backup ${taken.length} taken`;
    }
    if (op.kind === 'restore') return restoreDrill();
    if (op.kind === 'revoke') return revoke(op, r1!, r2!);
    if (op.kind === 'clockAdvance') {
      // Every PC clock moves on (minutes pass at the counter); the servers' clocks run on real time.
      const ms = Math.round(1 + r1 * 20) * MINUTE_MS;
      for (const t of terminals) t.clock.advance(ms);
      return `pc clocks +${ms / MINUTE_MS}min`;
    }
    if (op.kind === 'serverCrash') {
      const slot = servers[Math.floor(r1 * servers.length)]!;
      if (!slot.proc) return 'skip: already down';
      if (r2 < 0.5) await slot.proc.kill();
      else await slot.proc.stop();
      slot.proc = null;
      slot.downUntil = op.index + 3 + Math.floor(r2 * 40);
      figures.serverCrashes += 1;
      return `server on ${slot.port} ${r2 < 0.5 ? 'killed' : 'stopped'} until op ${slot.downUntil}`;
    }
    // timeJump: the world moves ahead (holds expire at the server; 1 h+ runs out offline leases).
    const minutes = r1 < 0.6 ? 5 + Math.floor(r2 * 25) : 60 + Math.floor(r2 * 120);
    serverOffsetMs += minutes * MINUTE_MS;
    for (const slot of servers) {
      if (slot.proc) await slot.proc.stop();
      slot.proc = null;
    }
    for (const slot of servers) await startSlot(slot);
    for (const t of terminals) t.clock.advance(minutes * MINUTE_MS);
    figures.timeJumps += 1;
    return `world +${minutes}min (servers restarted)`;
  };

  const outcome = (error: unknown, op: Op): string => {
    if (isTaquillaError(error)) {
      figures.refused[error.code] = (figures.refused[error.code] ?? 0) + 1;
      // A revoked terminal is refused new work: expected of it, of no other.
      const revokedRefusal =
        error.code === 'UNAUTHORIZED' && !WORLD_OPS.has(op.kind) && isRevoked(terminals[op.terminal]!);
      if (!EXPECTED_REFUSALS.has(error.code) && !revokedRefusal) {
        findings.push({
          op: op.index,
          kind: 'error',
          what: `${op.kind} on terminal ${op.terminal}: ${error.code} ${error.message}`,
        });
      }
      return `refused ${error.code}`;
    }
    let message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (message.includes('ga_sold')) message += ` ${leaseStory(terminals[op.terminal]!)}`;
    figures.refused.THROWN = (figures.refused.THROWN ?? 0) + 1;
    findings.push({
      op: op.index,
      kind: 'error',
      what: `${op.kind} on terminal ${op.terminal} threw ${message}`,
    });
    return `THREW ${message}`;
  };

  const runOp = async (op: Op) => {
    figures.ops += 1;
    figures.opsByKind[op.kind] = (figures.opsByKind[op.kind] ?? 0) + 1;
    const knewRevoked = !WORLD_OPS.has(op.kind) && terminals[op.terminal]!.sync.status().state === 'revoked';
    let result: string;
    try {
      const running = WORLD_OPS.has(op.kind) ? runWorldOp(op) : runTerminalOp(op);
      // An operation that never answers is a finding, not a hung harness: the run goes on.
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        const ms = op.kind === 'restore' ? RESTORE_TIMEOUT_MS : OP_TIMEOUT_MS;
        timer = setTimeout(() => reject(new HungOperation(ms)), ms);
      });
      try {
        result = await Promise.race([running, hung]);
      } finally {
        clearTimeout(timer);
      }
      figures.ok += 1;
      if (knewRevoked && NEW_WORK.has(op.kind) && !result.includes('skip')) {
        findings.push({
          op: op.index,
          kind: 'error',
          what: `revoked terminal ${op.terminal} did new work: ${op.kind} ${result}`,
        });
      }
    } catch (error) {
      result = outcome(error, op);
    }
    log(`#${op.index} ${WORLD_OPS.has(op.kind) ? 'world' : `t${op.terminal}`} ${op.kind} ${result}`);
  };

  const seenDivergences = new Set<string>();
  const check = async (index: number, final: boolean): Promise<boolean> => {
    figures.checkpoints += 1;
    const result = await checkInvariants(view(), final);
    figures.invariantChecks += result.checks;
    for (const what of result.divergences) {
      if (seenDivergences.has(what)) continue;
      seenDivergences.add(what);
      findings.push({ op: index, kind: 'divergence', what });
      log(`#${index} DIVERGENCE ${what}`);
    }
    const broken = opts.strict ? [...result.violations, ...result.divergences] : result.violations;
    if (broken.length > 0) {
      failure = { op: index, phase: final ? 'final' : 'checkpoint', violations: broken };
      log(`#${index} CHECK FAILED: ${result.violations.length} violations`);
      return false;
    }
    log(`#${index} check ok (${result.checks} assertions)`);
    return true;
  };

  /**
   * Everyone back: cables up, servers up, every terminal reconnects and drains its outbox (a revoked
   * one uploads what it sold and stays revoked).
   */
  const settle = async (index: number) => {
    await everyCounterBack(null);
    for (const t of terminals) noteUploads(t);
    log(
      `#${index} settled: ${terminals.map((t) => `t${t.index} ${t.sync.status().state}/${t.sync.status().outbox}`).join(' ')}`,
    );
  };

  // Unhandled rejections from background flushes are findings, not crashes of the harness.
  let currentOp = 0;
  const onUnhandled = (reason: unknown) => {
    findings.push({
      op: currentOp,
      kind: 'error',
      what: `unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`,
    });
  };
  process.on('unhandledRejection', onUnhandled);

  try {
    let index = 0;
    let nextCheck = opts.checkEvery;
    let nextRollover = opts.rolloverEvery;
    while (index < opts.ops && !failure) {
      currentOp = index;
      for (const slot of servers) {
        if (!slot.proc && slot.downUntil <= index) await startSlot(slot);
      }
      for (const t of terminals) {
        if (t.proxy.mode !== 'up' && t.healAt <= index) {
          t.proxy.set('up');
          log(`#${index} t${t.index} cable up again`);
        }
      }
      for (const t of terminals) {
        // It heard of a revocation the run did not make (a restore to before its enrolment): the same.
        if (t.revokedUntil === null && t.sync.status().state === 'revoked') t.revokedUntil = index + 10;
        if (t.revokedUntil === null || t.revokedUntil > index) continue;
        const said = await reenrolRevoked(t, index).catch((error: unknown) => {
          t.revokedUntil = index + 5;
          return `enrolment failed (${isTaquillaError(error) ? error.code : String(error)}), put off`;
        });
        log(`#${index} t${t.index} ${said}`);
      }
      if (index >= nextRollover) {
        if (await openRollover()) log(`#${index} world new event ${events[events.length - 1]!.eventId}`);
        nextRollover += opts.rolloverEvery;
      }
      // A burst: terminal operations of different terminals at once; world operations alone.
      const size = random.int(1, opts.burst);
      const burst: Op[] = [];
      while (burst.length < size && index < opts.ops) {
        const op = drawOp(random, opts.weights, index, terminals.length, opts.sessionsPerTerminal);
        if (WORLD_OPS.has(op.kind) && burst.length > 0) break;
        if (burst.some((b) => b.terminal === op.terminal))
          op.terminal = (op.terminal + burst.length) % terminals.length;
        if (burst.some((b) => b.terminal === op.terminal)) break;
        burst.push(op);
        index += 1;
        if (WORLD_OPS.has(op.kind)) break;
      }
      if (burst.length === 0) {
        const op = drawOp(random, opts.weights, index, terminals.length, opts.sessionsPerTerminal);
        burst.push(op);
        index += 1;
      }
      await Promise.all(burst.map(runOp));
      if (
        opts.progressEvery > 0 &&
        Math.floor(index / opts.progressEvery) !== Math.floor((index - burst.length) / opts.progressEvery)
      ) {
        process.stderr.write(
          `soak: ${index}/${opts.ops} ops, ${figures.salesAcknowledged} sales, ${figures.checkpoints} checkpoints, ${Math.round((Date.now() - started) / 1000)} s\n`,
        );
      }
      if (index >= nextCheck) {
        for (const t of terminals) await t.sync.idle();
        await check(index - 1, false);
        nextCheck += opts.checkEvery;
      }
    }
    if (!failure) {
      await settle(index);
      await check(index, true);
    }
    for (const t of terminals) {
      for (const c of t.sync.conflicts(true)) {
        figures.conflicts += 1;
        const code = `${c.op}:${c.errorCode}`;
        figures.conflictCodes[code] = (figures.conflictCodes[code] ?? 0) + 1;
      }
      for (const item of t.db
        .prepare<[], { reply_status: number | null; reply: string | null }>(
          "SELECT reply_status, reply FROM sync_outbox WHERE op = 'recoverSale' AND acked_at IS NOT NULL",
        )
        .all()) {
        const reply = JSON.parse(item.reply ?? '{}') as {
          result?: { outcome?: string };
          error?: { code?: string };
        };
        const said = reply.result?.outcome ?? `refused ${reply.error?.code ?? item.reply_status}`;
        figures.recovery[said] = (figures.recovery[said] ?? 0) + 1;
      }
      for (const c of t.sync.conflicts(true)) {
        if (c.op !== 'recoverSale') continue;
        const why = await recoveryConflictCause(c.body as RecoverSaleInput);
        figures.recoveryConflicts[why] = (figures.recoveryConflicts[why] ?? 0) + 1;
        log(`recoverSale conflict on t${t.index}: ${c.errorCode} ${JSON.stringify(c.body)}: ${why}`);
      }
    }
  } finally {
    process.off('unhandledRejection', onUnhandled);
    for (const t of terminals) {
      await t.sync.idle().catch(() => undefined);
      t.sync.stop();
      await t.proxy.close();
      t.db.close();
    }
    for (const slot of servers) await slot.proc?.stop();
    if (pgPool) {
      await pgPool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await pgPool.end();
    }
    tmp.remove();
  }
  figures.durationMs = Date.now() - started;
  const replay = `npm run soak -- --ops ${opts.ops} --seed ${opts.seed}${options.pgUrl ? ' --pg' : ''}${
    opts.terminals !== 3 ? ` --terminals ${opts.terminals}` : ''
  }${opts.burst !== 3 ? ` --burst ${opts.burst}` : ''}${opts.strict ? '' : ' --lenient'}${
    options.weights && Object.keys(options.weights).length > 0
      ? ` --weights ${Object.entries(options.weights)
          .map(([k, w]) => `${k}=${w}`)
          .join(',')}`
      : ''
  }`;
  return {
    seed: opts.seed,
    options: { ...opts, store: options.pgUrl ? 'postgres' : 'sqlite' },
    figures,
    failure,
    findings,
    logTail: tail,
    replay,
  };
}
