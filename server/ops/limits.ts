import type { FastifyInstance } from 'fastify';

/**
 * What one server process allows a client, and for how long it waits. Every value has a
 * `taquilla-server` option (docs/operations.md, "Limits"); the defaults suit a venue's counters on a
 * LAN or behind a reverse proxy.
 */
export interface ServerLimits {
  /** A whole request (headers and body) must arrive within this; a slow sender is cut off (408). */
  requestTimeoutMs: number;
  /** The request's headers must arrive within this. */
  headersTimeoutMs: number;
  /** A connection with no traffic at all for this long is closed (live sockets send pings). */
  idleTimeoutMs: number;
  /** An idle keep-alive connection between two requests is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections (HTTP and live sockets) beyond this are closed at once. */
  maxConnections: number;
  /** Largest request body, in bytes (413 beyond). */
  bodyLimitBytes: number;
  /** Enrolment attempts per minute from one address (429 beyond). */
  enrolPerMinute: number;
  /**
   * Refused credentials per minute from one address (unknown or revoked secrets, missing ones, bad
   * enrolment codes); beyond it, that address's requests without a known credential get 429 until the
   * minute is over. Terminals whose credential this instance has seen work are never held back.
   */
  credentialFailuresPerMinute: number;
  /** Credentials kept in memory (least recently used out). */
  credentialCacheEntries: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1024,
  bodyLimitBytes: 8 * 1024 * 1024,
  enrolPerMinute: 10,
  credentialFailuresPerMinute: 60,
  credentialCacheEntries: 10_000,
};

export function resolveLimits(partial: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  }
  // Node refuses a headers timeout longer than the whole request's.
  limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return limits;
}

/**
 * Options for Node's HTTP(S) server. Node checks the request and headers timeouts on an interval
 * (30 s by default, so a 30 s timeout would fire only after up to 60 s): check often enough that a
 * slow sender is cut off close to its deadline.
 */
export function nodeServerOptions(limits: ServerLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** The connection cap, set on the listening server (Node closes connections beyond it at once). */
export function capConnections(app: FastifyInstance, limits: ServerLimits): void {
  app.server.maxConnections = limits.maxConnections;
}
