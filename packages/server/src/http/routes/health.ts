import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ctx.store.ping();
      return { status: 'ready', database: ctx.store.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: ctx.store.dialect });
    }
  });
}
