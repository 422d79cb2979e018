import { GRANT_REFRESH_TOKEN } from '../../domain/clients/model.js';
import { normaliseEmail } from '../../domain/users/model.js';
import { verifyPassword } from '../../crypto/passwords.js';
import { issueTokens } from '../../domain/tokens/issue.js';
import { grantScope, parseScope } from '../../domain/tokens/scope.js';
import { InvalidGrant, TooManyAttempts } from '../errors.js';
import { required } from '../params.js';
import type { Grant } from './types.js';

const BAD_CREDENTIALS = 'invalid username or password';

/**
 * RFC 6749 §4.3, for the SDK and CLI. Refused on domains that enforce single sign-on (their users
 * use personal OAuth2 clients instead); throttled per account and per address.
 */
export const password: Grant = async ({ ctx, tenant, auth, params, ip }) => {
  const username = normaliseEmail(required(params, 'username'));
  const pwd = required(params, 'password');
  if (tenant.ssoEnforced) {
    throw new InvalidGrant('this domain enforces single sign-on: password sign-in is disabled; use a personal OAuth2 client (client_credentials) instead');
  }
  const account = `${tenant.id}:${username}`;
  const wait = ctx.throttle.retryAfter(account, ip);
  if (wait > 0) throw new TooManyAttempts(wait);

  const user = await ctx.store.users.byEmail(tenant.id, username);
  if (!(await verifyPassword(pwd, user?.passwordHash))) {
    ctx.throttle.fail(account, ip);
    await ctx.store.audit.append({
      tenantId: tenant.id, actorType: 'user', actorId: user?.id ?? null, action: 'user.sign_in_failed',
      targetType: 'user', targetId: user?.id ?? null, details: { via: 'password_grant', ip },
    });
    throw new InvalidGrant(BAD_CREDENTIALS);
  }
  ctx.throttle.succeed(account);
  if (user!.status !== 'active') throw new InvalidGrant('this account is disabled');
  const principal = await ctx.principals.get(tenant.id, user!.id);
  const allowed = auth.client.scopes.length > 0
    ? principal!.scopes.filter((s) => auth.client.scopes.includes(s))
    : principal!.scopes;
  const scopes = grantScope(parseScope(params.scope), allowed);
  ctx.usage.touch(auth.client);
  return issueTokens(ctx, tenant, {
    client: auth.client, userId: user!.id, scopes, withRefresh: auth.client.grantTypes.includes(GRANT_REFRESH_TOKEN),
  });
};
