import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { notFoundError } from '../domain/errors.js';

/**
 * Resolves `/t/:tenant` to the tenant for every route in the calling plugin. Unknown tenants get a
 * 404 in the calling plugin's error format.
 */
export function resolveTenant(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const slug = (request.params as { tenant?: string }).tenant ?? '';
    const tenant = await ctx.tenants.get(slug);
    // A domain error, so each plugin's error handler answers in its own terms (problem+json or RFC 6749).
    if (!tenant) throw notFoundError(`unknown tenant "${slug}"`);
    request.tenant = tenant;
  });
}
