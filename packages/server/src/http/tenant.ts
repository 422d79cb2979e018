import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Tenant } from '../domain/tenants/model.js';
import type { TenantCache } from '../domain/tenants/cache.js';
import { notFoundError } from '../domain/errors.js';

/**
 * Resolves `/t/:tenant` to the tenant for every route in the calling plugin. Unknown tenants get a
 * 404 in the calling plugin's error format.
 */
export function resolveTenant(app: FastifyInstance, tenants: Pick<TenantCache, 'peek' | 'get'>): void {
  // A callback hook: a cached tenant (nearly every request) is resolved in the same turn of the
  // event loop, without the promise and the extra hop an async hook costs on the token endpoint.
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const slug = (request.params as { tenant?: string }).tenant ?? '';
    const cached = tenants.peek(slug);
    if (cached) return done(settle(request, slug, cached.value));
    tenants.get(slug).then((tenant) => done(settle(request, slug, tenant)), done);
  });
}

function settle(request: FastifyRequest, slug: string, tenant: Tenant | undefined): Error | undefined {
  // A domain error, so each plugin's error handler answers in its own terms (problem+json or RFC 6749).
  if (!tenant) return notFoundError(`unknown tenant "${slug}"`);
  request.tenant = tenant;
  return undefined;
}
