import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import { isTaquillaError, TaquillaError } from '../shared/errors.ts';
import {
  batchInput,
  canonicalJson,
  enrolCodeInput,
  enrolInput,
  idempotencyKey,
  operationPath,
  outcomesInput,
  reservationLookup,
  revokeInput,
  SERVER_OPERATIONS,
  UPLOAD_OPERATIONS,
  endLeaseInput,
  serverEventDefinition,
  serverOperations,
  statusOfError,
} from '../shared/schemas/sync.ts';
import { registerKeysetRoutes } from './keyset-routes.ts';
import { registerCatalogRoutes } from './catalog-routes.ts';
import { registerConflictRoutes } from './conflict-routes.ts';
import { registerLeasePolicyRoutes } from './lease-policy-routes.ts';
import { CredentialCache } from './credential-cache.ts';
import { hashSecret, newEnrolCode, newSecret, normalizeEnrolCode } from './credentials.ts';
import { HoldSweeper, type HoldSweeperOptions } from './hold-sweeper.ts';
import { LiveHub } from './live.ts';
import { validated } from './storage/operation-input.ts';
import { registerHealth } from './ops/health.ts';
import { capConnections, nodeServerOptions, resolveLimits, type ServerLimits } from './ops/limits.ts';
import { type LogOptions, loggableUrl, loggerOptions, registerRequestLog } from './ops/logging.ts';
import { ServerMetrics } from './ops/metrics.ts';
import { RateLimitedError, registerRateLimits } from './ops/rate-limits.ts';
import { storeFailure } from './ops/store-failures.ts';
import type { CredentialRow, HoldStore } from './storage/hold-store.ts';
import { adminBy } from './storage/sql-audit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    credential?: CredentialRow;
    /** sha256 of the secret the request presents (header or live socket's token); '' for none. */
    secretHash?: string;
  }
}

export interface ServerOptions {
  store: HoldStore;
  clock: Clock;
  /** Structured logs (pino JSON lines); false (the default here): none. The CLI logs at info. */
  log?: LogOptions | false;
  /** Timeouts, connection cap, rate limits, credential cache (ops/limits.ts DEFAULT_LIMITS). */
  limits?: Partial<ServerLimits>;
  /** Serve HTTPS with this certificate chain and private key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Reverse proxies whose X-Forwarded-For names the client (Fastify trustProxy): addresses or CIDRs. */
  trustProxy?: string[];
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** The cleanup of expired holds (on by default); false leaves expiry to the writes alone. */
  sweep?: HoldSweeperOptions | false;
}

/**
 * The central hold server: enrolment, idempotent hold operations, availability (pull and push).
 * Every request after enrolment carries `Authorization: Bearer <secret>`; the credential decides the
 * tenant, and every store call is scoped to it. Every reply carries `serverTime`.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { clock } = options;
  const limits = resolveLimits(options.limits);
  const log = options.log ?? false;
  const nodeOptions = nodeServerOptions(limits);
  const app = Fastify({
    ...loggerOptions(log),
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    ...(options.trustProxy?.length ? { trustProxy: options.trustProxy } : {}),
    ...(options.tls
      ? { https: { cert: options.tls.cert, key: options.tls.key, ...nodeOptions } }
      : { http: nodeOptions }),
  }).withTypeProvider<ZodTypeProvider>();
  capConnections(app, limits);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Taquilla hold server', version: '1' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(websocket);
  // Operations (docs/operations.md): request ids and logs, metrics, health, rate limits. After the
  // WebSocket plugin: its hooks must see an upgrade before a limit refuses it (it then closes it).
  const metrics = new ServerMetrics(options.store, clock);
  const store = metrics.instrument(options.store);
  registerRequestLog(app, log !== false);
  metrics.register(app, options.metricsToken);
  registerHealth(app, store, clock);
  app.decorateRequest('secretHash', undefined);
  const rateLimits = await registerRateLimits(app, limits, metrics, (request) => {
    const hash = secretHashOf(request);
    return hash !== '' && credentialCache.known(hash);
  });
  const hub = new LiveHub(store, clock);
  app.addHook('onClose', async () => hub.close());
  metrics.attach({
    liveSubscribers: () => hub.subscribers,
    credentialCacheEntries: () => credentialCache.size,
  });
  if (options.sweep !== false) {
    const sweeper = new HoldSweeper(store, clock, options.sweep);
    sweeper.start();
    app.addHook('onClose', async () => sweeper.stop());
  }

  // A credential read is trusted from memory only under the store's cache epoch: while this instance
  // is sure to hear every revocation (PostgreSQL: its LISTEN connection has stayed up). Without an
  // epoch (SQLite; PostgreSQL while LISTEN is down) only writes take it from memory: their own
  // statement re-reads the revocation. A revocation, wherever it was made, drops it on every
  // instance. The cache is an LRU of live credentials only: unknown tokens are never kept.
  const credentialCache = new CredentialCache(limits.credentialCacheEntries);
  let cleared = 0; // a read that raced a revocation must not put its stale row back
  const stopNotices = store.onNotice((notice) => {
    if (notice.kind === 'revoked') credentialCache.forget(notice.credentialId);
    if (notice.kind === 'revoked' || notice.kind === 'resync') cleared += 1;
  });
  app.addHook('onClose', async () => stopNotices());
  /** The secret a request presents: the live socket's `token` query (browsers), else its Bearer header. */
  function secretHashOf(request: FastifyRequest): string {
    if (request.secretHash === undefined) {
      const header = request.headers.authorization;
      const token =
        request.routeOptions.url === '/v1/live'
          ? (request.query as { token?: unknown } | undefined)?.token
          : undefined;
      const secret =
        typeof token === 'string' && token
          ? token
          : header?.startsWith('Bearer ')
            ? header.slice(7).trim()
            : '';
      request.secretHash = secret ? hashSecret(secret) : '';
    }
    return request.secretHash;
  }
  /**
   * `cached`: only for writes, whose own statement re-reads the revocation with the idempotency
   * lookup, so a revocation whose NOTIFY has not reached this instance yet still refuses them. Every
   * other request reads the credential fresh: the next request after a revocation is refused on
   * every instance, the heartbeat included. Either way a live credential read is kept in the cache.
   * (On SQLite a write read its credential every time: ~30 µs, as the reader connection re-reads its
   * pages after every commit.)
   */
  async function authenticate(
    request: FastifyRequest,
    cached: 'cached' | 'fresh' = 'fresh',
    revokedMayUpload = false,
  ): Promise<CredentialRow> {
    const hash = secretHashOf(request);
    if (!hash) throw new TaquillaError('UNAUTHORIZED', 'Missing credential', {});
    const epoch = store.cacheEpoch();
    let row =
      cached !== 'cached'
        ? null
        : epoch === null
          ? credentialCache.live(hash)
          : credentialCache.trusted(hash, epoch);
    if (!row) {
      const generation = cleared;
      row = await store.credentialByHash(hash);
      if (row && generation === cleared) credentialCache.put(hash, row, epoch);
    }
    // A revoked terminal reaches only the upload doors; the store refuses it anything else.
    if (!row || (row.revokedAt !== null && !revokedMayUpload)) {
      throw new TaquillaError('UNAUTHORIZED', 'Unknown or revoked credential', {});
    }
    return row;
  }
  const checkRole =
    (cached: 'cached' | 'fresh', roles: CredentialRow['role'][], revokedMayUpload = false) =>
    async (request: FastifyRequest) => {
      const credential = await authenticate(request, cached, revokedMayUpload);
      if (!roles.includes(credential.role)) {
        throw new TaquillaError('FORBIDDEN', `This needs a ${roles.join(' or ')} credential`, {
          role: credential.role,
        });
      }
      request.credential = credential;
    };
  const requireRole = (...roles: CredentialRow['role'][]) => checkRole('fresh', roles);
  /** Hold operations: their statement re-checks the revocation, so the cached credential is enough. */
  const requireRoleForWrite = (...roles: CredentialRow['role'][]) => checkRole('cached', roles);
  /** Doors a revoked terminal still reaches to report what it sold (the store refuses anything else). */
  const requireRoleForUpload = (...roles: CredentialRow['role'][]) => checkRole('cached', roles, true);

  app.setErrorHandler((error: unknown, request, reply: FastifyReply) => {
    const now = clock.now();
    if (isTaquillaError(error)) {
      return reply.status(statusOfError(error.code)).send({ serverTime: now, error: error.toJSON() });
    }
    if (error instanceof RateLimitedError) {
      return reply.status(429).send({
        serverTime: now,
        error: {
          code: 'RATE_LIMITED',
          message: error.message,
          details: { retryAfterMs: error.retryAfterMs },
        },
      });
    }
    const e = error as {
      validation?: { instancePath?: string; message?: string }[];
      statusCode?: number;
      message?: string;
    };
    if (e.validation) {
      const issues = e.validation.map((v) => ({
        path: v.instancePath || '(input)',
        message: v.message ?? 'invalid',
      }));
      return reply.status(400).send({
        serverTime: now,
        error: {
          code: 'VALIDATION',
          message: `Invalid input: ${e.message}`,
          details: { issues },
        },
      });
    }
    if (e.statusCode && e.statusCode < 500) {
      return reply.status(e.statusCode).send({
        serverTime: now,
        error: { code: 'BAD_REQUEST', message: e.message },
      });
    }
    // Every server error is logged with its request id (the reply's X-Request-Id names it).
    const failure = storeFailure(error);
    if (failure) {
      request.log.error({ failure: failure.code, cause: failure.cause }, failure.message);
      return reply.status(failure.status).send({
        serverTime: now,
        error: { code: failure.code, message: failure.message },
      });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({
      serverTime: now,
      error: { code: 'INTERNAL', message: 'Internal error' },
    });
  });

  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/v1/time',
    { schema: { summary: 'Server clock (also a health check)', security: [] } },
    async () => ({
      serverTime: clock.now(),
    }),
  );

  app.get(
    '/v1/whoami',
    {
      schema: { summary: "The caller's credential and the server clock (the terminals' heartbeat)" },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => {
      const c = request.credential!;
      // catalogRevision: a terminal whose last applied revision is older pulls /v1/catalog.
      const catalogRevision = await store.catalogRevision(c.tenantId);
      // openLeases: a terminal stops selling from any lease of its own not listed (ended by a supervisor).
      const openLeases = c.role === 'terminal' ? await store.openLeaseIds(c.tenantId, c.id) : [];
      // leasePolicy: the counter keeps its leases by it (issue 14, electron/services/sync/lease-keeper.ts).
      const leasePolicy =
        c.role === 'terminal' ? await store.leasePolicies.instructions(c.tenantId, c.id) : null;
      // generation: a counter that sees it change re-sends what a restore may have lost (issue 14).
      const generation = await store.generation();
      return {
        serverTime: clock.now(),
        result: {
          tenantId: c.tenantId,
          credentialId: c.id,
          role: c.role,
          name: c.name,
          catalogRevision,
          openLeases,
          leasePolicy,
          generation,
        },
      };
    },
  );

  app.post(
    '/v1/enrol',
    {
      schema: {
        summary: 'Exchange a one-time enrolment code for a terminal credential',
        body: enrolInput,
        security: [],
      },
      config: { rateLimit: rateLimits.enrol },
    },
    async (request) => {
      const now = clock.now();
      const tenantId = await store.takeEnrolCode(hashSecret(normalizeEnrolCode(request.body.code)), now);
      if (tenantId === null)
        throw new TaquillaError('UNAUTHORIZED', 'Unknown, used or expired enrolment code', {});
      const secret = newSecret();
      const credentialId = await store.addCredential({
        tenantId,
        role: 'terminal',
        name: request.body.terminalName,
        secretHash: hashSecret(secret),
        now,
      });
      return { serverTime: now, result: { tenantId, credentialId, secret } };
    },
  );

  app.post(
    '/v1/admin/enrol-codes',
    {
      schema: {
        summary: 'Create a one-time enrolment code (admin)',
        body: enrolCodeInput,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const code = newEnrolCode();
      const expiresAt = now + request.body.minutes * 60_000;
      await store.addEnrolCode(
        request.credential!.tenantId,
        hashSecret(normalizeEnrolCode(code)),
        expiresAt,
        now,
      );
      return { serverTime: now, result: { code, expiresAt } };
    },
  );

  app.post(
    '/v1/admin/revoke',
    {
      schema: {
        summary: 'Revoke a terminal credential (admin)',
        body: revokeInput,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const c = request.credential!;
      if (request.body.credentialId === c.id && request.body.force !== true) {
        const message =
          'this is your own credential: revoking it locks you out of the admin API; send force: true';
        throw new TaquillaError('VALIDATION', `Invalid input: force: ${message}`, {
          issues: [{ path: 'force', message }],
        });
      }
      const ok = await store.revokeCredential(c.tenantId, request.body.credentialId, now, adminBy(c));
      if (!ok) throw new TaquillaError('FORBIDDEN', 'No such credential in this tenant', { role: 'admin' });
      return {
        serverTime: now,
        result: { revoked: request.body.credentialId },
      };
    },
  );

  app.get(
    '/v1/admin/leases',
    {
      schema: { summary: "The tenant's offline leases, open ones first (admin)" },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      return { serverTime: now, result: await store.leases(request.credential!.tenantId, now) };
    },
  );

  app.post(
    '/v1/admin/leases/end',
    {
      schema: {
        summary:
          'End a lease now: its counter stops selling from it; late reports are taken for the grace (admin)',
        body: endLeaseInput,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const ended = await store.endLease(
        request.credential!.tenantId,
        request.body.leaseId,
        now,
        adminBy(request.credential!),
      );
      if (!ended) {
        throw new TaquillaError('UNKNOWN_LEASE', `There is no lease ${request.body.leaseId}`, {
          leaseId: request.body.leaseId,
        });
      }
      return { serverTime: now, result: ended };
    },
  );

  app.put(
    '/v1/admin/events',
    {
      schema: {
        summary: "Create or update an event's inventory (admin)",
        body: serverEventDefinition,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      await store.putEvent(request.credential!.tenantId, request.body, now);
      return { serverTime: now, result: { eventId: request.body.eventId } };
    },
  );

  registerCatalogRoutes(app, { store, clock, requireRole });
  registerConflictRoutes(app, { store, clock, requireRole });
  registerLeasePolicyRoutes(app, { store, clock, requireRole });
  registerKeysetRoutes(app, { store, clock, requireRole });

  const idempotencyHeader = z.object({ 'idempotency-key': idempotencyKey });
  for (const op of SERVER_OPERATIONS) {
    app.post(
      operationPath(op),
      {
        schema: {
          summary: `Hold operation ${op} (idempotent under Idempotency-Key)`,
          body: serverOperations[op],
          headers: idempotencyHeader,
        },
        preHandler: UPLOAD_OPERATIONS.has(op)
          ? requireRoleForUpload('terminal', 'admin')
          : requireRoleForWrite('terminal', 'admin'),
      },
      async (request, reply) => {
        const credential = request.credential!;
        const key = request.headers['idempotency-key'] as string;
        const requestHash = createHash('sha256')
          .update(`${op}\n${canonicalJson(request.body)}`)
          .digest('hex');
        const now = clock.now();
        // Fastify has parsed the body with serverOperations[op]: the store does not parse it again.
        const stored = await store.execute(
          credential.tenantId,
          credential.id,
          op,
          validated(request.body),
          now,
          {
            key,
            requestHash,
          },
        );
        if (stored.replayed) reply.header('idempotent-replayed', 'true');
        return reply.status(stored.status).send({ serverTime: now, ...stored.body });
      },
    );
  }

  app.post(
    '/v1/batch',
    {
      schema: {
        summary: 'Independent operations in one request, each under its own idempotency key',
        body: batchInput,
      },
      preHandler: requireRoleForUpload('terminal', 'admin'),
    },
    async (request) => {
      const credential = request.credential!;
      const now = clock.now();
      // Run together: the SQLite store commits them as one group, PostgreSQL in parallel.
      const replies = await Promise.all(
        request.body.items.map(async (item) => {
          const parsed = serverOperations[item.op].safeParse(item.body);
          if (!parsed.success) {
            const issues = parsed.error.issues.map((i) => ({
              path: i.path.join('.') || '(input)',
              message: i.message,
            }));
            return {
              status: 400,
              error: { code: 'VALIDATION', message: 'Invalid input', details: { issues } },
            };
          }
          const requestHash = createHash('sha256')
            .update(`${item.op}\n${canonicalJson(parsed.data)}`)
            .digest('hex');
          const stored = await store.execute(
            credential.tenantId,
            credential.id,
            item.op,
            validated(parsed.data),
            now,
            {
              key: item.key,
              requestHash,
            },
          );
          return { status: stored.status, replayed: stored.replayed, ...stored.body };
        }),
      );
      return { serverTime: now, result: { replies } };
    },
  );

  app.post(
    '/v1/outcomes',
    {
      schema: {
        summary:
          'What became of requests whose answers were lost, by idempotency key; unseen keys are abandoned (never applied)',
        body: outcomesInput,
      },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => {
      const now = clock.now();
      const outcomes = await store.resolveKeys(
        request.credential!.tenantId,
        request.credential!.id,
        request.body.keys,
        request.body.abandon,
        now,
      );
      return { serverTime: now, result: { outcomes } };
    },
  );

  app.get(
    '/v1/reservations',
    {
      schema: {
        summary:
          'Reservations found by customer name, cédula, phone or sale number, with their tickets and payments',
        querystring: reservationLookup,
      },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => {
      const now = clock.now();
      const result = await store.searchReservations(
        request.credential!.tenantId,
        request.query.query,
        request.query.includeClosed,
        now,
      );
      return { serverTime: now, result };
    },
  );

  const eventParams = z.object({ eventId: z.coerce.number().int().positive() });
  app.get(
    '/v1/events/:eventId/changes',
    {
      schema: {
        summary: 'Availability changes since a version',
        params: eventParams,
        querystring: z.object({ since: z.coerce.number().int().min(0) }),
      },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => {
      const now = clock.now();
      const result = await store.changesSince(
        request.credential!.tenantId,
        request.params.eventId,
        request.query.since,
        now,
      );
      return { serverTime: now, result };
    },
  );

  app.get(
    '/v1/events/:eventId/availability',
    {
      schema: { summary: 'Whole-event availability', params: eventParams },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => {
      const now = clock.now();
      return {
        serverTime: now,
        result: await store.snapshot(request.credential!.tenantId, request.params.eventId, now),
      };
    },
  );

  app.get(
    '/v1/live',
    {
      websocket: true,
      schema: {
        summary: 'Live availability (WebSocket): deltas of one event from a version',
        querystring: z.object({
          eventId: z.coerce.number().int().positive(),
          since: z.coerce.number().int().min(0).default(0),
          token: z.string().optional(),
        }),
      },
    },
    async (socket, request) => {
      try {
        const credential = await authenticate(request);
        const where = { url: loggableUrl(request.url), ip: request.ip, credential: credential.id };
        request.log.debug(where, 'live socket opened');
        socket.once('close', (code: number) => request.log.debug({ ...where, code }, 'live socket closed'));
        await hub.add(socket, credential, request.query.eventId, request.query.since);
      } catch (error) {
        const refused = isTaquillaError(error) && error.code === 'UNAUTHORIZED';
        if (refused) {
          request.log.warn({ url: loggableUrl(request.url), ip: request.ip }, 'live socket refused');
          await rateLimits.noteFailure(request);
        } else request.log.error({ err: error }, 'live socket failed');
        socket.close(refused ? 4401 : 1011, 'refused');
      }
    },
  );

  return app;
}

/** Creates a tenant and its first admin credential (the CLI's create-tenant). */
export async function createTenantWithAdmin(
  store: HoldStore,
  name: string,
  settings: Record<string, unknown>,
  now: number,
): Promise<{ tenantId: number; credentialId: number; secret: string }> {
  const tenantId = await store.createTenant(name, settings, now);
  const secret = newSecret();
  const credentialId = await store.addCredential({
    tenantId,
    role: 'admin',
    name: `${name} admin`,
    secretHash: hashSecret(secret),
    now,
  });
  return { tenantId, credentialId, secret };
}

/** A one-time enrolment code for a tenant (the CLI's enrol-code). */
export async function createEnrolCode(
  store: HoldStore,
  tenantId: number,
  minutes: number,
  now: number,
): Promise<{ code: string; expiresAt: number }> {
  const code = newEnrolCode();
  const expiresAt = now + minutes * 60_000;
  await store.addEnrolCode(tenantId, hashSecret(normalizeEnrolCode(code)), expiresAt, now);
  return { code, expiresAt };
}
