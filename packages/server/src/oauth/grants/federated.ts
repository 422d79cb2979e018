import { decodeJwt } from 'jose';
import type { Tenant } from '../../domain/tenants/model.js';
import type { TokenResponse } from '../../domain/tokens/issue.js';
import type { UseOrigin } from '../../domain/clients/usage.js';
import type { ResourceCache } from '../../domain/resources/cache.js';
import { exchangeExternalToken, IssuerUnavailable, type ExchangeDeps } from '../../domain/federation/exchange.js';
import { parseScope } from '../../domain/tokens/scope.js';
import { MAX_LENGTH } from '../../domain/limits.js';
import { InvalidRequest, InvalidTarget, OAuthError } from '../errors.js';
import { required, type Params } from '../params.js';

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
export const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = [TOKEN_TYPE_JWT, TOKEN_TYPE_ID_TOKEN];
const MAX_TARGET = 1000;

/** What the federated grants use: the exchange's own needs, and the resources an audience may name. */
export type FederatedGrantDeps = ExchangeDeps & { resources: Pick<ResourceCache, 'list'> };

export interface FederatedGrantRequest {
  deps: FederatedGrantDeps;
  tenant: Tenant;
  params: Params;
  /** The Authorization header: a federated grant takes no client authentication. */
  authorization: string | undefined;
  origin: UseOrigin & { address: string };
}

/** A grant whose credential is an external issuer's token: no client authentication. */
export type FederatedGrant = (req: FederatedGrantRequest) => Promise<TokenResponse & { issued_token_type?: string }>;

/**
 * Whether a jwt-bearer assertion is an external issuer's token rather than an application's own
 * (whose `iss` is its client_id, never a URL): read unverified, only to route the request.
 */
export function isExternalAssertion(assertion: string | undefined): boolean {
  if (assertion === undefined) return false;
  try {
    const { iss } = decodeJwt(assertion);
    return typeof iss === 'string' && /^https?:\/\//i.test(iss);
  } catch {
    return false;
  }
}

/** The external token is the credential: a secret or an assertion of a client would be a second one, and is refused. */
function noClientAuthentication(req: FederatedGrantRequest): void {
  const { params, authorization } = req;
  if (authorization !== undefined || params.client_secret !== undefined || params.client_assertion !== undefined)
    throw new InvalidRequest(
      "an external issuer's token is its own credential: send no client authentication (client_id alone may choose the application)",
    );
}

/** The scopes of the tenant's resources named by RFC 8693's audience and resource parameters (each once). */
async function targetScopes(req: FederatedGrantRequest): Promise<string[] | undefined> {
  const targets = [req.params.audience, req.params.resource].filter((t): t is string => t !== undefined);
  if (targets.length === 0) return undefined;
  const resources = await req.deps.resources.list(req.tenant.id);
  const scopes: string[] = [];
  for (const t of targets) {
    const named = t.length <= MAX_TARGET ? resources.filter((r) => r.audience === t) : [];
    if (named.length === 0)
      throw new InvalidTarget(
        `${t === req.params.audience ? 'audience' : 'resource'} names no API of this domain (use an API's audience)`,
      );
    scopes.push(...named.flatMap((r) => r.scopes));
  }
  return scopes;
}

async function exchange(req: FederatedGrantRequest, token: string): Promise<TokenResponse> {
  noClientAuthentication(req);
  const clientId = req.params.client_id;
  if (clientId !== undefined && clientId.length > MAX_LENGTH.clientId)
    throw new InvalidRequest(`client_id is too long (at most ${MAX_LENGTH.clientId} characters)`);
  try {
    return await exchangeExternalToken(
      req.deps,
      req.tenant,
      { token, scope: parseScope(req.params.scope), clientId, targetScopes: await targetScopes(req) },
      req.origin,
    );
  } catch (err) {
    if (err instanceof IssuerUnavailable)
      throw new OAuthError('temporarily_unavailable', `${err.message}; retry later`, 503, { 'Retry-After': '30' });
    throw err;
  }
}

/**
 * RFC 8693 token exchange: the subject token is an external issuer's JWT (a CI job's ID token, a
 * service-account token); the answer is an access token (`issued_token_type`), never a refresh token.
 * Delegation (an actor token) is not offered.
 */
export const tokenExchange: FederatedGrant = async (req) => {
  const { params } = req;
  const subjectToken = required(params, 'subject_token');
  const type = required(params, 'subject_token_type');
  if (!SUBJECT_TOKEN_TYPES.includes(type))
    throw new InvalidRequest(`subject_token_type must be ${SUBJECT_TOKEN_TYPES.join(' or ')}`);
  if (params.actor_token !== undefined || params.actor_token_type !== undefined)
    throw new InvalidRequest('actor_token is not supported: the subject token is the only credential');
  const wanted = params.requested_token_type;
  if (wanted !== undefined && wanted !== TOKEN_TYPE_ACCESS_TOKEN && wanted !== TOKEN_TYPE_JWT)
    throw new InvalidRequest(`requested_token_type must be ${TOKEN_TYPE_ACCESS_TOKEN} (an access token is issued)`);
  return { ...(await exchange(req, subjectToken)), issued_token_type: TOKEN_TYPE_ACCESS_TOKEN };
};

/** RFC 7523 §2.1 with an external issuer's token as the assertion (routed here by its `iss`, see isExternalAssertion). */
export const federatedJwtBearer: FederatedGrant = async (req) => exchange(req, required(req.params, 'assertion'));
