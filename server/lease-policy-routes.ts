import { z } from 'zod';
import { leasePolicyEntry } from '../shared/lease-policy.ts';
import { id } from '../shared/schemas/reservations.ts';
import type { CatalogRouteDeps, ZodApp } from './catalog-routes.ts';
import { adminBy } from './storage/sql-audit.ts';

/** PUT /v1/admin/lease-policies: the event, the counter (none: every counter) and the policy. */
export const setLeasePolicyInput = z
  .object({ eventId: id, credentialId: id.nullable().default(null), policy: z.unknown() })
  .strict();
export const unsetLeasePolicyInput = z
  .object({ eventId: id, credentialId: id.nullable().default(null) })
  .strict();
export const rebalanceInput = z.object({ eventId: id }).strict();

/**
 * Lease policies per event and the rebalance over HTTP (admin credential), beside
 * `taquilla-server lease-policy` and `taquilla-server leases --rebalance`, which do the same on the
 * database. A policy is validated whole (shared/lease-policy.ts, then against the event's zones):
 * a refusal names every problem and writes nothing.
 */
export function registerLeasePolicyRoutes(
  app: ZodApp,
  { store, clock, requireRole }: CatalogRouteDeps,
): void {
  app.get(
    '/v1/admin/lease-policies',
    {
      schema: {
        summary: "The tenant's lease policies (admin)",
        querystring: z.object({ eventId: z.coerce.number().int().positive().optional() }).strict(),
      },
      preHandler: requireRole('admin'),
    },
    async (request) => ({
      serverTime: clock.now(),
      result: z
        .array(leasePolicyEntry)
        .parse(await store.leasePolicies.list(request.credential!.tenantId, request.query.eventId)),
    }),
  );

  app.put(
    '/v1/admin/lease-policies',
    {
      schema: {
        summary: "Set an event's lease policy, for every counter or one (admin)",
        body: setLeasePolicyInput,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const c = request.credential!;
      const { eventId, credentialId, policy } = request.body;
      return {
        serverTime: now,
        result: await store.leasePolicies.set(c.tenantId, eventId, credentialId, policy, adminBy(c), now),
      };
    },
  );

  app.post(
    '/v1/admin/lease-policies/unset',
    {
      schema: { summary: "Remove an event's lease policy (admin)", body: unsetLeasePolicyInput },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      const c = request.credential!;
      return {
        serverTime: now,
        result: {
          removed: await store.leasePolicies.unset(
            c.tenantId,
            request.body.eventId,
            request.body.credentialId,
            adminBy(c),
            now,
          ),
        },
      };
    },
  );

  app.post(
    '/v1/admin/leases/rebalance',
    {
      schema: {
        summary:
          "Take back an event's unsold leased places: each counter gives its lease back once its sales are reported (admin)",
        body: rebalanceInput,
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const now = clock.now();
      return {
        serverTime: now,
        result: await store.leasePolicies.rebalance(
          request.credential!.tenantId,
          request.body.eventId,
          now,
          adminBy(request.credential!),
        ),
      };
    },
  );
}
