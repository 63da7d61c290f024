import { type ReservationSettings } from '../../shared/config.ts';
import { TaquillaError } from '../../shared/errors.ts';
import { ticketView as coreTicketView } from '../../shared/hold-rules/index.ts';
import { heldTicketFromRow } from '../../shared/ticket-rows.ts';
import { type TransactionStatus } from '../../shared/lifecycle.ts';
import type { StoreNotice } from './hold-store.ts';

/**
 * The vocabulary every SQL module of the hold store shares: the transaction both dialects offer, the
 * rows the rules read, the context an operation runs in and the change set it records.
 */

/** The statements both databases understand; `?` placeholders (PostgreSQL's store rewrites them). */
export interface SqlTx {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Work to do once the transaction has committed (e.g. in-process notifications). */
  afterCommit(fn: () => void): void;
}

export type FailureKind = 'seat-taken' | 'zone-full' | 'retry' | null;

export const LIVE = "status IN ('ACTIVE', 'COMPLETED')"; // the exact predicate of the unique partial index

export interface TicketRow {
  id: number;
  transaction_id: string;
  zone_id: number;
  seat_id: number | null;
  quantity: number;
  status: string;
  reserved_until: number;
  created_at: number;
  price_cents: number;
  label: string;
}

export interface TxRow {
  id: string;
  event_id: number;
  session_id: string;
  actor: string;
  status: TransactionStatus;
  reserved_until: number | null;
}

export class Changes {
  readonly seats = new Set<number>();
  readonly zones = new Set<number>();
  seat(zoneId: number, seatId: number | null): void {
    if (seatId === null) this.zones.add(zoneId);
    else this.seats.add(seatId);
  }
  get isEmpty(): boolean {
    return this.seats.size === 0 && this.zones.size === 0;
  }
}

export interface OpContext {
  tx: SqlTx;
  tenantId: number;
  credentialId: number;
  now: number;
  settings: ReservationSettings;
  changes: Map<number, Changes>;
  /** The state changes this operation made, written to audit_log in its own transaction. */
  audit: AuditEntry[];
  db: SqlDb;
}

/** What the server's audit trail records of one state change (server migration 6). */
export interface AuditEntry {
  eventId: number | null;
  actor: string;
  /** credential, policy, conflict, key: the operator's and supervisors' actions (server migration 11). */
  entity: 'transaction' | 'ticket' | 'seat' | 'lease' | 'void' | 'credential' | 'policy' | 'conflict' | 'key';
  entityId: string | number;
  from: string | null;
  to: string;
  reason: string;
}

/** A fresh context for one write (an operation, or a sweep as `credentialId` 0). */
export function opContext(
  db: SqlDb,
  tx: SqlTx,
  tenantId: number,
  credentialId: number,
  now: number,
  settings: ReservationSettings,
): OpContext {
  return { tx, tenantId, credentialId, now, settings, changes: new Map(), audit: [], db };
}

export function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** n rows of `width` placeholders: `(?, ?), (?, ?)`. */
export function marksRows(n: number, width: number): string {
  const row = `(${marks(width)})`;
  return Array.from({ length: n }, () => row).join(', ');
}

/**
 * A statement's text for n repeated parts (`IN (?, ?)`, rows of a multi-row INSERT), built once per
 * n up to 64: the store finds its prepared statement by this text, and building and hashing a new
 * string on every call cost each write a few microseconds.
 */
export function textByCount(build: (n: number) => string): (n: number) => string {
  const built: string[] = [];
  return (n) => (n > 64 ? build(n) : (built[n] ??= build(n)));
}

/** A ticket as screens and the cart check describe it (shared/hold-rules). */
export function ticketView(t: TicketRow) {
  return coreTicketView(heldTicketFromRow(t));
}

/** A transaction as the terminals copy it: with its event, session and every live ticket. */
export function summary(
  t: TxRow,
  status: TransactionStatus,
  reservedUntil: number | null,
  tickets: TicketRow[],
  numbers?: Map<number, number[]>,
) {
  return {
    transactionId: t.id,
    eventId: Number(t.event_id),
    sessionId: t.session_id,
    status,
    reservedUntil,
    tickets: tickets.reduce((n, t) => n + t.quantity, 0),
    totalCents: tickets.reduce((sum, t) => sum + t.price_cents * t.quantity, 0),
    items: tickets.map((k) => {
      const ticketNumbers = numbers?.get(k.id);
      return ticketNumbers ? { ...ticketView(k), ticketNumbers } : ticketView(k);
    }),
  };
}

export function totalOf(tickets: TicketRow[]): number {
  return tickets.reduce((sum, t) => sum + t.price_cents * t.quantity, 0);
}

/** What the SQL modules ask of the store they run in: its transactions, its dialect and its caches. */
export interface SqlDb {
  /** A read that sees only committed data. */
  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** One write, retried as the database asks; `relaxed` for a temporary hold's write. */
  write<T>(fn: (tx: SqlTx) => Promise<T>, relaxed?: boolean): Promise<T>;
  classify(error: unknown): FailureKind;
  publishNotice(tx: SqlTx, notice: StoreNotice): Promise<void>;
  /** Bumps the event's version, records what changed under it and announces it. */
  recordChanges(
    tx: SqlTx,
    tenantId: number,
    eventId: number,
    rows: { seat_id: number | null; zone_id: number }[],
  ): Promise<void>;
  /** The tenant's settings; `within`, the write they are for (the store may read them there). */
  tenantSettings(tenantId: number, within?: SqlTx): Promise<ReservationSettings>;
  /**
   * Appends audit entries inside the write (PostgreSQL sends them with COMMIT: no round trip of
   * their own).
   */
  recordAudit(
    tx: SqlTx,
    tenantId: number,
    credentialId: number,
    at: number,
    entries: AuditEntry[],
  ): Promise<void>;
  /** The row lock a read that decides a write takes: ' FOR UPDATE' on PostgreSQL; SQLite has one writer. */
  readonly forUpdate: string;
  /**
   * `expr` is one of the rows `subquery` selects, with the subquery run once whatever the planner
   * believes of the tables: SQLite's IN (SELECT …) is built once; PostgreSQL's `= ANY (ARRAY(…))`
   * is an init plan (a plain IN, planned on a fresh table's row estimates, ran the feed's range
   * scan again for every seat of the event).
   */
  inSet(expr: string, subquery: string): string;
}

/** The schema's backstop (unique seat index, capacity CHECK) as the refusal the rules would give. */
export function backstopRefusal(kind: FailureKind): TaquillaError | null {
  if (kind === 'seat-taken') {
    return new TaquillaError('SEAT_TAKEN', 'Seat taken by another transaction', { seats: [] });
  }
  if (kind === 'zone-full') {
    return new TaquillaError('ZONE_FULL', 'Zone is full', {
      zoneId: 0,
      zoneName: '',
      requested: 0,
      available: 0,
    });
  }
  return null;
}
