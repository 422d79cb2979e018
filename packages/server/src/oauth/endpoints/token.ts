import type { FastifyInstance } from 'fastify';
import {
  GRANT_CLIENT_CREDENTIALS,
  GRANT_JWT_BEARER,
  GRANT_PASSWORD,
  GRANT_REFRESH_TOKEN,
} from '../../domain/clients/model.js';
import { authenticateClient, identifyAssertionClient, type ClientAuthDeps } from '../client-auth.js';
import { InvalidGrant, UnauthorizedClient, UnsupportedGrantType } from '../errors.js';
import { bounded, formParams, required, type Params } from '../params.js';
import { MAX_LENGTH } from '../../domain/limits.js';
import { clientCredentials } from '../grants/client-credentials.js';
import { password } from '../grants/password.js';
import { refreshToken } from '../grants/refresh-token.js';
import { jwtBearer } from '../grants/jwt-bearer.js';
import type { Grant, GrantDeps } from '../grants/types.js';
import { issuingDeps, type UrlDeps } from '../../http/site.js';
import {
  federatedJwtBearer,
  GRANT_TOKEN_EXCHANGE,
  isExternalAssertion,
  tokenExchange,
  type FederatedGrant,
  type FederatedGrantDeps,
} from '../grants/federated.js';

const GRANTS: Record<string, Grant> = {
  [GRANT_CLIENT_CREDENTIALS]: clientCredentials,
  [GRANT_PASSWORD]: password,
  [GRANT_REFRESH_TOKEN]: refreshToken,
  [GRANT_JWT_BEARER]: jwtBearer,
};

/**
 * Grants whose credential is an external issuer's token (workload identity federation): no client
 * is authenticated. jwt-bearer comes here too when its assertion's issuer is an external one.
 */
const FEDERATED: Record<string, FederatedGrant> = {
  [GRANT_TOKEN_EXCHANGE]: tokenExchange,
};

// The grants' own parameters that name or prove something, checked before the client is looked up.
const GRANT_PARAM_LIMITS: [string, number][] = [
  ['username', MAX_LENGTH.email],
  ['password', MAX_LENGTH.password],
  ['refresh_token', MAX_LENGTH.secret],
  ['assertion', MAX_LENGTH.jwt],
  ['subject_token', MAX_LENGTH.jwt],
];
const refuseGrant = (description: string) => new InvalidGrant(description);

const tokenResponse = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_in: { type: 'integer' },
    scope: { type: 'string' },
    refresh_token: { type: 'string' },
    issued_token_type: { type: 'string' },
  },
} as const;

/** POST /t/:tenant/oauth2/v1/token (RFC 6749 §3.2): authenticate the client, dispatch to its grant. */
export async function tokenEndpoint(
  app: FastifyInstance,
  all: ClientAuthDeps & GrantDeps & FederatedGrantDeps & UrlDeps,
): Promise<void> {
  app.post('/oauth2/v1/token', { schema: { hide: true, response: { 200: tokenResponse } } }, async (request, reply) => {
    // At a tenant host, tokens are issued under the host's issuer (and assertions are for it).
    const deps = issuingDeps(all, request, all.urls);
    const params = formParams(request);
    const grantType = required(params, 'grant_type');
    const grant = GRANTS[grantType];
    if (!grant && !FEDERATED[grantType]) throw new UnsupportedGrantType(`grant_type ${grantType} is not supported`);
    for (const [name, max] of GRANT_PARAM_LIMITS) bounded(params[name], name, max, refuseGrant);
    const federated =
      grantType === GRANT_JWT_BEARER && isExternalAssertion(params.assertion)
        ? federatedJwtBearer
        : FEDERATED[grantType];
    const origin = { address: request.ip, userAgent: request.headers['user-agent'] };
    if (federated) {
      const authorization = request.headers.authorization;
      const result = await federated({ deps, tenant: request.tenant, params, authorization, origin });
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return result;
    }
    // Public clients are identified here and then held to their registered grants below.
    const auth =
      grantType === GRANT_JWT_BEARER && withoutClientAuthentication(request.headers.authorization, params)
        ? await identifyAssertionClient(deps, request.tenant, required(params, 'assertion'))
        : await authenticateClient(deps, request.tenant, request, params, true);
    if (!auth.client.grantTypes.includes(grantType)) {
      throw new UnauthorizedClient(`this client may not use the ${grantType} grant`);
    }
    const result = await grant({ deps, tenant: request.tenant, auth, params, origin });
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return result;
  });
}

/** RFC 7523 §3.1: with the jwt-bearer grant, client authentication is optional. */
const withoutClientAuthentication = (authorization: string | undefined, params: Params) =>
  !authorization && !params.client_id && !params.client_secret && !params.client_assertion;
