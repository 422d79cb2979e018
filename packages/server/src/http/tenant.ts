import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { notFound } from './problem.js';
import { OAuthError } from '../oauth/errors.js';

/**
 * Resolves `/t/:tenant` to the tenant for every route in the calling plugin. Unknown tenants get a
 * 404 (as an OAuth error object on OAuth endpoints).
 */
export function resolveTenant(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const slug = (request.params as { tenant?: string }).tenant ?? '';
    const tenant = await ctx.tenants.get(slug);
    if (!tenant) {
      const oauth = (request.routeOptions.config as { oauth?: boolean } | undefined)?.oauth === true;
      if (oauth) throw new OAuthError('invalid_request', `unknown tenant "${slug}"`, 404);
      throw notFound(`tenant "${slug}" does not exist`);
    }
    request.tenant = tenant;
  });
}
