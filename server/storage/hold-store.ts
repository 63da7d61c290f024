import type { LeasePolicyStore } from './lease-policy-store.ts';
import type { ReservationSettings, SettingsOverride } from '../../shared/config.ts';
import type { ServerConflictRecord, ServerConflictResolution } from '../../shared/schemas/conflicts.ts';
import type {
  KeyOutcome,
  ServerEventDefinition,
  ServerOperation,
  ServerReservation,
} from '../../shared/schemas/sync.ts';
import type { AuditBy, AuditRecord } from './sql-audit.ts';
import type { CatalogEvent, CatalogReply, CredentialListing, EventFile } from '../../shared/schemas/venue.ts';
import type {
  RegisterTicketKeysReply,
  TicketKeyRegistration,
  TicketKeyset,
} from '../../shared/schemas/keyset.ts';

/**
 * The one storage interface of the central hold server. Two implementations: SQLite (embedded
 * default, one box) and PostgreSQL (several stateless server instances on one database). Both run the
 * same contract suite (test/integration/server/hold-store.contract.ts).
 *
 * Every method that touches holds is scoped to a tenant: there is no way to name another tenant's
 * rows through this interface.
 */
export type CredentialRole = 'admin' | 'terminal';

export interface CredentialRow {
  id: number;
  tenantId: number;
  role: CredentialRole;
  name: string;
  revokedAt: number | null;
}

/** What an operation produced: the HTTP status and body, exactly as first answered. */
export interface StoredReply {
  status: number;
  body: {
    result?: unknown;
    error?: { code: string; message: string; details?: unknown };
  };
  /** true when this reply was read back from an earlier request with the same idempotency key. */
  replayed: boolean;
}

export interface Idempotency {
  key: string;
  /** sha256 of operation + canonical body. */
  requestHash: string;
}

export interface ChangeNotice {
  tenantId: number;
  eventId: number;
  version: number;
}

/**
 * Something every server instance must act on at once, announced by the instance that wrote it (in
 * the same transaction on PostgreSQL, through NOTIFY): a revoked credential closes its live sockets
 * and is refused everywhere; changed settings are read again. `resync` says announcements may have
 * been missed (the LISTEN connection dropped and is back): re-check everything that depends on them.
 */
export type StoreNotice =
  | { kind: 'revoked'; tenantId: number; credentialId: number }
  | { kind: 'settings'; tenantId: number }
  | { kind: 'resync' };

export interface SeatStateRow {
  seatId: number;
  state: 'free' | 'held' | 'reserved' | 'sold' | 'blocked';
  /** When a hold or reservation ends (server time); null for free, sold and blocked seats. */
  until: number | null;
}

export interface ZoneStateRow {
  zoneId: number;
  available: number;
}

export interface ChangesSince {
  eventId: number;
  fromVersion: number;
  version: number;
  seats: SeatStateRow[];
  zones: ZoneStateRow[];
}

/** One offline lease as the operator sees it. */
export interface LeaseListing {
  leaseId: string;
  credentialId: number;
  terminal: string;
  /** The terminal's credential was revoked: it may still report what it sold, nothing else. */
  terminalRevoked: boolean;
  eventId: number;
  /** selling: before its end; grace: ended, its seats kept for late reports; closed: returned or ended for good. */
  state: 'selling' | 'grace' | 'closed';
  expiresAt: number;
  /** Its seats and places are kept until here (its end plus LEASE_GRACE_MINUTES). */
  keptUntil: number;
  seatsHeld: number;
  placesHeld: number;
  /** Places sold from it and reported. */
  sold: number;
  ticketFrom: number;
  ticketTo: number;
}

/** Live counts for monitoring (GET /metrics), read at scrape time. */
/** How long the server keeps its history (milliseconds). */
export interface HistoryRetention {
  /** The change feed: a cursor older than this gets the whole event instead of a delta. */
  feedMs: number;
  /** Idempotency records: a request is applied exactly once if retried within this time. */
  keysMs: number;
}

export const DEFAULT_RETENTION: HistoryRetention = {
  feedMs: 7 * 24 * 3_600_000,
  keysMs: 30 * 24 * 3_600_000,
};

export interface StoreGauges {
  /** Tickets held and not expired (temporary holds, deposits, leased places), per tenant. */
  holds: { tenantId: number; count: number }[];
  /** Offline leases open and not expired, per tenant and terminal. */
  leases: { tenantId: number; credentialId: number; count: number }[];
}

/** What GET /ready reports: each check 'ok' or what is wrong. */
export interface StoreHealth {
  ok: boolean;
  checks: Record<string, string>;
  /** Free space on the database's disk (SQLite; PostgreSQL's disk is not the server's to see). */
  diskFreeBytes?: number;
}

export interface HoldStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates the schema if missing. */
  init(): Promise<void>;
  close(): Promise<void>;

  createTenant(name: string, settings: SettingsOverride, now: number): Promise<number>;
  /** The tenant's name and what it overrides of the settings; null when there is no such tenant. */
  tenant(tenantId: number): Promise<{ tenantId: number; name: string; settings: SettingsOverride } | null>;
  tenantSettings(tenantId: number): Promise<ReservationSettings>;
  /**
   * Replaces the tenant's overrides (VALIDATION when they would not resolve, naming each key). Every
   * instance reads them again, and terminals receive them with the catalogue's next revision.
   */
  setTenantSettings(tenantId: number, overrides: SettingsOverride, now: number): Promise<void>;
  /** Every credential of the tenant (admins and terminals), oldest first; never a secret. */
  credentials(tenantId: number): Promise<CredentialListing[]>;
  addCredential(c: {
    tenantId: number;
    role: CredentialRole;
    name: string;
    secretHash: string;
    now: number;
  }): Promise<number>;
  credentialByHash(secretHash: string): Promise<CredentialRow | null>;
  /** The tenant's offline leases, open ones first (`taquilla-server leases`, GET /v1/admin/leases). */
  leases(tenantId: number, now: number): Promise<LeaseListing[]>;
  /** Ids of the open leases of one terminal (its heartbeat: a lease not listed sells no more). */
  openLeaseIds(tenantId: number, credentialId: number): Promise<string[]>;
  /**
   * The supervisor ends a lease now: its counter sells no more from it once told (next heartbeat);
   * its seats stay the lease's for LEASE_GRACE_MINUTES so sales made before now are still reported.
   * null when the tenant has no such lease; the listing otherwise (ending twice changes nothing).
   */
  /** The operator ends a lease now (audited as `by`). */
  endLease(tenantId: number, leaseId: string, now: number, by: AuditBy): Promise<LeaseListing | null>;
  /** issue 14: a supervisor's settling of a refused offline sale, once per sale (conflict-overrides.ts). */
  recordConflictResolution(
    tenantId: number,
    credentialId: number,
    input: ServerConflictResolution,
    now: number,
  ): Promise<ServerConflictRecord>;
  /** issue 14: the tenant's conflict resolutions, newest first (`taquilla-server conflicts`). */
  conflictResolutions(tenantId: number): Promise<ServerConflictRecord[]>;
  /** Lease policies per event and rebalance recalls (issue 14; server/storage/lease-policy-store.ts). */
  readonly leasePolicies: LeasePolicyStore;
  /**
   * The database's generation (server/storage/generation.ts): a random id minted with the database
   * and again by every restore, so a counter notices a server that went back in time (issue 14).
   */
  generation(): Promise<string>;
  /** A new generation, after the database was put back from a backup (`taquilla-server new-generation`). */
  mintGeneration(now: number): Promise<string>;
  /** false when the credential is not this tenant's. */
  /** Revokes a credential (audited as `by` the first time); false when the tenant has no such one. */
  revokeCredential(tenantId: number, credentialId: number, now: number, by: AuditBy): Promise<boolean>;
  addEnrolCode(tenantId: number, codeHash: string, expiresAt: number, now: number): Promise<void>;
  /** Consumes a one-time code atomically; null when unknown, used or expired. */
  takeEnrolCode(codeHash: string, now: number): Promise<number | null>;

  /** A counter's public ticket keys, under its credential (server/storage/keyset-store.ts). */
  registerTicketKeys(
    tenantId: number,
    credentialId: number,
    keys: readonly TicketKeyRegistration[],
    now: number,
  ): Promise<RegisterTicketKeysReply>;
  /** The tenant's keyset and revocation list, the document every door verifies against. */
  ticketKeyset(tenantId: number, now: number): Promise<TicketKeyset>;

  /** Creates or replaces an event's inventory (seats are added, never removed while held). */
  putEvent(tenantId: number, event: ServerEventDefinition, now: number): Promise<void>;
  /**
   * Defines an event from an operator's file (the server assigns its ids; with `eventId`, redefines
   * that event keeping the ids of its venue, zones and seats) and stores its inventory with it.
   */
  defineEvent(tenantId: number, file: EventFile, now: number, eventId?: number): Promise<CatalogEvent>;
  /** Stores an event that comes with its ids (a terminal publishing its own event). */
  publishEvent(tenantId: number, event: CatalogEvent, now: number): Promise<void>;
  /** The tenant's settings and every event changed after `sinceRevision` (what a terminal applies). */
  catalog(tenantId: number, sinceRevision: number): Promise<CatalogReply>;
  /** The tenant's latest catalogue revision (0 before anything was defined). */
  catalogRevision(tenantId: number): Promise<number>;

  /**
   * Runs one hold operation in one database transaction. With an idempotency key, the reply is stored
   * in that same transaction, so an operation is applied at most once and answered the same way every
   * time it is retried; a different body under a used key is refused (IDEMPOTENCY_MISMATCH).
   */
  execute(
    tenantId: number,
    credentialId: number,
    op: ServerOperation,
    input: unknown,
    now: number,
    idempotency: Idempotency | null,
  ): Promise<StoredReply>;

  /**
   * What became of requests by idempotency key, the credential's own (a terminal that lost the answers asks). With
   * `abandon`, a key never seen is settled, in one write, as never to be applied.
   */
  resolveKeys(
    tenantId: number,
    credentialId: number,
    keys: string[],
    abandon: boolean,
    now: number,
  ): Promise<KeyOutcome[]>;

  /**
   * Reservations of the tenant found by customer name, cédula, phone or sale number, with their live
   * tickets and payments (a counter other than the one that took the deposit takes the next payment).
   * RESERVED ones only, unless `includeClosed`. At most 20.
   */
  searchReservations(
    tenantId: number,
    query: string,
    includeClosed: boolean,
    now: number,
  ): Promise<ServerReservation[]>;

  /** Every tenant's id (the cleanup visits each on its own interval). */
  tenantIds(): Promise<number[]>;
  /**
   * The cleanup of expired holds: marks up to `limit` temporary holds (tickets of open carts) whose
   * time has passed EXPIRED, gives standing places back, and records the seats on the change feed so
   * every live map frees them. Deposits and offline leases keep their own lifecycles. Returns how
   * many it marked (call again while it returns `limit`).
   */
  expireHolds(tenantId: number, now: number, limit?: number): Promise<number>;

  /**
   * The audit trail (server migration 6): the newest `limit` state changes of the tenant, of one
   * event or one entity (a transaction id, ticket id, seat id…) when asked, oldest first.
   */
  auditTrail(
    tenantId: number,
    filter: { eventId?: number | undefined; entityId?: string | undefined; limit: number },
  ): Promise<AuditRecord[]>;

  /**
   * Bounded history: deletes the change feed older than `retention.feedMs` and idempotency records
   * older than `retention.keysMs` (docs/server-and-sync.md, "Retention"). Called by the cleanup.
   */
  pruneHistory(
    tenantId: number,
    now: number,
    retention: HistoryRetention,
  ): Promise<{ changes: number; keys: number; audit: number }>;

  /**
   * What changed in the event after `sinceVersion`. A cursor older than the retained feed is answered
   * with the whole event (`fromVersion` 0), so a terminal offline longer than the retention re-syncs.
   */
  changesSince(tenantId: number, eventId: number, sinceVersion: number, now: number): Promise<ChangesSince>;
  /** Whole-event availability (a terminal starting up, or too far behind to catch up). */
  snapshot(tenantId: number, eventId: number, now: number): Promise<ChangesSince>;

  /** Called after a commit that changed availability, on every server instance sharing the database. */
  onChange(listener: (notice: ChangeNotice) => void): () => void;
  /** Called on every instance for each StoreNotice (revocations, settings, resync after a lost link). */
  onNotice(listener: (notice: StoreNotice) => void): () => void;
  /**
   * A token that stays the same while this instance is sure to hear every StoreNotice; a value cached
   * under one token is trusted only while the token is unchanged. null: never cache (the store cannot
   * tell, or reading is as cheap as caching).
   */
  cacheEpoch(): number | null;
  /** The credential's row by id (live sockets re-check theirs after a resync). */
  credentialById(credentialId: number): Promise<CredentialRow | null>;

  /** Whether the database answers (PostgreSQL: and LISTEN is up; SQLite: and its disk has room). */
  health(): Promise<StoreHealth>;
  /** Counts for monitoring. */
  gauges(now: number): Promise<StoreGauges>;
}
