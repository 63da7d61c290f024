import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerLimits } from './limits.ts';
import type { ServerMetrics } from './metrics.ts';

/** A request refused by a rate limit (429); the error handler answers it in the API's error shape. */
export class RateLimitedError extends Error {
  readonly statusCode = 429;
  constructor(
    readonly limit: 'enrol' | 'credentials',
    readonly retryAfterMs: number,
  ) {
    super(
      limit === 'enrol'
        ? `Too many enrolment attempts from this address; try again in ${Math.ceil(retryAfterMs / 1000)} s`
        : `Too many refused credentials from this address; try again in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
}

/** Routes monitoring and clocks use: never limited. */
const UNLIMITED = new Set(['/health', '/ready', '/metrics', '/v1/time']);
const MINUTE_MS = 60_000;

export interface RateLimits {
  /** Route config for POST /v1/enrol. */
  enrol: { max: number; timeWindow: number };
  /** Counts one refused credential against the request's address (a live socket refused, say). */
  noteFailure: (request: FastifyRequest) => Promise<void>;
}

/**
 * The server's rate limits, per client address (the proxy's X-Forwarded-For when it is trusted):
 *  - enrolment: at most `enrolPerMinute` attempts (429 beyond);
 *  - refused credentials: every 401 counts; past `credentialFailuresPerMinute` in the minute, the
 *    address's requests are refused with 429 before any credential is read, except requests carrying
 *    a credential this instance knows to be live (`known`), so the counters behind a venue's one NAT
 *    address keep selling while a stranger there is throttled.
 * Counts live in @fastify/rate-limit's in-memory LRU (bounded; one per server instance).
 */
export async function registerRateLimits(
  app: FastifyInstance,
  limits: ServerLimits,
  metrics: ServerMetrics,
  known: (request: FastifyRequest) => boolean,
): Promise<RateLimits> {
  await app.register(rateLimit, {
    global: false,
    cache: 10_000,
    errorResponseBuilder: (_request, context) => new RateLimitedError('enrol', context.ttl),
    onExceeded: () => metrics.rateLimited('enrol'),
  });
  const failures = app.createRateLimit({ max: limits.credentialFailuresPerMinute, timeWindow: MINUTE_MS });
  app.addHook('onRequest', async (request, reply) => {
    if (UNLIMITED.has(request.routeOptions.url ?? '') || known(request)) return;
    const state = await failures(request, { increment: false });
    if (state.isAllowed || state.remaining > 0) return;
    metrics.rateLimited('credentials');
    reply.header('retry-after', Math.ceil(state.ttl / 1000));
    throw new RateLimitedError('credentials', state.ttl);
  });
  const noteFailure = async (request: FastifyRequest) => {
    await failures(request);
  };
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) await noteFailure(request);
  });
  return { enrol: { max: limits.enrolPerMinute, timeWindow: MINUTE_MS }, noteFailure };
}
