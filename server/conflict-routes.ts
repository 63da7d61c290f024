import type { FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import { serverConflictResolution } from '../shared/schemas/conflicts.ts';
import type { ZodApp } from './catalog-routes.ts';
import type { CredentialRow, HoldStore } from './storage/hold-store.ts';

export interface ConflictRouteDeps {
  store: HoldStore;
  clock: Clock;
  requireRole: (...roles: CredentialRow['role'][]) => (request: FastifyRequest) => Promise<void>;
}

/**
 * Conflicts settled by a supervisor at a counter (issue 14): the counter records each resolution
 * here, and an admin lists them (as `taquilla-server conflicts` does on the database).
 */
export function registerConflictRoutes(app: ZodApp, { store, clock, requireRole }: ConflictRouteDeps): void {
  app.post(
    '/v1/conflicts/resolutions',
    {
      schema: {
        summary:
          'Record how a supervisor settled an offline sale this server refused: moved, refunded or accepted (once per sale)',
        body: serverConflictResolution,
      },
      preHandler: requireRole('terminal'),
    },
    async (request) => {
      const now = clock.now();
      const c = request.credential!;
      return {
        serverTime: now,
        result: await store.recordConflictResolution(c.tenantId, c.id, request.body, now),
      };
    },
  );

  app.get(
    '/v1/admin/conflicts',
    {
      schema: { summary: "How the tenant's refused offline sales were settled, newest first (admin)" },
      preHandler: requireRole('admin'),
    },
    async (request) => ({
      serverTime: clock.now(),
      result: await store.conflictResolutions(request.credential!.tenantId),
    }),
  );
}
