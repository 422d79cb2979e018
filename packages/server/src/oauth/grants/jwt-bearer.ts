import { issueTokens } from '../../domain/tokens/issue.js';
import { grantScope, parseScope } from '../../domain/tokens/scope.js';
import { AssertionError, verifyClientJwt } from '../assertion.js';
import { InvalidGrant, UnauthorizedClient } from '../errors.js';
import { required } from '../params.js';
import type { Grant } from './types.js';

/**
 * RFC 7523 §2.1: an application exchanges a JWT it signed with a key from its registered JWKS for an
 * access token. The assertion's issuer and subject are the application itself; each jti works once.
 */
export const jwtBearer: Grant = async ({ deps, tenant, auth, params, origin }) => {
  const assertion = required(params, 'assertion');
  const { client } = auth;
  if (client.kind !== 'app') throw new UnauthorizedClient('only applications may use the jwt-bearer grant');
  try {
    await verifyClientJwt(deps, tenant, client, assertion, client.clientId);
  } catch (err) {
    if (err instanceof AssertionError) throw new InvalidGrant(err.message);
    throw err;
  }
  const scopes = grantScope(parseScope(params.scope), client.scopes);
  deps.usage.touch(client, origin);
  return issueTokens(deps, tenant, { client, userId: null, scopes, withRefresh: false });
};
