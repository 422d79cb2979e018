import type { AppContext } from '../../context.js';
import type { Tenant } from '../tenants/model.js';
import type { Client } from '../clients/model.js';
import { REFRESH_TOKEN_PREFIX } from '../../crypto/secrets.js';
import { InvalidGrant, InvalidScope } from '../../oauth/errors.js';
import { issueAccessToken, createRefreshToken, type TokenResponse } from './issue.js';
import { parseScope } from './scope.js';

const INVALID = 'refresh token is invalid, expired or revoked';

/**
 * Refresh with rotation (RFC 9700 §4.14). The presented token dies and a new one of the same family
 * is returned; scope may stay or narrow. A token presented again after it was rotated means it was
 * copied: the whole family is revoked. Marking the old token and saving the new one happen in one
 * transaction, so a client that receives a new token can always use it, and of two concurrent
 * refreshes exactly one wins.
 */
export async function rotateRefreshToken(ctx: AppContext, tenant: Tenant, client: Client, presented: string, requestedScope: string | undefined): Promise<TokenResponse> {
  if (!presented.startsWith(REFRESH_TOKEN_PREFIX)) throw new InvalidGrant(INVALID);
  const record = await ctx.store.refreshTokens.byHash(tenant.id, ctx.hasher.hash(presented));
  const now = Date.now();
  if (!record || record.clientId !== client.id) throw new InvalidGrant(INVALID);
  if (record.revokedAt !== null) throw new InvalidGrant(INVALID);
  if (record.rotatedAt !== null) {
    await ctx.store.transaction(async (tx) => {
      const n = await tx.refreshTokens.revokeFamily(tenant.id, record.familyId, now);
      await tx.audit.append({
        tenantId: tenant.id, actorType: 'client', actorId: client.clientId, action: 'refresh_token.reuse_detected',
        targetType: 'refresh_token_family', targetId: record.familyId, details: { revokedTokens: n, userId: record.userId },
      });
    });
    throw new InvalidGrant('refresh token was already used; every token of this grant has been revoked');
  }
  if (record.expiresAt <= now) throw new InvalidGrant(INVALID);
  if (record.secretVersion !== client.secretVersion) throw new InvalidGrant('refresh token was invalidated when the client secret was regenerated');

  // Scope: at most what was granted, and never more than the user or client may have today.
  let allowed = record.scope.split(' ').filter(Boolean);
  if (record.userId !== null) {
    const principal = await ctx.principals.get(tenant.id, record.userId);
    if (!principal || principal.user.status !== 'active') throw new InvalidGrant('the user of this grant is disabled');
    const current = new Set(principal.scopes);
    allowed = allowed.filter((s) => current.has(s));
  } else if (client.kind === 'app') {
    const current = new Set(client.scopes);
    allowed = allowed.filter((s) => current.has(s));
  }
  const requested = parseScope(requestedScope);
  let scopes = allowed;
  if (requested !== undefined) {
    const grantedSet = new Set(record.scope.split(' '));
    const wider = requested.filter((s) => !grantedSet.has(s));
    if (wider.length > 0) throw new InvalidScope(`scope may only stay the same or narrow; not granted: ${wider.join(' ')}`);
    const allowedSet = new Set(allowed);
    scopes = requested.filter((s) => allowedSet.has(s)).sort();
  }
  const scope = scopes.join(' ');

  const refreshToken = await ctx.rotations.run(async (tx) => {
    if (!(await tx.refreshTokens.markRotated(record.id, now))) return null;
    return createRefreshToken(ctx, tx, tenant, client, record.userId, scope, record.familyId);
  });
  if (refreshToken === null) throw new InvalidGrant(INVALID); // lost a concurrent race
  ctx.usage.touch(client);
  const at = await issueAccessToken(ctx, tenant, { client, userId: record.userId, scopes });
  return { access_token: at.token, token_type: 'Bearer', expires_in: at.expiresIn, scope: at.scope, refresh_token: refreshToken };
}
