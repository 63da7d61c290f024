import type { FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import { registerTicketKeysInput } from '../shared/schemas/keyset.ts';
import type { ZodApp } from './catalog-routes.ts';
import type { CredentialRow, HoldStore } from './storage/hold-store.ts';

export interface KeysetRouteDeps {
  store: HoldStore;
  clock: Clock;
  requireRole: (...roles: CredentialRow['role'][]) => (request: FastifyRequest) => Promise<void>;
}

/**
 * Door verification over HTTP (issue 14): a counter registers its public ticket keys (at enrolment,
 * on rotation, and whenever it finds one unregistered); counters and admins read the venue's keyset
 * with its revocation list. The document is only given to a live credential of the tenant: that is
 * what authenticates it (`taquilla-server keyset export` writes the same document for scanners).
 */
export function registerKeysetRoutes(app: ZodApp, { store, clock, requireRole }: KeysetRouteDeps): void {
  app.post(
    '/v1/ticket-keys',
    {
      schema: {
        summary: "Register this counter's public ticket keys (a revoked counter may not)",
        body: registerTicketKeysInput,
      },
      preHandler: requireRole('terminal'),
    },
    async (request) => {
      const now = clock.now();
      const c = request.credential!;
      return {
        serverTime: now,
        result: await store.registerTicketKeys(c.tenantId, c.id, request.body.keys, now),
      };
    },
  );

  app.get(
    '/v1/keyset',
    {
      schema: {
        summary: "The venue's ticket keys (every counter's, retired ones too) and revoked tickets",
      },
      preHandler: requireRole('terminal', 'admin'),
    },
    async (request) => {
      const now = clock.now();
      return { serverTime: now, result: await store.ticketKeyset(request.credential!.tenantId, now) };
    },
  );
}
