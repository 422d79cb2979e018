import type { FastifyInstance } from 'fastify';
import type { IntrospectDeps } from '../../domain/tokens/deps.js';
import { introspect } from '../../domain/tokens/introspect.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';
import { InvalidRequest } from '../errors.js';
import { bounded, formParams, required } from '../params.js';
import { MAX_LENGTH } from '../../domain/limits.js';
import { issuingDeps, type UrlDeps } from '../../http/site.js';

/**
 * POST /t/:tenant/oauth2/v1/introspect (RFC 7662). Only confidential clients of the tenant (APIs,
 * applications) may ask; public clients may not probe tokens.
 */
export async function introspectEndpoint(
  app: FastifyInstance,
  all: ClientAuthDeps & IntrospectDeps & UrlDeps,
): Promise<void> {
  app.post('/oauth2/v1/introspect', { schema: { hide: true } }, async (request, reply) => {
    const deps = issuingDeps(all, request, all.urls);
    const params = formParams(request);
    await authenticateClient(deps, request.tenant, request, params, false);
    const token = required(params, 'token');
    bounded(token, 'token', MAX_LENGTH.jwt, (d) => new InvalidRequest(d));
    const result = await introspect(deps, request.tenant, token, params.token_type_hint);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return result;
  });
}
