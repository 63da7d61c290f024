import { randomUUID } from 'node:crypto';
import type { ServerConflictRecord, ServerConflictResolution } from '../../shared/schemas/conflicts.ts';
import { conflictResolutions, recordConflictResolution } from './conflict-overrides.ts';
import type { z } from 'zod';
import { assertCartAsExpected } from '../../shared/cart-expectation.ts';
import { customerMatches, uuidPrefix } from '../../shared/customer-keys.ts';
import { recordedReferenceKey } from '../../shared/payment-references.ts';
import { saleNumberOf } from '../../shared/schemas/printing.ts';
import { MINUTE_MS } from '../../shared/clock.ts';
import {
  type ReservationSettings,
  resolveSettings,
  type SettingsOverride,
  settingsProblems,
} from '../../shared/config.ts';
import { type ErrorDetails, type SeatConflict, TaquillaError } from '../../shared/errors.ts';
import {
  assertTransactionTransition,
  extendedUntil,
  reservationLengthMs,
  type TransactionStatus,
} from '../../shared/lifecycle.ts';
import type {
  CancelInput,
  ExtendHoldsInput,
  HoldGeneralInput,
  HoldSeatsInput,
  ReleaseGeneralInput,
  ReleaseSeatsInput,
  ReleaseSessionInput,
} from '../../shared/schemas/reservations.ts';
import {
  type LeaseGrant,
  leaseInput,
  leaseReturnInput,
  leaseSaleInput,
  UPLOAD_OPERATIONS,
  type KeyOutcome,
  type ServerEventDefinition,
  type ServerOperation,
  type ServerPayInput,
  type ServerPayment,
  type ServerReservation,
  type ServerVoidInput,
  type serverCompleteInput,
  type serverConvertInput,
  statusOfError,
} from '../../shared/schemas/sync.ts';
import {
  type CatalogEvent,
  type CatalogReply,
  type CredentialListing,
  type EventFile,
  inventoryOf,
} from '../../shared/schemas/venue.ts';
import type { TicketKeyRegistration } from '../../shared/schemas/keyset.ts';
import type {
  ChangeNotice,
  ChangesSince,
  CredentialRole,
  CredentialRow,
  HistoryRetention,
  HoldStore,
  Idempotency,
  LeaseListing,
  SeatStateRow,
  StoreNotice,
  StoredReply,
  StoreGauges,
  StoreHealth,
} from './hold-store.ts';
import { LeasePolicyStore, policyLeaseMinutes } from './lease-policy-store.ts';
import { operationInput } from './operation-input.ts';
import * as catalog from './sql-catalog.ts';
import * as keysets from './keyset-store.ts';
import { readGauges } from './sql-gauges.ts';

/** The statements both databases understand; `?` placeholders (PostgreSQL's store rewrites them). */
export interface SqlTx {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Work to do once the transaction has committed (e.g. in-process notifications). */
  afterCommit(fn: () => void): void;
}

export type FailureKind = 'seat-taken' | 'zone-full' | 'retry' | null;

const LIVE = "status IN ('ACTIVE', 'COMPLETED')"; // the exact predicate of the unique partial index
/** The request hash of a key settled by resolveKeys as never to be applied. */
const ABANDONED = 'abandoned';
const RETRIES = 8;
/** How far before its grant a counter's clock may place a sale (offset measured on a round trip). */
const LEASE_CLOCK_SKEW_MS = 60_000;
const RELAXED_OPS: ReadonlySet<ServerOperation> = new Set([
  'holdSeats',
  'holdGeneral',
  'releaseSeats',
  'releaseGeneral',
  'releaseSession',
  'extendHolds',
]);

interface TicketRow {
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

interface TxRow {
  id: string;
  event_id: number;
  session_id: string;
  actor: string;
  status: TransactionStatus;
  reserved_until: number | null;
}

class Changes {
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

/** Inputs as serverOperations produced them (parsed, defaults applied). */
type LeaseInput = z.output<typeof leaseInput>;
type LeaseSaleInput = z.output<typeof leaseSaleInput>;
type LeaseReturnInput = z.output<typeof leaseReturnInput>;

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * The hold rules of the server, written once over plain SQL that SQLite and PostgreSQL both run.
 * Each implementation supplies its connection, its transaction discipline (SQLite: one writer with
 * BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED with row locks) and how its errors read. The decisive
 * guarantee is the schema's: a unique partial index allows one live ticket per seat, and a CHECK keeps
 * a general zone within capacity, whatever the interleaving.
 */
export abstract class SqlHoldStore implements HoldStore {
  abstract readonly kind: 'sqlite' | 'postgres';
  private readonly listeners = new Set<(notice: ChangeNotice) => void>();
  private readonly noticeListeners = new Set<(notice: StoreNotice) => void>();
  private readonly settingsCache = new Map<
    number,
    { raw: string; settings: ReservationSettings; epoch: number | null }
  >();
  /** Credentials known to be revoked: a revocation not yet announced here is announced once. */
  private knownRevoked: Set<number> | null = null;
  /** Lease policies and recalls (issue 14), on this store's own transactions. */
  readonly leasePolicies = new LeasePolicyStore({
    read: (fn) => this.read(fn),
    write: (fn) => this.write(fn),
  });

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
        if (kind === 'seat-taken') {
          throw new TaquillaError('SEAT_TAKEN', 'Seat taken by another transaction', { seats: [] });
        }
        if (kind === 'zone-full') {
          throw new TaquillaError('ZONE_FULL', 'Zone is full', {
            zoneId: 0,
            zoneName: '',
            requested: 0,
            available: 0,
          });
        }
        throw error;
      }
    }
  }

  // ---- tenants, credentials, enrolment ---------------------------------------------------------

  async createTenant(name: string, settings: SettingsOverride, now: number): Promise<number> {
    assertSettings(settings);
    return this.write(async (tx) => {
      const [row] = await tx.all<{ id: number }>(
        'INSERT INTO tenants (name, settings, created_at) VALUES (?, ?, ?) RETURNING id',
        [name, JSON.stringify(settings), now],
      );
      return Number(row!.id);
    });
  }

  async tenant(tenantId: number) {
    const [row] = await this.read((tx) =>
      tx.all<{ id: number; name: string; settings: string }>(
        'SELECT id, name, settings FROM tenants WHERE id = ?',
        [tenantId],
      ),
    );
    return row
      ? { tenantId: Number(row.id), name: row.name, settings: JSON.parse(row.settings) as SettingsOverride }
      : null;
  }

  async setTenantSettings(tenantId: number, overrides: SettingsOverride, _now: number): Promise<void> {
    assertSettings(overrides);
    await this.write(async (tx) => {
      const changed = await tx.run('UPDATE tenants SET settings = ? WHERE id = ?', [
        JSON.stringify(overrides),
        tenantId,
      ]);
      if (changed === 0)
        throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
      // Terminals learn of it with the catalogue's next revision; every instance drops its cached copy.
      await catalog.bumpRevision(tx, tenantId);
      await this.publishNotice(tx, { kind: 'settings', tenantId });
    });
  }

  async credentials(tenantId: number): Promise<CredentialListing[]> {
    const rows = await this.read((tx) =>
      tx.all<{
        id: number;
        role: CredentialRole;
        name: string;
        created_at: number;
        revoked_at: number | null;
      }>('SELECT id, role, name, created_at, revoked_at FROM credentials WHERE tenant_id = ? ORDER BY id', [
        tenantId,
      ]),
    );
    return rows.map((r) => ({
      credentialId: Number(r.id),
      role: r.role,
      name: r.name,
      createdAt: Number(r.created_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  /**
   * Tenant override -> defaults. Cached only while this instance is sure to hear a change
   * (cacheEpoch); otherwise the stored text is read every time and parsed only when it differs.
   */
  async tenantSettings(tenantId: number): Promise<ReservationSettings> {
    const epoch = this.cacheEpoch();
    const cached = this.settingsCache.get(tenantId);
    if (cached && epoch !== null && cached.epoch === epoch) return cached.settings;
    const rows = await this.read((tx) =>
      tx.all<{ settings: string }>('SELECT settings FROM tenants WHERE id = ?', [tenantId]),
    );
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
    return this.write(async (tx) => {
      const [row] = await tx.all<{ id: number }>(
        `INSERT INTO credentials (tenant_id, role, name, secret_hash, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id`,
        [c.tenantId, c.role, c.name, c.secretHash, c.now],
      );
      return Number(row!.id);
    });
  }

  async credentialByHash(secretHash: string): Promise<CredentialRow | null> {
    return this.credentialWhere('secret_hash = ?', secretHash);
  }

  async credentialById(credentialId: number): Promise<CredentialRow | null> {
    return this.credentialWhere('id = ?', credentialId);
  }

  async gauges(now: number): Promise<StoreGauges> {
    return this.read((tx) => readGauges(tx, now));
  }

  private async credentialWhere(filter: string, value: unknown): Promise<CredentialRow | null> {
    const rows = await this.read((tx) =>
      tx.all<{
        id: number;
        tenant_id: number;
        role: CredentialRole;
        name: string;
        revoked_at: number | null;
      }>(`SELECT id, tenant_id, role, name, revoked_at FROM credentials WHERE ${filter}`, [value]),
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: Number(row.id),
      tenantId: Number(row.tenant_id),
      role: row.role,
      name: row.name,
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    };
  }

  /** Revokes and announces it to every instance in the same transaction (live sockets close at once). */
  async leases(tenantId: number, now: number): Promise<LeaseListing[]> {
    const grace = (await this.tenantSettings(tenantId)).LEASE_GRACE_MINUTES * MINUTE_MS;
    return this.read(async (tx) => {
      const rows = await tx.all<Record<string, string | number | null>>(
        `SELECT l.id, l.credential_id, c.name, c.revoked_at, l.event_id, l.status, l.expires_at, l.ticket_from,
                l.ticket_to, l.transaction_id,
                (SELECT MAX(t.reserved_until) FROM tickets t WHERE t.tenant_id = l.tenant_id
                   AND t.transaction_id = l.transaction_id) AS kept_until,
                (SELECT COUNT(*) FROM tickets t WHERE t.tenant_id = l.tenant_id AND t.transaction_id = l.transaction_id
                   AND t.status = 'ACTIVE' AND t.reserved_until > ? AND t.seat_id IS NOT NULL) AS seats_held,
                (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t WHERE t.tenant_id = l.tenant_id
                   AND t.transaction_id = l.transaction_id AND t.status = 'ACTIVE' AND t.reserved_until > ?
                   AND t.seat_id IS NULL) AS places_held,
                (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t WHERE t.tenant_id = l.tenant_id
                   AND t.session_id = 'lease:' || l.id AND t.status = 'COMPLETED') AS sold
         FROM leases l LEFT JOIN credentials c ON c.id = l.credential_id AND c.tenant_id = l.tenant_id
         WHERE l.tenant_id = ? ORDER BY CASE WHEN l.status = 'OPEN' THEN 0 ELSE 1 END, l.created_at DESC`,
        [now, now, tenantId],
      );
      return rows.map((r) => {
        const expiresAt = Number(r.expires_at);
        const keptUntil = r.kept_until === null ? expiresAt + grace : Number(r.kept_until);
        const open = r.status === 'OPEN';
        return {
          leaseId: String(r.id),
          credentialId: Number(r.credential_id),
          terminal: String(r.name ?? ''),
          terminalRevoked: r.revoked_at !== null,
          eventId: Number(r.event_id),
          state:
            open && expiresAt > now
              ? 'selling'
              : keptUntil > now && Number(r.seats_held) + Number(r.places_held) > 0
                ? 'grace'
                : 'closed',
          expiresAt,
          keptUntil,
          seatsHeld: Number(r.seats_held),
          placesHeld: Number(r.places_held),
          sold: Number(r.sold),
          ticketFrom: Number(r.ticket_from),
          ticketTo: Number(r.ticket_to),
        };
      });
    });
  }

  async openLeaseIds(tenantId: number, credentialId: number): Promise<string[]> {
    const rows = await this.read((tx) =>
      tx.all<{ id: string }>(
        "SELECT id FROM leases WHERE tenant_id = ? AND credential_id = ? AND status = 'OPEN'",
        [tenantId, credentialId],
      ),
    );
    return rows.map((r) => String(r.id));
  }

  // issue 14 hook: conflict resolutions live in ./conflict-overrides.ts.
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

  async endLease(tenantId: number, leaseId: string, now: number): Promise<LeaseListing | null> {
    const grace = (await this.tenantSettings(tenantId)).LEASE_GRACE_MINUTES * MINUTE_MS;
    const found = await this.write(async (tx) => {
      const [lease] = await tx.all<{ transaction_id: string; status: string }>(
        'SELECT transaction_id, status FROM leases WHERE tenant_id = ? AND id = ?',
        [tenantId, leaseId],
      );
      if (!lease) return false;
      if (lease.status !== 'OPEN') return true;
      await tx.run(
        `UPDATE leases SET status = 'RETURNED', expires_at = CASE WHEN expires_at < ? THEN expires_at ELSE ? END
         WHERE tenant_id = ? AND id = ?`,
        [now, now, tenantId, leaseId],
      );
      // Sales made before now may still be on their way: the seats are kept for the grace, no longer.
      await tx.run(
        `UPDATE tickets SET reserved_until = CASE WHEN reserved_until < ? THEN reserved_until ELSE ? END, updated_at = ?
         WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'`,
        [now + grace, now + grace, now, tenantId, lease.transaction_id],
      );
      return true;
    });
    if (!found) return null;
    return (await this.leases(tenantId, now)).find((l) => l.leaseId === leaseId) ?? null;
  }

  async revokeCredential(tenantId: number, credentialId: number, now: number): Promise<boolean> {
    return this.write(async (tx) => {
      const changed = await tx.run(
        'UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND tenant_id = ?',
        [now, credentialId, tenantId],
      );
      if (changed > 0) await this.publishNotice(tx, { kind: 'revoked', tenantId, credentialId });
      return changed > 0;
    });
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

  async addEnrolCode(tenantId: number, codeHash: string, expiresAt: number, now: number): Promise<void> {
    await this.write((tx) =>
      tx.run('INSERT INTO enrol_codes (code_hash, tenant_id, expires_at, created_at) VALUES (?, ?, ?, ?)', [
        codeHash,
        tenantId,
        expiresAt,
        now,
      ]),
    );
  }

  async takeEnrolCode(codeHash: string, now: number): Promise<number | null> {
    return this.write(async (tx) => {
      // One UPDATE decides: two terminals racing for one code cannot both win.
      const rows = await tx.all<{ tenant_id: number }>(
        `UPDATE enrol_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING tenant_id`,
        [now, codeHash, now],
      );
      return rows[0] ? Number(rows[0].tenant_id) : null;
    });
  }

  // ---- inventory -------------------------------------------------------------------------------

  async putEvent(tenantId: number, event: ServerEventDefinition, now: number): Promise<void> {
    await this.write((tx) => this.putInventory(tx, tenantId, event, now));
  }

  async defineEvent(tenantId: number, file: EventFile, now: number, eventId?: number): Promise<CatalogEvent> {
    const settings = await this.tenantSettings(tenantId);
    return this.write(async (tx) => {
      let existing: CatalogEvent | null = null;
      if (eventId !== undefined) {
        existing = await catalog.storedEvent(tx, tenantId, eventId);
        if (!existing) {
          throw new TaquillaError(
            'UNKNOWN_EVENT',
            `There is no event ${eventId} in the catalogue to redefine`,
            {
              eventId,
            },
          );
        }
      }
      const event = await catalog.assignIds(tx, tenantId, file, existing, settings.LEASE_MINUTES);
      await catalog.saveEvent(tx, tenantId, event, now);
      await this.putInventory(tx, tenantId, inventoryOf(event), now);
      return event;
    });
  }

  async publishEvent(tenantId: number, event: CatalogEvent, now: number): Promise<void> {
    await this.write(async (tx) => {
      await catalog.assertIdsFree(tx, tenantId, event);
      await catalog.saveEvent(tx, tenantId, event, now);
      await this.putInventory(tx, tenantId, inventoryOf(event), now);
    });
  }

  async catalog(tenantId: number, sinceRevision: number): Promise<CatalogReply> {
    return this.read(async (tx) => {
      const [tenant] = await tx.all<{ name: string; settings: string }>(
        'SELECT name, settings FROM tenants WHERE id = ?',
        [tenantId],
      );
      if (!tenant) throw new TaquillaError('UNKNOWN_TENANT', `There is no tenant ${tenantId}`, { tenantId });
      // The revision first: an event saved while this runs is sent again next time, never skipped.
      const revision = await catalog.currentRevision(tx, tenantId);
      const events = await catalog.eventsSince(tx, tenantId, sinceRevision);
      return {
        revision,
        tenant: { tenantId, name: tenant.name, settings: JSON.parse(tenant.settings) as SettingsOverride },
        events,
      };
    });
  }

  async catalogRevision(tenantId: number): Promise<number> {
    return this.read((tx) => catalog.currentRevision(tx, tenantId));
  }

  /** The inventory part of an event, inside a write; its ids are noted as taken in the catalogue. */
  protected async putInventory(
    tx: SqlTx,
    tenantId: number,
    event: ServerEventDefinition,
    now: number,
  ): Promise<void> {
    {
      const existing = await tx.all<{ id: number }>('SELECT id FROM events WHERE tenant_id = ? AND id = ?', [
        tenantId,
        event.eventId,
      ]);
      if (existing.length === 0) {
        await tx.run(
          'INSERT INTO events (tenant_id, id, name, lease_minutes, version, created_at) VALUES (?, ?, ?, ?, 0, ?)',
          [tenantId, event.eventId, event.name, event.leaseMinutes, now],
        );
      } else {
        await tx.run('UPDATE events SET name = ?, lease_minutes = ? WHERE tenant_id = ? AND id = ?', [
          event.name,
          event.leaseMinutes,
          tenantId,
          event.eventId,
        ]);
      }
      for (const zone of event.zones) {
        const capacity = zone.kind === 'general' ? zone.capacity : zone.seats.length;
        await tx.run(
          `INSERT INTO zones (tenant_id, event_id, id, kind, name, price_cents, capacity, used)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0)
           ON CONFLICT (tenant_id, event_id, id) DO UPDATE SET name = excluded.name,
             price_cents = excluded.price_cents, capacity = excluded.capacity`,
          [tenantId, event.eventId, zone.zoneId, zone.kind, zone.name, zone.priceCents, capacity],
        );
        if (zone.kind !== 'numbered') continue;
        for (let i = 0; i < zone.seats.length; i += 500) {
          const chunk = zone.seats.slice(i, i + 500);
          await tx.run(
            `INSERT INTO seats (tenant_id, event_id, id, zone_id, label) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
             ON CONFLICT (tenant_id, event_id, id) DO UPDATE SET label = excluded.label`,
            chunk.flatMap((s) => [tenantId, event.eventId, s.seatId, zone.zoneId, s.label]),
          );
        }
      }
      await catalog.noteIds(tx, tenantId, 'event', event.eventId);
      await catalog.noteIds(tx, tenantId, 'zone', Math.max(...event.zones.map((z) => z.zoneId)));
      const seatIds = event.zones.flatMap((z) => (z.kind === 'numbered' ? z.seats.map((s) => s.seatId) : []));
      if (seatIds.length > 0)
        await catalog.noteIds(
          tx,
          tenantId,
          'seat',
          seatIds.reduce((a, b) => Math.max(a, b), 0),
        );
    }
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
    let input: unknown;
    try {
      input = operationInput(op, raw);
    } catch (error) {
      if (error instanceof TaquillaError) return refusal(error);
      throw error;
    }
    const settings = await this.tenantSettings(tenantId);
    try {
      return await this.write(async (tx) => {
        // The credential's revocation is read in the write itself: no instance applies a revoked
        // terminal's operation, whatever it has cached.
        const stored = await this.storedReply(tx, tenantId, credentialId, idempotency, op);
        if (stored) return stored;
        // A refusal undoes the operation's writes but keeps the transaction, which then stores the
        // refusal as this key's answer: one write either way. (COMMIT releases the savepoint.)
        await tx.run('SAVEPOINT op');
        try {
          const ctx: OpContext = { tx, tenantId, credentialId, now, settings, changes: new Map() };
          const result = await this.dispatch(ctx, op, input);
          const reply: StoredReply = { status: 200, body: { result }, replayed: false };
          if (idempotency) await this.saveReply(tx, tenantId, credentialId, idempotency, reply, now);
          await this.flushChanges(ctx); // last: it locks the event row until commit
          return reply;
        } catch (error) {
          const refused = this.asRefusal(error);
          if (!refused) throw error;
          await tx.run('ROLLBACK TO SAVEPOINT op');
          const reply = refusal(refused);
          // The refusal is an answer too: a retry of the same request must hear the same thing.
          if (idempotency) await this.saveReply(tx, tenantId, credentialId, idempotency, reply, now);
          return reply;
        }
      }, RELAXED_OPS.has(op));
    } catch (error) {
      if (error instanceof TaquillaError) return refusal(error);
      throw error;
    }
  }

  private async saveReply(
    tx: SqlTx,
    tenantId: number,
    credentialId: number,
    idem: Idempotency,
    reply: StoredReply,
    now: number,
  ): Promise<void> {
    // A concurrent twin with the same key makes this a unique violation: the write retries and reads it.
    await tx.run(
      'INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [tenantId, credentialId, idem.key, idem.requestHash, reply.status, JSON.stringify(reply.body), now],
    );
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
    return this.write(async (tx) => {
      const outcomes: KeyOutcome[] = [];
      for (const key of keys) {
        // The credential's own key (or one stored before keys were scoped: credential 0).
        const [row] = await tx.all<{ request_hash: string; status: number; body: string }>(
          `SELECT request_hash, status, body FROM idempotency
           WHERE tenant_id = ? AND credential_id IN (?, 0) AND key = ? ORDER BY credential_id DESC LIMIT 1`,
          [tenantId, credentialId, key],
        );
        if (row) {
          outcomes.push(
            row.request_hash === ABANDONED
              ? { key, outcome: 'abandoned' }
              : { key, outcome: 'applied', status: Number(row.status), body: JSON.parse(row.body) },
          );
          continue;
        }
        if (!abandon) {
          outcomes.push({ key, outcome: 'unknown' });
          continue;
        }
        const refusal = new TaquillaError('ABANDONED', 'This request was given up for lost by its terminal', {
          key,
        });
        await tx.run(
          'INSERT INTO idempotency (tenant_id, credential_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [
            tenantId,
            credentialId,
            key,
            ABANDONED,
            statusOfError('ABANDONED'),
            JSON.stringify({ error: refusal.toJSON() }),
            now,
          ],
        );
        outcomes.push({ key, outcome: 'abandoned' });
      }
      return outcomes;
    });
  }

  /** A domain refusal (thrown by the rules, or the schema's backstop) as a TaquillaError; else null. */
  private asRefusal(error: unknown): TaquillaError | null {
    if (error instanceof TaquillaError) return error;
    const kind = this.classify(error);
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

  /**
   * The stored answer to this key, if any, read in one statement with the credential's revocation
   * (one round trip on PostgreSQL). A revoked credential is refused before anything is replayed.
   */
  private async storedReply(
    tx: SqlTx,
    tenantId: number,
    credentialId: number,
    idem: Idempotency | null,
    op: ServerOperation,
  ): Promise<StoredReply | null> {
    const [row] = await tx.all<{
      revoked_at: number | null;
      request_hash: string | null;
      status: number | null;
      body: string | null;
    }>(
      // A key is its credential's own (two terminals may choose the same one); a row stored before
      // keys were scoped (credential 0, server migration 1) still answers for the whole tenant.
      `SELECT c.revoked_at, i.request_hash, i.status, i.body FROM (SELECT 1 AS one) AS one
       LEFT JOIN credentials c ON c.id = ? AND c.tenant_id = ?
       LEFT JOIN idempotency i ON i.tenant_id = ? AND i.credential_id IN (?, 0) AND i.key = ?
       ORDER BY i.credential_id DESC LIMIT 1`,
      [credentialId, tenantId, tenantId, credentialId, idem?.key ?? null],
    );
    // Revocation stops new work, not the upload of what was already sold: a revoked terminal still
    // reports its offline sales and gives its leases back (never renews them).
    const revoked = row?.revoked_at !== null && row?.revoked_at !== undefined;
    if (revoked && !UPLOAD_OPERATIONS.has(op)) {
      throw new TaquillaError('UNAUTHORIZED', 'Unknown or revoked credential', {});
    }
    if (!row || !idem || row.request_hash === null) return null;
    if (row.request_hash !== idem.requestHash && row.request_hash !== ABANDONED) {
      throw new TaquillaError('IDEMPOTENCY_MISMATCH', `Key ${idem.key} was used for a different request`, {
        key: idem.key,
      });
    }
    return {
      status: Number(row.status),
      body: JSON.parse(row.body!),
      replayed: true,
    };
  }

  private dispatch(ctx: OpContext, op: ServerOperation, input: unknown): Promise<unknown> {
    switch (op) {
      case 'holdSeats':
        return this.holdSeats(ctx, input as HoldSeatsInput);
      case 'holdGeneral':
        return this.holdGeneral(ctx, input as HoldGeneralInput);
      case 'releaseSeats':
        return this.releaseSeats(ctx, input as ReleaseSeatsInput);
      case 'releaseGeneral':
        return this.releaseGeneral(ctx, input as ReleaseGeneralInput);
      case 'releaseSession':
        return this.releaseSession(ctx, input as ReleaseSessionInput);
      case 'extendHolds':
        return this.extendHolds(ctx, input as ExtendHoldsInput);
      case 'convertToPartial':
        return this.convertToPartial(ctx, input as ServerConvertInput);
      case 'complete':
        return this.complete(ctx, input as ServerCompleteInput);
      case 'pay':
        return this.pay(ctx, input as ServerPayInput);
      case 'cancel':
        return this.cancel(ctx, input as CancelInput);
      case 'voidTickets':
        return this.voidTickets(ctx, input as ServerVoidInput);
      case 'lease':
        return this.lease(ctx, input as LeaseInput);
      case 'leaseSale':
        return this.leaseSale(ctx, input as LeaseSaleInput);
      case 'leaseReturn':
        return this.leaseReturn(ctx, input as LeaseReturnInput);
    }
  }

  // ---- holds -----------------------------------------------------------------------------------

  private async holdSeats(ctx: OpContext, input: HoldSeatsInput) {
    const { tx, tenantId, now } = ctx;
    const seats = await this.seatsOrThrow(ctx, input.eventId, input.seatIds);
    const event = { id: input.eventId };
    const session = await this.sessionOf(ctx, event.id, input.sessionId);
    const cart = session.cart;
    const { alreadyHeld } = await this.assertSeatsFree(ctx, event.id, input.seatIds, cart?.id ?? null);
    const toHold = seats.filter((s) => !alreadyHeld.includes(s.id));
    this.assertHeldWithinLimit(ctx, session.held, toHold.length);
    const transactionId = cart?.id ?? (await this.openCart(ctx, event.id, input.sessionId, input.actor));
    const until = now + ctx.settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS;
    if (toHold.length > 0) {
      await tx.run(
        `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
           price_cents, status, reserved_until, created_at, updated_at)
         VALUES ${toHold.map(() => "(?, ?, ?, ?, ?, 1, ?, ?, 'ACTIVE', ?, ?, ?)").join(', ')}`,
        toHold.flatMap((s) => [
          tenantId,
          transactionId,
          event.id,
          s.zone_id,
          s.id,
          input.sessionId,
          s.price_cents,
          until,
          now,
          now,
        ]),
      );
    }
    for (const s of toHold) this.changed(ctx, event.id, s.zone_id, s.id);
    return {
      transactionId,
      tickets: toHold.map((s) => ({
        seatId: s.id,
        zoneId: s.zone_id,
        label: s.label,
        quantity: 1,
        priceCents: Number(s.price_cents),
        reservedUntil: until,
      })),
      alreadyHeld,
    };
  }

  private async holdGeneral(ctx: OpContext, input: HoldGeneralInput) {
    const { tx, tenantId, now } = ctx;
    const event = await this.event(ctx, input.eventId);
    const zone = await this.generalZone(ctx, event.id, input.zoneId);
    await this.assertWithinLimit(ctx, input.sessionId, input.quantity);
    await this.takeCapacity(ctx, event.id, zone, input.quantity);
    const cart = await this.cartOf(ctx, event.id, input.sessionId);
    const transactionId = cart?.id ?? (await this.openCart(ctx, event.id, input.sessionId, input.actor));
    const until = now + ctx.settings.TEMPORARY_HOLD_MINUTES * MINUTE_MS;
    await tx.run(
      `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
         price_cents, status, reserved_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 'ACTIVE', ?, ?, ?)`,
      [
        tenantId,
        transactionId,
        event.id,
        zone.id,
        input.quantity,
        input.sessionId,
        zone.price_cents,
        until,
        now,
        now,
      ],
    );
    this.changed(ctx, event.id, zone.id, null);
    return {
      transactionId,
      tickets: [
        {
          seatId: null,
          zoneId: zone.id,
          label: zone.name,
          quantity: input.quantity,
          priceCents: Number(zone.price_cents),
          reservedUntil: until,
        },
      ],
      alreadyHeld: [],
    };
  }

  private async releaseSeats(ctx: OpContext, input: ReleaseSeatsInput) {
    const cart = await this.cartOf(ctx, input.eventId, input.sessionId);
    if (!cart) {
      await this.event(ctx, input.eventId); // a cart exists only in an event that does
      return { released: [], notHeld: input.seatIds };
    }
    const moved = await this.releaseTickets(
      ctx,
      cart,
      `AND seat_id IN (${marks(input.seatIds.length)})`,
      input.seatIds,
    );
    await this.closeIfEmpty(ctx, cart.id, 'CANCELLED');
    const released = moved.map((t) => t.seat_id!);
    return {
      released,
      notHeld: input.seatIds.filter((id) => !released.includes(id)),
    };
  }

  private async releaseGeneral(ctx: OpContext, input: ReleaseGeneralInput) {
    await this.generalZone(ctx, input.eventId, input.zoneId);
    const cart = await this.cartOf(ctx, input.eventId, input.sessionId);
    if (!cart) return { released: 0 };
    const moved = await this.releaseTickets(ctx, cart, 'AND seat_id IS NULL AND zone_id = ?', [input.zoneId]);
    await this.closeIfEmpty(ctx, cart.id, 'CANCELLED');
    return { released: moved.reduce((n, t) => n + Number(t.quantity), 0) };
  }

  private async releaseSession(ctx: OpContext, input: ReleaseSessionInput) {
    const carts = await ctx.tx.all<TxRow>(
      `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
       WHERE tenant_id = ? AND session_id = ? AND status = 'PENDING'`,
      [ctx.tenantId, input.sessionId],
    );
    let released = 0;
    for (const cart of carts) {
      const moved = await this.releaseTickets(ctx, cart, '', []);
      released += moved.reduce((n, t) => n + Number(t.quantity), 0);
      await this.closeIfEmpty(ctx, cart.id, 'CANCELLED');
    }
    return { released, transactions: carts.map((c) => c.id) };
  }

  private async extendHolds(ctx: OpContext, input: ExtendHoldsInput) {
    const { tx, now, settings } = ctx;
    await this.event(ctx, input.eventId);
    const cart = await this.cartOf(ctx, input.eventId, input.sessionId);
    const live = cart ? (await this.activeTickets(ctx, cart.id)).filter((t) => t.reserved_until > now) : [];
    if (!cart || live.length === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This session holds nothing to extend', {
        sessionId: input.sessionId,
      });
    }
    const minutes = input.minutes ?? settings.TEMPORARY_HOLD_MINUTES;
    const maxLifetime = settings.MAX_HOLD_LIFETIME_MINUTES * MINUTE_MS;
    const extended = [];
    for (const t of live) {
      const next = extendedUntil(t.created_at, t.reserved_until, now + minutes * MINUTE_MS, maxLifetime);
      if (next === null) continue;
      await tx.run('UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND id = ?', [
        next,
        now,
        ctx.tenantId,
        t.id,
      ]);
      this.changed(ctx, input.eventId, t.zone_id, t.seat_id);
      extended.push({ ...ticketView(t), reservedUntil: next });
    }
    if (extended.length === 0) {
      const maxUntil = Math.min(...live.map((t) => t.created_at + maxLifetime));
      throw new TaquillaError('EXTENSION_LIMIT', 'These holds cannot be extended any further', { maxUntil });
    }
    return { transactionId: cart.id, tickets: extended };
  }

  private async convertToPartial(ctx: OpContext, input: ServerConvertInput) {
    const { tx, tenantId, now } = ctx;
    const t = await this.transactionOrThrow(ctx, input.transactionId);
    assertTransactionTransition(t.id, t.status, 'RESERVED');
    const tickets = await this.liveTicketsOrThrow(ctx, t.id);
    assertCartAsExpected(t.id, input.expect, tickets.map(ticketView));
    // A deposit is money: it is stored with the reservation it holds, and never covers the whole.
    await this.takePayment(ctx, t.id, totalOf(tickets), input.payment, 'partial');
    const until = now + reservationLengthMs(input, ctx.settings.PARTIAL_PAYMENT_HOURS);
    await tx.run(
      `UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'`,
      [until, now, tenantId, t.id],
    );
    await this.setStatus(ctx, t.id, 'RESERVED', until);
    if (input.customer) {
      const c = input.customer;
      await tx.run(
        `INSERT INTO reservation_customers (tenant_id, transaction_id, name, id_number, phone) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, transaction_id) DO UPDATE SET name = excluded.name, id_number = excluded.id_number,
           phone = excluded.phone`,
        [tenantId, t.id, c.name, c.idNumber ?? null, c.phone ?? null],
      );
    }
    for (const k of tickets) this.changed(ctx, t.event_id, k.zone_id, k.seat_id);
    // A reservation's places are numbered now: the deposit receipt names them, and they are found by it.
    return summary(t, 'RESERVED', until, tickets, await this.numberTickets(ctx, t.id, tickets));
  }

  private async complete(ctx: OpContext, input: ServerCompleteInput) {
    const t = await this.transactionOrThrow(ctx, input.transactionId);
    assertTransactionTransition(t.id, t.status, 'COMPLETED');
    const tickets = await this.liveTicketsOrThrow(ctx, t.id);
    assertCartAsExpected(t.id, input.expect, tickets.map(ticketView));
    // The rule of money: a sale is COMPLETED only in the transaction that stores what pays it.
    await this.takePayment(ctx, t.id, totalOf(tickets), input.payment, 'whole');
    await this.sell(ctx, t, tickets);
    return summary(t, 'COMPLETED', null, tickets, await this.numberTickets(ctx, t.id, tickets));
  }

  /** A later payment on a reservation; the one that pays the balance completes the sale. */
  private async pay(ctx: OpContext, input: ServerPayInput) {
    const t = await this.transactionOrThrow(ctx, input.transactionId);
    if (t.status !== 'RESERVED') {
      throw new TaquillaError('NOT_PAYABLE', `Transaction ${t.id} is ${t.status}`, {
        transactionId: t.id,
        status: t.status,
      });
    }
    const tickets = await this.activeTickets(ctx, t.id);
    if (t.reserved_until === null || Number(t.reserved_until) <= ctx.now || tickets.length === 0) {
      throw new TaquillaError('RESERVATION_EXPIRED', `Reservation ${t.id} has expired`, {
        transactionId: t.id,
        expiredAt: t.reserved_until === null ? null : Number(t.reserved_until),
        customerName: null,
      });
    }
    const total = totalOf(tickets);
    const paid = await this.paidOf(ctx, t.id);
    if (paid !== input.expect.paidCents) {
      throw new TaquillaError('BALANCE_CHANGED', 'Another payment was taken on this reservation meanwhile', {
        transactionId: t.id,
        totalCents: total,
        paidCents: paid,
      });
    }
    const covered = await this.takePayment(ctx, t.id, total, input.payment, 'any');
    const numbers = await this.numberTickets(ctx, t.id, tickets);
    if (!covered) {
      return {
        ...summary(t, 'RESERVED', Number(t.reserved_until), tickets, numbers),
        paidCents: paid + input.payment.appliedCents,
      };
    }
    await this.sell(ctx, t, tickets);
    return { ...summary(t, 'COMPLETED', null, tickets, numbers), paidCents: total };
  }

  private async sell(ctx: OpContext, t: TxRow, tickets: TicketRow[]): Promise<void> {
    await ctx.tx.run(
      `UPDATE tickets SET status = 'COMPLETED', updated_at = ? WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'`,
      [ctx.now, ctx.tenantId, t.id],
    );
    await this.setStatus(ctx, t.id, 'COMPLETED', null);
    for (const k of tickets) this.changed(ctx, t.event_id, k.zone_id, k.seat_id);
  }

  /**
   * The venue's numbers of a transaction's places, taking new ones from the tenant's counter (in this
   * write, so a number is used once or, if the write rolls back, not at all) for places without one.
   * Returns the numbers of each ticket, in place order.
   */
  private async numberTickets(
    ctx: OpContext,
    transactionId: string,
    tickets: TicketRow[],
  ): Promise<Map<number, number[]>> {
    const numbers = await this.numbersOf(ctx, transactionId);
    const missing = tickets.filter((t) => !numbers.has(t.id));
    const count = missing.reduce((n, t) => n + t.quantity, 0);
    if (count === 0) return numbers;
    const [row] = await ctx.tx.all<{ next_ticket: number }>(
      'UPDATE tenants SET next_ticket = next_ticket + ? WHERE id = ? RETURNING next_ticket',
      [count, ctx.tenantId],
    );
    let next = Number(row!.next_ticket) - count;
    for (const t of missing) {
      const taken = Array.from({ length: t.quantity }, (_, i) => next + i);
      next += t.quantity;
      numbers.set(t.id, taken);
      await ctx.tx.run(
        `INSERT INTO ticket_numbers (tenant_id, number, transaction_id, ticket_id, place)
         VALUES ${taken.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        taken.flatMap((n, i) => [ctx.tenantId, n, transactionId, t.id, i + 1]),
      );
    }
    return numbers;
  }

  private async numbersOf(ctx: OpContext, transactionId: string): Promise<Map<number, number[]>> {
    const rows = await ctx.tx.all<{ ticket_id: number; number: number }>(
      `SELECT ticket_id, number FROM ticket_numbers WHERE tenant_id = ? AND transaction_id = ?
       ORDER BY ticket_id, place`,
      [ctx.tenantId, transactionId],
    );
    const numbers = new Map<number, number[]>();
    for (const r of rows) {
      const id = Number(r.ticket_id);
      numbers.set(id, [...(numbers.get(id) ?? []), Number(r.number)]);
    }
    return numbers;
  }

  private async paidOf(ctx: OpContext, transactionId: string): Promise<number> {
    const [row] = await ctx.tx.all<{ paid: number }>(
      'SELECT COALESCE(SUM(applied_cents), 0) AS paid FROM payments WHERE tenant_id = ? AND transaction_id = ?',
      [ctx.tenantId, transactionId],
    );
    return Number(row?.paid ?? 0);
  }

  /**
   * Stores a payment on a transaction whose live tickets cost `total`: 'whole' must leave nothing
   * owing (a sale), 'partial' must leave something owing (a deposit), 'any' either (an instalment).
   * Refused without the money it needs (PAYMENT_REQUIRED), or when what was paid before is not what
   * the counter charged against (BALANCE_CHANGED). Returns whether the total is now paid.
   */
  private async takePayment(
    ctx: OpContext,
    transactionId: string,
    total: number,
    payment: ServerPayment | undefined,
    covers: 'whole' | 'partial' | 'any',
  ): Promise<boolean> {
    const paid = await this.paidOf(ctx, transactionId);
    const facts = { transactionId, totalCents: total, paidCents: paid };
    if (!payment) {
      // A reservation may hold seats with nothing paid yet (a kiosk's "Pagar en taquilla" slip); a sale
      // is never completed without what pays it.
      if (covers === 'partial') return false;
      if (total > paid) throw new TaquillaError('PAYMENT_REQUIRED', 'No payment came with this sale', facts);
      return true;
    }
    const after = paid + payment.appliedCents;
    const wrong =
      payment.dueCents !== total - paid ||
      after > total ||
      (covers === 'whole' && after !== total) ||
      (covers === 'partial' && after >= total);
    if (wrong)
      throw new TaquillaError('BALANCE_CHANGED', 'The balance is not what this payment was for', facts);
    await this.useReferences(ctx, transactionId, payment, 'refuse');
    await ctx.tx.run(
      `INSERT INTO payments (tenant_id, id, transaction_id, kind, cashier, credential_id, applied_cents, record, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        ctx.tenantId,
        payment.paymentId,
        transactionId,
        payment.kind,
        payment.cashier,
        ctx.credentialId,
        payment.appliedCents,
        JSON.stringify(payment),
        ctx.now,
      ],
    );
    return after === total;
  }

  /**
   * Records the references a payment's tenders carry (recordedReferenceKey), in the write that stores
   * the payment: a reference pays once per tenant, whichever counter or instance shows it. 'refuse'
   * (a payment taken online) throws DUPLICATE_REFERENCE naming the sale that used it, and the whole
   * operation is rolled back; 'keep-first' (money an offline counter already took) keeps the first use.
   */
  private async useReferences(
    ctx: OpContext,
    transactionId: string,
    payment: ServerPayment,
    mode: 'refuse' | 'keep-first',
  ): Promise<void> {
    const seen = new Set<string>();
    for (const line of payment.lines) {
      const key = recordedReferenceKey(line);
      if (key === null) continue;
      const refuse = (used: { payment_id: string; transaction_id: string } | null): never => {
        const number = used ? saleNumberOf(used.transaction_id) : null;
        throw new TaquillaError(
          'DUPLICATE_REFERENCE',
          used
            ? `${line.method} reference ${line.reference} was already used in sale ${number}`
            : `${line.method} reference ${line.reference} appears twice in this payment`,
          {
            method: line.method,
            reference: line.reference ?? key,
            paymentId: used?.payment_id ?? null,
            transactionId: used?.transaction_id ?? null,
            transactionNumber: number,
          },
        );
      };
      if (seen.has(key)) {
        if (mode === 'refuse') refuse(null);
        continue;
      }
      seen.add(key);
      // ON CONFLICT DO NOTHING: a concurrent use commits first and this insert then counts 0 rows
      // (PostgreSQL waits for it), rather than aborting the transaction with a key violation.
      const inserted = await ctx.tx.run(
        `INSERT INTO payment_references (tenant_id, reference_key, payment_id, transaction_id, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [ctx.tenantId, key, payment.paymentId, transactionId, ctx.now],
      );
      if (inserted === 1 || mode === 'keep-first') continue;
      const [used] = await ctx.tx.all<{ payment_id: string; transaction_id: string }>(
        'SELECT payment_id, transaction_id FROM payment_references WHERE tenant_id = ? AND reference_key = ?',
        [ctx.tenantId, key],
      );
      refuse(used ?? null);
    }
  }

  private async cancel(ctx: OpContext, input: CancelInput) {
    const t = await this.transactionOrThrow(ctx, input.transactionId);
    assertTransactionTransition(t.id, t.status, 'CANCELLED');
    const tickets = await this.activeTickets(ctx, t.id);
    await this.releaseTickets(ctx, t, '', []);
    await this.setStatus(ctx, t.id, 'CANCELLED', null);
    return summary(t, 'CANCELLED', null, tickets);
  }

  /**
   * A void (issue 16), in one write: the named places of a sale (COMPLETED tickets) or a deposit's
   * (ACTIVE tickets of a RESERVED transaction, all of them) go back on sale, a sale left with nothing
   * is CANCELLED, and the void is recorded with its refund beside the sale's payments. The seats reach
   * every counter as free through the change feed. Refused: another tenant's or unknown transaction
   * (UNKNOWN_TRANSACTION), nothing to void in that state (NOT_VOIDABLE), a place no longer live
   * (ALREADY_VOIDED), a refund beyond what the server's payments of the sale have left (BALANCE_CHANGED).
   */
  private async voidTickets(ctx: OpContext, input: ServerVoidInput) {
    const { tx, tenantId, now } = ctx;
    // A sale made offline from a lease is stored under the server's id; its counter names it by its own.
    const [sold] = await tx.all<{ transaction_id: string }>(
      'SELECT transaction_id FROM lease_sales WHERE tenant_id = ? AND sale_id = ?',
      [tenantId, input.transactionId],
    );
    const t = sold
      ? await this.leaseSaleTransaction(ctx, sold.transaction_id)
      : await this.transactionOrThrow(ctx, input.transactionId);
    const deposit = input.kind === 'DEPOSIT';
    const voidedBefore = await tx.all<{ n: number }>(
      'SELECT COUNT(*) AS n FROM voids WHERE tenant_id = ? AND transaction_id = ?',
      [tenantId, t.id],
    );
    if (t.status === 'CANCELLED' && Number(voidedBefore[0]?.n ?? 0) > 0) {
      throw new TaquillaError('ALREADY_VOIDED', `Sale ${saleNumberOf(t.id)} has nothing left to void`, {
        transactionId: t.id,
        ticketNumbers: [],
      });
    }
    if (t.status !== (deposit ? 'RESERVED' : 'COMPLETED')) {
      throw new TaquillaError('NOT_VOIDABLE', `Transaction ${saleNumberOf(t.id)} is ${t.status}`, {
        transactionId: t.id,
        status: t.status,
      });
    }
    const live = await tx.all<{ id: number; zone_id: number; seat_id: number | null; quantity: number }>(
      `SELECT id, zone_id, seat_id, quantity FROM tickets WHERE tenant_id = ? AND transaction_id = ? AND status = ?
       ORDER BY id`,
      [tenantId, t.id, deposit ? 'ACTIVE' : 'COMPLETED'],
    );
    const tickets = live.map((k) => ({
      id: Number(k.id),
      zone: Number(k.zone_id),
      seat: k.seat_id === null ? null : Number(k.seat_id),
      quantity: Number(k.quantity),
      take: 0,
    }));
    const missing: string[] = [];
    for (const p of input.places) {
      let wanted = p.seatId === null ? p.places : 1;
      for (const k of tickets) {
        if (wanted === 0) break;
        if (k.zone !== p.zoneId || k.seat !== p.seatId || k.take >= k.quantity) continue;
        const take = Math.min(wanted, k.quantity - k.take);
        k.take += take;
        wanted -= take;
      }
      if (wanted > 0) missing.push(p.seatId === null ? `zone ${p.zoneId} (${wanted})` : `seat ${p.seatId}`);
    }
    if (missing.length > 0) {
      throw new TaquillaError('ALREADY_VOIDED', `Not live in this sale any more: ${missing.join(', ')}`, {
        transactionId: t.id,
        ticketNumbers: [],
      });
    }
    if (deposit && tickets.some((k) => k.take < k.quantity)) {
      throw new TaquillaError('VALIDATION', 'A deposit is cancelled whole', {
        issues: [{ path: 'places', message: 'a deposit is cancelled whole' }],
      });
    }
    // The refund comes out of what the server's payments of this sale have left (when it keeps them:
    // a sale settled online does; the money of one sold before payments travelled is at its counter).
    const paid = await this.paidOf(ctx, t.id);
    if (paid > 0) {
      const [row] = await tx.all<{ refunded: number }>(
        'SELECT COALESCE(SUM(refund_usd_cents), 0) AS refunded FROM voids WHERE tenant_id = ? AND transaction_id = ?',
        [tenantId, t.id],
      );
      const left = paid - Number(row?.refunded ?? 0);
      if (input.refund.usdCents > left) {
        throw new TaquillaError('BALANCE_CHANGED', 'The refund is more than this sale has left paid', {
          transactionId: t.id,
          totalCents: input.refund.usdCents,
          paidCents: left,
        });
      }
    }
    const voidId = randomUUID();
    await tx.run(
      `INSERT INTO voids (tenant_id, id, transaction_id, kind, actor, approved_by, reason, credential_id,
         refund_usd_cents, record, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        tenantId,
        voidId,
        t.id,
        input.kind,
        input.actor,
        input.approvedBy,
        input.reason,
        ctx.credentialId,
        input.refund.usdCents,
        JSON.stringify({ places: input.places, refund: input.refund }),
        now,
      ],
    );
    let status: TransactionStatus = t.status;
    if (deposit) {
      await this.releaseTickets(ctx, t, '', []);
      status = 'CANCELLED';
    } else {
      const gaByZone = new Map<number, number>();
      for (const k of tickets.filter((k) => k.take > 0)) {
        if (k.take === k.quantity) {
          await tx.run(
            `UPDATE tickets SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND id = ?`,
            [now, tenantId, k.id],
          );
        } else {
          await tx.run('UPDATE tickets SET quantity = ?, updated_at = ? WHERE tenant_id = ? AND id = ?', [
            k.quantity - k.take,
            now,
            tenantId,
            k.id,
          ]);
        }
        if (k.seat === null) gaByZone.set(k.zone, (gaByZone.get(k.zone) ?? 0) + k.take);
        this.changed(ctx, t.event_id, k.zone, k.seat);
      }
      for (const [zoneId, quantity] of gaByZone) {
        await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
          quantity,
          tenantId,
          t.event_id,
          zoneId,
        ]);
      }
      if (tickets.every((k) => k.take === k.quantity)) status = 'CANCELLED';
    }
    // Every door refuses what this void took back (the keyset's revocation list).
    await keysets.revokeVoidedTickets(tx, {
      tenantId,
      transactionId: t.id,
      wholeTicketIds: tickets.filter((k) => k.take === k.quantity).map((k) => k.id),
      ticketNumbers: input.ticketNumbers ?? [],
      refunded: input.refund.usdCents > 0,
      now,
    });
    if (status !== t.status) await this.setStatus(ctx, t.id, status, null);
    return { voidId, transactionId: t.id, status, refundUsdCents: input.refund.usdCents };
  }

  // ---- offline leases --------------------------------------------------------------------------

  /**
   * Leases inventory to one terminal for offline selling: the seats are held by a RESERVED
   * transaction of the lease until it expires, so nobody else can take them while the terminal is
   * cut off, and the terminal gets its own block of ticket numbers.
   */
  private async lease(ctx: OpContext, input: LeaseInput): Promise<LeaseGrant> {
    const { tx, tenantId, now } = ctx;
    const event = await this.event(ctx, input.eventId);
    const leaseId = randomUUID();
    // The lease policy of the event (this counter's, else the default) sets the period (issue 14).
    const period =
      (await policyLeaseMinutes(tx, tenantId, event.id, ctx.credentialId)) ?? event.lease_minutes;
    const expiresAt = now + period * MINUTE_MS;
    // The counter sells until expiresAt; the seats stay the lease's for a grace beyond it, so a sale
    // made just before the end is reported before anyone else can take the seat.
    const keptUntil = expiresAt + ctx.settings.LEASE_GRACE_MINUTES * MINUTE_MS;
    const seats = input.seatIds.length > 0 ? await this.seatsOrThrow(ctx, event.id, input.seatIds) : [];
    if (seats.length > 0) {
      await this.assertSeatsFree(ctx, event.id, input.seatIds, null);
    }
    let zone: ZoneRow | null = null;
    if (input.general) {
      zone = await this.generalZone(ctx, event.id, input.general.zoneId);
      await this.takeCapacity(ctx, event.id, zone, input.general.quantity);
    }
    const transactionId = `lease-${leaseId}`;
    await tx.run(
      `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'RESERVED', ?, ?, ?)`,
      [tenantId, transactionId, event.id, `lease:${leaseId}`, input.actor, keptUntil, now, now],
    );
    const rows: unknown[][] = seats.map((s) => [s.zone_id, s.id, 1, s.price_cents]);
    if (zone && input.general) rows.push([zone.id, null, input.general.quantity, zone.price_cents]);
    if (rows.length > 0) {
      await tx.run(
        `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
           price_cents, status, reserved_until, created_at, updated_at)
         VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?)").join(', ')}`,
        rows.flatMap((r) => [
          tenantId,
          transactionId,
          event.id,
          ...r.slice(0, 3),
          `lease:${leaseId}`,
          r[3],
          keptUntil,
          now,
          now,
        ]),
      );
    }
    for (const s of seats) this.changed(ctx, event.id, s.zone_id, s.id);
    if (zone) this.changed(ctx, event.id, zone.id, null);
    const [numbers] = await tx.all<{ next_ticket: number }>(
      'UPDATE tenants SET next_ticket = next_ticket + ? WHERE id = ? RETURNING next_ticket',
      [input.ticketNumbers, tenantId],
    );
    const ticketTo = Number(numbers!.next_ticket) - 1;
    const ticketFrom = ticketTo - input.ticketNumbers + 1;
    await tx.run(
      `INSERT INTO leases (tenant_id, id, credential_id, event_id, transaction_id, ticket_from, ticket_to,
         expires_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?)`,
      [tenantId, leaseId, ctx.credentialId, event.id, transactionId, ticketFrom, ticketTo, expiresAt, now],
    );
    return {
      leaseId,
      eventId: event.id,
      seatIds: seats.map((s) => s.id),
      general: input.general ? { zoneId: input.general.zoneId, quantity: input.general.quantity } : null,
      ticketFrom,
      ticketTo,
      expiresAt,
    };
  }

  /**
   * Records a sale made offline. Seats still under the lease are simply sold; a seat whose lease ran
   * out is sold too if nobody took it meanwhile. Only a seat someone else now holds is refused
   * (SEAT_TAKEN), and the terminal puts that on its conflict list.
   */
  private async leaseSale(ctx: OpContext, input: LeaseSaleInput) {
    const { tx, tenantId, now } = ctx;
    const lease = await this.leaseOrThrow(ctx, input.leaseId);
    const eventId = Number(lease.event_id);
    await this.assertSaleInsideLease(ctx, lease, input);
    const seats = input.seatIds.length > 0 ? await this.seatsOrThrow(ctx, eventId, input.seatIds) : [];
    if (seats.length > 0) {
      // The lease's own tickets on these seats step aside for the sale.
      await tx.run(
        `UPDATE tickets SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND transaction_id = ?
           AND status = 'ACTIVE' AND seat_id IN (${marks(input.seatIds.length)})`,
        [now, tenantId, lease.transaction_id, ...input.seatIds],
      );
      await this.assertSeatsFree(ctx, eventId, input.seatIds, null);
    }
    let zone: ZoneRow | null = null;
    if (input.general) {
      zone = await this.generalZone(ctx, eventId, input.general.zoneId);
      const [leased] = await tx.all<{ id: number; quantity: number }>(
        `SELECT id, quantity FROM tickets WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE'
           AND seat_id IS NULL AND zone_id = ?`,
        [tenantId, lease.transaction_id, zone.id],
      );
      const fromLease = Math.min(Number(leased?.quantity ?? 0), input.general.quantity);
      if (leased && fromLease > 0) {
        const left = Number(leased.quantity) - fromLease;
        await tx.run(
          left === 0
            ? "UPDATE tickets SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND id = ?"
            : `UPDATE tickets SET quantity = ${left}, updated_at = ? WHERE tenant_id = ? AND id = ?`,
          [now, tenantId, leased.id],
        );
        await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
          fromLease,
          tenantId,
          eventId,
          zone.id,
        ]);
      }
      await this.takeCapacity(ctx, eventId, zone, input.general.quantity);
    }
    const transactionId = `sale-${randomUUID()}`;
    await tx.run(
      `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'COMPLETED', NULL, ?, ?)`,
      [tenantId, transactionId, eventId, `lease:${lease.id}`, input.actor, input.soldAt, now],
    );
    // The counter knows this sale by its own id (a void names it so).
    await tx.run(
      'INSERT INTO lease_sales (tenant_id, sale_id, transaction_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [tenantId, input.saleId, transactionId],
    );
    const rows: unknown[][] = seats.map((s) => [s.zone_id, s.id, 1, s.price_cents]);
    if (zone && input.general) rows.push([zone.id, null, input.general.quantity, zone.price_cents]);
    const sold = await tx.all<{ id: number; seat_id: number | null }>(
      `INSERT INTO tickets (tenant_id, transaction_id, event_id, zone_id, seat_id, quantity, session_id,
         price_cents, status, reserved_until, created_at, updated_at)
       VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 'COMPLETED', ?, ?, ?)").join(', ')}
       RETURNING id, seat_id`,
      rows.flatMap((r) => [
        tenantId,
        transactionId,
        eventId,
        ...r.slice(0, 3),
        `lease:${lease.id}`,
        r[3],
        now,
        now,
        now,
      ]),
    );
    for (const s of seats) this.changed(ctx, eventId, s.zone_id, s.id);
    if (zone) this.changed(ctx, eventId, zone.id, null);
    // The numbers the counter printed, from its lease's block: seats in the order reported, then the
    // standing places. A number is the venue's once (the key refuses a second use).
    const places: { ticketId: number; place: number }[] = [];
    for (const seatId of input.seatIds) {
      const ticket = sold.find((t) => t.seat_id !== null && Number(t.seat_id) === seatId);
      if (ticket) places.push({ ticketId: Number(ticket.id), place: 1 });
    }
    const standing = sold.find((t) => t.seat_id === null);
    for (let i = 1; standing && i <= (input.general?.quantity ?? 0); i++) {
      places.push({ ticketId: Number(standing.id), place: i });
    }
    const numbered = places
      .map((p, i) => ({ ...p, number: input.ticketNumbers[i] }))
      .filter(
        (p) =>
          p.number !== undefined &&
          p.number >= Number(lease.ticket_from) &&
          p.number <= Number(lease.ticket_to),
      );
    if (numbered.length > 0) {
      await tx.run(
        `INSERT INTO ticket_numbers (tenant_id, number, transaction_id, ticket_id, place)
         VALUES ${numbered.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
        numbered.flatMap((p) => [tenantId, p.number, transactionId, p.ticketId, p.place]),
      );
    }
    // The money taken offline is stored with the sale (an offline sale is reported, never refused
    // for its money: the counter already sold it).
    for (const payment of input.payments ?? []) {
      await this.useReferences(ctx, transactionId, payment, 'keep-first');
      await ctx.tx.run(
        `INSERT INTO payments (tenant_id, id, transaction_id, kind, cashier, credential_id, applied_cents, record, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          tenantId,
          payment.paymentId,
          transactionId,
          payment.kind,
          payment.cashier,
          ctx.credentialId,
          payment.appliedCents,
          JSON.stringify(payment),
          now,
        ],
      );
    }
    return {
      transactionId,
      saleId: input.saleId,
      ticketNumbers: input.ticketNumbers,
    };
  }

  /**
   * A lease covers only what it granted: each seat still unsold in it (a lease ticket ACTIVE, or
   * EXPIRED once its grace passed — then the seat is sold only if still free), standing places of its
   * zone up to what it still holds, one number per place from its block never used before, and a sale
   * time between the grant and the lease's end. Anything else is refused, whole (OUTSIDE_LEASE).
   */
  private async assertSaleInsideLease(
    ctx: OpContext,
    lease: Awaited<ReturnType<SqlHoldStore['leaseOrThrow']>>,
    input: ReturnType<typeof leaseSaleInput.parse>,
  ): Promise<void> {
    const { tx, tenantId } = ctx;
    const refuse = (reason: ErrorDetails['OUTSIDE_LEASE']['reason'], facts: object, message: string) =>
      new TaquillaError('OUTSIDE_LEASE', message, { leaseId: lease.id, reason, ...facts });
    const from = Number(lease.created_at) - LEASE_CLOCK_SKEW_MS;
    const until = Number(lease.expires_at);
    if (input.soldAt < from || input.soldAt > until) {
      throw refuse('sold-at', { soldAt: input.soldAt, from, until }, 'The sale time is outside the lease');
    }
    const unsold = await tx.all<{ seat_id: number | null; zone_id: number; quantity: number }>(
      `SELECT seat_id, zone_id, quantity FROM tickets WHERE tenant_id = ? AND transaction_id = ?
         AND status IN ('ACTIVE', 'EXPIRED')`,
      [tenantId, lease.transaction_id],
    );
    const leasedSeats = new Set(unsold.filter((t) => t.seat_id !== null).map((t) => Number(t.seat_id)));
    const notLeased = input.seatIds.filter((id) => !leasedSeats.has(id));
    if (notLeased.length > 0) {
      throw refuse(
        'not-leased',
        { seatIds: notLeased },
        'Seats not leased (or already reported) in this lease',
      );
    }
    if (input.general) {
      const zoneId = input.general.zoneId;
      const places = unsold
        .filter((t) => t.seat_id === null && Number(t.zone_id) === zoneId)
        .reduce((n, t) => n + Number(t.quantity), 0);
      if (input.general.quantity > places) {
        throw refuse(
          'not-leased',
          { zoneId },
          `Only ${places} standing places of zone ${zoneId} are in this lease`,
        );
      }
    }
    const numbers = input.ticketNumbers;
    const places = input.seatIds.length + (input.general?.quantity ?? 0);
    const outside = numbers.filter((n) => n < Number(lease.ticket_from) || n > Number(lease.ticket_to));
    const repeated = numbers.filter((n, i) => numbers.indexOf(n) !== i);
    const used =
      numbers.length === 0
        ? []
        : await tx.all<{ number: number }>(
            `SELECT number FROM ticket_numbers WHERE tenant_id = ? AND number IN (${marks(numbers.length)})`,
            [tenantId, ...numbers],
          );
    const bad = [...outside, ...repeated, ...used.map((u) => Number(u.number))];
    if (numbers.length !== places || bad.length > 0) {
      throw refuse(
        'ticket-numbers',
        { ticketNumbers: bad, from: Number(lease.ticket_from), until: Number(lease.ticket_to) },
        `A sale of ${places} places reports ${places} unused numbers of the lease's block`,
      );
    }
  }

  /** Gives back what the lease did not sell, or renews it for another period. */
  private async leaseReturn(ctx: OpContext, input: LeaseReturnInput) {
    const { tx, tenantId, now } = ctx;
    const lease = await this.leaseOrThrow(ctx, input.leaseId);
    const eventId = Number(lease.event_id);
    if (input.renewMinutes !== undefined || input.renew) {
      // A lease returned (or ended by the supervisor) is not brought back by its counter.
      if (lease.status !== 'OPEN') {
        throw new TaquillaError('UNKNOWN_LEASE', `Lease ${lease.id} is closed`, { leaseId: lease.id });
      }
      const [credential] = await tx.all<{ revoked_at: number | null }>(
        'SELECT revoked_at FROM credentials WHERE tenant_id = ? AND id = ?',
        [tenantId, ctx.credentialId],
      );
      if (credential && credential.revoked_at !== null) {
        throw new TaquillaError(
          'UNAUTHORIZED',
          'A revoked terminal gives its leases back, it does not renew them',
          {},
        );
      }
      // Bounded by the event's lease policy: a renewal is another lease period, never more.
      const event = await this.event(ctx, eventId);
      const period =
        (await policyLeaseMinutes(tx, tenantId, eventId, ctx.credentialId)) ?? event.lease_minutes;
      const minutes = input.renewMinutes ?? period;
      if (minutes > period) {
        throw new TaquillaError('LEASE_RENEWAL_TOO_LONG', `A renewal lasts at most ${period} minutes`, {
          leaseId: lease.id,
          renewMinutes: minutes,
          maxMinutes: period,
        });
      }
      // Never shorter than the counter was already told: it may be selling from it right now.
      const expiresAt = Math.max(Number(lease.expires_at), now + minutes * MINUTE_MS);
      const keptUntil = expiresAt + ctx.settings.LEASE_GRACE_MINUTES * MINUTE_MS;
      const renewed = await tx.all<{
        seat_id: number | null;
        zone_id: number;
        quantity: number;
      }>(
        `UPDATE tickets SET reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND transaction_id = ?
           AND status = 'ACTIVE' AND reserved_until > ? RETURNING seat_id, zone_id, quantity`,
        [keptUntil, now, tenantId, lease.transaction_id, now],
      );
      await tx.run('UPDATE transactions SET reserved_until = ? WHERE tenant_id = ? AND id = ?', [
        keptUntil,
        tenantId,
        lease.transaction_id,
      ]);
      await tx.run('UPDATE leases SET expires_at = ? WHERE tenant_id = ? AND id = ?', [
        expiresAt,
        tenantId,
        lease.id,
      ]);
      for (const t of renewed) this.changed(ctx, eventId, t.zone_id, t.seat_id);
      return {
        leaseId: lease.id,
        expiresAt,
        seatIds: renewed.filter((t) => t.seat_id !== null).map((t) => Number(t.seat_id)),
        general: renewed.find((t) => t.seat_id === null) ?? null,
      };
    }
    const t: TxRow = {
      id: lease.transaction_id,
      event_id: eventId,
      session_id: `lease:${lease.id}`,
      actor: input.actor,
      status: 'RESERVED',
      reserved_until: null,
    };
    const moved = await this.releaseTickets(ctx, t, '', []);
    await tx.run("UPDATE leases SET status = 'RETURNED' WHERE tenant_id = ? AND id = ?", [
      tenantId,
      lease.id,
    ]);
    await tx.run(
      `UPDATE transactions SET status = 'CANCELLED', updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'RESERVED'`,
      [now, tenantId, lease.transaction_id],
    );
    return {
      leaseId: lease.id,
      returned: moved.reduce((n, k) => n + Number(k.quantity), 0),
    };
  }

  // ---- cleanup ---------------------------------------------------------------------------------

  async tenantIds(): Promise<number[]> {
    const rows = await this.read((tx) => tx.all<{ id: number }>('SELECT id FROM tenants ORDER BY id'));
    return rows.map((r) => Number(r.id));
  }

  async expireHolds(tenantId: number, now: number, limit = 500): Promise<number> {
    const settings = await this.tenantSettings(tenantId);
    return this.write(async (tx) => {
      // Only temporary holds: a deposit's or a lease's end is decided by its own flow.
      const moved = await tx.all<{
        event_id: number;
        zone_id: number;
        seat_id: number | null;
        quantity: number;
      }>(
        `UPDATE tickets SET status = 'EXPIRED', updated_at = ?
         WHERE status = 'ACTIVE' AND id IN (
           SELECT t.id FROM tickets t JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
           WHERE t.tenant_id = ? AND t.status = 'ACTIVE' AND t.reserved_until <= ? AND x.status = 'PENDING'
           ORDER BY t.reserved_until LIMIT ?)
         RETURNING event_id, zone_id, seat_id, quantity`,
        [now, tenantId, now, limit],
      );
      if (moved.length === 0) return 0;
      const ctx: OpContext = { tx, tenantId, credentialId: 0, now, settings, changes: new Map() };
      const standing = new Map<string, number>();
      for (const m of moved) {
        this.changed(ctx, Number(m.event_id), m.zone_id, m.seat_id);
        if (m.seat_id === null) {
          const key = `${m.event_id}:${m.zone_id}`;
          standing.set(key, (standing.get(key) ?? 0) + Number(m.quantity));
        }
      }
      for (const [key, quantity] of standing) {
        const [eventId, zoneId] = key.split(':').map(Number);
        await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
          quantity,
          tenantId,
          eventId,
          zoneId,
        ]);
      }
      await this.flushChanges(ctx);
      return moved.length;
    });
  }

  // ---- availability ----------------------------------------------------------------------------

  async searchReservations(
    tenantId: number,
    query: string,
    includeClosed: boolean,
    now: number,
  ): Promise<ServerReservation[]> {
    return this.read(async (tx) => {
      const columns = `x.id, x.event_id, x.session_id, x.actor, x.status, x.reserved_until, c.name, c.id_number, c.phone`;
      type Row = {
        id: string;
        event_id: number;
        session_id: string;
        actor: string;
        status: TransactionStatus;
        reserved_until: number | null;
        name: string;
        id_number: string | null;
        phone: string | null;
      };
      const found = new Map<string, Row>();
      const prefix = uuidPrefix(query);
      if (prefix) {
        const byNumber = await tx.all<Row>(
          `SELECT ${columns} FROM transactions x
           JOIN reservation_customers c ON c.tenant_id = x.tenant_id AND c.transaction_id = x.id
           WHERE x.tenant_id = ? AND x.id LIKE ? LIMIT 20`,
          [tenantId, `${prefix}%`],
        );
        for (const row of byNumber) found.set(row.id, row);
      }
      // Reservations are few beside holds: the accent- and separator-blind match is done here.
      const candidates = await tx.all<Row>(
        `SELECT ${columns} FROM transactions x
         JOIN reservation_customers c ON c.tenant_id = x.tenant_id AND c.transaction_id = x.id
         WHERE x.tenant_id = ? AND (? = 1 OR x.status = 'RESERVED')`,
        [tenantId, includeClosed ? 1 : 0],
      );
      for (const row of candidates) {
        if (customerMatches(query, { name: row.name, idNumber: row.id_number, phone: row.phone })) {
          found.set(row.id, row);
        }
      }
      // A ticket number (as printed, leading zeros or not) names the reservation its place is in.
      const digits = query.replace(/\D/g, '');
      if (/^[\d\s-]+$/.test(query) && digits.length > 0 && digits.length <= 15) {
        const byTicket = await tx.all<Row>(
          `SELECT ${columns} FROM ticket_numbers n
           JOIN transactions x ON x.tenant_id = n.tenant_id AND x.id = n.transaction_id
           JOIN reservation_customers c ON c.tenant_id = x.tenant_id AND c.transaction_id = x.id
           WHERE n.tenant_id = ? AND n.number = ? AND (? = 1 OR x.status = 'RESERVED')`,
          [tenantId, Number(digits), includeClosed ? 1 : 0],
        );
        for (const row of byTicket) found.set(row.id, row);
      }
      const out: ServerReservation[] = [];
      for (const row of [...found.values()].slice(0, 20)) {
        const items = await tx.all<TicketRow>(
          `SELECT t.id, t.transaction_id, t.zone_id, t.seat_id, t.quantity, t.status, t.reserved_until, t.created_at,
                  t.price_cents, COALESCE(s.label, z.name) AS label
           FROM tickets t
           LEFT JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
           JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
           WHERE t.tenant_id = ? AND t.transaction_id = ? AND t.status IN ('ACTIVE', 'COMPLETED') ORDER BY t.id`,
          [tenantId, row.id],
        );
        const payments = await tx.all<{ record: string }>(
          'SELECT record FROM payments WHERE tenant_id = ? AND transaction_id = ? ORDER BY created_at, id',
          [tenantId, row.id],
        );
        const numbers = await tx.all<{ ticket_id: number; number: number }>(
          'SELECT ticket_id, number FROM ticket_numbers WHERE tenant_id = ? AND transaction_id = ? ORDER BY ticket_id, place',
          [tenantId, row.id],
        );
        const numbersOf = (ticketId: number) =>
          numbers.filter((n) => Number(n.ticket_id) === ticketId).map((n) => Number(n.number));
        const until = row.reserved_until === null ? null : Number(row.reserved_until);
        out.push({
          transactionId: row.id,
          eventId: Number(row.event_id),
          sessionId: row.session_id,
          actor: row.actor,
          // A reservation whose time ran out is expired, whether or not anything marked it.
          status: row.status === 'RESERVED' && until !== null && until <= now ? 'EXPIRED' : row.status,
          reservedUntil: until,
          customer: { name: row.name, idNumber: row.id_number, phone: row.phone },
          items: items.map((t) => {
            const ticketNumbers = numbersOf(Number(t.id));
            const view = ticketView({
              ...t,
              zone_id: Number(t.zone_id),
              seat_id: t.seat_id === null ? null : Number(t.seat_id),
              quantity: Number(t.quantity),
              reserved_until: Number(t.reserved_until),
              price_cents: Number(t.price_cents),
            });
            return ticketNumbers.length > 0 ? { ...view, ticketNumbers } : view;
          }),
          payments: payments.map((p) => JSON.parse(p.record) as ServerPayment),
        });
      }
      return out;
    });
  }

  async changesSince(
    tenantId: number,
    eventId: number,
    sinceVersion: number,
    now: number,
  ): Promise<ChangesSince> {
    return this.read(async (tx) => {
      const [event] = await tx.all<{ version: number; floor: number }>(
        `SELECT e.version, COALESCE(f.version, 0) AS floor FROM events e
         LEFT JOIN feed_floors f ON f.tenant_id = e.tenant_id AND f.event_id = e.id
         WHERE e.tenant_id = ? AND e.id = ?`,
        [tenantId, eventId],
      );
      if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
      // The feed before `floor` was pruned: what changed since this cursor is no longer known in
      // part, so the answer is the whole event.
      if (sinceVersion < Number(event.floor)) return this.wholeEvent(tx, tenantId, eventId, now);
      const seats = await this.seatStates(
        tx,
        tenantId,
        eventId,
        now,
        'AND s.id IN (SELECT seat_id FROM changes WHERE tenant_id = ? AND event_id = ? AND version > ? AND seat_id IS NOT NULL)',
        [tenantId, eventId, sinceVersion],
      );
      const zones = await this.zoneStates(
        tx,
        tenantId,
        eventId,
        now,
        'AND z.id IN (SELECT zone_id FROM changes WHERE tenant_id = ? AND event_id = ? AND version > ? AND seat_id IS NULL)',
        [tenantId, eventId, sinceVersion],
      );
      return {
        eventId,
        fromVersion: sinceVersion,
        version: Number(event.version),
        seats,
        zones,
      };
    });
  }

  async snapshot(tenantId: number, eventId: number, now: number): Promise<ChangesSince> {
    return this.read((tx) => this.wholeEvent(tx, tenantId, eventId, now));
  }

  private async wholeEvent(tx: SqlTx, tenantId: number, eventId: number, now: number): Promise<ChangesSince> {
    const [event] = await tx.all<{ version: number }>(
      'SELECT version FROM events WHERE tenant_id = ? AND id = ?',
      [tenantId, eventId],
    );
    if (!event) throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, { eventId });
    const seats = await this.seatStates(tx, tenantId, eventId, now, '', []);
    const zones = await this.zoneStates(tx, tenantId, eventId, now, "AND z.kind = 'general'", []);
    return {
      eventId,
      fromVersion: 0,
      version: Number(event.version),
      seats,
      zones,
    };
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
  ): Promise<{ changes: number; keys: number }> {
    return this.write(async (tx) => {
      await tx.run(
        'INSERT INTO feed_marks (tenant_id, event_id, version, at) SELECT tenant_id, id, version, ? FROM events WHERE tenant_id = ?',
        [now, tenantId],
      );
      const cutoff = now - retention.feedMs;
      const floors = await tx.all<{ event_id: number; version: number }>(
        'SELECT event_id, MAX(version) AS version FROM feed_marks WHERE tenant_id = ? AND at <= ? GROUP BY event_id',
        [tenantId, cutoff],
      );
      let changes = 0;
      for (const f of floors) {
        const [eventId, version] = [Number(f.event_id), Number(f.version)];
        changes += await tx.run('DELETE FROM changes WHERE tenant_id = ? AND event_id = ? AND version <= ?', [
          tenantId,
          eventId,
          version,
        ]);
        // The floor only rises (two instances may prune together).
        await tx.run(
          `INSERT INTO feed_floors (tenant_id, event_id, version) VALUES (?, ?, ?)
           ON CONFLICT (tenant_id, event_id) DO UPDATE SET version = excluded.version
           WHERE feed_floors.version < excluded.version`,
          [tenantId, eventId, version],
        );
        await tx.run(
          'DELETE FROM feed_marks WHERE tenant_id = ? AND event_id = ? AND at <= ? AND version < ?',
          [tenantId, eventId, cutoff, version],
        );
      }
      const keys = await tx.run('DELETE FROM idempotency WHERE tenant_id = ? AND created_at < ?', [
        tenantId,
        now - retention.keysMs,
      ]);
      return { changes, keys };
    });
  }

  private async seatStates(
    tx: SqlTx,
    tenantId: number,
    eventId: number,
    now: number,
    filter: string,
    params: unknown[],
  ): Promise<SeatStateRow[]> {
    const rows = await tx.all<{
      id: number;
      blocked: number;
      status: string | null;
      reserved_until: number | null;
      tx_status: string | null;
      session_id: string | null;
    }>(
      `SELECT s.id, s.blocked, t.status, t.reserved_until, x.status AS tx_status, x.session_id
       FROM seats s
       LEFT JOIN tickets t ON t.tenant_id = s.tenant_id AND t.event_id = s.event_id AND t.seat_id = s.id
         AND t.${LIVE} AND (t.status = 'COMPLETED' OR t.reserved_until > ?)
       LEFT JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
       WHERE s.tenant_id = ? AND s.event_id = ? ${filter} ORDER BY s.id`,
      [now, tenantId, eventId, ...params],
    );
    return rows.map((r) => {
      const state: SeatStateRow['state'] =
        Number(r.blocked) === 1
          ? 'blocked'
          : r.status === 'COMPLETED'
            ? 'sold'
            : r.status === 'ACTIVE'
              ? r.tx_status === 'RESERVED' && !String(r.session_id).startsWith('lease:')
                ? 'reserved'
                : 'held'
              : 'free';
      // Until when a hold or reservation blocks the seat: after that, time alone frees it everywhere.
      const until = state === 'held' || state === 'reserved' ? Number(r.reserved_until) : null;
      return { seatId: Number(r.id), state, until };
    });
  }

  private async zoneStates(
    tx: SqlTx,
    tenantId: number,
    eventId: number,
    now: number,
    filter: string,
    params: unknown[],
  ) {
    const rows = await tx.all<{ id: number; capacity: number; live: number }>(
      `SELECT z.id, z.capacity, (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
          WHERE t.tenant_id = z.tenant_id AND t.event_id = z.event_id AND t.zone_id = z.id AND t.seat_id IS NULL
            AND t.${LIVE} AND (t.status = 'COMPLETED' OR t.reserved_until > ?)) AS live
       FROM zones z WHERE z.tenant_id = ? AND z.event_id = ? ${filter} ORDER BY z.id`,
      [now, tenantId, eventId, ...params],
    );
    return rows.map((r) => ({
      zoneId: Number(r.id),
      available: Number(r.capacity) - Number(r.live),
    }));
  }

  // ---- internals -------------------------------------------------------------------------------

  private changed(ctx: OpContext, eventId: number, zoneId: number, seatId: number | null): void {
    let changes = ctx.changes.get(eventId);
    if (!changes) {
      changes = new Changes();
      ctx.changes.set(eventId, changes);
    }
    changes.seat(Number(zoneId), seatId === null ? null : Number(seatId));
  }

  /** Last in the write: the version bump row-locks the event, so hold that lock as briefly as possible. */
  private async flushChanges(ctx: OpContext): Promise<void> {
    for (const [eventId, changes] of ctx.changes) {
      if (changes.isEmpty) continue;
      await this.recordChanges(ctx.tx, ctx.tenantId, eventId, [
        ...[...changes.seats].map((seatId) => ({ seat_id: seatId, zone_id: 0 })),
        ...[...changes.zones].map((zoneId) => ({ seat_id: null, zone_id: zoneId })),
      ]);
    }
  }

  /** Bumps the event's version, records what changed under it and announces it. */
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
      `INSERT INTO changes (tenant_id, event_id, version, seat_id, zone_id) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      rows.flatMap((r) => [tenantId, eventId, version, r.seat_id, r.zone_id]),
    );
    await this.publish(tx, { tenantId, eventId, version });
  }

  private async event(ctx: OpContext, eventId: number) {
    const [event] = await ctx.tx.all<{ id: number; lease_minutes: number }>(
      'SELECT id, lease_minutes FROM events WHERE tenant_id = ? AND id = ?',
      [ctx.tenantId, eventId],
    );
    if (!event)
      throw new TaquillaError('UNKNOWN_EVENT', `There is no event ${eventId}`, {
        eventId,
      });
    return { id: Number(event.id), lease_minutes: Number(event.lease_minutes) };
  }

  private async seatsOrThrow(ctx: OpContext, eventId: number, seatIds: number[]) {
    const seats = await ctx.tx.all<{
      id: number;
      zone_id: number;
      label: string;
      blocked: number;
      price_cents: number;
    }>(
      `SELECT s.id, s.zone_id, s.label, s.blocked, z.price_cents FROM seats s
       JOIN zones z ON z.tenant_id = s.tenant_id AND z.event_id = s.event_id AND z.id = s.zone_id
       WHERE s.tenant_id = ? AND s.event_id = ? AND s.id IN (${marks(seatIds.length)})`,
      [ctx.tenantId, eventId, ...seatIds],
    );
    const normalized = seats.map((s) => ({
      ...s,
      id: Number(s.id),
      zone_id: Number(s.zone_id),
    }));
    if (normalized.length !== seatIds.length) {
      // Seats exist only in an event that does: on a miss, say which is unknown.
      await this.event(ctx, eventId);
      const known = new Set(normalized.map((s) => s.id));
      const missing = seatIds.filter((id) => !known.has(id));
      throw new TaquillaError('UNKNOWN_SEAT', `No such seat in this event: ${missing.join(', ')}`, {
        seatIds: missing,
      });
    }
    const blocked = normalized.filter((s) => Number(s.blocked) === 1);
    if (blocked.length > 0) {
      throw new TaquillaError('SEAT_BLOCKED', `Not on sale: ${blocked.map((s) => s.label).join(', ')}`, {
        seats: blocked.map((s) => ({
          seatId: s.id,
          label: s.label,
          reason: null,
        })),
      });
    }
    return normalized;
  }

  private async generalZone(ctx: OpContext, eventId: number, zoneId: number): Promise<ZoneRow> {
    const [zone] = await ctx.tx.all<ZoneRow>(
      'SELECT id, kind, name, capacity, price_cents FROM zones WHERE tenant_id = ? AND event_id = ? AND id = ?',
      [ctx.tenantId, eventId, zoneId],
    );
    if (!zone)
      throw new TaquillaError('UNKNOWN_ZONE', `There is no zone ${zoneId} in event ${eventId}`, { zoneId });
    if (zone.kind !== 'general') {
      throw new TaquillaError('WRONG_ZONE_KIND', `${zone.name} has numbered seats: choose seats`, {
        zoneId,
        kind: 'numbered',
      });
    }
    return { ...zone, id: Number(zone.id), capacity: Number(zone.capacity) };
  }

  /**
   * Takes general-admission capacity with one conditional UPDATE: the row lock (PostgreSQL) or the
   * single writer (SQLite) makes check and take one step; the CHECK on `used` is the backstop.
   */
  private async takeCapacity(
    ctx: OpContext,
    eventId: number,
    zone: ZoneRow,
    quantity: number,
  ): Promise<void> {
    const { tx, tenantId, now } = ctx;
    const expired = await tx.all<{ quantity: number }>(
      `UPDATE tickets SET status = 'EXPIRED', updated_at = ?
       WHERE tenant_id = ? AND event_id = ? AND zone_id = ? AND seat_id IS NULL AND status = 'ACTIVE'
         AND reserved_until <= ? RETURNING quantity`,
      [now, tenantId, eventId, zone.id, now],
    );
    const freed = expired.reduce((n, t) => n + Number(t.quantity), 0);
    const taken = await tx.run(
      `UPDATE zones SET used = used - ? + ? WHERE tenant_id = ? AND event_id = ? AND id = ? AND used - ? + ? <= capacity`,
      [freed, quantity, tenantId, eventId, zone.id, freed, quantity],
    );
    if (taken === 0) {
      if (freed > 0) {
        await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
          freed,
          tenantId,
          eventId,
          zone.id,
        ]);
      }
      const [row] = await tx.all<{ used: number }>(
        'SELECT used FROM zones WHERE tenant_id = ? AND event_id = ? AND id = ?',
        [tenantId, eventId, zone.id],
      );
      const available = zone.capacity - Number(row?.used ?? 0);
      throw new TaquillaError('ZONE_FULL', `${zone.name}: only ${available} left`, {
        zoneId: zone.id,
        zoneName: zone.name,
        requested: quantity,
        available,
      });
    }
  }

  /**
   * Refuses (SEAT_TAKEN) when another transaction holds, reserves or sold one of the seats; returns
   * those the cart already holds. A hold whose time has passed blocks nobody: it is marked EXPIRED
   * here, inside this write, before deciding. Reads only the seats' live tickets (the unique partial
   * index), never a seat's past ones.
   */
  private async assertSeatsFree(ctx: OpContext, eventId: number, seatIds: number[], cartId: string | null) {
    const found = await ctx.tx.all<{
      id: number;
      zone_id: number;
      seat_id: number;
      status: string;
      reserved_until: number;
      session_id: string;
      transaction_id: string;
      tx_status: string;
      actor: string;
      label: string;
    }>(
      `SELECT t.id, t.zone_id, t.seat_id, t.status, t.reserved_until, t.session_id, t.transaction_id,
              x.status AS tx_status, x.actor, s.label
       FROM tickets t
       JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
       JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
       WHERE t.tenant_id = ? AND t.event_id = ? AND t.seat_id IN (${marks(seatIds.length)})
         AND t.seat_id IS NOT NULL AND t.${LIVE}`, // one_live_ticket_per_seat's whole predicate: SQLite uses it
      [ctx.tenantId, eventId, ...seatIds],
    );
    const late = found.filter((l) => l.status === 'ACTIVE' && Number(l.reserved_until) <= ctx.now);
    if (late.length > 0) {
      await ctx.tx.run(
        `UPDATE tickets SET status = 'EXPIRED', updated_at = ? WHERE tenant_id = ? AND id IN (${marks(late.length)})`,
        [ctx.now, ctx.tenantId, ...late.map((l) => l.id)],
      );
      for (const l of late) this.changed(ctx, eventId, l.zone_id, l.seat_id);
    }
    const live = found.filter((l) => !late.includes(l));
    const alreadyHeld: number[] = [];
    const conflicts: SeatConflict[] = [];
    for (const l of live) {
      if (cartId !== null && l.transaction_id === cartId) {
        alreadyHeld.push(Number(l.seat_id));
        continue;
      }
      conflicts.push({
        seatId: Number(l.seat_id),
        label: l.label,
        state: l.status === 'COMPLETED' ? 'sold' : l.tx_status === 'RESERVED' ? 'reserved' : 'held',
        ...(l.status === 'ACTIVE' ? { heldUntil: Number(l.reserved_until) } : {}),
        heldBySession: l.session_id,
        heldByActor: l.actor,
      });
    }
    if (conflicts.length > 0) {
      throw new TaquillaError('SEAT_TAKEN', `Already taken: ${conflicts.map((c) => c.label).join(', ')}`, {
        seats: conflicts,
      });
    }
    return { alreadyHeld };
  }

  /**
   * The session's open cart for the event and how many places it holds across events, in one read
   * (what a hold needs to know about its session).
   */
  private async sessionOf(
    ctx: OpContext,
    eventId: number,
    sessionId: string,
  ): Promise<{ cart: TxRow | null; held: number }> {
    const [row] = await ctx.tx.all<TxRow & { held: number; id: string | null }>(
      `SELECT x.id, x.event_id, x.session_id, x.actor, x.status, x.reserved_until,
              (SELECT COALESCE(SUM(t.quantity), 0) FROM tickets t
               JOIN transactions y ON y.tenant_id = t.tenant_id AND y.id = t.transaction_id
               WHERE t.tenant_id = ? AND t.session_id = ? AND t.status = 'ACTIVE' AND y.status = 'PENDING'
                 AND t.reserved_until > ?) AS held
       FROM (SELECT 1 AS one) AS one
       LEFT JOIN transactions x ON x.tenant_id = ? AND x.event_id = ? AND x.session_id = ? AND x.status = 'PENDING'`,
      [ctx.tenantId, sessionId, ctx.now, ctx.tenantId, eventId, sessionId],
    );
    const held = Number(row?.held ?? 0);
    if (!row || row.id === null) return { cart: null, held };
    const { held: _held, ...cart } = row;
    return { cart: { ...cart, id: row.id, event_id: Number(row.event_id) }, held };
  }

  private assertHeldWithinLimit(ctx: OpContext, held: number, requested: number): void {
    if (requested === 0) return;
    const limit = ctx.settings.MAX_RESERVATIONS_PER_USER;
    if (held + requested > limit) {
      throw new TaquillaError('LIMIT_REACHED', `A session may hold at most ${limit} seats (holds ${held})`, {
        limit,
        held,
        requested,
      });
    }
  }

  private async assertWithinLimit(ctx: OpContext, sessionId: string, requested: number): Promise<void> {
    if (requested === 0) return;
    const limit = ctx.settings.MAX_RESERVATIONS_PER_USER;
    const [row] = await ctx.tx.all<{ held: number }>(
      `SELECT COALESCE(SUM(t.quantity), 0) AS held FROM tickets t
       JOIN transactions x ON x.tenant_id = t.tenant_id AND x.id = t.transaction_id
       WHERE t.tenant_id = ? AND t.session_id = ? AND t.status = 'ACTIVE' AND x.status = 'PENDING'
         AND t.reserved_until > ?`,
      [ctx.tenantId, sessionId, ctx.now],
    );
    const held = Number(row?.held ?? 0);
    if (held + requested > limit) {
      throw new TaquillaError('LIMIT_REACHED', `A session may hold at most ${limit} seats (holds ${held})`, {
        limit,
        held,
        requested,
      });
    }
  }

  private async cartOf(ctx: OpContext, eventId: number, sessionId: string): Promise<TxRow | null> {
    const [cart] = await ctx.tx.all<TxRow>(
      `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
       WHERE tenant_id = ? AND event_id = ? AND session_id = ? AND status = 'PENDING'`,
      [ctx.tenantId, eventId, sessionId],
    );
    return cart ?? null;
  }

  private async openCart(ctx: OpContext, eventId: number, sessionId: string, actor: string): Promise<string> {
    const id = randomUUID();
    // A concurrent twin cart for the same session is a unique violation: the write retries.
    await ctx.tx.run(
      `INSERT INTO transactions (tenant_id, id, event_id, session_id, actor, status, reserved_until, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'PENDING', NULL, ?, ?)`,
      [ctx.tenantId, id, eventId, sessionId, actor, ctx.now, ctx.now],
    );
    return id;
  }

  private async transactionOrThrow(ctx: OpContext, transactionId: string): Promise<TxRow> {
    const [t] = await ctx.tx.all<TxRow>(
      `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
       WHERE tenant_id = ? AND id = ?`,
      [ctx.tenantId, transactionId],
    );
    if (!t || t.session_id.startsWith('lease:')) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    return { ...t, event_id: Number(t.event_id) };
  }

  /** An offline sale as voidTickets reads it (transactionOrThrow hides the lease's own transactions). */
  private async leaseSaleTransaction(ctx: OpContext, transactionId: string): Promise<TxRow> {
    const [t] = await ctx.tx.all<TxRow>(
      `SELECT id, event_id, session_id, actor, status, reserved_until FROM transactions
       WHERE tenant_id = ? AND id = ?`,
      [ctx.tenantId, transactionId],
    );
    if (!t) {
      throw new TaquillaError('UNKNOWN_TRANSACTION', `There is no transaction ${transactionId}`, {
        transactionId,
      });
    }
    return { ...t, event_id: Number(t.event_id) };
  }

  private async leaseOrThrow(ctx: OpContext, leaseId: string) {
    const [lease] = await ctx.tx.all<{
      id: string;
      event_id: number;
      transaction_id: string;
      credential_id: number;
      ticket_from: number;
      ticket_to: number;
      expires_at: number;
      created_at: number;
      status: string;
    }>(
      `SELECT id, event_id, transaction_id, credential_id, ticket_from, ticket_to, expires_at, created_at, status
       FROM leases WHERE tenant_id = ? AND id = ?`,
      [ctx.tenantId, leaseId],
    );
    // A terminal reports and returns only its own leases.
    if (!lease || Number(lease.credential_id) !== ctx.credentialId) {
      throw new TaquillaError('UNKNOWN_LEASE', `There is no lease ${leaseId} for this terminal`, { leaseId });
    }
    return lease;
  }

  private async activeTickets(ctx: OpContext, transactionId: string): Promise<TicketRow[]> {
    const rows = await ctx.tx.all<TicketRow>(
      `SELECT t.id, t.transaction_id, t.zone_id, t.seat_id, t.quantity, t.status, t.reserved_until, t.created_at,
              t.price_cents, COALESCE(s.label, z.name) AS label
       FROM tickets t
       LEFT JOIN seats s ON s.tenant_id = t.tenant_id AND s.event_id = t.event_id AND s.id = t.seat_id
       JOIN zones z ON z.tenant_id = t.tenant_id AND z.event_id = t.event_id AND z.id = t.zone_id
       WHERE t.tenant_id = ? AND t.transaction_id = ? AND t.status = 'ACTIVE' ORDER BY t.id`,
      [ctx.tenantId, transactionId],
    );
    return rows.map((r) => ({
      ...r,
      id: Number(r.id),
      zone_id: Number(r.zone_id),
      seat_id: r.seat_id === null ? null : Number(r.seat_id),
      quantity: Number(r.quantity),
      reserved_until: Number(r.reserved_until),
      created_at: Number(r.created_at),
      price_cents: Number(r.price_cents),
    }));
  }

  private async liveTicketsOrThrow(ctx: OpContext, transactionId: string): Promise<TicketRow[]> {
    const tickets = await this.activeTickets(ctx, transactionId);
    if (tickets.length === 0) {
      throw new TaquillaError('NOTHING_HELD', 'This transaction holds nothing', { transactionId });
    }
    const late = tickets.filter((t) => t.reserved_until <= ctx.now);
    if (late.length > 0) {
      throw new TaquillaError('HOLD_EXPIRED', `Time ran out for: ${late.map((t) => t.label).join(', ')}`, {
        seats: late.map((t) => ({
          seatId: t.seat_id,
          label: t.label,
          expiredAt: t.reserved_until,
        })),
      });
    }
    return tickets;
  }

  /** Cancels the transaction's active tickets (expires those already out of time); gives GA back. */
  private async releaseTickets(ctx: OpContext, t: TxRow, filter: string, params: unknown[]) {
    const { tx, tenantId, now } = ctx;
    const moved = await tx.all<{
      zone_id: number;
      seat_id: number | null;
      quantity: number;
    }>(
      `UPDATE tickets SET status = CASE WHEN reserved_until > ? THEN 'CANCELLED' ELSE 'EXPIRED' END, updated_at = ?
       WHERE tenant_id = ? AND transaction_id = ? AND status = 'ACTIVE' ${filter}
       RETURNING zone_id, seat_id, quantity`,
      [now, now, tenantId, t.id, ...params],
    );
    const eventId = Number(t.event_id);
    const gaByZone = new Map<number, number>();
    for (const m of moved) {
      this.changed(ctx, eventId, m.zone_id, m.seat_id);
      if (m.seat_id === null)
        gaByZone.set(Number(m.zone_id), (gaByZone.get(Number(m.zone_id)) ?? 0) + Number(m.quantity));
    }
    for (const [zoneId, quantity] of gaByZone) {
      await tx.run('UPDATE zones SET used = used - ? WHERE tenant_id = ? AND event_id = ? AND id = ?', [
        quantity,
        tenantId,
        eventId,
        zoneId,
      ]);
    }
    return moved.map((m) => ({
      ...m,
      seat_id: m.seat_id === null ? null : Number(m.seat_id),
    }));
  }

  private async closeIfEmpty(ctx: OpContext, transactionId: string, to: 'CANCELLED' | 'EXPIRED') {
    await ctx.tx.run(
      `UPDATE transactions SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'PENDING'
         AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.tenant_id = ? AND t.transaction_id = ? AND t.status = 'ACTIVE')`,
      [to, ctx.now, ctx.tenantId, transactionId, ctx.tenantId, transactionId],
    );
  }

  private async setStatus(
    ctx: OpContext,
    transactionId: string,
    status: TransactionStatus,
    until: number | null,
  ) {
    await ctx.tx.run(
      'UPDATE transactions SET status = ?, reserved_until = ?, updated_at = ? WHERE tenant_id = ? AND id = ?',
      [status, until, ctx.now, ctx.tenantId, transactionId],
    );
  }
}

interface ZoneRow {
  id: number;
  kind: 'numbered' | 'general';
  name: string;
  capacity: number;
  price_cents: number;
}

interface OpContext {
  tx: SqlTx;
  tenantId: number;
  credentialId: number;
  now: number;
  settings: ReservationSettings;
  changes: Map<number, Changes>;
}

/** A tenant override that would not resolve is refused with every reason, by key. */
function assertSettings(overrides: unknown): void {
  const issues = settingsProblems(overrides);
  if (issues.length > 0) {
    throw new TaquillaError('VALIDATION', `Invalid settings: ${issues.map((i) => i.message).join('; ')}`, {
      issues,
    });
  }
}

function refusal(error: TaquillaError): StoredReply {
  return {
    status: statusOfError(error.code),
    body: { error: { code: error.code, message: error.message, details: error.details } },
    replayed: false,
  };
}

type ServerCompleteInput = z.output<typeof serverCompleteInput>;
type ServerConvertInput = z.output<typeof serverConvertInput>;

function totalOf(tickets: TicketRow[]): number {
  return tickets.reduce((sum, t) => sum + t.price_cents * t.quantity, 0);
}

function ticketView(t: TicketRow) {
  return {
    seatId: t.seat_id,
    zoneId: t.zone_id,
    label: t.label,
    quantity: t.quantity,
    priceCents: t.price_cents,
    reservedUntil: t.reserved_until,
  };
}

/** A transaction as the terminals copy it: with its event, session and every live ticket. */
function summary(
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
