import type { RevokeDeps } from './deps.js';
import type { Tenant } from '../tenants/model.js';
import type { Client } from '../clients/model.js';
import { REFRESH_TOKEN_PREFIX } from '../../crypto/secrets.js';
import { verifyAccessToken } from './verify-access-token.js';
import { endGrants } from './grants.js';
import { recordAudit } from '../audit/record.js';

/**
 * RFC 7009. A refresh token takes its whole family (grant) with it, access tokens included; an access token's jti is denied until
 * it expires. Tokens of other clients, unknown or malformed tokens are ignored (the answer is 200
 * either way, so revocation reveals nothing).
 */
export async function revokeToken(ctx: RevokeDeps, tenant: Tenant, client: Client, token: string): Promise<void> {
  const now = Date.now();
  if (token.startsWith(REFRESH_TOKEN_PREFIX)) {
    const r = await ctx.store.refreshTokens.byHash(tenant.id, ctx.hasher.hash(token));
    if (!r || r.clientId !== client.id) return;
    await ctx.store.transaction(async (tx) => {
      const n = await tx.refreshTokens.revokeFamily(tenant.id, r.familyId, now);
      if (n === 0) return;
      await recordAudit(tx, {
        tenantId: tenant.id,
        actorType: 'client',
        actorId: client.clientId,
        action: 'refresh_token.revoked',
        targetType: 'refresh_token_family',
        targetId: r.familyId,
        details: { userId: r.userId },
      });
      await endGrants(tx, tenant.id, [r.familyId], now);
    });
    return;
  }
  const claims = await verifyAccessToken(ctx.keys, tenant, ctx.issuers(tenant), token);
  if (!claims || claims.client_id !== client.clientId) return;
  const expiresAt = (claims.exp + 60) * 1000;
  await ctx.store.transaction(async (tx) => {
    await tx.replay.revokeAccessToken(tenant.id, claims.jti, expiresAt);
    tx.changes.record({ type: 'token.revoked', jti: claims.jti, expiresAt });
    await recordAudit(tx, {
      tenantId: tenant.id,
      actorType: 'client',
      actorId: client.clientId,
      action: 'access_token.revoked',
      targetType: 'access_token',
      targetId: claims.jti,
      details: { sub: claims.sub },
    });
  });
}
