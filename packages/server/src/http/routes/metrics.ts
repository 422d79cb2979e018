import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Metrics } from '../../metrics.js';
import { clusterMetrics, clustered } from '../../metrics-cluster.js';
import { Problem } from '../problem.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics: Prometheus text format. With METRICS_TOKEN set it needs `Authorization: Bearer
 * <token>`; without, it is open (keep it off the public network then). Clustered, it answers every
 * worker's series (see metrics-cluster.ts).
 */
export async function metricsRoutes(
  app: FastifyInstance,
  deps: { config: Pick<Config, 'metricsToken'>; metrics: Pick<Metrics, 'registry'> },
): Promise<void> {
  const expected = deps.config.metricsToken ? digest(deps.config.metricsToken) : undefined;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected) {
      const header = request.headers.authorization ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
      // Compared as digests: equal lengths, constant time.
      if (!timingSafeEqual(digest(presented), expected)) {
        throw new Problem(
          presented ? 'token_invalid' : 'authentication_required',
          'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
          {},
          { 'www-authenticate': 'Bearer realm="metrics"' },
        );
      }
    }
    const text = clustered() ? await clusterMetrics() : await deps.metrics.registry.metrics();
    return reply.header('cache-control', 'no-store').type(deps.metrics.registry.contentType).send(text);
  });
}
