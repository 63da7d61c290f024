import { z } from 'zod';
import { availabilityChanges, availabilitySnapshot, seatMap } from '../schemas/availability.ts';
import { id } from '../schemas/reservations.ts';
import { defineMethod } from './define.ts';

/**
 * The counter app's methods (issue 3). No input carries a session id or an actor: the handler takes
 * both from the signed-in session, so a renderer can never claim to be someone else.
 */
const empty = z.object({}).strict();

export const pin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');
/** 'kiosk' is the role of a kiosk's self-created customer session (never a user row). */
export const staffRole = z.enum(['cashier', 'supervisor', 'kiosk']);

/** What a PIN lock stops (LOCKED_OUT.details.scope). */
export const pinLockScope = z.enum(['user', 'supervisor-override', 'terminal']);
/** `station: 'kiosk'`: the kiosk's own override or terminal-wide budget on a store it shares. */
export const pinLockTarget = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('user'), userId: id }).strict(),
  z.object({ scope: z.literal('supervisor-override'), station: z.literal('kiosk').optional() }).strict(),
  z.object({ scope: z.literal('terminal'), station: z.literal('kiosk').optional() }).strict(),
]);

export const staffMember = z.object({
  id: z.number(),
  name: z.string(),
  role: staffRole,
});

export const signedIn = z.object({
  /** Secret: sent back on every call (header or IPC argument). Never shown to others. */
  sessionToken: z.string(),
  /** Public: what holds are recorded under; how the map knows "held by me". */
  sessionId: z.string(),
  user: staffMember,
  serverTime: z.number(),
});

export const heldTicket = z.object({
  ticketId: z.number(),
  seatId: z.number().nullable(),
  zoneId: z.number(),
  label: z.string(),
  quantity: z.number(),
  priceCents: z.number(),
  reservedUntil: z.number(),
});

export const holdResult = z.object({
  transactionId: z.string(),
  tickets: z.array(heldTicket),
  alreadyHeld: z.array(z.number()),
  version: z.number(),
});

export const cart = z.object({
  eventId: z.number(),
  transactionId: z.string().nullable(),
  /** Live tickets only: a hold whose time ran out is not in the cart. */
  tickets: z.array(heldTicket),
  /** Bolívares per dollar for this event, e.g. '236.4500'. */
  vesPerUsd: z.string(),
  serverTime: z.number(),
});

export const transactionSummary = z.object({
  transactionId: z.string(),
  status: z.enum(['PENDING', 'RESERVED', 'COMPLETED', 'CANCELLED', 'EXPIRED']),
  reservedUntil: z.number().nullable(),
  tickets: z.number(),
  totalCents: z.number(),
});

export const eventSummary = z.object({
  id: z.number(),
  name: z.string(),
  venue: z.string(),
  startsAt: z.number(),
  vesPerUsd: z.string(),
  seats: z.number(),
});

/**
 * What the status bar shows. Sync and printing belong to other capabilities: until they wire their
 * services into electron/terminal.ts these report 'unknown' (a typed placeholder, not a lie).
 */
export const terminalStatus = z.object({
  /**
   * The central server as the cashier needs to know it: 'standalone' (not enrolled: this terminal
   * sells on its own), 'online', 'offline' (selling from its leases, changes waiting), 'revoked'
   * (the server refused this terminal), 'unknown' (not asked yet).
   */
  network: z.enum(['online', 'offline', 'standalone', 'revoked', 'unknown']),
  /**
   * An enrolled terminal's copy of the venue's map: 'live' while it follows the server's change feed,
   * 'down' while it cannot (the map may be stale); null when there is no server.
   */
  venueFeed: z.enum(['live', 'down']).nullable(),
  /** Changes waiting in the sync outbox; null when the terminal is not enrolled. */
  syncQueue: z.number().nullable(),
  /** The printer's state (printer.status has the jobs waiting and the interrupted ones). */
  printer: z.enum([
    'ready',
    'paper-out',
    'cover-open',
    'cutter-error',
    'error',
    'no-reply',
    'offline',
    'unknown',
  ]),
  cashier: staffMember.nullable(),
  kiosk: z.boolean(),
  /** Free space where the store lives; 'low' below the terminal's threshold (default 256 MiB). */
  disk: z.enum(['ok', 'low', 'unknown']),
  diskFreeBytes: z.number().nullable(),
  /** 'training': a practice store; screens and paper say its sales are worth nothing. */
  mode: z.enum(['live', 'training']),
  serverTime: z.number(),
});

const seatIds = z
  .array(id)
  .min(1)
  .max(100)
  .refine((ids) => new Set(ids).size === ids.length, 'a seat appears twice in the request');
const quantity = z.number().int().min(1).max(100);

export const counterApi = {
  'session.users': defineMethod({
    summary: 'Staff who can sign in at this terminal (names and roles only)',
    public: true,
    input: empty,
    output: z.array(staffMember),
  }),
  'session.signIn': defineMethod({
    summary: 'Sign in with a PIN; five wrong PINs lock the user out, longer after each lock',
    public: true,
    input: z.object({ userId: id, pin }).strict(),
    output: signedIn,
  }),
  'session.signOut': defineMethod({
    summary: 'Sign out and release every temporary hold of the session',
    input: empty,
    output: z.object({ released: z.number() }),
  }),
  'session.me': defineMethod({
    summary: 'Who is signed in on this session',
    input: empty,
    output: signedIn.omit({ sessionToken: true }),
  }),
  'session.supervisorOverride': defineMethod({
    summary:
      'A supervisor PIN authorises a locked action (leaving kiosk mode); any signed-in session may ask, five wrong PINs lock it',
    input: z.object({ pin }).strict(),
    output: z.object({ supervisor: staffMember }),
  }),
  'session.unlock': defineMethod({
    summary: 'Lift a PIN lock: one user, the supervisor override, or every PIN at this terminal',
    roles: ['supervisor'],
    input: pinLockTarget,
    output: z.object({ unlocked: z.boolean() }),
  }),
  'events.list': defineMethod({
    summary: 'Events on sale at this terminal',
    input: empty,
    output: z.array(eventSummary),
  }),
  'events.seatMap': defineMethod({
    summary: 'The static seat map of an event (column-wise)',
    input: z.object({ eventId: id }).strict(),
    output: seatMap,
  }),
  'availability.snapshot': defineMethod({
    summary: 'Every seat state of an event, versioned, with server time',
    input: z.object({ eventId: id }).strict(),
    output: availabilitySnapshot,
  }),
  'availability.changes': defineMethod({
    summary: 'What changed since a version (or reset: take a fresh snapshot)',
    input: z.object({ eventId: id, sinceVersion: z.number().int().min(0) }).strict(),
    output: availabilityChanges,
  }),
  'holds.seats': defineMethod({
    summary: 'Hold every requested seat for this session, or none',
    input: z.object({ eventId: id, seatIds }).strict(),
    output: holdResult,
  }),
  'holds.general': defineMethod({
    summary: 'Hold a quantity in a general-admission zone',
    input: z.object({ eventId: id, zoneId: id, quantity }).strict(),
    output: holdResult,
  }),
  'holds.bestAvailable': defineMethod({
    summary: 'Pick and hold the best N adjacent seats of a zone',
    input: z
      .object({
        eventId: id,
        zoneId: id,
        quantity: z.number().int().min(1).max(20),
      })
      .strict(),
    output: holdResult,
  }),
  'holds.releaseSeats': defineMethod({
    summary: 'Deselect seats: their holds are cancelled',
    input: z.object({ eventId: id, seatIds }).strict(),
    output: z.object({
      released: z.array(z.number()),
      notHeld: z.array(z.number()),
    }),
  }),
  'holds.releaseGeneral': defineMethod({
    summary: "Release this session's general-admission places in a zone",
    input: z.object({ eventId: id, zoneId: id }).strict(),
    output: z.object({ released: z.number() }),
  }),
  'holds.clear': defineMethod({
    summary: "Empty this session's cart for an event",
    input: z.object({ eventId: id }).strict(),
    output: z.object({ released: z.number() }),
  }),
  'holds.extend': defineMethod({
    summary: "More time for this session's holds in an event (capped by the hold lifetime)",
    input: z.object({ eventId: id }).strict(),
    output: z.object({ transactionId: z.string(), tickets: z.array(heldTicket) }),
  }),
  'cart.get': defineMethod({
    summary: "This session's cart for an event",
    input: z.object({ eventId: id }).strict(),
    output: cart,
  }),
  'sync.reconnect': defineMethod({
    summary: 'Reconectar: ask the central server now (not at the next retry) and resume the live map',
    input: empty,
    output: z.object({
      network: terminalStatus.shape.network,
      venueFeed: terminalStatus.shape.venueFeed,
    }),
  }),
  'terminal.status': defineMethod({
    summary: 'Network, sync queue, printer and who is signed in',
    public: true,
    input: empty,
    output: terminalStatus,
  }),
} as const;

export type SignedIn = z.infer<typeof signedIn>;
export type StaffMember = z.infer<typeof staffMember>;
export type Cart = z.infer<typeof cart>;
export type HeldTicketView = z.infer<typeof heldTicket>;
export type TerminalStatus = z.infer<typeof terminalStatus>;
export type EventSummary = z.infer<typeof eventSummary>;

/**
 * What the live channel pushes (Server-Sent Events over HTTP, an IPC message in Electron): changes
 * from the availability feed, and the server's clock every second so the client tracks its offset
 * (a hold whose `until` has passed by server time is free, whatever the PC clock says).
 */
export const liveMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('changes'), changes: availabilityChanges }),
  z.object({
    type: z.literal('clock'),
    at: z.number(),
    /** Enrolled terminals: whether other counters' changes are reaching this map (see terminalStatus). */
    venueFeed: z.enum(['live', 'down']).nullable().optional(),
    /** The link to the server, every second (the status bar must not wait for its next poll). */
    network: terminalStatus.shape.network.optional(),
  }),
]);
export type LiveMessage = z.infer<typeof liveMessage>;

export const liveSubscription = z.object({ eventId: id, sinceVersion: z.number().int().min(0) }).strict();
