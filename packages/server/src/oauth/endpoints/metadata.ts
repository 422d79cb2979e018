import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Issuer } from '../../domain/tokens/deps.js';
import type { ResourceCache } from '../../domain/resources/cache.js';
import type { Tenant } from '../../domain/tenants/model.js';
import {
  GRANT_CLIENT_CREDENTIALS,
  GRANT_JWT_BEARER,
  GRANT_PASSWORD,
  GRANT_REFRESH_TOKEN,
} from '../../domain/clients/model.js';
import { ASSERTION_ALGS } from '../assertion.js';
import { issuingDeps, type UrlDeps } from '../../http/site.js';
import { GRANT_TOKEN_EXCHANGE } from '../grants/federated.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** The tenant's issuer, the scopes its resources define, and where the documentation is. */
export interface MetadataDeps extends Issuer, UrlDeps {
  resources: Pick<ResourceCache, 'allScopes'>;
  config: Pick<Config, 'publicUrl'>;
}

export async function metadataDocument(deps: MetadataDeps, tenant: Tenant): Promise<Record<string, unknown>> {
  const issuer = deps.issuer(tenant);
  const base = `${issuer}/oauth2/v1`;
  return {
    issuer,
    token_endpoint: `${base}/token`,
    revocation_endpoint: `${base}/revoke`,
    introspection_endpoint: `${base}/introspect`,
    jwks_uri: `${base}/keys`,
    // jwt-bearer takes an application's own assertion, or an external issuer's token (federation).
    grant_types_supported: [
      GRANT_CLIENT_CREDENTIALS,
      GRANT_PASSWORD,
      GRANT_REFRESH_TOKEN,
      GRANT_JWT_BEARER,
      GRANT_TOKEN_EXCHANGE,
    ],
    // No authorization endpoint: Latchkey serves direct grants only.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    scopes_supported: await deps.resources.allScopes(tenant.id),
    access_token_signing_alg_values_supported: ['ES256'],
    service_documentation: `${deps.config.publicUrl}/docs`,
  };
}

/**
 * RFC 8414 metadata, at the RFC's well-known path and at the OpenID-style path under the issuer.
 * Each document names the issuer it was asked through: at a tenant host, the host's endpoints.
 */
export async function metadataEndpoints(app: FastifyInstance, deps: MetadataDeps): Promise<void> {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(path, { schema: { hide: true } }, async (request) =>
      metadataDocument(issuingDeps(deps, request, deps.urls), request.tenant),
    );
  }
}
