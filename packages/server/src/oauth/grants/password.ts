import { GRANT_REFRESH_TOKEN } from '../../domain/clients/model.js';
import { issueTokens } from '../../domain/tokens/issue.js';
import { grantScope, parseScope, userScopesVia } from '../../domain/tokens/scope.js';
import { InvalidGrant, TooManyAttempts } from '../errors.js';
import { required } from '../params.js';
import type { Grant } from './types.js';

const BAD_CREDENTIALS = 'invalid username or password';
// invalid_grant, not unauthorized_client: the client may use this grant, it is these resource-owner
// credentials that no longer count (RFC 6749 §5.2), so SDKs do not report a misconfigured client.
const SSO_ENFORCED =
  'this domain enforces single sign-on: password sign-in is disabled; sign in to the console with SSO and use a personal OAuth2 client (client_credentials) instead';

/**
 * RFC 6749 §4.3, for the SDK and CLI. Refused on domains that enforce single sign-on (their users
 * use personal OAuth2 clients instead), break-glass accounts excepted; the answer names SSO only
 * after a right password. The credential check and its throttling are the console's
 * (domain/sessions/sign-in.ts).
 */
export const password: Grant = async ({ deps, tenant, auth, params, origin }) => {
  const username = required(params, 'username');
  const pwd = required(params, 'password');
  const result = await deps.sessions.signIn(tenant, {
    email: username,
    password: pwd,
    ip: origin.address,
    via: 'password_grant',
  });
  if (!result.ok) {
    if (result.reason === 'throttled') throw new TooManyAttempts(result.retryAfter);
    if (result.reason === 'sso_enforced') throw new InvalidGrant(SSO_ENFORCED);
    throw new InvalidGrant(result.reason === 'disabled' ? 'this account is disabled' : BAD_CREDENTIALS);
  }
  const user = result.user;
  const principal = await deps.principals.get(tenant.id, user.id);
  const scopes = grantScope(parseScope(params.scope), userScopesVia(auth.client, principal!.scopes));
  deps.usage.touch(auth.client, origin);
  return issueTokens(deps, tenant, {
    client: auth.client,
    userId: user.id,
    scopes,
    withRefresh: auth.client.grantTypes.includes(GRANT_REFRESH_TOKEN),
  });
};
