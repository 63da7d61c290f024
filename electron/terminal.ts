import type { TerminalStatus } from '../shared/api/counter.ts';
import { type Clock, MINUTE_MS } from '../shared/clock.ts';
import { DEFAULT_SETTINGS } from '../shared/config.ts';
import { AvailabilityService } from './services/reservations/availability-service.ts';
import { BestAvailableService } from './services/reservations/best-available-service.ts';
import { ReservationService } from './services/reservations/reservation-service.ts';
import { ReservationStatsService } from './services/reservations/reservation-stats.ts';
import { CartReader } from './services/session/cart.ts';
import { SessionService } from './services/session/session-service.ts';
import { type Db, openDatabase } from './store/database.ts';

export interface TerminalOptions {
  dbFile: string;
  clock: Clock;
  /** Kiosk mode: full screen, no menus, leaving needs a supervisor PIN (TAQUILLA_KIOSK=1). */
  kiosk?: boolean;
  /** Where the SQL migrations are when bundled (Electron); defaults to electron/store/migrations. */
  migrationsDir?: string;
}

/**
 * What the status bar reports about capabilities wired elsewhere. Sync and printing replace these
 * providers when they join the terminal; until then they say 'unknown', never a made-up 'ok'.
 */
export interface StatusProviders {
  network: () => TerminalStatus['network'];
  syncQueue: () => number | null;
  printer: () => TerminalStatus['printer'];
}

export interface Terminal {
  db: Db;
  clock: Clock;
  kiosk: boolean;
  reservations: ReservationService;
  availability: AvailabilityService;
  stats: ReservationStatsService;
  sessions: SessionService;
  carts: CartReader;
  bestAvailable: BestAvailableService;
  status: StatusProviders;
  /** Marks expired holds every CLEANUP_INTERVAL_MINUTES (correctness never waits for it). */
  startMaintenance: () => void;
  close: () => void;
}

/** The composition root: opens the store and wires every service. No Electron in here. */
export function createTerminal({ dbFile, clock, kiosk = false, migrationsDir }: TerminalOptions): Terminal {
  const db = openDatabase(dbFile, migrationsDir ? { migrationsDir } : {});
  const reservations = new ReservationService(db, clock);
  const availability = new AvailabilityService(db, clock);
  const timers: NodeJS.Timeout[] = [];
  const terminal: Terminal = {
    db,
    clock,
    kiosk,
    reservations,
    availability,
    stats: new ReservationStatsService(db, clock),
    sessions: new SessionService(db, clock),
    carts: new CartReader(db, clock),
    bestAvailable: new BestAvailableService(reservations, availability),
    status: {
      network: () => 'unknown',
      syncQueue: () => null,
      printer: () => 'unknown',
    },
    startMaintenance: () => {
      const every = DEFAULT_SETTINGS.CLEANUP_INTERVAL_MINUTES * MINUTE_MS;
      const timer = setInterval(() => {
        reservations.cleanupExpired();
        availability.pruneFeed();
      }, every);
      timer.unref();
      timers.push(timer);
    },
    close: () => {
      for (const timer of timers) clearInterval(timer);
      db.close();
    },
  };
  return terminal;
}
