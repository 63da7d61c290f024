import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import { resolveSettings } from '../shared/config.ts';
import { catalogEvent, catalogQuery, eventFile } from '../shared/schemas/venue.ts';
import type { CredentialRow, HoldStore } from './storage/hold-store.ts';

export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface CatalogRouteDeps {
  store: HoldStore;
  clock: Clock;
  requireRole: (...roles: CredentialRow['role'][]) => (request: FastifyRequest) => Promise<void>;
}

/** The tenant's settings as shown to an admin: the overrides, and what is in force. */
export async function tenantSettingsView(store: HoldStore, tenantId: number) {
  const tenant = await store.tenant(tenantId);
  return {
    tenantId,
    overrides: tenant?.settings ?? {},
    effective: resolveSettings(tenant?.settings ?? {}),
  };
}

/**
 * The venue's catalogue and its administration over HTTP: what terminals pull (settings and
 * events, by revision) and what an admin credential may change (settings, events, terminals).
 * `taquilla-server` commands do the same on the database directly.
 */
export function registerCatalogRoutes(app: ZodApp, { store, clock, requireRole }: CatalogRouteDeps): void {
  app.get(
    '/v1/catalog',
    {
      schema: {
        summary: "The tenant's settings and every event changed after a catalogue revision",
        querystring: catalogQuery,
      },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => ({
      serverTime: clock.now(),
      result: await store.catalog(request.credential!.tenantId, request.query.since),
    }),
  );

  app.get(
    '/v1/admin/settings',
    { schema: { summary: "The tenant's settings (admin)" }, preHandler: requireRole('admin') },
    async (request) => ({
      serverTime: clock.now(),
      result: await tenantSettingsView(store, request.credential!.tenantId),
    }),
  );

  app.put(
    '/v1/admin/settings',
    {
      schema: {
        summary: "Replace the tenant's setting overrides (admin); {} returns every key to its default",
        body: z.record(z.string(), z.unknown()),
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const tenantId = request.credential!.tenantId;
      await store.setTenantSettings(tenantId, request.body, clock.now());
      return { serverTime: clock.now(), result: await tenantSettingsView(store, tenantId) };
    },
  );

  app.get(
    '/v1/admin/terminals',
    {
      schema: { summary: "The tenant's credentials, terminals and admins (admin)" },
      preHandler: requireRole('admin'),
    },
    async (request) => ({
      serverTime: clock.now(),
      result: { credentials: await store.credentials(request.credential!.tenantId) },
    }),
  );

  app.post(
    '/v1/admin/catalog/events',
    {
      schema: {
        summary: 'Define an event from its description; the server assigns its ids (admin)',
        body: eventFile,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const event = await store.defineEvent(request.credential!.tenantId, request.body, now);
      return { serverTime: now, result: event };
    },
  );

  app.put(
    '/v1/admin/catalog/events/:eventId',
    {
      schema: {
        summary: 'Publish an event with its own ids, e.g. from a terminal that has it (admin)',
        params: z.object({ eventId: z.coerce.number().int().positive() }),
        body: catalogEvent,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const event = { ...request.body, eventId: request.params.eventId };
      await store.publishEvent(request.credential!.tenantId, event, now);
      return { serverTime: now, result: { eventId: event.eventId } };
    },
  );
}
