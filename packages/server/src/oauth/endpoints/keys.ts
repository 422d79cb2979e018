import type { FastifyInstance } from 'fastify';
import type { KeyService } from '../../domain/keys/service.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';
import { InvalidClient, OAuthError } from '../errors.js';
import type { Params } from '../params.js';
import { issuingDeps, type UrlDeps } from '../../http/site.js';

/**
 * GET /t/:tenant/oauth2/v1/keys: the tenant's public signing keys. Public when the tenant allows
 * signing-certificate access (the default); otherwise a confidential client must authenticate
 * (HTTP Basic, since a GET has no form body).
 */
export interface KeysEndpointDeps extends ClientAuthDeps, UrlDeps {
  keys: Pick<KeyService, 'jwks'>;
}

export async function keysEndpoint(app: FastifyInstance, deps: KeysEndpointDeps): Promise<void> {
  app.get('/oauth2/v1/keys', { schema: { hide: true } }, async (request, reply) => {
    if (!request.tenant.signingCertificatePublic) {
      try {
        await authenticateClient(issuingDeps(deps, request, deps.urls), request.tenant, request, {} as Params, false);
      } catch (err) {
        // HTTP Basic is the only way to authenticate a GET, so every 401 here names it (RFC 9110 §11.6.1).
        if (err instanceof OAuthError && err.status === 401) throw new InvalidClient(err.description, true);
        throw err;
      }
      reply.header('cache-control', 'no-store');
    } else {
      reply.header('cache-control', 'public, max-age=300');
    }
    reply.type('application/jwk-set+json');
    return deps.keys.jwks(request.tenant);
  });
}
