import type { ReservationSettings, SettingsOverride } from '../../shared/config.ts';
import type {
  KeyOutcome,
  ServerEventDefinition,
  ServerOperation,
  ServerReservation,
} from '../../shared/schemas/sync.ts';

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

export interface HoldStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates the schema if missing. */
  init(): Promise<void>;
  close(): Promise<void>;

  createTenant(name: string, settings: SettingsOverride, now: number): Promise<number>;
  tenantSettings(tenantId: number): Promise<ReservationSettings>;
  addCredential(c: {
    tenantId: number;
    role: CredentialRole;
    name: string;
    secretHash: string;
    now: number;
  }): Promise<number>;
  credentialByHash(secretHash: string): Promise<CredentialRow | null>;
  /** false when the credential is not this tenant's. */
  revokeCredential(tenantId: number, credentialId: number, now: number): Promise<boolean>;
  addEnrolCode(tenantId: number, codeHash: string, expiresAt: number, now: number): Promise<void>;
  /** Consumes a one-time code atomically; null when unknown, used or expired. */
  takeEnrolCode(codeHash: string, now: number): Promise<number | null>;

  /** Creates or replaces an event's inventory (seats are added, never removed while held). */
  putEvent(tenantId: number, event: ServerEventDefinition, now: number): Promise<void>;

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
   * What became of requests by idempotency key (a terminal that lost the answers asks). With
   * `abandon`, a key never seen is settled, in one write, as never to be applied.
   */
  resolveKeys(tenantId: number, keys: string[], abandon: boolean, now: number): Promise<KeyOutcome[]>;

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

  changesSince(tenantId: number, eventId: number, sinceVersion: number, now: number): Promise<ChangesSince>;
  /** Whole-event availability (a terminal starting up, or too far behind to catch up). */
  snapshot(tenantId: number, eventId: number, now: number): Promise<ChangesSince>;

  /** Called after a commit that changed availability, on every server instance sharing the database. */
  onChange(listener: (notice: ChangeNotice) => void): () => void;
}
