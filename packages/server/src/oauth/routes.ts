import type { FastifyInstance } from 'fastify';
import type { TenantCache } from '../domain/tenants/cache.js';
import type { ClientAuthDeps } from './client-auth.js';
import type { GrantDeps } from './grants/types.js';
import type { FederatedGrantDeps } from './grants/federated.js';
import type { RevokeDeps, IntrospectDeps } from '../domain/tokens/deps.js';
import type { KeysEndpointDeps } from './endpoints/keys.js';
import type { MetadataDeps } from './endpoints/metadata.js';
import { resolveTenant } from '../http/tenant.js';
import { tokenEndpoint } from './endpoints/token.js';
import { revokeEndpoint } from './endpoints/revoke.js';
import { introspectEndpoint } from './endpoints/introspect.js';
import { keysEndpoint } from './endpoints/keys.js';
import { metadataDocument, metadataEndpoints } from './endpoints/metadata.js';
import { OAuthError, registerOAuthErrorHandling } from './errors.js';
import type { UrlDeps } from '../http/site.js';
import '../http/types.js';

/**
 * OAuth2 endpoints per tenant under /t/:tenant, plus RFC 8414 metadata at the root well-known path.
 * Registered as an encapsulated plugin: its error handler (RFC 6749 error objects) covers these
 * routes only, the management API keeps its problem documents.
 */
/** What the OAuth endpoints use, each endpoint's own needs together. */
export type OAuthDeps = ClientAuthDeps &
  GrantDeps &
  FederatedGrantDeps &
  RevokeDeps &
  IntrospectDeps &
  KeysEndpointDeps &
  MetadataDeps &
  UrlDeps & {
    tenants: Pick<TenantCache, 'peek' | 'get'>;
  };

export async function oauthRoutes(app: FastifyInstance, deps: OAuthDeps): Promise<void> {
  registerOAuthErrorHandling(app);
  await app.register(
    async (tenantScope) => {
      resolveTenant(tenantScope, deps.tenants);
      await tenantScope.register(tokenEndpoint, deps);
      await tenantScope.register(revokeEndpoint, deps);
      await tenantScope.register(introspectEndpoint, deps);
      await tenantScope.register(keysEndpoint, deps);
      await tenantScope.register(metadataEndpoints, deps);
      postOnly(tenantScope);
    },
    { prefix: '/t/:tenant' },
  );

  app.get('/.well-known/oauth-authorization-server/t/:tenant', { schema: { hide: true } }, async (request) => {
    const slug = (request.params as { tenant: string }).tenant;
    const tenant = await deps.tenants.get(slug);
    if (!tenant) throw new OAuthError('invalid_request', `unknown tenant "${slug}"`, 404);
    return metadataDocument(deps, tenant);
  });
}

const POST_ONLY: Array<[path: string, what: string, body: string]> = [
  ['/oauth2/v1/token', 'the token endpoint', 'grant_type and its parameters'],
  ['/oauth2/v1/revoke', 'the revocation endpoint', 'token'],
  ['/oauth2/v1/introspect', 'the introspection endpoint', 'token'],
];

/** Another method on a POST endpoint (a browser, a curl without -d) is told what to send, not "no route". */
function postOnly(app: FastifyInstance): void {
  for (const [url, what, body] of POST_ONLY) {
    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url,
      schema: { hide: true },
      handler: async (request) => {
        throw new OAuthError(
          'invalid_request',
          `${what} takes POST with a form-encoded body (${body}), not ${request.method}`,
          405,
          { Allow: 'POST' },
        );
      },
    });
  }
}
