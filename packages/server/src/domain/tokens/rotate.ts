import type { RotateDeps } from './deps.js';
import type { Tenant } from '../tenants/model.js';
import type { Client } from '../clients/model.js';
import type { RefreshTokenRecord } from './model.js';
import { REFRESH_TOKEN_PREFIX } from '../../crypto/secrets.js';
import { grantRefused, scopeRefused } from '../errors.js';
import { issueAccessToken, newRefreshToken, type SecretBinding, type TokenResponse } from './issue.js';
import { endGrants, secretStillBinds } from './grants.js';
import { parseScope, userScopesVia } from './scope.js';
import type { UseOrigin } from '../clients/usage.js';
import { recordAudit } from '../audit/record.js';

const INVALID = 'refresh token is invalid, expired or revoked';
// Said only to the client that owns the token and proved its (new) secret: nothing an attacker learns.
const SECRET_REGENERATED =
  "refresh token was invalidated when the application's secret was regenerated: a new token file (or refresh token) is needed";

/** The kept answer is bound to the row it belongs to. */
const answerAad = (tokenId: string) => `refresh-answer:${tokenId}`;

/**
 * Refresh with rotation (RFC 9700 §4.14). The presented token dies and a new one of the same family
 * is returned; scope may stay or narrow. Marking the old token and saving the new one happen in one
 * transaction, so a client that receives a new token can always use it, and of two concurrent
 * refreshes exactly one rotates.
 *
 * A dropped response must not destroy a grant: for the tenant's grace window the rotated token
 * keeps its answer, sealed, and the same client presenting it again while the successor is unused
 * (a retry, or a concurrent request that lost the race) gets that very answer. Otherwise a rotated
 * token presented again means it was copied: the whole family is revoked, its access tokens too.
 */
export async function rotateRefreshToken(
  ctx: RotateDeps,
  tenant: Tenant,
  client: Client,
  presented: string,
  requestedScope: string | undefined,
  origin: UseOrigin = {},
  /** The client proved the secret a rotation replaced (in its overlap), not the current one. */
  viaPreviousSecret = false,
): Promise<TokenResponse> {
  if (!presented.startsWith(REFRESH_TOKEN_PREFIX)) throw grantRefused(INVALID);
  const record = await ctx.store.refreshTokens.byHash(tenant.id, ctx.hasher.hash(presented));
  const now = Date.now();
  if (!record || record.clientId !== client.id) throw grantRefused(INVALID);
  // Regenerating the secret revokes the application's refresh tokens: say that that is why.
  if (record.revokedAt !== null)
    throw grantRefused(record.secretVersion !== client.secretVersion ? SECRET_REGENERATED : INVALID);
  if (record.rotatedAt !== null)
    return (await keptAnswer(ctx, tenant, record, now)) ?? reuseDetected(ctx, tenant, client, record, now);
  // Before the expiry: a token bound to a replaced secret expires when its overlap ends.
  if (!secretStillBinds(client, record.secretVersion, now)) throw grantRefused(SECRET_REGENERATED);
  if (record.expiresAt <= now) throw grantRefused(INVALID);
  // The successor is bound to the secret that refreshed: the new one carries the grant past the
  // overlap, the replaced one only until the overlap ends.
  const binding: SecretBinding = viaPreviousSecret
    ? { secretVersion: client.secretVersion - 1, notAfter: client.previousSecretExpiresAt! }
    : { secretVersion: client.secretVersion };

  // Scope: at most what was granted, and never more than the user or client may have today.
  let allowed = record.scope.split(' ').filter(Boolean);
  if (record.userId !== null) {
    const principal = await ctx.principals.get(tenant.id, record.userId);
    if (!principal || principal.user.status !== 'active') throw grantRefused('the user of this grant is disabled');
    const current = new Set(userScopesVia(client, principal.scopes));
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
    if (wider.length > 0) throw scopeRefused(`scope may only stay the same or narrow; not granted: ${wider.join(' ')}`);
    const allowedSet = new Set(allowed);
    scopes = requested.filter((s) => allowedSet.has(s)).sort();
  }

  // The whole answer exists before the transaction, so it can be kept in the same write.
  const successor = newRefreshToken(ctx, tenant, client, record.userId, scopes.join(' '), record.familyId, binding);
  const at = await issueAccessToken(ctx, tenant, {
    client,
    userId: record.userId,
    scopes,
    grantId: record.familyId,
    notAfter: binding.notAfter,
  });
  const answer: TokenResponse = {
    access_token: at.token,
    token_type: 'Bearer',
    expires_in: at.expiresIn,
    scope: at.scope,
    refresh_token: successor.token,
  };
  const graceMs = tenant.refreshTokenGraceSeconds * 1000;
  const sealed = graceMs > 0 ? ctx.sealer.seal(JSON.stringify(answer), answerAad(record.id)) : null;
  const until = sealed ? now + graceMs : null;
  // PostgreSQL rotates in one statement, concurrently over the pool; SQLite batches rotations into
  // shared transactions (group commit), its commits being the expensive part.
  const won = ctx.store.refreshTokens.rotatesAlone
    ? await ctx.store.refreshTokens.rotate(record.id, now, successor.record, sealed, until)
    : await ctx.rotations.run((tx) => tx.refreshTokens.rotate(record.id, now, successor.record, sealed, until));
  if (!won) {
    // A concurrent refresh rotated it first and has committed by now: its answer, when kept.
    const latest = await ctx.store.refreshTokens.byId(tenant.id, record.id);
    const kept = latest && latest.revokedAt === null ? await keptAnswer(ctx, tenant, latest, Date.now()) : null;
    if (!kept) throw grantRefused(INVALID);
    return kept;
  }
  ctx.usage.touch(client, origin);
  return answer;
}

/** The answer a rotated token got, while the grace window lasts and its successor is unused. */
async function keptAnswer(
  ctx: Pick<RotateDeps, 'store' | 'sealer'>,
  tenant: Tenant,
  record: RefreshTokenRecord,
  now: number,
): Promise<TokenResponse | null> {
  if (
    record.answerSealed === null ||
    record.answerUntil === null ||
    record.answerUntil < now ||
    record.successorId === null
  )
    return null;
  const successor = await ctx.store.refreshTokens.byId(tenant.id, record.successorId);
  if (!successor || successor.rotatedAt !== null || successor.revokedAt !== null) return null;
  return JSON.parse(ctx.sealer.open(record.answerSealed, answerAad(record.id))) as TokenResponse;
}

async function reuseDetected(
  ctx: Pick<RotateDeps, 'store' | 'metrics'>,
  tenant: Tenant,
  client: Client,
  record: RefreshTokenRecord,
  now: number,
): Promise<never> {
  await ctx.store.transaction(async (tx) => {
    const n = await tx.refreshTokens.revokeFamily(tenant.id, record.familyId, now);
    await recordAudit(tx, {
      tenantId: tenant.id,
      actorType: 'client',
      actorId: client.clientId,
      action: 'refresh_token.reuse_detected',
      targetType: 'refresh_token_family',
      targetId: record.familyId,
      details: { revokedTokens: n, userId: record.userId },
    });
    await endGrants(tx, tenant.id, [record.familyId], now);
  });
  ctx.metrics.refreshReuseDetected();
  throw grantRefused('refresh token was already used; every token of this grant has been revoked');
}
