import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../shared/clock.ts';
import type { HoldStore } from '../storage/hold-store.ts';

/**
 * GET /health: the process answers (liveness; restart it if this fails). GET /ready: it can serve
 * (readiness; send it traffic): the database answers, on PostgreSQL the LISTEN connection that
 * carries live changes between instances is up, on SQLite the disk has room. 503 with the failing
 * checks otherwise, and while the server is shutting down.
 */
export function registerHealth(app: FastifyInstance, store: HoldStore, clock: Clock): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.get('/health', { schema: { summary: 'Liveness: the process answers', security: [] } }, async () => ({
    status: 'ok',
    serverTime: clock.now(),
  }));
  app.get(
    '/ready',
    { schema: { summary: 'Readiness: the store answers (and LISTEN is up on PostgreSQL)', security: [] } },
    async (_request, reply) => {
      const health = closing
        ? { ok: false, checks: { server: 'shutting down' } }
        : await store.health().catch((error: unknown) => ({
            ok: false,
            checks: { database: error instanceof Error ? error.message : String(error) },
          }));
      // The database's generation (issue 14): an operator sees a restore took (or which copy answers).
      const generation = health.ok ? await store.generation().catch(() => null) : null;
      return reply.status(health.ok ? 200 : 503).send({
        status: health.ok ? 'ready' : 'not ready',
        store: store.kind,
        ...(generation ? { generation } : {}),
        checks: health.checks,
        serverTime: clock.now(),
      });
    },
  );
}
