import { DashboardService } from './services/dashboard/dashboard-service.ts';
import { Catalog } from './services/reservations/catalog.ts';
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TerminalStatus } from '../shared/api/counter.ts';
import type { ReservationMatch, SearchReservationsInput } from '../shared/schemas/payments.ts';
import type { Clock } from '../shared/clock.ts';
import type { CashDrawer } from './services/day-closing/cash-drawer.ts';
import { DayClosingService } from './services/day-closing/day-closing-service.ts';
import { KioskCheckout } from './services/payments/kiosk-checkout.ts';
import { NotificationService } from './services/payments/notifications.ts';
import { PayAtCounter } from './services/payments/pay-at-counter.ts';
import {
  PaymentService,
  type SaleAuthority,
  transactionNumber,
} from './services/payments/payment-service.ts';
import { PaymentStatsService } from './services/payments/payment-stats.ts';
import { PaymentProviders } from './services/payments/providers/provider-registry.ts';
import { ReservationSearch } from './services/payments/reservation-search.ts';
import { SalesDesk } from './services/payments/sales-desk.ts';
import { PrinterSettingsStore } from './services/printing/print-jobs.ts';
import { TenderAcceptance } from './services/payments/tender-acceptance.ts';
import { PrintingService } from './services/printing/printing-service.ts';
import { LocalTicketNumbers, VenueTicketNumbers } from './services/printing/ticket-numbers.ts';
import { AvailabilityService } from './services/reservations/availability-service.ts';
import { BestAvailableService } from './services/reservations/best-available-service.ts';
import { cleanupIntervalMs } from './services/reservations/cleanup-schedule.ts';
import {
  type HoldResult,
  type HeldTicket,
  ReservationService,
  type TransactionSummary,
} from './services/reservations/reservation-service.ts';
import { ReservationStatsService } from './services/reservations/reservation-stats.ts';
import { CartReader } from './services/session/cart.ts';
import { EventList } from './services/session/event-list.ts';
import { TicketSigner } from './services/printing/ticket-signing.ts';
import type { PinPolicy } from './services/session/pin-guard.ts';
import { SessionService } from './services/session/session-service.ts';
import { SyncEngine, type SyncStatus } from './services/sync/sync-engine.ts';
import { KEYSET_REFRESH_MS, KeysetSync } from './services/sync/keyset-sync.ts';
import { VenueFeed } from './services/sync/venue-feed.ts';
import { ConflictDesk } from './services/sync/conflict-actions.ts';
import { VoidService } from './services/voids/void-service.ts';
import { type TerminalMode, TerminalModeStore } from './services/terminal-mode/terminal-mode.ts';
import { type AutomaticBackupOptions, AutomaticBackups } from './store/automatic-backups.ts';
import { assertStoreHealthy } from './store/store-health.ts';
import {
  type BackgroundCheckpoints,
  type Db,
  openDatabase,
  startBackgroundCheckpoints,
} from './store/database.ts';
import { type KeyWrap, StoreKey } from './store/store-key.ts';
import type { MonotonicSource } from './services/sync/lease-clock.ts';

export interface TerminalOptions {
  dbFile: string;
  clock: Clock;
  /** Kiosk mode: full screen, no menus, leaving needs a supervisor PIN (TAQUILLA_KIOSK=1). */
  kiosk?: boolean;
  /** Where the SQL migrations are when bundled (Electron); defaults to electron/store/migrations. */
  migrationsDir?: string;
  /** Rotating copies of the store in `backups/` beside it (default hourly, keep 24), from startMaintenance. */
  backups?: AutomaticBackupOptions;
  /** Below this many free bytes on the store's disk the status bar warns (default 256 MiB). */
  lowDiskBytes?: number;
  /** Wraps the store key (Electron: the OS keychain); none: a 0600 key file beside the store. */
  keyWrap?: KeyWrap | null;
  /** PIN tries and locks; DEFAULT_PIN_POLICY unless given. */
  pinPolicy?: PinPolicy;
  /** The monotonic clock offline leases end on (default performance.now). */
  monotonic?: MonotonicSource;
}

/**
 * What the status bar reports about capabilities wired elsewhere. Sync and printing replace these
 * providers when they join the terminal; until then they say 'unknown', never a made-up 'ok'.
 */
export interface StatusProviders {
  network: () => TerminalStatus['network'];
  /** Enrolled: whether the venue's live map is being followed (null when there is no server). */
  venueFeed: () => TerminalStatus['venueFeed'];
  syncQueue: () => number | null;
  printer: () => TerminalStatus['printer'];
  disk: () => { state: TerminalStatus['disk']; freeBytes: number | null };
}

type Awaitable<T> = T | Promise<T>;

/**
 * The hold and sale operations the counter calls. Unenrolled, they are the local reservation
 * engine; enrolled with a central server, they are the sync engine's (server first, mirrored
 * locally, sold from the offline lease when the server is out of reach).
 */
export interface HoldOperations {
  holdSeats(raw: unknown): Awaitable<HoldResult>;
  holdGeneral(raw: unknown): Awaitable<HoldResult>;
  releaseSeats(raw: unknown): Awaitable<{ released: number[]; notHeld: number[] }>;
  releaseGeneral(raw: unknown): Awaitable<{ released: number }>;
  releaseSession(raw: unknown): Awaitable<{ released: number; transactions: string[] }>;
  extendHolds(raw: unknown): Awaitable<{ transactionId: string; tickets: HeldTicket[] }>;
  convertToPartial(raw: unknown): Awaitable<TransactionSummary>;
  complete(raw: unknown): Awaitable<TransactionSummary>;
  cancel(raw: unknown): Awaitable<TransactionSummary>;
}

export interface Terminal {
  db: Db;
  /** Seals the store's secrets and peppers its PINs; kept outside the database. */
  storeKey: StoreKey;
  clock: Clock;
  kiosk: boolean;
  /** 'training': a practice store (simulated approvals, marked paper, never synced); read from the store. */
  mode: TerminalMode;
  /** The local engine (reads, cleanup); on an enrolled terminal it runs on the server's clock. */
  reservations: ReservationService;
  /** Holds and sales: local, or through the central server when enrolled. */
  holds: HoldOperations;
  sync: SyncEngine;
  /** Enrolled: the venue's map as the server's live feed reports it (null when not enrolled). */
  venueFeed: VenueFeed | null;
  /** Enrolled: payments settle the sale at the central server first (PaymentService.*Via). */
  saleAuthority: SaleAuthority | null;
  /** Where the API takes money: local, or through the server when enrolled. */
  sales: SalesDesk;
  /** Which payment provider confirms a kiosk's card and Pago Móvil payments (none: pay at the counter). */
  providers: PaymentProviders;
  /** A kiosk's payment through the provider: only what it confirmed is recorded (issue 11). */
  kioskCheckout: KioskCheckout;
  /** A kiosk without a provider: the cart becomes a short reservation with a slip, paid at the counter. */
  payAtCounter: PayAtCounter;
  availability: AvailabilityService;
  stats: ReservationStatsService;
  sessions: SessionService;
  carts: CartReader;
  events: EventList;
  bestAvailable: BestAvailableService;
  status: StatusProviders;
  /** Tickets and receipts: jobs commit with each sale; the worker starts with startMaintenance. */
  printing: PrintingService;
  /** Money (issue 6): sales, deposits, instalments; their search, figures, day closing and notices. */
  payments: PaymentService;
  paymentSearch: ReservationSearch;
  /**
   * Finds reservations by name, cédula, phone or sale number: enrolled and online, the server's
   * (taken at any counter) are copied here first, with their payments, so they can be paid here.
   */
  findReservations: (input: SearchReservationsInput) => Promise<ReservationMatch[]>;
  paymentStats: PaymentStatsService;
  /** The supervisor dashboard: figures, the business day's takings, alerts. */
  dashboard: DashboardService;
  /** X and Z reports, per staff member and business day (the tenant's cutoff hour). */
  dayClosing: DayClosingService;
  /** Each staff member's cash drawer: float, paid in/out, counted against expected (issue 16). */
  cashDrawer: CashDrawer;
  /** Voids and refunds (issue 16); refused on an enrolled counter (VOID_NEEDS_SERVER). */
  voids: VoidService;
  /** Refused offline sales and the supervisor's ways out (issue 14). */
  conflicts: ConflictDesk;
  notifications: NotificationService;
  /** Hourly rotating backups of the store (started with startMaintenance). */
  backups: AutomaticBackups;
  /** Marks expired holds every CLEANUP_INTERVAL_MINUTES (correctness never waits for it). */
  startMaintenance: () => void;
  /** Keeps the WAL within its limit; the API calls it after each call (see startBackgroundCheckpoints). */
  boundWal: () => void;
  close: () => void;
}

const PRINTER_STATE = {
  ready: 'ready',
  printing: 'ready',
  'paper-out': 'paper-out',
  'cover-open': 'cover-open',
  'cutter-error': 'cutter-error',
  error: 'error',
  'no-reply': 'no-reply',
  offline: 'offline',
  unknown: 'unknown',
} as const satisfies Record<ReturnType<PrintingService['status']>['state'], TerminalStatus['printer']>;

const NETWORK_STATE = {
  unenrolled: 'standalone',
  online: 'online',
  offline: 'offline',
  revoked: 'revoked',
} as const satisfies Record<SyncStatus['state'], TerminalStatus['network']>;

/** Free bytes for this user on the disk that holds the store; null where the OS does not say. */
function freeDiskBytes(dbFile: string): number | null {
  try {
    const fs = statfsSync(dirname(resolve(dbFile)));
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

/** The composition root: opens the store and wires every service. No Electron in here. */
export function createTerminal({
  dbFile,
  clock,
  kiosk = false,
  migrationsDir,
  backups,
  lowDiskBytes = 256 * 1024 * 1024,
  keyWrap = null,
  pinPolicy,
  monotonic,
}: TerminalOptions): Terminal {
  // A store with a corrupt page never starts selling (StoreDamagedError names the backup to restore).
  assertStoreHealthy(dbFile);
  const db = openDatabase(dbFile, migrationsDir ? { migrationsDir } : {});
  let storeKey: StoreKey;
  try {
    // Refuses (StoreKeyError) before anything runs if the key file is missing, foreign or readable
    // by others. Each service that owns a secret seals any plain-text one in place as it starts.
    storeKey = StoreKey.open(db, clock, keyWrap);
  } catch (error) {
    db.close();
    throw error;
  }
  const modes = new TerminalModeStore(db, clock);
  const mode = modes.mode();
  const sync = new SyncEngine(db, clock, { storeKey, ...(monotonic ? { monotonic } : {}) });
  const enrolled = sync.status().state !== 'unenrolled';
  // Enrolled: the sync engine's engine is the terminal's (server time; its sales go to the outbox).
  const reservations = enrolled ? sync.reservations : new ReservationService(db, clock);
  // Expiry decisions use server time on an enrolled terminal: every service reads the same clock.
  const time = enrolled ? sync.serverClock : clock;
  const availability = new AvailabilityService(db, time);
  // Enrolled: tickets carry the venue's numbers (the server's, or the lease block's offline).
  const printing = new PrintingService(db, time, {
    training: mode === 'training',
    jobs: {
      signer: new TicketSigner(db, time, storeKey),
      ...(enrolled
        ? {
            numbers: new VenueTicketNumbers(
              db,
              new LocalTicketNumbers(db, () => new PrinterSettingsStore(db, time).get().terminalCode),
            ),
          }
        : {}),
    },
  });
  printing.attach(reservations);
  const payments = new PaymentService(db, time, reservations, { terminal: kiosk ? 'kiosk' : 'counter' });
  const carts = new CartReader(db, time);
  const saleAuthority = enrolled ? sync : null;
  // Money travels with every sale the sync engine settles, and is written with its copy.
  sync.usePayments(payments);
  const venueFeed = enrolled ? new VenueFeed(db, sync) : null;
  const sales = new SalesDesk(payments, carts, reservations, saleAuthority);
  const providers = new PaymentProviders(db, time, () => modes.mode());
  const payAtCounter = new PayAtCounter(db, time, reservations, carts, printing.jobs, {
    authority: enrolled ? sync : null,
    terminal: kiosk ? 'kiosk' : 'counter',
  });
  const dayClosing = new DayClosingService(db, time);
  const stats = new ReservationStatsService(db, time);
  const paymentStats = new PaymentStatsService(db, time);
  const voids = new VoidService(db, time, reservations, {
    terminal: kiosk ? 'kiosk' : 'counter',
    enrolled: () => sync.status().state !== 'unenrolled',
    server: { void: (body, key) => sync.voidAtServer(body, key) },
    drawer: dayClosing.drawer,
    staff: dayClosing.staff,
  });
  let cleanupTimer: NodeJS.Timeout | undefined;
  // Enrolled: the venue's ticket keys and revocations, kept fresh so this door verifies every counter's
  // tickets offline; this counter's own keys are registered on the way (a rotation made offline too).
  const keysets = enrolled ? new KeysetSync(db, clock, storeKey) : null;
  let keysetTimer: NodeJS.Timeout | undefined;
  const refreshKeyset = () => {
    if (!closed && sync.online()) void keysets?.refresh().catch(() => undefined);
  };
  let closed = false;
  let checkpoints: BackgroundCheckpoints | undefined;
  const terminal: Terminal = {
    db,
    storeKey,
    clock: time,
    kiosk,
    mode,
    reservations,
    holds: enrolled ? sync : reservations,
    sync,
    venueFeed,
    saleAuthority,
    sales,
    providers,
    kioskCheckout: new KioskCheckout({
      payments,
      sales,
      carts,
      reservations,
      providers,
      acceptance: new TenderAcceptance(db, time),
      payAtCounterMinutes: (eventId) => payAtCounter.minutesFor(eventId),
    }),
    payAtCounter,
    availability,
    stats,
    sessions: new SessionService(db, time, {
      pepper: storeKey.pepper,
      station: kiosk ? 'kiosk' : 'counter',
      ...(pinPolicy ? { policy: pinPolicy } : {}),
    }),
    carts,
    events: new EventList(db),
    bestAvailable: new BestAvailableService(enrolled ? sync : reservations, availability),
    printing,
    payments,
    paymentSearch: new ReservationSearch(db, time),
    findReservations: async (input) => {
      if (enrolled && sync.online()) await sync.importReservations(input.query).catch(() => undefined);
      return terminal.paymentSearch.search(input);
    },
    paymentStats,
    dashboard: new DashboardService(db, time, {
      stats,
      paymentStats,
      calendar: dayClosing.calendar,
      catalog: new Catalog(db),
    }),
    dayClosing,
    cashDrawer: dayClosing.drawer,
    voids,
    conflicts: new ConflictDesk(db, clock, sync, voids),
    notifications: new NotificationService(db, time),
    backups: new AutomaticBackups(db, dbFile, clock, backups),
    status: {
      network: () => NETWORK_STATE[sync.status().state],
      venueFeed: () => venueFeed?.state() ?? null,
      syncQueue: () => (enrolled ? sync.status().outbox : null),
      printer: () => PRINTER_STATE[printing.status().state],
      disk: () => {
        const freeBytes = freeDiskBytes(dbFile);
        if (freeBytes === null) return { state: 'unknown', freeBytes };
        return { state: freeBytes < lowDiskBytes ? 'low' : 'ok', freeBytes };
      },
    },
    startMaintenance: () => {
      // The tenant's CLEANUP_INTERVAL_MINUTES, read again before each run (the server may change it).
      const scheduleCleanup = () => {
        clearTimeout(cleanupTimer);
        cleanupTimer = setTimeout(() => {
          if (closed) return;
          reservations.cleanupExpired();
          terminal.notifications.collect();
          availability.pruneFeed();
          scheduleCleanup();
        }, cleanupIntervalMs(db));
        cleanupTimer.unref();
      };
      scheduleCleanup();
      printing.start();
      terminal.backups.start();
      if (enrolled) sync.start();
      if (keysets && !keysetTimer) {
        sync.onLinkChange((online) => online && refreshKeyset());
        refreshKeyset();
        keysetTimer = setInterval(refreshKeyset, KEYSET_REFRESH_MS);
        keysetTimer.unref();
      }
      venueFeed?.start();
      // A hold never waits for a checkpoint's fsync: a worker thread checkpoints the WAL instead.
      if (!checkpoints) {
        db.pragma('wal_autocheckpoint = 0');
        checkpoints = startBackgroundCheckpoints(dbFile, 500, undefined, db);
      }
    },
    boundWal: () => checkpoints?.bound(),
    close: () => {
      closed = true;
      clearTimeout(cleanupTimer);
      clearInterval(keysetTimer);
      // The worker checks the store is open before recording a result.
      sync.stop();
      venueFeed?.stop();
      void terminal.backups.stop();
      void printing.stop();
      void checkpoints?.stop();
      db.close();
    },
  };
  // A sale whose answer was lost and was found out later: the cashier is told which way it went.
  sync.onOutcome((o) => {
    const number = transactionNumber(o.transactionId);
    const done = o.outcome === 'done';
    terminal.notifications.note({
      kind: done ? 'SALE_CONFIRMED' : 'SALE_NOT_DONE',
      transactionId: o.transactionId,
      eventId: null,
      message: done
        ? `Sale ${number} was confirmed by the server after the connection returned; its tickets are printing.`
        : `Sale ${number} did not go through (${o.errorCode ?? 'not received'}); nothing was charged for it.`,
      data: { number, op: o.op, cashier: o.actor, errorCode: o.errorCode },
    });
  });
  return terminal;
}
