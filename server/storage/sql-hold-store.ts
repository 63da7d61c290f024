import { mintGeneration, readGeneration } from './generation.ts';
import type { ReservationSettings, SettingsOverride } from '../../shared/config.ts';
import { resolveSettings } from '../../shared/config.ts';
import type {
  KeyOutcome,
  ServerEventDefinition,
  ServerOperation,
  ServerReservation,
} from '../../shared/schemas/sync.ts';
import type { CatalogEvent, CatalogReply, CredentialListing, EventFile } from '../../shared/schemas/venue.ts';
import type {
  ChangeNotice,
  ChangesSince,
  CredentialRole,
  CredentialRow,
  HistoryRetention,
  HoldStore,
  Idempotency,
  LeaseListing,
  StoreNotice,
  StoredReply,
  StoreGauges,
  StoreHealth,
} from './hold-store.ts';
import type { ServerConflictRecord, ServerConflictResolution } from '../../shared/schemas/conflicts.ts';
import type { TicketKeyRegistration } from '../../shared/schemas/keyset.ts';
import { conflictResolutions, recordConflictResolution } from './conflict-overrides.ts';
import * as keysets from './keyset-store.ts';
import { LeasePolicyStore } from './lease-policy-store.ts';
import { readGauges } from './sql-gauges.ts';
import { type AuditBy, type AuditRecord, auditInsert, auditParams, readAudit } from './sql-audit.ts';
import {
  type AuditEntry,
  backstopRefusal,
  type FailureKind,
  type SqlDb,
  type SqlTx,
  marksRows,
  textByCount,
} from './sql-tx.ts';
import * as availability from './sql-availability.ts';
import * as idempotency from './sql-idempotency.ts';
import * as inventory from './sql-inventory.ts';
import * as leases from './sql-leases.ts';
import * as operations from './sql-operations.ts';
import * as cleanup from './sql-retention.ts';
import * as tenancy from './sql-tenancy.ts';

export type { FailureKind, SqlTx } from './sql-tx.ts';

const RETRIES = 8;

const changesInsert = textByCount(
  (n) => `INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id) VALUES ${marksRows(n, 5)}`,
);

/**
 * The hold store over plain SQL that SQLite and PostgreSQL both run, carved by job into the sql-*
 * modules (tenancy, inventory, operations with holds, sales, voids and leases, availability,
 * retention); this class keeps the connection-wide state (listeners, the settings cache) and the
 * write discipline. Each implementation supplies its connection, its transaction discipline (SQLite:
 * one writer with BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED with row locks) and how its errors read.
 * The decisive guarantee is the schema's: a unique partial index allows one live ticket per seat, and
 * a CHECK keeps a general zone within capacity, whatever the interleaving.
 */
export abstract class SqlHoldStore implements HoldStore {
  abstract readonly kind: 'sqlite' | 'postgres';
  private readonly listeners = new Set<(notice: ChangeNotice) => void>();
  private readonly noticeListeners = new Set<(notice: StoreNotice) => void>();
  private readonly settingsCache = new Map<
    number,
    { raw: string; settings: ReservationSettings; epoch: number | null }
  >();
  /** What the SQL modules use of this store (its protected dialect, as one object). */
  protected readonly sql: SqlDb = {
    read: (fn) => this.read(fn),
    write: (fn, relaxed) => this.write(fn, relaxed),
    classify: (error) => this.classify(error),
    publishNotice: (tx, notice) => this.publishNotice(tx, notice),
    recordChanges: (tx, tenantId, eventId, rows) => this.recordChanges(tx, tenantId, eventId, rows),
    tenantSettings: (tenantId, within) => this.tenantSettings(tenantId, within),
    recordAudit: (tx, tenantId, credentialId, at, entries) =>
      this.recordAudit(tx, tenantId, credentialId, at, entries),
    forUpdate: this.forUpdate,
    inSet: (expr, subquery) => this.inSet(expr, subquery),
  };
  /** Credentials known to be revoked: a revocation not yet announced here is announced once. */
  private knownRevoked: Set<number> | null = null;
  /** Lease policies and recalls (issue 14), on this store's own transactions. */
  readonly leasePolicies = new LeasePolicyStore({
    read: (fn) => this.read(fn),
    write: (fn) => this.write(fn),
  });

  /**
   * Whether an operation reads the tenant's settings in its own write rather than on a read of its
   * own: SQLite's writer has the page in its cache, while its reader connection re-reads its pages
   * after every commit. PostgreSQL keeps them out of the write (a round trip with the locks held).
   */
  protected readonly settingsInWrite: boolean = false;

  abstract init(): Promise<void>;
  abstract close(): Promise<void>;
  abstract health(): Promise<StoreHealth>;
  /** One transaction; `relaxed` as in write(). */
  protected abstract transaction<T>(fn: (tx: SqlTx) => Promise<T>, relaxed?: boolean): Promise<T>;
  /** A read that sees only committed data; by default a transaction like any other (retried alike). */
  protected read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.write(fn);
  }
  protected abstract classify(error: unknown): FailureKind;
  /** Inside the write: tell every instance (PostgreSQL NOTIFY) or queue an in-process emit. */
  protected abstract publish(tx: SqlTx, notice: ChangeNotice): Promise<void>;
  /** Inside the write: announce a StoreNotice to every instance once it commits. */
  protected abstract publishNotice(tx: SqlTx, notice: StoreNotice): Promise<void>;

  onChange(listener: (notice: ChangeNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onNotice(listener: (notice: StoreNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  cacheEpoch(): number | null {
    return null;
  }

  protected emit(notice: ChangeNotice): void {
    for (const listener of this.listeners) listener(notice);
  }

  protected emitNotice(notice: StoreNotice): void {
    if (notice.kind === 'settings') this.settingsCache.delete(notice.tenantId);
    if (notice.kind === 'revoked') {
      if (this.knownRevoked?.has(notice.credentialId)) return;
      this.knownRevoked?.add(notice.credentialId);
    }
    for (const listener of this.noticeListeners) listener(notice);
  }

  /**
   * Announces every revocation this instance has not heard of (one made by another process on the
   * same SQLite file, or one whose NOTIFY was lost with the LISTEN connection). The first call only
   * learns what is already revoked.
   */
  protected async announceRevocations(): Promise<void> {
    const rows = await this.read((tx) =>
      tx.all<{ id: number; tenant_id: number }>(
        'SELECT id, tenant_id FROM credentials WHERE revoked_at IS NOT NULL',
      ),
    );
    if (this.knownRevoked === null) {
      this.knownRevoked = new Set(rows.map((r) => Number(r.id)));
      return;
    }
    for (const r of rows) {
      this.emitNotice({ kind: 'revoked', tenantId: Number(r.tenant_id), credentialId: Number(r.id) });
    }
  }

  /**
   * Runs `fn` in a transaction, again when the database asks for a retry (serialization, deadlock).
   * `relaxed`: a temporary hold's write, which may trade the last instant of durability for speed (a
   * crash loses at most a few holds, which the cashier simply takes again); sales and deposits never do.
   */
  protected async write<T>(fn: (tx: SqlTx) => Promise<T>, relaxed = false): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.transaction(fn, relaxed);
      } catch (error) {
        const kind = this.classify(error);
        if (kind === 'retry' && attempt < RETRIES) {
          await new Promise((r) => setTimeout(r, Math.random() * 3 * (attempt + 1)));
          continue;
        }
        throw backstopRefusal(kind) ?? error;
      }
    }
  }

  // ---- tenants, credentials, enrolment ---------------------------------------------------------

  async createTenant(name: string, settings: SettingsOverride, now: number): Promise<number> {
    return tenancy.createTenant(this.sql, name, settings, now);
  }

  async tenant(tenantId: number) {
    return tenancy.tenant(this.sql, tenantId);
  }

  async setTenantSettings(tenantId: number, overrides: SettingsOverride, _now: number): Promise<void> {
    return tenancy.setTenantSettings(this.sql, tenantId, overrides, _now);
  }

  async credentials(tenantId: number): Promise<CredentialListing[]> {
    return tenancy.credentials(this.sql, tenantId);
  }

  /**
   * Tenant override -> defaults. Cached only while this instance is sure to hear a change
   * (cacheEpoch); otherwise the stored text is read every time and parsed only when it differs.
   * `within`: the write about to use them, where a store that reads there cheaply
   * (settingsInWrite) reads them.
   */
  async tenantSettings(tenantId: number, within?: SqlTx): Promise<ReservationSettings> {
    const epoch = this.cacheEpoch();
    const cached = this.settingsCache.get(tenantId);
    if (cached && epoch !== null && cached.epoch === epoch) return cached.settings;
    const read = (tx: SqlTx) =>
      tx.all<{ settings: string }>('SELECT settings FROM tenants WHERE id = ?', [tenantId]);
    const rows = within && this.settingsInWrite ? await read(within) : await this.read(read);
    const raw = rows[0]?.settings ?? '{}';
    const settings = cached && cached.raw === raw ? cached.settings : resolveSettings(JSON.parse(raw));
    this.settingsCache.set(tenantId, { raw, settings, epoch });
    return settings;
  }

  async addCredential(c: {
    tenantId: number;
    role: CredentialRole;
    name: string;
    secretHash: string;
    now: number;
  }): Promise<number> {
    return tenancy.addCredential(this.sql, c);
  }

  async credentialByHash(secretHash: string): Promise<CredentialRow | null> {
    return tenancy.credentialByHash(this.sql, secretHash);
  }

  async credentialById(credentialId: number): Promise<CredentialRow | null> {
    return tenancy.credentialById(this.sql, credentialId);
  }

  async gauges(now: number): Promise<StoreGauges> {
    return this.read((tx) => readGauges(tx, now));
  }

  /** Revokes and announces it to every instance in the same transaction (live sockets close at once). */
  async leases(tenantId: number, now: number): Promise<LeaseListing[]> {
    return leases.leases(this.sql, tenantId, now);
  }

  async openLeaseIds(tenantId: number, credentialId: number): Promise<string[]> {
    return leases.openLeaseIds(this.sql, tenantId, credentialId);
  }

  async endLease(tenantId: number, leaseId: string, now: number, by: AuditBy): Promise<LeaseListing | null> {
    return leases.endLease(this.sql, tenantId, leaseId, now, by);
  }

  /** A supervisor's settling of a refused offline sale, once per sale (conflict-overrides.ts). */
  recordConflictResolution(
    tenantId: number,
    credentialId: number,
    input: ServerConflictResolution,
    now: number,
  ): Promise<ServerConflictRecord> {
    return this.write((tx) => recordConflictResolution(tx, tenantId, credentialId, input, now));
  }

  conflictResolutions(tenantId: number): Promise<ServerConflictRecord[]> {
    return this.read((tx) => conflictResolutions(tx, tenantId));
  }

  registerTicketKeys(
    tenantId: number,
    credentialId: number,
    keys: readonly TicketKeyRegistration[],
    now: number,
  ) {
    return this.write((tx) => keysets.registerTicketKeys(tx, { tenantId, credentialId, keys, now }));
  }

  ticketKeyset(tenantId: number, now: number) {
    return this.read((tx) => keysets.exportKeyset(tx, tenantId, now));
  }

  async revokeCredential(tenantId: number, credentialId: number, now: number, by: AuditBy): Promise<boolean> {
    return tenancy.revokeCredential(this.sql, tenantId, credentialId, now, by);
  }

  async addEnrolCode(tenantId: number, codeHash: string, expiresAt: number, now: number): Promise<void> {
    return tenancy.addEnrolCode(this.sql, tenantId, codeHash, expiresAt, now);
  }

  async takeEnrolCode(codeHash: string, now: number): Promise<number | null> {
    return tenancy.takeEnrolCode(this.sql, codeHash, now);
  }

  // ---- inventory -------------------------------------------------------------------------------

  async putEvent(tenantId: number, event: ServerEventDefinition, now: number): Promise<void> {
    return inventory.putEvent(this.sql, tenantId, event, now);
  }

  async defineEvent(tenantId: number, file: EventFile, now: number, eventId?: number): Promise<CatalogEvent> {
    return inventory.defineEvent(this.sql, tenantId, file, now, eventId);
  }

  async publishEvent(tenantId: number, event: CatalogEvent, now: number): Promise<void> {
    return inventory.publishEvent(this.sql, tenantId, event, now);
  }

  async catalog(tenantId: number, sinceRevision: number): Promise<CatalogReply> {
    return inventory.catalog(this.sql, tenantId, sinceRevision);
  }

  /**
   * Read at every ask (one row): another process mints it (`new-generation`). The drill runs that with
   * the servers stopped: a hold a server took after the restore and before the mint would count as
   * brought back by the backup.
   */
  generation(): Promise<string> {
    return this.read((tx) => readGeneration(tx));
  }

  mintGeneration(now: number): Promise<string> {
    return this.write((tx) => mintGeneration(tx, now));
  }

  async catalogRevision(tenantId: number): Promise<number> {
    return inventory.catalogRevision(this.sql, tenantId);
  }

  // ---- operations ------------------------------------------------------------------------------

  async execute(
    tenantId: number,
    credentialId: number,
    op: ServerOperation,
    raw: unknown,
    now: number,
    idempotency: Idempotency | null,
  ): Promise<StoredReply> {
    return operations.execute(this.sql, tenantId, credentialId, op, raw, now, idempotency);
  }

  /**
   * What became of requests whose answers a terminal lost, by idempotency key. With `abandon`, a key
   * never seen is stored as ABANDONED in the same table the operations answer from, in one write:
   * a copy of the request still on its way is then answered ABANDONED and changes nothing.
   */
  async resolveKeys(
    tenantId: number,
    credentialId: number,
    keys: string[],
    abandon: boolean,
    now: number,
  ): Promise<KeyOutcome[]> {
    return idempotency.resolveKeys(this.sql, tenantId, credentialId, keys, abandon, now);
  }

  // ---- holds -----------------------------------------------------------------------------------

  // ---- offline leases --------------------------------------------------------------------------

  // ---- cleanup ---------------------------------------------------------------------------------

  async tenantIds(): Promise<number[]> {
    return tenancy.tenantIds(this.sql);
  }

  async expireHolds(tenantId: number, now: number, limit = 500): Promise<number> {
    return cleanup.expireHolds(this.sql, tenantId, now, limit);
  }

  // ---- availability ----------------------------------------------------------------------------

  async searchReservations(
    tenantId: number,
    query: string,
    includeClosed: boolean,
    now: number,
  ): Promise<ServerReservation[]> {
    return availability.searchReservations(this.sql, tenantId, query, includeClosed, now);
  }

  async changesSince(
    tenantId: number,
    eventId: number,
    sinceVersion: number,
    now: number,
  ): Promise<ChangesSince> {
    return availability.changesSince(this.sql, tenantId, eventId, sinceVersion, now);
  }

  async snapshot(tenantId: number, eventId: number, now: number): Promise<ChangesSince> {
    return availability.snapshot(this.sql, tenantId, eventId, now);
  }

  async auditTrail(
    tenantId: number,
    filter: { eventId?: number | undefined; entityId?: string | undefined; limit: number },
  ): Promise<AuditRecord[]> {
    return readAudit(this.sql, tenantId, filter);
  }

  /**
   * The feed is pruned by version, not by a time on every change row (which would cost an index
   * entry per change): each call notes every event's version with `now`; versions noted before the
   * retention are deleted, and feed_floors keeps from which version on the feed is whole.
   */
  async pruneHistory(
    tenantId: number,
    now: number,
    retention: HistoryRetention,
  ): Promise<{ changes: number; keys: number; audit: number }> {
    return cleanup.pruneHistory(this.sql, tenantId, now, retention);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Bumps the event's version, records what changed under it and announces it. */
  /** `expr` among the rows of `subquery`, the subquery run once (see SqlDb.inSet). */
  protected inSet(expr: string, subquery: string): string {
    return `${expr} IN (${subquery})`;
  }

  /** The row lock a deciding read takes (see SqlDb.forUpdate). */
  protected get forUpdate(): string {
    return '';
  }

  /** Appends the operation's audit entries (server migration 6), in its write. */
  protected async recordAudit(
    tx: SqlTx,
    tenantId: number,
    credentialId: number,
    at: number,
    entries: AuditEntry[],
  ): Promise<void> {
    await tx.run(auditInsert(entries.length), auditParams(tenantId, credentialId, at, entries));
  }

  protected async recordChanges(
    tx: SqlTx,
    tenantId: number,
    eventId: number,
    rows: { seat_id: number | null; zone_id: number }[],
  ): Promise<void> {
    const [row] = await tx.all<{ version: number }>(
      'UPDATE events SET version = version + 1 WHERE tenant_id = ? AND id = ? RETURNING version',
      [tenantId, eventId],
    );
    const version = Number(row!.version);
    await tx.run(
      changesInsert(rows.length),
      rows.flatMap((r) => [tenantId, eventId, version, r.seat_id, r.zone_id]),
    );
    await this.publish(tx, { tenantId, eventId, version });
  }
}
