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
  serverEventDefinition,
  serverOperations,
  statusOfError,
} from '../shared/schemas/sync.ts';
import { hashSecret, newEnrolCode, newSecret, normalizeEnrolCode } from './credentials.ts';
import { LiveHub } from './live.ts';
import type { CredentialRow, HoldStore } from './storage/hold-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    credential?: CredentialRow;
  }
}

export interface ServerOptions {
  store: HoldStore;
  clock: Clock;
  logger?: boolean;
}

/** How long a credential lookup is trusted; revoking on this instance clears it at once. */
const CREDENTIAL_CACHE_MS = 2000;

/**
 * The central hold server: enrolment, idempotent hold operations, availability (pull and push).
 * Every request after enrolment carries `Authorization: Bearer <secret>`; the credential decides the
 * tenant, and every store call is scoped to it. Every reply carries `serverTime`.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store, clock } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 8 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
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
  const hub = new LiveHub(store, clock);
  app.addHook('onClose', async () => hub.close());

  const credentialCache = new Map<string, { row: CredentialRow | null; at: number }>();
  async function authenticate(request: FastifyRequest, token?: string): Promise<CredentialRow> {
    const header = request.headers.authorization;
    const secret = token ?? (header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
    if (!secret) throw new TaquillaError('UNAUTHORIZED', 'Missing credential', {});
    const hash = hashSecret(secret);
    const now = Date.now(); // cache bookkeeping only; never a business decision
    let cached = credentialCache.get(hash);
    if (!cached || now - cached.at > CREDENTIAL_CACHE_MS) {
      cached = { row: await store.credentialByHash(hash), at: now };
      credentialCache.set(hash, cached);
    }
    if (!cached.row || cached.row.revokedAt !== null) {
      throw new TaquillaError('UNAUTHORIZED', 'Unknown or revoked credential', {});
    }
    return cached.row;
  }
  const requireRole =
    (...roles: CredentialRow['role'][]) =>
    async (request: FastifyRequest) => {
      const credential = await authenticate(request);
      if (!roles.includes(credential.role)) {
        throw new TaquillaError('FORBIDDEN', `This needs a ${roles.join(' or ')} credential`, {
          role: credential.role,
        });
      }
      request.credential = credential;
    };

  app.setErrorHandler((error: unknown, _request, reply: FastifyReply) => {
    const now = clock.now();
    if (isTaquillaError(error)) {
      return reply.status(statusOfError(error.code)).send({ serverTime: now, error: error.toJSON() });
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
    app.log.error(error);
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
      return {
        serverTime: clock.now(),
        result: { tenantId: c.tenantId, credentialId: c.id, role: c.role, name: c.name },
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
      const ok = await store.revokeCredential(request.credential!.tenantId, request.body.credentialId, now);
      if (!ok) throw new TaquillaError('FORBIDDEN', 'No such credential in this tenant', { role: 'admin' });
      credentialCache.clear();
      return {
        serverTime: now,
        result: { revoked: request.body.credentialId },
      };
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
        preHandler: requireRole('terminal', 'admin'),
      },
      async (request, reply) => {
        const credential = request.credential!;
        const key = request.headers['idempotency-key'] as string;
        const requestHash = createHash('sha256')
          .update(`${op}\n${canonicalJson(request.body)}`)
          .digest('hex');
        const now = clock.now();
        const stored = await store.execute(credential.tenantId, credential.id, op, request.body, now, {
          key,
          requestHash,
        });
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
      preHandler: requireRole('terminal', 'admin'),
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
          const stored = await store.execute(credential.tenantId, credential.id, item.op, parsed.data, now, {
            key: item.key,
            requestHash,
          });
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
        const credential = await authenticate(request, request.query.token);
        await hub.add(socket, credential.tenantId, request.query.eventId, request.query.since);
      } catch (error) {
        socket.close(isTaquillaError(error) && error.code === 'UNAUTHORIZED' ? 4401 : 1011, 'refused');
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
