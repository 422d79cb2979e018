import type { FastifyInstance } from 'fastify';

/** The database behind the server: reachable or not, and which kind. */
export interface HealthDeps {
  database: { ping(): Promise<void>; readonly dialect: string };
}

export async function healthRoutes(app: FastifyInstance, { database }: HealthDeps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await database.ping();
      return { status: 'ready', database: database.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: database.dialect });
    }
  });
}
