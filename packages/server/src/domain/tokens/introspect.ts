import type { GrantCheckDeps, IntrospectDeps } from './deps.js';
import type { Tenant } from '../tenants/model.js';
import { clientUnusableReason } from '../clients/policy.js';
import { REFRESH_TOKEN_PREFIX } from '../../crypto/secrets.js';
import { secretGrantEnded, secretStillBinds } from './grants.js';
import { tokenUserId, type AccessTokenClaims } from './access-token.js';
import { verifyAccessToken } from './verify-access-token.js';

export type Introspection =
  { active: false } | ({ active: true; token_type: 'access_token' | 'refresh_token' } & Record<string, unknown>);

const INACTIVE: Introspection = { active: false };

/**
 * Whether the client and user behind a token may still act: a token is inactive once its client is
 * revoked, expired or deactivated, or its user disabled (and, for personal clients, once the owner
 * may no longer use them).
 */
export async function grantStillValid(
  ctx: GrantCheckDeps,
  tenant: Tenant,
  clientId: string,
  userId: string | null,
  sid?: string,
): Promise<boolean> {
  return (await grantEnded(ctx, tenant, clientId, userId, sid)) === null;
}

/**
 * Why grantStillValid is false: whose fault (the client's, the user's, or a replaced client secret's)
 * and a reason for people; null while the grant lives. `sid`: the token's grant.
 */
export async function grantEnded(
  ctx: GrantCheckDeps,
  tenant: Tenant,
  clientId: string,
  userId: string | null,
  sid?: string,
): Promise<{ by: 'client' | 'user' | 'secret'; reason: string } | null> {
  const client = await ctx.clients.get(tenant.id, clientId);
  if (!client) return { by: 'client', reason: 'client no longer exists' };
  const owner = client.ownerUserId ? await ctx.principals.get(tenant.id, client.ownerUserId) : undefined;
  const unusable = clientUnusableReason(tenant, client, owner);
  if (unusable !== null) return { by: 'client', reason: unusable };
  if (secretGrantEnded(client, sid))
    return { by: 'secret', reason: 'the client secret that obtained it was replaced and no longer works' };
  if (userId !== null) {
    const user = client.ownerUserId === userId ? owner : await ctx.principals.get(tenant.id, userId);
    if (!user || user.user.status !== 'active')
      return { by: 'user', reason: 'the user is disabled or no longer exists' };
  }
  return null;
}

export async function introspectAccessToken(
  ctx: IntrospectDeps,
  tenant: Tenant,
  token: string,
): Promise<Introspection> {
  const claims: AccessTokenClaims | null = await verifyAccessToken(ctx.keys, tenant, ctx.issuers(tenant), token);
  if (!claims) return INACTIVE;
  if (await ctx.revokedTokens.revoked(claims)) return INACTIVE;
  if (!(await grantStillValid(ctx, tenant, claims.client_id, tokenUserId(claims), claims.sid))) return INACTIVE;
  return {
    active: true,
    token_type: 'access_token',
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    ...(claims.federated ? { federated: claims.federated } : {}),
  };
}

export async function introspectRefreshToken(
  ctx: IntrospectDeps,
  tenant: Tenant,
  token: string,
): Promise<Introspection> {
  if (!token.startsWith(REFRESH_TOKEN_PREFIX)) return INACTIVE;
  const r = await ctx.store.refreshTokens.byHash(tenant.id, ctx.hasher.hash(token));
  const now = Date.now();
  if (!r || r.revokedAt !== null || r.rotatedAt !== null || r.expiresAt <= now) return INACTIVE;
  const client = await ctx.store.clients.byId(tenant.id, r.clientId);
  if (!client || !secretStillBinds(client, r.secretVersion, now)) return INACTIVE;
  if (!(await grantStillValid(ctx, tenant, client.clientId, r.userId))) return INACTIVE;
  return {
    active: true,
    token_type: 'refresh_token',
    scope: r.scope,
    client_id: client.clientId,
    sub: r.userId ?? client.clientId,
    iss: ctx.issuer(tenant),
    exp: Math.floor(r.expiresAt / 1000),
    iat: Math.floor(r.createdAt / 1000),
  };
}

/** RFC 7662: the hint only decides which kind is tried first. */
export async function introspect(
  ctx: IntrospectDeps,
  tenant: Tenant,
  token: string,
  hint: string | undefined,
): Promise<Introspection> {
  const refreshFirst = hint === 'refresh_token' || token.startsWith(REFRESH_TOKEN_PREFIX);
  if (refreshFirst) {
    const r = await introspectRefreshToken(ctx, tenant, token);
    return r.active ? r : introspectAccessToken(ctx, tenant, token);
  }
  const a = await introspectAccessToken(ctx, tenant, token);
  return a.active ? a : introspectRefreshToken(ctx, tenant, token);
}
